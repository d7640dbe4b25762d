"""the words of public titles and tags, for "Meinten Sie …?" suggestions

Revision ID: e5b2a9c4d8f1
Revises: c3d9f1a7e2b6
Create Date: 2026-12-05
"""
import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "e5b2a9c4d8f1"
down_revision = "c3d9f1a7e2b6"
branch_labels = None
depends_on = None


def _create_pg_trgm() -> bool:
    """CREATE EXTENSION pg_trgm, inside a savepoint: a trusted extension
    since PostgreSQL 13, so a database owner may create it; where the role
    may not (or the contrib package is missing) the migration still
    succeeds and the portal runs without spelling suggestions
    (docs/search.md, "Empty result pages")."""
    bind = op.get_bind()
    installed = bind.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')").scalar()
    if installed:
        return True
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        return True
    except DBAPIError as exc:
        # a logger made now: alembic.ini's logging configuration disables
        # the loggers that exist when it is read
        logging.getLogger(__name__).warning(
            "pg_trgm not available (%s): no spelling suggestions on empty search pages; "
            "see docs/search.md, \"Empty result pages\"", str(exc.orig).strip().splitlines()[0])
        return False


def upgrade():
    # Candidates only: every suggestion is verified by a search run as the
    # visitor, so a word of a deleted dataset does no harm.
    op.execute("CREATE TABLE smartcity_search_word (word text PRIMARY KEY)")
    if _create_pg_trgm():
        op.execute("CREATE INDEX smartcity_search_word_trgm_idx "
                   "ON smartcity_search_word USING gin (word gin_trgm_ops)")
    # the words of public, active datasets already indexed, as
    # search/suggest.py words() takes them (letters only, 3 to 40)
    op.execute("""
        INSERT INTO smartcity_search_word (word)
        SELECT DISTINCT lower(m.part[1]) FROM smartcity_search_doc d
        CROSS JOIN LATERAL jsonb_array_elements_text(
            COALESCE(d.text_fields -> 'title', '[]'::jsonb)
            || COALESCE(d.fields -> 'tags', '[]'::jsonb)) AS t(value)
        CROSS JOIN LATERAL regexp_matches(t.value, '[[:alpha:]]+', 'g') AS m(part)
        WHERE d.state = 'active' AND d.dataset_type = 'dataset'
          AND d.permission_labels @> ARRAY['public']::text[]
          AND char_length(m.part[1]) BETWEEN 3 AND 40
        ON CONFLICT (word) DO NOTHING""")


def downgrade():
    # pg_trgm stays: other tables of the database may use it
    op.execute("DROP TABLE smartcity_search_word")
