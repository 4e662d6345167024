"""On PostgreSQL, stored documents are compressed with LZ4 rather than pglz, PostgreSQL's default.

A document (the add-on's API object as JSON, a few kilobytes) is large enough to be compressed as
it is written, and an import writes one an add-on: with pglz that was the costliest of an
import's tables (bench/import_speed.py), and LZ4 took half of it off. Documents written before
keep pglz until they are next written (reindex() rewrites them); both read the same. A server
built without LZ4 keeps pglz. SQLite stores text uncompressed: nothing changes there.

Revision ID: 0027
Revises: 0026
"""
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _set_body_compression("lz4")


def downgrade() -> None:
    _set_body_compression("default")


def _set_body_compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    supported = bind.exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'").scalar()
    if supported:
        op.execute(f"ALTER TABLE addon_document_bodies ALTER COLUMN body SET COMPRESSION {method}")
