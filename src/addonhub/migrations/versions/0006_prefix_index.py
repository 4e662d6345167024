"""Prefix indexes of 2 and 3 characters in the full-text index: autocomplete asks for short
prefixes, which without them expand to every indexed term that starts with them.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _rebuild(options: str) -> None:
    op.execute("DROP TABLE addon_search_vocab")
    op.execute(
        "CREATE VIRTUAL TABLE addon_search_rebuilt USING fts5("
        f"name, summary, description, tokenize='unicode61 remove_diacritics 2'{options})"
    )
    op.execute(
        "INSERT INTO addon_search_rebuilt (rowid, name, summary, description) "
        "SELECT rowid, name, summary, description FROM addon_search"
    )
    op.execute("DROP TABLE addon_search")
    op.execute("ALTER TABLE addon_search_rebuilt RENAME TO addon_search")
    op.execute("CREATE VIRTUAL TABLE addon_search_vocab USING fts5vocab(addon_search, col)")


# FTS5 only: PostgreSQL's search tables are made by 0022.
def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        _rebuild(", prefix='2 3'")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        _rebuild("")
