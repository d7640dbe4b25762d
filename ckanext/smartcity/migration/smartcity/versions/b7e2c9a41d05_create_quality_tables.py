"""create the metadata quality tables

Revision ID: b7e2c9a41d05
Revises:
Create Date: 2026-11-30
"""
from alembic import op

revision = "b7e2c9a41d05"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # one row per dataset: the MQA score and SHACL findings of its last save
    op.execute("""
        CREATE TABLE smartcity_quality (
            package_id text PRIMARY KEY,
            owner_org text,
            score integer NOT NULL,
            rating text NOT NULL,
            violations integer NOT NULL,
            result jsonb NOT NULL,
            computed_at timestamp without time zone NOT NULL DEFAULT now()
        )
    """)
    op.execute("CREATE INDEX smartcity_quality_org_idx ON smartcity_quality (owner_org, score)")
    # reachability of access and download URLs, shared by every dataset naming the URL
    op.execute("""
        CREATE TABLE smartcity_url_check (
            url text PRIMARY KEY,
            ok boolean NOT NULL,
            status integer,
            error text,
            checked_at timestamp without time zone NOT NULL DEFAULT now()
        )
    """)
    op.execute("CREATE INDEX smartcity_url_check_age_idx ON smartcity_url_check (checked_at)")


def downgrade():
    op.execute("DROP TABLE smartcity_url_check")
    op.execute("DROP TABLE smartcity_quality")
