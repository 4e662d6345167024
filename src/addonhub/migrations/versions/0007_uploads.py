"""Uploads (packages developers send), and what versions keep of a submission.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("guid", sa.String(255), nullable=True),
        sa.Column("addon_id", sa.Integer(), sa.ForeignKey("addons.id", ondelete="CASCADE"), nullable=True),
        sa.Column("version", sa.String(255), nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("blob_key", sa.String(512), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("processed", sa.Boolean(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("validation", sa.JSON(), nullable=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("versions.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.UniqueConstraint("uuid", name="uq_uploads_uuid"),
    )
    op.create_index("ix_uploads_user_id", "uploads", ["user_id"])
    op.create_index("ix_uploads_addon_id", "uploads", ["addon_id"])
    op.create_index("ix_uploads_version_id", "uploads", ["version_id"])
    # Ids compare case-insensitively, as AMO's do.
    op.create_index("ix_uploads_guid_version", "uploads", [sa.text("lower(guid)"), "version"])
    op.add_column("versions", sa.Column("approval_notes", sa.Text(), nullable=True))
    op.add_column("versions", sa.Column("source_key", sa.String(512), nullable=True))


def downgrade() -> None:
    # SQLite has dropped columns in place since 3.35; a batch rebuild would reflect the
    # expression index on addons, which SQLAlchemy cannot.
    op.drop_column("versions", "source_key")
    op.drop_column("versions", "approval_notes")
    op.drop_table("uploads")
