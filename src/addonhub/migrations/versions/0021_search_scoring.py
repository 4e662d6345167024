"""Scored search: each indexed add-on's boost and popularity factor beside its daily users, the
run-together form of every name, and a trigram index over those, which finds parts of words.
The existing index content is rebuilt from its own rows, so a store upgrades in place.

Revision ID: 0021
Revises: 0020
"""
import math

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def popularity(daily_users: int) -> float:
    """addonhub.search.popularity as it was when this migration was written, frozen here so that
    the migration does the same whatever becomes of the live one."""
    return math.log10(10 + max(daily_users, 0))


# Only SQLite's search tables (FTS5 beside them) change: PostgreSQL's are made by 0022.
def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    op.execute("ALTER TABLE addon_search_ranks ADD COLUMN boost REAL NOT NULL DEFAULT 1.0")
    op.execute("ALTER TABLE addon_search_ranks ADD COLUMN factor REAL NOT NULL DEFAULT 1.0")
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT addon_id, users FROM addon_search_ranks")).all()
    if rows:
        connection.execute(sa.text("UPDATE addon_search_ranks SET factor = :factor WHERE addon_id = :id"),
                           [{"id": addon_id, "factor": popularity(users)} for addon_id, users in rows])
    # The highest factor bounds what a text-only match can score (see sqlite_fts5.rank).
    op.execute("CREATE INDEX ix_addon_search_ranks_factor ON addon_search_ranks (factor)")
    # The trigram index refers to names by rowid, which therefore becomes a declared key: VACUUM
    # may renumber an implicit rowid, never an INTEGER PRIMARY KEY.
    op.execute("CREATE TABLE addon_search_names_keyed (id INTEGER PRIMARY KEY, addon_id INTEGER NOT NULL, "
               "tokens TEXT NOT NULL, compact TEXT NOT NULL)")
    op.execute("INSERT INTO addon_search_names_keyed (addon_id, tokens, compact) "
               "SELECT addon_id, tokens, replace(tokens, ' ', '') FROM addon_search_names")
    op.execute("DROP TABLE addon_search_names")
    op.execute("ALTER TABLE addon_search_names_keyed RENAME TO addon_search_names")
    op.execute("CREATE INDEX ix_addon_search_names_tokens ON addon_search_names (tokens)")
    op.execute("CREATE INDEX ix_addon_search_names_addon ON addon_search_names (addon_id)")
    op.execute(
        "CREATE VIRTUAL TABLE addon_search_parts USING fts5("
        "compact, content='addon_search_names', content_rowid='id', tokenize='trigram')"
    )
    op.execute("INSERT INTO addon_search_parts (addon_search_parts) VALUES ('rebuild')")
    # The typo vocabulary now holds run-together names too: cached copies are stale.
    op.execute("UPDATE addon_search_generation SET value = value + 1")


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE addon_search_parts")
    op.execute("CREATE TABLE addon_search_names_plain (addon_id INTEGER NOT NULL, tokens TEXT NOT NULL)")
    op.execute("INSERT INTO addon_search_names_plain (addon_id, tokens) SELECT addon_id, tokens FROM addon_search_names")
    op.execute("DROP TABLE addon_search_names")
    op.execute("ALTER TABLE addon_search_names_plain RENAME TO addon_search_names")
    op.execute("CREATE INDEX ix_addon_search_names_tokens ON addon_search_names (tokens)")
    op.execute("CREATE INDEX ix_addon_search_names_addon ON addon_search_names (addon_id)")
    op.execute("DROP INDEX ix_addon_search_ranks_factor")
    op.execute("ALTER TABLE addon_search_ranks DROP COLUMN factor")
    op.execute("ALTER TABLE addon_search_ranks DROP COLUMN boost")
