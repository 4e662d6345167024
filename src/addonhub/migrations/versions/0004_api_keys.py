"""AMO API keys: one active JWT issuer and encrypted secret per user.

Revision ID: 0004
Revises: 0003

Accounts that exist before this revision have no key until `addonhub keys rotate` gives them one:
the secrets are encrypted with a key file in the data directory, which a migration does not see.
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("issuer", sa.String(64), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("revoked", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("issuer", name="uq_api_keys_issuer"),
    )
    op.create_index("ix_api_keys_user_id", "api_keys", ["user_id"])
    # At most one active key per user; any number of revoked ones.
    op.create_index("ix_api_keys_one_active_per_user", "api_keys", ["user_id"], unique=True,
                    sqlite_where=sa.text("is_active"), postgresql_where=sa.text("is_active"))


def downgrade() -> None:
    op.drop_index("ix_api_keys_one_active_per_user", table_name="api_keys")
    op.drop_index("ix_api_keys_user_id", table_name="api_keys")
    op.drop_table("api_keys")
