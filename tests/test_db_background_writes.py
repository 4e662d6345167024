"""How an import writes in bulk. db.writes_in_background, on which its batches overlap their
writes with reading the next: the bulk inserts run on a second thread, in order; any other
statement on the connection waits for those queued before it, and a failed insert raises and
skips the rest. db.larger_page_cache, on SQLite, for the block only."""

import pytest
from sqlalchemy import column, table, text

from addonhub.db import insert_values, larger_page_cache, writes_in_background

ROWS = table("background_rows", column("id"), column("label"))


@pytest.fixture
def database(store):
    with store.db.session() as session:
        session.execute(text("CREATE TABLE background_rows (id integer PRIMARY KEY, label text NOT NULL)"))
    return store.db


def rows(start: int, count: int) -> list[tuple[int, str]]:
    return [(number, f"row {number}") for number in range(start, start + count)]


def stored(database) -> int:
    with database.session() as session:
        return session.execute(text("SELECT count(*) FROM background_rows")).scalar_one()


def test_a_statement_after_queued_inserts_sees_them_all(database):
    with database.session() as session:
        connection = session.connection()
        with writes_in_background(connection):
            for start in range(0, 60_000, 20_000):
                insert_values(connection, ROWS, ["id", "label"], rows(start, 20_000))
            seen = session.execute(text("SELECT count(*), max(label) FROM background_rows")).one()
    assert tuple(seen) == (60_000, "row 9999")
    assert stored(database) == 60_000


def test_a_failed_insert_raises_skips_those_queued_after_it_and_leaves_nothing(database):
    error = database.engine.dialect.dbapi.IntegrityError
    with pytest.raises(error):
        with database.session() as session:
            connection = session.connection()
            try:
                with writes_in_background(connection):
                    insert_values(connection, ROWS, ["id", "label"], rows(0, 10))
                    insert_values(connection, ROWS, ["id", "label"], rows(5, 10))  # ids 5 to 9 again
                    insert_values(connection, ROWS, ["id", "label"], rows(100, 10))
            finally:
                # SQLite's transaction outlives a failed statement (PostgreSQL's does not): the
                # first insert is in it, the one queued after the failure is not.
                if connection.dialect.name == "sqlite":
                    assert tuple(session.execute(text("SELECT min(id), max(id) FROM background_rows")).one()) == (0, 9)
    assert stored(database) == 0
    # The connection went back to its pool idle and usable.
    with database.session() as session:
        insert_values(session.connection(), ROWS, ["id", "label"], rows(0, 3))
    assert stored(database) == 3


def test_a_larger_page_cache_is_the_blocks_only(database):
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's page cache: a PostgreSQL server's buffers are its configuration")
    with database.session() as session:
        connection = session.connection()
        cache_size = lambda: connection.exec_driver_sql("PRAGMA cache_size").scalar()  # noqa: E731
        before = cache_size()
        with larger_page_cache(connection):
            assert cache_size() == -256 * 1024  # KiB, as SQLite takes a negative size
        assert cache_size() == before
