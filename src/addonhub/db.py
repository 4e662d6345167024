"""Database infrastructure: the engine, sessions and schema migrations (SQLite by default)."""

import sqlite3
import sys
import threading
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import datetime
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import (
    ARRAY, ColumnElement, DateTime, JSON, Select, TableClause, Text, any_, bindparam, cast, create_engine, event, func, literal, select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeEngine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Built = TypeVar("Built")


class Base(DeclarativeBase):
    pass


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str) -> Engine:
    # JSON columns (every translated field) through orjson: the standard library's encoder was a
    # tenth of an import's time.
    json_codec = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        # More pooled connections than request threads and workers will ever hold: opening an
        # SQLite connection re-reads the schema, so connections must not churn.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=16, max_overflow=16, **json_codec)
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    return create_engine(url, pool_pre_ping=True, **json_codec)


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (API requests) proceed while a writer (import, worker) commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# The PostgreSQL advisory lock that serialises migrations: any fixed number no other code takes.
_MIGRATION_LOCK = 0x61646468  # "addh"


def migrate(engine: Engine) -> None:
    """Brings the schema to the newest revision; a no-op on an up-to-date database."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Every process of a deployment migrates as it starts, and they start together: one
            # upgrades while the others wait here, then find the schema current.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """One store's database: an engine plus a session factory."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        migrate(self.engine)

    @contextmanager
    def session(self):
        """A unit of work: committed when the block ends normally, rolled back on any exception."""
        session: Session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def committed_value(engine: Engine, sql: str) -> Any:
    """The first column of `sql`'s first row as committed now, whatever transaction the caller
    is in: page caches and snapshots ask it on every request, so it is one round trip at most.
    Read with the driver's own cursor, at a quarter of the cost of a Core statement's execution:
    on SQLite from the engine's own pool (the pool ends the read's transaction on return, in
    microseconds), on PostgreSQL from an autocommit pool beside it (`_autocommit_reader`)."""
    if engine.dialect.name == "sqlite":
        return _first_value(engine.raw_connection(), sql)
    reader = _autocommit_reader(engine)
    try:
        return _first_value(reader.raw_connection(), sql)
    except reader.dialect.loaded_dbapi.OperationalError:
        # Without a ping before each read, a connection the server has closed (a restart) fails
        # its read instead: _first_value has dropped it, and a new one answers.
        return _first_value(reader.raw_connection(), sql)


def _first_value(connection, sql: str) -> Any:
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return cursor.fetchone()[0]
    except BaseException:
        connection.invalidate()
        raise
    finally:
        connection.close()


_autocommit_readers: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()
_autocommit_readers_lock = threading.Lock()


