"""create the search document table

Revision ID: a1c0e5d2b7f4
Revises:
Create Date: 2026-11-22
"""
from alembic import op

revision = "a1c0e5d2b7f4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # fields: every indexed string/date/number/boolean field as a JSON array
    # of strings (filters, facets, sorting); text_fields: the tokenised
    # (Solr "text") fields, kept apart so that fields stays small; the
    # promoted columns (state ... permission_labels) answer the filters CKAN
    # adds to every search without reading jsonb; doc: the stored fields CKAN
    # reads back; tsv: the weighted full-text vector (A title/name,
    # B tags/groups/vocabularies, C description, D resources, extras, rest).
    op.execute("""
        CREATE TABLE smartcity_search_doc (
            index_id text PRIMARY KEY,
            site_id text NOT NULL,
            package_id text NOT NULL,
            state text,
            capacity text,
            dataset_type text,
            entity_type text,
            organization text,
            metadata_modified text,
            permission_labels text[] NOT NULL DEFAULT '{}',
            fields jsonb NOT NULL,
            text_fields jsonb NOT NULL,
            tsv tsvector NOT NULL,
            indexed_at timestamp without time zone NOT NULL DEFAULT now()
        ) WITH (toast_tuple_target = 8160)
    """)
    # The stored payload CKAN reads back for a page of results lives apart,
    # so that scanning and faceting the matches never reads it. The high
    # toast_tuple_target above keeps fields and tsv inline (no TOAST lookups
    # per row while filtering and faceting).
    op.execute("""
        CREATE TABLE smartcity_search_stored (
            index_id text PRIMARY KEY
                REFERENCES smartcity_search_doc (index_id) ON DELETE CASCADE,
            doc jsonb NOT NULL,
            data_dict text,
            validated_data_dict text
        )
    """)
    op.execute("CREATE INDEX smartcity_search_doc_fields_idx "
               "ON smartcity_search_doc USING gin (fields jsonb_path_ops)")
    op.execute("CREATE INDEX smartcity_search_doc_tsv_idx "
               "ON smartcity_search_doc USING gin (tsv)")
    op.execute("CREATE INDEX smartcity_search_doc_package_idx "
               "ON smartcity_search_doc (package_id)")
    op.execute("CREATE INDEX smartcity_search_doc_modified_idx "
               "ON smartcity_search_doc (metadata_modified)")
    op.execute("CREATE INDEX smartcity_search_doc_labels_idx "
               "ON smartcity_search_doc USING gin (permission_labels)")


def downgrade():
    op.execute("DROP TABLE smartcity_search_stored")
    op.execute("DROP TABLE smartcity_search_doc")
