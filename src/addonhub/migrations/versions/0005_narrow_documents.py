"""Narrow read-model rows: document bodies and current-version applications in tables of their
own, so that listing scans, counts and application filters read a few pages per thousand
add-ons instead of one page each.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_DOCUMENT_COLUMNS = (
    "addon_id, is_listed, type, average_daily_users, weekly_downloads, bayesian_rating, hotness, "
    "created, last_updated, name_sort"
)
_INDEXES = {
    "ix_addon_documents_is_listed": "is_listed",
    "ix_documents_users": "is_listed, average_daily_users",
    "ix_documents_downloads": "is_listed, weekly_downloads",
    "ix_documents_created": "is_listed, created",
    "ix_documents_updated": "is_listed, last_updated",
    "ix_documents_rating": "is_listed, bayesian_rating",
    "ix_documents_name": "is_listed, name_sort",
}


def upgrade() -> None:
    # SQLite's name for the type SQLAlchemy's DateTime makes; PostgreSQL has no DATETIME.
    timestamp = "DATETIME" if op.get_context().dialect.name == "sqlite" else "TIMESTAMP WITHOUT TIME ZONE"
    op.execute(
        "CREATE TABLE addon_document_bodies (addon_id INTEGER NOT NULL PRIMARY KEY "
        "REFERENCES addons (id) ON DELETE CASCADE, body TEXT NOT NULL)"
    )
    op.execute("INSERT INTO addon_document_bodies (addon_id, body) SELECT addon_id, body FROM addon_documents")
    # A new table rather than DROP COLUMN: dropping leaves every row on a page of its own.
    op.execute(
        "CREATE TABLE addon_documents_narrow (addon_id INTEGER NOT NULL PRIMARY KEY "
        "REFERENCES addons (id) ON DELETE CASCADE, is_listed BOOLEAN NOT NULL, type VARCHAR(16) NOT NULL, "
        "average_daily_users BIGINT NOT NULL, weekly_downloads BIGINT NOT NULL, bayesian_rating FLOAT NOT NULL, "
        f"hotness FLOAT NOT NULL, created {timestamp} NOT NULL, last_updated {timestamp} NOT NULL, "
        "name_sort VARCHAR(255) NOT NULL)"
    )
    op.execute(f"INSERT INTO addon_documents_narrow ({_DOCUMENT_COLUMNS}) SELECT {_DOCUMENT_COLUMNS} FROM addon_documents")
    op.execute("DROP TABLE addon_documents")
    op.execute("ALTER TABLE addon_documents_narrow RENAME TO addon_documents")
    for name, columns in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON addon_documents ({columns})")
    op.execute(
        "CREATE TABLE addon_document_apps (addon_id INTEGER NOT NULL REFERENCES addons (id) ON DELETE CASCADE, "
        "application VARCHAR(16) NOT NULL, min_int BIGINT NOT NULL, max_int BIGINT NOT NULL, "
        "PRIMARY KEY (addon_id, application))"
    )
    op.execute(
        "INSERT INTO addon_document_apps (addon_id, application, min_int, max_int) "
        "SELECT a.id, v.application, v.min_int, v.max_int FROM addons a "
        "JOIN version_compatibility v ON v.version_id = a.current_version_id"
    )


def downgrade() -> None:
    op.execute("DROP TABLE addon_document_apps")
    op.execute("ALTER TABLE addon_documents ADD COLUMN body TEXT NOT NULL DEFAULT ''")
    op.execute(
        "UPDATE addon_documents SET body = "
        "(SELECT b.body FROM addon_document_bodies b WHERE b.addon_id = addon_documents.addon_id)"
    )
    op.execute("DROP TABLE addon_document_bodies")
    op.execute("DROP INDEX ix_documents_name")
