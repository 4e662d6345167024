"""Uploads say what follows their validation, not which API they came through.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Old purpose (the dialect) -> new purpose (what follows validation).
RENAMES = {"signing-api": "auto-version", "submission-api": "await-version", "edge": "product-draft"}


def _rename(pairs) -> None:
    for old, new in pairs:
        op.execute(f"UPDATE uploads SET purpose = '{new}' WHERE purpose = '{old}'")


def upgrade() -> None:
    _rename(RENAMES.items())


def downgrade() -> None:
    _rename((new, old) for old, new in RENAMES.items())