def _autocommit_reader(engine: Engine) -> Engine:
    """A pool of autocommit connections to the engine's database, for reads of committed values:
    a read there is its statement's round trip alone, where a session's connection adds a ping
    on checkout, BEGIN and ROLLBACK, three more (a fifth of a millisecond, on each request that
    a page cache answers from memory). No transaction is ever open on them, so the pool resets
    nothing on return."""
    with _autocommit_readers_lock:
        reader = _autocommit_readers.get(engine)
        if reader is None:
            reader = _autocommit_readers[engine] = create_engine(
                engine.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
            event.listen(engine, "engine_disposed", lambda _engine: reader.dispose())
        return reader


def insert_rows(connection: Connection, table: TableClause, rows: list[dict[str, Any]]) -> None:
    """Inserts the rows (each a dict of the same column names) in one go: insert_values() of them."""
    if rows:
        names = list(rows[0])
        values_of = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
        insert_values(connection, table, names, map(values_of, rows))


def insert_values(connection: Connection, table: TableClause, names: list[str], rows: Iterable[Sequence]) -> None:
    """Inserts rows given as their values in the order of `names`, in one go, as an import writes
    a batch, through the driver: on PostgreSQL with COPY (executemany there runs one INSERT a
    row, and COPY took a third off an import's time), on SQLite with as few statements as it
    allows (Core's own handling of each row's parameters was a tenth of an import's time). The
    values are converted as Core converts them (JSON columns to text, dates to SQLite's
    strings), now: under writes_in_background() the insert itself runs later, on the writer's
    thread."""
    dialect = connection.dialect
    convert = _converter(table, names, dialect)
    values = [convert(row) for row in rows] if convert else list(rows)
    if not values:
        return
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(map(quote, names))
    if dialect.name != "postgresql":
        _write(connection, lambda driver_connection: _insert_sqlite_rows(
            driver_connection, f"INSERT INTO {quote(table.name)} ({columns}) VALUES ", len(names), values))
        return

    def copy_rows(driver_connection) -> None:
        with driver_connection.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    _write(connection, copy_rows)


def _insert_sqlite_rows(driver_connection, insert: str, width: int, values: list[list]) -> None:
    """The rows in as few statements as SQLite's limit on parameters allows, each a VALUES list
    of many rows: the driver's executemany takes the GIL back after every row, and a background
    writer beside a thread running Python waited a switch interval for it each time."""
    per_statement = driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width
    row = "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(values), per_statement):
        chunk = values[start:start + per_statement]
        driver_connection.execute(insert + ", ".join([row] * len(chunk)), list(chain.from_iterable(chunk)))


def execute_driver_sql(connection: Connection, sql: str, parameters: tuple) -> None:
    """The driver's own execution of a statement (in the driver's parameter style) that returns
    nothing, as insert_values runs its own: under writes_in_background(), on the writer's thread."""
    _write(connection, lambda driver_connection: driver_connection.execute(sql, parameters))


_BACKGROUND_WRITES = "addonhub.background_writes"


def _write(connection: Connection, write: Callable[[Any], None]) -> None:
    writes = connection.info.get(_BACKGROUND_WRITES)
    driver_connection = connection.connection.driver_connection
    if writes is None:
        write(driver_connection)
    else:
        writes.submit(lambda: write(driver_connection))


class _BackgroundWrites:
    """Statements of one connection that a second thread runs in the order given, while the
    caller's thread goes on (see writes_in_background)."""

    def __init__(self):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="addonhub-writes")
        self._pending: list[Future] = []
        self._failed = False

    def submit(self, write: Callable[[], None]) -> None:
        self._pending.append(self._executor.submit(self._run, write))

    def _run(self, write: Callable[[], None]) -> None:
        # After a failed statement the transaction is lost (PostgreSQL refuses any other): the
        # writes queued behind it are skipped, and wait() raises the first failure.
        if not self._failed:
            try:
                write()
            except BaseException:
                self._failed = True
                raise

    def wait(self) -> None:
        """Returns once every write submitted so far has run; raises the first that failed."""
        pending, self._pending = self._pending, []
        failures = [future.exception() for future in pending]
        first = next((failure for failure in failures if failure is not None), None)
        if first is not None:
            raise first

    def abandon(self) -> None:
        """Skips what has not started and waits for what has: the connection is then idle."""
        self._failed = True
        with suppress(BaseException):
            self.wait()
        self._executor.shutdown()


# How long a thread runs Python before another waiting for the GIL gets it, during background
# writes: the writer waits for it after each statement (and, on PostgreSQL, each buffer of COPY
# data it sends), and at Python's default of 5 ms it spent more time waiting than writing.
_WRITER_SWITCH_INTERVAL = 0.0005


@contextmanager
def writes_in_background(connection: Connection) -> Iterator[None]:
    """Runs the connection's insert_rows, insert_values and execute_driver_sql on a second
    thread, in order, while the caller builds what comes next: the database's own work
    (SQLite's, in C without the GIL; PostgreSQL's, in its server) overlaps the caller's Python,
    where before each waited for the other. Any other statement on the connection, and its
    commit, first waits for the writes queued before it, so that it sees them (and a failed
    write raises there); what the block leaves queued is waited for at its end. Only for code
    that reads nothing its own queued writes return (an import's batches)."""
    writes = _BackgroundWrites()
    wait = lambda *_args: writes.wait()  # noqa: E731
    connection.info[_BACKGROUND_WRITES] = writes
    event.listen(connection, "before_cursor_execute", wait)
    event.listen(connection, "commit", wait)
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, _WRITER_SWITCH_INTERVAL))
    try:
        yield
        writes.wait()
    finally:
        writes.abandon()
        sys.setswitchinterval(switch_interval)
        event.remove(connection, "before_cursor_execute", wait)
        event.remove(connection, "commit", wait)
        del connection.info[_BACKGROUND_WRITES]


# SQLite's page cache for a bulk write, in KiB (its default is 2 MB): a big import's index pages
# were written out to the WAL and read back again and again (a sixth of the writes' time at
# 100,000 add-ons). Pages are taken as needed, and given back when the block ends.
_BULK_PAGE_CACHE_KIB = 256 * 1024


