"""Chromium distribution: each add-on's Chromium id, its signing key (encrypted), and the files
built as CRX packages with what update checks offer of them.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("addons", sa.Column("chromium_id", sa.String(32), nullable=True))
    op.create_index("ix_addons_chromium_id", "addons", ["chromium_id"], unique=True)
    op.create_table(
        "chromium_keys",
        sa.Column("addon_id", sa.Integer(), sa.ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("private_key_encrypted", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "chromium_packages",
        sa.Column("file_id", sa.Integer(), sa.ForeignKey("files.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("crx_id", sa.String(32), nullable=False),
        sa.Column("min_chrome_version", sa.String(64), nullable=True),
    )
    op.create_index("ix_chromium_packages_crx_id", "chromium_packages", ["crx_id"])


def downgrade() -> None:
    op.drop_index("ix_chromium_packages_crx_id", table_name="chromium_packages")
    op.drop_table("chromium_packages")
    op.drop_table("chromium_keys")
    op.drop_index("ix_addons_chromium_id", table_name="addons")
    op.drop_column("addons", "chromium_id")
