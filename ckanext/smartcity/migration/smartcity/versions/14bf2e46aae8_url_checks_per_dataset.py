"""URL check results per dataset

Revision ID: 14bf2e46aae8
Revises: b7e2c9a41d05
Create Date: 2026-12-04

The first release kept one result per URL for every dataset naming it: an
editor who copied a URL from another organisation's private dataset saw
that dataset's check time and result in their own report before their own
check ran (docs/security.md F15). Results are now keyed by dataset and URL.

Existing results are taken from each dataset's stored report (the
``urls`` of ``smartcity_quality.result``), not from the global table: a
dataset keeps exactly what its report already showed, and no dataset is
given a result it did not show before. Datasets without a result are
checked at the next save or ``ckan smartcity quality --recheck-older-than``.
"""
from alembic import op

revision = "14bf2e46aae8"
down_revision = "b7e2c9a41d05"
branch_labels = None
depends_on = None

_COLUMNS = """
    url text NOT NULL,
    ok boolean NOT NULL,
    status integer,
    error text,
    checked_at timestamp without time zone NOT NULL DEFAULT now()
"""


def upgrade():
    op.execute("DROP TABLE smartcity_url_check")
    op.execute(f"""
        CREATE TABLE smartcity_url_check (
            package_id text NOT NULL,
            {_COLUMNS},
            PRIMARY KEY (package_id, url)
        )
    """)
    op.execute("""
        INSERT INTO smartcity_url_check (package_id, url, ok, status, error, checked_at)
        SELECT q.package_id, u.key, (u.value->>'ok')::boolean,
               (u.value->>'status')::integer, u.value->>'error',
               (u.value->>'checked_at')::timestamp
        FROM smartcity_quality q
        CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(q.result->'urls') = 'object'
                                           THEN q.result->'urls' ELSE '{}'::jsonb END) u
        WHERE jsonb_typeof(u.value) = 'object'
          AND u.value->>'ok' IS NOT NULL AND u.value->>'checked_at' IS NOT NULL
    """)
    op.execute("CREATE INDEX smartcity_url_check_age_idx ON smartcity_url_check (checked_at)")


def downgrade():
    # back to one result per URL: the newest of each
    op.execute("""
        CREATE TEMPORARY TABLE smartcity_url_check_newest ON COMMIT DROP AS
        SELECT DISTINCT ON (url) url, ok, status, error, checked_at
        FROM smartcity_url_check ORDER BY url, checked_at DESC
    """)
    op.execute("DROP TABLE smartcity_url_check")
    op.execute(f"CREATE TABLE smartcity_url_check ({_COLUMNS}, PRIMARY KEY (url))")
    op.execute("""
        INSERT INTO smartcity_url_check (url, ok, status, error, checked_at)
        SELECT url, ok, status, error, checked_at FROM smartcity_url_check_newest
    """)
    op.execute("CREATE INDEX smartcity_url_check_age_idx ON smartcity_url_check (checked_at)")
