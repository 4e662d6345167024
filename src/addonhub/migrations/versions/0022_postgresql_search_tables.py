"""PostgreSQL's search tables, all made here: on SQLite they are FTS5's, made and changed by 0001,
0002, 0006 and 0021, which do nothing on PostgreSQL. A no-op on SQLite.

The same names and the same side tables as SQLite's (search/ranking.py, search/postgres.py):
`addon_search` holds each indexed add-on's names, summaries and descriptions as tsvectors (GIN
indexes), `addon_search_names` every name's terms and run-together form, with pg_trgm's GIN index
on the latter for parts of words (`compact LIKE '%part%'`), `addon_search_ranks` daily users,
boost and factor (an index on factor bounds what a text-only match can score), and
`addon_search_generation` the counter every write bumps. Terms are tokenized in Python, so no
text search configuration nor unaccent takes part.

Nothing is filled: until this revision PostgreSQL had no search backend, and reindexing an add-on
failed there, so no store on it has a listed add-on to index.

Revision ID: 0022
Revises: 0021
"""
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE TABLE addon_search (addon_id BIGINT PRIMARY KEY, name TSVECTOR NOT NULL, "
               "summary TSVECTOR NOT NULL, description TSVECTOR NOT NULL)")
    for column in ("name", "summary", "description"):
        op.execute(f"CREATE INDEX ix_addon_search_{column} ON addon_search USING gin ({column})")
    op.execute("CREATE TABLE addon_search_names (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
               "addon_id BIGINT NOT NULL, tokens TEXT NOT NULL, compact TEXT NOT NULL)")
    op.execute("CREATE INDEX ix_addon_search_names_tokens ON addon_search_names (tokens)")
    op.execute("CREATE INDEX ix_addon_search_names_addon ON addon_search_names (addon_id)")
    op.execute("CREATE INDEX ix_addon_search_names_compact ON addon_search_names USING gin (compact gin_trgm_ops)")
    op.execute("CREATE TABLE addon_search_ranks (addon_id BIGINT PRIMARY KEY, users BIGINT NOT NULL, "
               "boost DOUBLE PRECISION NOT NULL DEFAULT 1.0, factor DOUBLE PRECISION NOT NULL DEFAULT 1.0)")
    op.execute("CREATE INDEX ix_addon_search_ranks_factor ON addon_search_ranks (factor)")
    op.execute("CREATE TABLE addon_search_generation (value BIGINT NOT NULL)")
    op.execute("INSERT INTO addon_search_generation (value) VALUES (0)")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name in ("addon_search_generation", "addon_search_ranks", "addon_search_names", "addon_search"):
        op.execute(f"DROP TABLE {name}")
    # pg_trgm stays: another schema of the database may use it, and it holds no data.
