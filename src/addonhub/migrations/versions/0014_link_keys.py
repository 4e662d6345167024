"""Link-key generations: rotating an add-on's generation revokes its keyed links.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_key_generations",
        sa.Column("guid", sa.String(255), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("link_key_generations")
