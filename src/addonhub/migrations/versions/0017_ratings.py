"""Ratings and reviews, their flags, and each add-on's counts per score.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_ONE_PER_USER = "reply_to_id IS NULL AND NOT is_deleted"


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("addon_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("modified", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["addon_id"], ["addons.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reply_to_id"], ["ratings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reply_to_id"),
    )
    op.create_index("ix_ratings_user_id", "ratings", ["user_id"])
    op.create_index("ix_ratings_addon_created", "ratings", ["addon_id", "created"])
    op.create_index("ix_ratings_one_per_user", "ratings", ["addon_id", "user_id"], unique=True,
                    sqlite_where=sa.text(_ONE_PER_USER), postgresql_where=sa.text(_ONE_PER_USER))
    op.create_table(
        "rating_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["rating_id"], ["ratings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rating_id", "user_id"),
    )
    op.create_index("ix_rating_flags_user_id", "rating_flags", ["user_id"])
    op.create_table(
        "rating_aggregates",
        sa.Column("addon_id", sa.Integer(), nullable=False),
        *(sa.Column(f"count_{score}", sa.Integer(), nullable=False) for score in range(1, 6)),
        sa.ForeignKeyConstraint(["addon_id"], ["addons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("addon_id"),
    )


def downgrade() -> None:
    op.drop_table("rating_aggregates")
    op.drop_index("ix_rating_flags_user_id", table_name="rating_flags")
    op.drop_table("rating_flags")
    op.drop_index("ix_ratings_one_per_user", table_name="ratings")
    op.drop_index("ix_ratings_addon_created", table_name="ratings")
    op.drop_index("ix_ratings_user_id", table_name="ratings")
    op.drop_table("ratings")
