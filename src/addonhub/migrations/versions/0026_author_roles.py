"""Authors' roles: owners manage an add-on's authors and may delete it; developers may not.
Every author so far could do everything, so every existing author becomes an owner.

Revision ID: 0026
Revises: 0025
"""
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("addon_users", sa.Column("role", sa.String(16), server_default="owner", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("addon_users") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("role")
