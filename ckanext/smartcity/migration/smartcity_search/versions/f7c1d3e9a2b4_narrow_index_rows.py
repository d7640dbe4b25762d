"""narrow index rows: the jsonb columns live out of line

Revision ID: f7c1d3e9a2b4
Revises: e5b2a9c4d8f1
Create Date: 2026-12-05
"""
from alembic import op

revision = "f7c1d3e9a2b4"
down_revision = "e5b2a9c4d8f1"
branch_labels = None
depends_on = None

TABLE = "smartcity_search_doc"


def upgrade():
    # A free-text search with facets reads one heap row per match for its
    # rank (tsv) and facet ids; at 100,000 datasets a row was about 3 KB,
    # two or three rows per page, mostly the jsonb columns `fields` and
    # `text_fields` that only filters on rare fields read. Those now go to
    # TOAST (out of line, STORAGE EXTERNAL, as soon as a row passes 1,200
    # bytes); tsv, facet_ids and permission_labels stay in the row (MAIN).
    # Measured on 100,000 datasets: heap 389 MB -> 114 MB, query (b) of
    # scripts/bench_search.py 173 -> 129 ms (docs/architecture.md, "Search
    # at 100k datasets").
    op.execute(f"""
        ALTER TABLE {TABLE}
            ALTER COLUMN fields SET STORAGE EXTERNAL,
            ALTER COLUMN text_fields SET STORAGE EXTERNAL,
            ALTER COLUMN tsv SET STORAGE MAIN,
            ALTER COLUMN facet_ids SET STORAGE MAIN,
            ALTER COLUMN permission_labels SET STORAGE MAIN,
            SET (toast_tuple_target = 1200)""")
    # rewrite the existing rows so that they take the new layout (CLUSTER
    # with a table name may run inside the migration's transaction)
    op.execute(f"CLUSTER {TABLE} USING {TABLE}_pkey")
    op.execute(f"ANALYZE {TABLE}")


def downgrade():
    op.execute(f"""
        ALTER TABLE {TABLE}
            ALTER COLUMN fields SET STORAGE EXTENDED,
            ALTER COLUMN text_fields SET STORAGE EXTENDED,
            ALTER COLUMN tsv SET STORAGE EXTENDED,
            ALTER COLUMN facet_ids SET STORAGE EXTENDED,
            ALTER COLUMN permission_labels SET STORAGE EXTENDED,
            RESET (toast_tuple_target)""")
