"""On PostgreSQL, an add-on's key to its current version may be checked at commit.

An import inserts a new add-on together with its current version, the add-on first: with the key
checked at commit, the add-on's row is written once, with its current version, instead of being
updated once the version is in (that UPDATE was the costliest statement of an import on
PostgreSQL). Every other writer is unchanged: the key stays checked at each statement unless a
transaction defers it. SQLite defers foreign keys by a pragma of the transaction instead, so its
schema does not change.

Revision ID: 0028
Revises: 0027
"""
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _alter("DEFERRABLE INITIALLY IMMEDIATE")


def downgrade() -> None:
    _alter("NOT DEFERRABLE")


def _alter(deferrability: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE addons ALTER CONSTRAINT addons_current_version_id_fkey {deferrability}")
