"""AMO's promoted groups: which add-ons are in which group, for which applications; and the read
model's flag the "recommended" sort orders by.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "promoted_addons",
        sa.Column("addon_id", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(16), nullable=False),
        sa.Column("application", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["addon_id"], ["addons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("addon_id", "group", "application"),
    )
    op.create_index("ix_promoted_addons_group", "promoted_addons", ["group", "application"])
    op.add_column("addon_documents", sa.Column("is_recommended", sa.Boolean(), nullable=False, server_default="0"))
    op.create_index("ix_documents_recommended_users", "addon_documents",
                    ["is_listed", "is_recommended", "average_daily_users"])
    # No add-on is promoted yet: the stored detail objects say so, as reindex() now writes them.
    if op.get_context().dialect.name == "sqlite":
        op.execute("UPDATE addon_document_bodies SET body = json_set(body, '$.promoted', json('null'))")
    else:
        op.execute("""UPDATE addon_document_bodies SET body = (body::jsonb || '{"promoted": null}')::text""")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("UPDATE addon_document_bodies SET body = json_remove(body, '$.promoted')")
    else:
        op.execute("UPDATE addon_document_bodies SET body = (body::jsonb - 'promoted')::text")
    op.drop_index("ix_documents_recommended_users", table_name="addon_documents")
    with op.batch_alter_table("addon_documents") as documents:
        documents.drop_column("is_recommended")
    op.drop_index("ix_promoted_addons_group", table_name="promoted_addons")
    op.drop_table("promoted_addons")
