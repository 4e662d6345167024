"""Edge Add-ons API credentials: one active client id, client secret digest and API key digest per user.

Revision ID: 0008
Revises: 0007

Accounts that exist before this revision have no Edge credentials until `addonhub keys rotate
--edge` gives them some: only digests are stored, so the plain secrets must be shown to their
owner when they are made, which a migration cannot do.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "edge_credentials",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("client_secret_sha256", sa.String(64), nullable=False),
        sa.Column("api_key_sha256", sa.String(64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("revoked", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("client_id", name="uq_edge_credentials_client_id"),
    )
    op.create_index("ix_edge_credentials_user_id", "edge_credentials", ["user_id"])
    # At most one active set per user; any number of revoked ones.
    op.create_index("ix_edge_credentials_one_active_per_user", "edge_credentials", ["user_id"], unique=True,
                    sqlite_where=sa.text("is_active"), postgresql_where=sa.text("is_active"))


def downgrade() -> None:
    op.drop_index("ix_edge_credentials_one_active_per_user", table_name="edge_credentials")
    op.drop_index("ix_edge_credentials_user_id", table_name="edge_credentials")
    op.drop_table("edge_credentials")
