"""Search without touching the documents: an exact-name index and a narrow popularity table.

Revision ID: 0002
Revises: 0001
"""
import json
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TOKEN = re.compile(r"[^\W_]+")


def tokenize(value: str) -> list[str]:
    """addonhub.search.tokenize as it was when this migration was written, frozen here so that
    the migration does the same whatever becomes of the live one."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _TOKEN.findall(stripped)


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        # The search tables are SQLite's (FTS5 beside them); PostgreSQL's are made by 0022.
        op.execute("ALTER TABLE addon_documents DROP COLUMN names")
        return
    # Every name of every listed add-on as its space-joined tokens, for exact-name matches.
    op.execute("CREATE TABLE addon_search_names (addon_id INTEGER NOT NULL, tokens TEXT NOT NULL)")
    op.execute("CREATE INDEX ix_addon_search_names_tokens ON addon_search_names (tokens)")
    op.execute("CREATE INDEX ix_addon_search_names_addon ON addon_search_names (addon_id)")
    connection = op.get_bind()
    listed = connection.execute(sa.text(
        "SELECT a.id, a.name FROM addons a JOIN addon_documents d ON d.addon_id = a.id WHERE d.is_listed"
    )).all()
    rows = [
        {"id": addon_id, "tokens": tokens}
        for addon_id, names in listed
        for tokens in {" ".join(tokenize(name)) for name in json.loads(names or "{}").values() if name} - {""}
    ]
    if rows:
        connection.execute(sa.text("INSERT INTO addon_search_names (addon_id, tokens) VALUES (:id, :tokens)"), rows)
    op.execute("ALTER TABLE addon_documents DROP COLUMN names")
    # Daily users of each indexed add-on, in a narrow table: ranking thousands of matches by
    # popularity reads a few pages of it instead of the wide document rows.
    op.execute("CREATE TABLE addon_search_ranks (addon_id INTEGER PRIMARY KEY, users INTEGER NOT NULL)")
    op.execute(
        "INSERT INTO addon_search_ranks (addon_id, users) SELECT s.rowid, d.average_daily_users "
        "FROM addon_search s JOIN addon_documents d ON d.addon_id = s.rowid"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE addon_documents ADD COLUMN names JSON NOT NULL DEFAULT '[]'")
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TABLE addon_search_ranks")
        op.execute("DROP TABLE addon_search_names")
