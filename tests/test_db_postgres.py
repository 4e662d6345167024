"""Reads of committed counters on a real PostgreSQL server, whatever ADDONHUB_TEST_DATABASE says:
page caches and snapshots make one on every request (db.committed_value), from a pool of
autocommit connections that never holds a transaction open and outlives a server that closed
its connections."""

import pytest
from sqlalchemy import text

from addonhub.catalog.indexing import CURRENT_REVISION, catalogue_revision, mark_changed
from addonhub.db import Database


@pytest.fixture
def database(postgres_server) -> Database:
    database = Database(postgres_server.url(postgres_server.create_database()))
    database.migrate()
    yield database
    database.engine.dispose()


def backends(database: Database, state: str | None = None) -> int:
    """How many other server processes are connected to the database (in the given state)."""
    with database.engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND (CAST(:state AS text) IS NULL OR state = :state)"),
            {"state": state}).scalar_one()


def test_the_committed_revision_is_read_whatever_the_callers_transaction(database):
    before = catalogue_revision(database.engine)
    with database.session() as session:
        mark_changed(session)
        assert session.execute(text(CURRENT_REVISION)).scalar_one() == before + 1
        assert catalogue_revision(database.engine) == before
    assert catalogue_revision(database.engine) == before + 1


def test_reads_leave_no_transaction_open(database):
    for _ in range(5):
        catalogue_revision(database.engine)
    assert backends(database, "idle in transaction") == 0
    assert backends(database, "idle") >= 1


def test_a_read_outlives_the_server_closing_its_connection(database):
    revision = catalogue_revision(database.engine)
    with database.engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                " WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    assert catalogue_revision(database.engine) == revision


def test_disposing_of_the_engine_closes_the_readers_connections(database, postgres_server):
    catalogue_revision(database.engine)
    database.engine.dispose()
    with postgres_server.connect() as connection:
        left = connection.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                  (database.engine.url.database,)).fetchone()[0]
    assert left == 0
