"""Update checks counted per add-on, browser and day, for usage figures (distribution/usage.py).

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "update_check_counts",
        sa.Column("addon_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("browser", sa.String(16), nullable=False),
        sa.Column("checks", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["addon_id"], ["addons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("addon_id", "day", "browser"),
    )
    op.create_index("ix_update_check_counts_day", "update_check_counts", ["day"])


def downgrade() -> None:
    op.drop_index("ix_update_check_counts_day", table_name="update_check_counts")
    op.drop_table("update_check_counts")
