"""The activity log (who submitted, validated, reviewed, edited or changed credentials, and when)
and abuse reports.

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("addon_id", sa.Integer(), sa.ForeignKey("addons.id", ondelete="SET NULL"), nullable=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("versions.id", ondelete="SET NULL"), nullable=True),
        sa.Column("addon_guid", sa.String(255), nullable=True),
        sa.Column("version_string", sa.String(255), nullable=True),
        sa.Column("user_name", sa.String(255), nullable=True),
        sa.Column("upload_uuid", sa.String(36), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_activity_log_user_id", "activity_log", ["user_id"])
    op.create_index("ix_activity_log_upload_uuid", "activity_log", ["upload_uuid"])
    op.create_index("ix_activity_log_addon_created", "activity_log", ["addon_id", "created"])
    op.create_table(
        "abuse_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("addon_id", sa.Integer(), sa.ForeignKey("addons.id", ondelete="SET NULL"), nullable=True),
        sa.Column("guid", sa.String(255), nullable=False),
        sa.Column("reporter_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("client", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_abuse_reports_guid", "abuse_reports", ["guid"])
    op.create_index("ix_abuse_reports_addon_created", "abuse_reports", ["addon_id", "created"])


def downgrade() -> None:
    op.drop_table("abuse_reports")
    op.drop_table("activity_log")
