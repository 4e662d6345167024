"""PostgreSQL's search tables, all made here: on SQLite they are FTS5's, made and changed by 0001,
0002, 0006 and 0021, which do nothing on PostgreSQL. A no-op on SQLite.

THE PLACE FOR THE POSTGRESQL SEARCH BACKEND'S TABLES (search/postgres.py): it creates nothing yet,
so on PostgreSQL search is not available until they are filled in here.

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
    # The PostgreSQL search backend's tables, indexes and extensions (pg_trgm, unaccent) go here.


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    # And what upgrade() made is dropped here.