@contextmanager
def larger_page_cache(connection: Connection) -> Iterator[None]:
    """Gives the connection a page cache of _BULK_PAGE_CACHE_KIB for the block, on SQLite (a
    PostgreSQL server's buffers are its own configuration)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_BULK_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(size)}")


def _converter(table: TableClause, names: list[str], dialect: Dialect) -> Callable[[Sequence], list] | None:
    """What converts a row's values (in the order of `names`) as Core would bind them, or None
    when no column needs it."""
    converters = [(index, convert) for index, name in enumerate(names)
                  if (convert := _bind_processor(table.c[name].type, dialect))]
    if not converters:
        return None

    def convert_row(row: Sequence) -> list:
        values = list(row)
        for index, convert in converters:
            values[index] = convert(values[index])
        return values
    return convert_row


_PROBE_MOMENT = datetime(2001, 2, 3, 4, 5, 6, 7)


def _bind_processor(column_type: TypeEngine, dialect: Dialect) -> Callable[[Any], Any] | None:
    """Core's conversion of a column's values for the driver, or a faster one that gives the
    same: JSON as its text on both databases (on PostgreSQL Core wraps each value in psycopg's
    Json, which COPY then dumps value by value on the writer's thread, holding the GIL); SQLite's
    DATETIME, formatted through a dict for each value (a twentieth of an import's time), by
    isoformat(), which gives the same text of a naive moment."""
    if isinstance(column_type, JSON):
        null = None if column_type.none_as_null else "null"
        return lambda value: null if value is None else _json_text(value)
    convert = column_type.dialect_impl(dialect).bind_processor(dialect)
    if convert is None or not isinstance(column_type, DateTime) or \
            convert(_PROBE_MOMENT) != _PROBE_MOMENT.isoformat(" ", "microseconds"):
        return convert

    def moment_text(value):
        if type(value) is datetime and value.tzinfo is None:
            return value.isoformat(" ", "microseconds")
        return convert(value)
    return moment_text


def defer_foreign_key(connection: Connection, constraint: str) -> None:
    """Checks the foreign key at commit rather than at each statement, for the rest of the
    transaction: rows that refer to each other can then be inserted in any order. PostgreSQL
    defers the named key (declared DEFERRABLE); SQLite can only defer every key."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET CONSTRAINTS {constraint} DEFERRED")
    else:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")


def among(dialect: Dialect, column: ColumnElement, values: Collection) -> ColumnElement[bool]:
    """`column IN values`, for the hundreds of values of an import's batch. On PostgreSQL it is
    `= ANY` of one array: an IN list is a parameter a value, which Core and then psycopg each
    rewrite in Python on every execution (a tenth of an import's time went so)."""
    if dialect.name == "postgresql":
        return column == any_(cast(bindparam(None, list(values)), ARRAY(column.type)))
    return column.in_(values)


def joined_columns(connection: Connection, statement: Select, separator: str = " ") -> list[str]:
    """Each column of the statement's rows as one string, its values (which never hold the
    separator) joined by it, every column's in the same order (one aggregate reads the rows once).
    Tens of thousands of ids or terms come several times faster so than as rows, and numpy or
    split() parses them in C."""
    rows = statement.subquery()
    if connection.dialect.name == "postgresql":
        joined = [func.string_agg(cast(column, Text), cast(literal(separator), Text)) for column in rows.c]
    else:
        joined = [func.group_concat(cast(column, Text), separator) for column in rows.c]
    return [values or "" for values in connection.execute(select(*joined)).one()]


class CommittedSnapshots(Generic[Built]):
    """What a process builds from a database and keeps while a counter stays where it was: one
    object per database, built for the counter's committed value (`counter_sql`, a SELECT of a
    row that every relevant write raises in its own transaction).

    A caller whose connection sees another value than the committed one (its own transaction has
    written, or reads an older snapshot) gets an object built for it alone: a cached object only
    ever holds committed data, so it can never outlive a rolled-back write that reused its
    counter's value. Builders run one at a time, so that the requests arriving just after a change
    wait for one build rather than each making its own."""

    def __init__(self, counter_sql: str, build: Callable[[Connection, int], Built]):
        self._counter_sql = counter_sql
        self._build = build
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[int, Built]] = {}

    def get(self, connection: Connection) -> Built:
        seen = connection.exec_driver_sql(self._counter_sql).scalar_one()
        if seen != committed_value(connection.engine, self._counter_sql):
            return self._build(connection, seen)
        database = str(connection.engine.url)
        with self._lock:
            cached = self._cache.get(database)
            if cached is None or cached[0] != seen:
                cached = self._cache[database] = (seen, self._build(connection, seen))
            return cached[1]
