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
    # fields: every indexed field as a JSON array of strings (filters, facets,
    # sorting); doc: the stored fields CKAN reads back; tsv: the weighted
    # full-text vector (A title/name, B tags/groups/vocabularies,
    # C description, D resources, extras and the rest).
    op.execute("""
        CREATE TABLE smartcity_search_doc (
            index_id text PRIMARY KEY,
            site_id text NOT NULL,
            package_id text NOT NULL,
            fields jsonb NOT NULL,
            doc jsonb NOT NULL,
            data_dict text,
            validated_data_dict text,
            tsv tsvector NOT NULL,
            indexed_at timestamp without time zone NOT NULL DEFAULT now()
        )
    """)
    op.execute("CREATE INDEX smartcity_search_doc_fields_idx "
               "ON smartcity_search_doc USING gin (fields jsonb_path_ops)")
    op.execute("CREATE INDEX smartcity_search_doc_tsv_idx "
               "ON smartcity_search_doc USING gin (tsv)")
    op.execute("CREATE INDEX smartcity_search_doc_package_idx "
               "ON smartcity_search_doc (package_id)")
    op.execute("CREATE INDEX smartcity_search_doc_modified_idx "
               "ON smartcity_search_doc ((fields -> 'metadata_modified' ->> 0))")


def downgrade():
    op.execute("DROP TABLE smartcity_search_doc")
