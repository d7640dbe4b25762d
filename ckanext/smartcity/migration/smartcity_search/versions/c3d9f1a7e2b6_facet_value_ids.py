"""facet value ids and indexes for counts and deep pages at 100k datasets

Revision ID: c3d9f1a7e2b6
Revises: a1c0e5d2b7f4
Create Date: 2026-12-04
"""
from alembic import op

revision = "c3d9f1a7e2b6"
down_revision = "a1c0e5d2b7f4"
branch_labels = None
depends_on = None

# the default of ckanext.smartcity.search.interned_facet_fields when this
# revision was written; a site with another setting rebuilds its index
DEFAULT_INTERNED = ["organization", "groups", "tags", "res_format", "license_id",
                    "dataset_type", "owner_org"]


def upgrade():
    # Every facet value once, numbered; an index row lists the numbers of its
    # values (facet_ids), so that counting facets over 15,000 matches reads
    # integers, not jsonb (docs/architecture.md, "Search at 100k datasets").
    # Unique on md5(value): a value of any length fits the index.
    op.execute("""
        CREATE TABLE smartcity_search_facet_value (
            id serial PRIMARY KEY,
            field text NOT NULL,
            value text NOT NULL
        )""")
    op.execute("CREATE UNIQUE INDEX smartcity_search_facet_value_key "
               "ON smartcity_search_facet_value (field, md5(value))")
    op.execute("ALTER TABLE smartcity_search_doc "
               "ADD COLUMN facet_ids int[] NOT NULL DEFAULT '{}'")
    names = "ARRAY[" + ", ".join(f"'{name}'" for name in DEFAULT_INTERNED) + "]"
    op.execute(f"""
        INSERT INTO smartcity_search_facet_value (field, value)
        SELECT DISTINCT e.key, v.value FROM smartcity_search_doc d,
            jsonb_each(d.fields) AS e(key, items), jsonb_array_elements_text(e.items) AS v(value)
        WHERE e.key = ANY({names}) OR e.key LIKE 'vocab\\_%'
        ON CONFLICT (field, md5(value)) DO NOTHING""")
    op.execute(f"""
        UPDATE smartcity_search_doc d SET facet_ids = ARRAY(
            SELECT DISTINCT f.id FROM jsonb_each(d.fields) AS e(key, items)
            CROSS JOIN LATERAL jsonb_array_elements_text(e.items) AS v(value)
            JOIN smartcity_search_facet_value f
              ON f.field = e.key AND md5(f.value) = md5(v.value) AND f.value = v.value
            WHERE e.key = ANY({names}) OR e.key LIKE 'vocab\\_%')""")
    # filters on interned fields (tags:"Mobilität") use facet_ids; its
    # per-element statistics let PostgreSQL combine it with the text index
    op.execute("CREATE INDEX smartcity_search_doc_facet_ids_idx "
               "ON smartcity_search_doc USING gin (facet_ids)")
    # the count of a search without facets: an index-only scan over the
    # columns of CKAN's own filters (site, state, permission labels, ...)
    op.execute("""
        CREATE INDEX smartcity_search_doc_filter_idx ON smartcity_search_doc (site_id, state)
        INCLUDE (capacity, dataset_type, entity_type, permission_labels, organization,
                 metadata_modified)""")
    # "newest first" pages in index order (the default sort of listings)
    op.execute("""
        CREATE INDEX smartcity_search_doc_modified_page_idx
        ON smartcity_search_doc (metadata_modified DESC NULLS LAST, index_id)""")


def downgrade():
    op.execute("DROP INDEX smartcity_search_doc_modified_page_idx")
    op.execute("DROP INDEX smartcity_search_doc_filter_idx")
    op.execute("DROP INDEX smartcity_search_doc_facet_ids_idx")
    op.execute("ALTER TABLE smartcity_search_doc DROP COLUMN facet_ids")
    op.execute("DROP TABLE smartcity_search_facet_value")
