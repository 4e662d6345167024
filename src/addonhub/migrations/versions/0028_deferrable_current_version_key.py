"""An add-on's key to its current version may be checked at commit, and is indexed.

An import inserts a new add-on together with its current version, the add-on first: with the key
checked at commit, the add-on's row is written once, with its current version, instead of being
updated once the version is in (that UPDATE was the costliest statement of an import on
PostgreSQL). Every other writer is unchanged: the key stays checked at each statement unless a
transaction defers it. SQLite defers foreign keys by a pragma of the transaction, so its key is
not altered; but while a key is deferred, SQLite looks for the rows that refer to each version
inserted, which without an index read the whole table for each (the index also serves deleting a
version, which sets its add-on's key to null on both databases).

Revision ID: 0028
Revises: 0027
"""
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_addons_current_version_id", "addons", ["current_version_id"])
    _alter("DEFERRABLE INITIALLY IMMEDIATE")


def downgrade() -> None:
    _alter("NOT DEFERRABLE")
    op.drop_index("ix_addons_current_version_id", table_name="addons")


def _alter(deferrability: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE addons ALTER CONSTRAINT addons_current_version_id_fkey {deferrability}")
