"""Edge publish API: operations (uploads and publishes clients poll) and products' drafts.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "edge_operations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("addon_id", sa.Integer(), sa.ForeignKey("addons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("upload_id", sa.Integer(), sa.ForeignKey("uploads.id", ondelete="CASCADE"), nullable=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("versions.id", ondelete="SET NULL"), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_edge_operations_upload_id", "edge_operations", ["upload_id"])
    op.create_index("ix_edge_operations_addon_kind", "edge_operations", ["addon_id", "kind"])
    op.create_table(
        "edge_drafts",
        sa.Column("addon_id", sa.Integer(), sa.ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("upload_id", sa.Integer(), sa.ForeignKey("uploads.id", ondelete="CASCADE"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("edge_drafts")
    op.drop_index("ix_edge_operations_addon_kind", table_name="edge_operations")
    op.drop_index("ix_edge_operations_upload_id", table_name="edge_operations")
    op.drop_table("edge_operations")
