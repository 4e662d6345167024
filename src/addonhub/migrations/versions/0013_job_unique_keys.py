"""Jobs may carry a unique key: at most one queued or running job holds it (periodic jobs).

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LIVE = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("unique_key", sa.String(64), nullable=True))
    op.create_index("ux_jobs_live_unique_key", "jobs", ["unique_key"], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    op.drop_index("ux_jobs_live_unique_key", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("unique_key")
