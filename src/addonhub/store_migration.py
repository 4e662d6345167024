"""Moving a whole embedded store (SQLite and a blobs directory) into a scale-out configuration
(a database such as PostgreSQL and a blob store such as an S3 bucket), secrets included.

The source must be stopped: rows are copied in primary-key order a batch at a time, and a resumed
copy goes on after the last row it copied, so a row written or changed meanwhile would be missed.

Order, each step safe to repeat after a kill:
1. the destination database is migrated to head; one that holds another store is refused;
2. a progress table (`PROGRESS`) is made in it: it says the copy is unfinished and, per table,
   the last primary key copied (committed with each batch, so a batch is in or out whole);
3. the secrets go into the database encrypted with the source's own encryption key (which the
   scale-out store must be given as ADDONHUB_ENCRYPTION_KEY), as store_secrets does for a store
   that turns shared: the secret_key and the signing CA taken from the data directory;
4. every table of the schema in dependency order, batch by batch, primary keys kept; then
   PostgreSQL's sequences are set past the largest ids, and the search index is rebuilt (its tables
   are each database's own, not copied);
5. every blob streams across, unless present with the same size (blob writes are atomic);
6. the progress table is dropped, then everything is verified: row counts per table, and every
   blob's SHA-256 against the source's and the one its row records.
A destination whose secret_key is the source's and that has no progress table is a finished copy:
running again only verifies it.
"""

import hashlib
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (Column, Integer, MetaData, String, Table, Text, and_, bindparam, delete, func, inspect, or_,
                        select, text, tuple_)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from addonhub.backup import DATABASE, SECRETS, BackupError, Progress
from addonhub.blobs import BlobStore, LocalBlobStore, open_blob_store
from addonhub.config import Settings
from addonhub.db import Database
from addonhub.integrity import references
from addonhub.models import Base
from addonhub.store_secrets import DatabaseSecrets, StoreSecret, StoreSecretsError

PROGRESS = "store_migration_progress"
# Rows per transaction: a kill loses at most one batch of work, and each stays small in memory.
BATCH_ROWS = 500



def _copied_tables() -> list[Table]:
    """Every table of the schema, parents before the children that refer to them; but for the
    secrets' table, which an embedded store leaves empty (its secrets are files) and the copy fills
    from those files."""
    return [table for table in Base.metadata.sorted_tables if table.name != StoreSecret.__tablename__]


_progress_table = Table(PROGRESS, MetaData(), Column("table_name", String(128), primary_key=True),
                        Column("last_key", Text, nullable=True), Column("done", Integer, nullable=False))


class MigrationError(BackupError):
    """A move that cannot be done as asked, said for the operator."""


@dataclass
class MigrationSummary:
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # table: (source, destination)
    blobs: int = 0
    blob_bytes: int = 0
    problems: list[str] = field(default_factory=list)
    already_complete: bool = False


def migrate_store(source_dir: Path, destination: Settings, progress: Progress | None = None) -> MigrationSummary:
    """Copies the stopped embedded store in `source_dir` into the database, blob store and
    encryption key of `destination`; returns what was verified (problems empty when all agree)."""
    source_dir = Path(source_dir)
    source_settings = Settings(data_dir=source_dir)
    encryption_key = _check_source(source_dir, destination)
    if destination.database_url is None or destination.database_url.startswith("sqlite"):
        raise MigrationError("the destination database must be a server's (postgresql+psycopg://...), "
                             "not an SQLite file")
    if destination.blob_url is None:
        raise MigrationError("the destination blob store must be a bucket (s3://bucket/prefix?endpoint_url=...)")
    source = Database(source_settings.effective_database_url)
    target = Database(destination.database_url)
    try:
        source.migrate()  # as any command opening the store does; both schemas are then the same
        try:
            target.migrate()
        except SQLAlchemyError as error:
            raise MigrationError(f"cannot open the destination database: {error.__class__.__name__}: "
                                 f"{str(error).splitlines()[0]}") from None
        summary = MigrationSummary()
        summary.already_complete = _claim_destination(target, source_dir, encryption_key)
        source_blobs, target_blobs = LocalBlobStore(source_dir / "blobs"), open_blob_store(destination)
        if not summary.already_complete:
            _copy_secrets(target, source_dir, encryption_key)
            _copy_tables(source, target, progress)
            _reset_sequences(target)
            _rebuild_search_index(target)
            summary.blobs, summary.blob_bytes = _copy_blobs(source_blobs, target_blobs, progress)
            with target.engine.begin() as connection:
                _progress_table.drop(connection)
        _verify(source, target, source_blobs, target_blobs, summary, progress)
        return summary
    finally:
        source.engine.dispose()
        target.engine.dispose()


def _check_source(source_dir: Path, destination: Settings) -> bytes:
    """Refuses a source that is not an embedded store, and a destination key that is not its
    own; returns the encryption key the destination keeps its secrets under."""
    if not (source_dir / DATABASE).is_file():
        raise MigrationError(f"there is no store in {source_dir}: {source_dir / DATABASE} does not exist")
    missing = [name for name in SECRETS if not (source_dir / name).is_file()]
    if missing:
        raise MigrationError(f"the store in {source_dir} has no {' or '.join(missing)}")
    key = (source_dir / SECRETS[1]).read_bytes().strip()
    given = destination.encryption_key
    if given is None:
        raise MigrationError(f"set ADDONHUB_ENCRYPTION_KEY to the key in {source_dir / SECRETS[1]}: the store's "
                             "API key secrets and signing keys are encrypted with it, and so will its other secrets be")
    if given.get_secret_value().encode() != key:
        raise MigrationError(f"ADDONHUB_ENCRYPTION_KEY is not the key in {source_dir / SECRETS[1]}, which "
                             "this store's secrets are encrypted with")
    return key


def _seeded_tables() -> set[str]:
    """The tables a new database's migrations put rows in (a counter's first row): rows there
    say nothing of a store having used the database."""
    with tempfile.TemporaryDirectory(prefix="addonhub-seeds-") as scratch:
        fresh = Database(f"sqlite:///{scratch}/{DATABASE}")
        try:
            fresh.migrate()
            with fresh.engine.connect() as connection:
                return {table.name for table in Base.metadata.sorted_tables
                        if connection.scalar(select(func.count()).select_from(table))}
        finally:
            fresh.engine.dispose()


def _claim_destination(target: Database, source_dir: Path, key: bytes) -> bool:
    """Makes the progress table in a new destination; refuses one holding another store. True
    when the destination is this store's finished copy."""
    with target.engine.begin() as connection:
        if inspect(connection).has_table(PROGRESS):
            return False  # an unfinished copy: resumed
        stored = connection.scalar(select(StoreSecret.value_encrypted).where(StoreSecret.name == "secret_key"))
        if stored is not None:
            if _is_source_secret(stored, source_dir, key):
                return True
            raise MigrationError("the destination database holds another store (its secret_key is not this "
                                 "store's); give an empty database")
        seeded = _seeded_tables()
        used = [table.name for table in Base.metadata.sorted_tables if table.name not in seeded
                and connection.scalar(select(func.count()).select_from(table))]
        if used:
            raise MigrationError(f"the destination database already holds a store (rows in {', '.join(used[:5])}); "
                                 "give an empty database")
        _progress_table.create(connection)
    return False


def _is_source_secret(stored: str, source_dir: Path, key: bytes) -> bool:
    from addonhub.accounts.keys import KeyCipher, KeyCipherError
    try:
        return KeyCipher(key).decrypt(stored) == (source_dir / "secret_key").read_text().strip()
    except KeyCipherError:
        return False


def _copy_secrets(target: Database, source_dir: Path, key: bytes) -> None:
    """store_secrets' own path for a store turning shared: the data directory's secret_key and
    CA go into the database, or are found there already from an earlier run."""
    secrets = DatabaseSecrets(target, key, source_dir)
    try:
        secrets.secret_key
        secrets.signing_ca()
    except StoreSecretsError as error:
        raise MigrationError(str(error)) from None


def _later_references(tables: list[Table]) -> dict[str, list[str]]:
    """Per table, its columns referring to a row of a table not copied before it (itself, or one
    in a cycle, as add-ons' current version): copied empty first, then filled by _link()."""
    earlier: set[str] = set()
    later: dict[str, list[str]] = {}
    for table in tables:
        later[table.name] = [key.parent.name for key in table.foreign_keys
                             if key.column.table.name not in earlier or key.column.table is table]
        earlier.add(table.name)
    return later


def _copy_tables(source: Database, target: Database, progress: Progress | None) -> None:
    tables = _copied_tables()
    later = _later_references(tables)
    with source.engine.connect() as reading:
        total = sum(reading.scalar(select(func.count()).select_from(table)) for table in tables)
        done = 0
        for table in tables:
            done += _copy_table(reading, target, table, later[table.name], total, done, progress)
        for table in tables:
            if later[table.name]:
                _link(reading, target, table, later[table.name])


def _link(reading: Connection, target: Database, table: Table, columns: list[str]) -> None:
    """Fills the columns _copy_table left empty, now that every row they refer to is there;
    repeating it is harmless."""
    keys = list(table.primary_key.columns)
    condition = or_(*(table.c[name].is_not(None) for name in columns))
    where = and_(*(column == bindparam(f"key_{column.name}") for column in keys))
    update = table.update().where(where).values({name: bindparam(f"value_{name}") for name in columns})
    rows = reading.execute(select(*keys, *(table.c[name] for name in columns)).where(condition).order_by(*keys))
    while batch := rows.fetchmany(BATCH_ROWS):
        with target.engine.begin() as writing:
            writing.execute(update, [{**{f"key_{column.name}": row._mapping[column.name] for column in keys},
                                      **{f"value_{name}": row._mapping[name] for name in columns}} for row in batch])


def _copy_table(reading: Connection, target: Database, table: Table, later: list[str], total: int, done: int,
                progress: Progress | None) -> int:
    """Copies the rows of one table after the last primary key recorded; returns its row count."""
    key_columns = list(table.primary_key.columns)
    with target.engine.begin() as writing:
        state = writing.execute(select(_progress_table).where(_progress_table.c.table_name == table.name)).first()
        if state is None:
            # Only the migrations' own rows can be there: the source's replace them.
            writing.execute(delete(table))
            writing.execute(_progress_table.insert().values(table_name=table.name, last_key=None, done=0))
        elif state.done:
            count = reading.scalar(select(func.count()).select_from(table))
            _report(progress, done + count, total)
            return count
    last_key = None if state is None or state.last_key is None else json.loads(state.last_key)
    copied = 0 if last_key is None else reading.scalar(
        select(func.count()).select_from(table).where(tuple_(*key_columns) <= tuple_(*last_key)))
    while True:
        query = select(table).order_by(*key_columns).limit(BATCH_ROWS)
        if last_key is not None:
            query = query.where(tuple_(*key_columns) > tuple_(*last_key))
        rows = [dict(row._mapping) for row in reading.execute(query)]
        with target.engine.begin() as writing:
            if rows:
                writing.execute(table.insert(), [{**row, **dict.fromkeys(later)} for row in rows])
                last_key = [rows[-1][column.name] for column in key_columns]
            writing.execute(_progress_table.update().where(_progress_table.c.table_name == table.name).values(
                last_key=json.dumps(last_key, default=str), done=0 if rows else 1))
        copied += len(rows)
        _report(progress, done + copied, total)
        if not rows:
            return copied


def _reset_sequences(target: Database) -> None:
    """Rows came with their ids, which leaves PostgreSQL's sequences at 1: set each past the
    largest id, so that the next insert does not collide."""
    with target.engine.begin() as connection:
        if connection.dialect.name != "postgresql":
            return
        for table in Base.metadata.sorted_tables:
            for column in table.primary_key.columns:
                sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                             {"table": table.name, "column": column.name})
                if sequence is not None:
                    largest = connection.scalar(select(func.max(column)))
                    connection.execute(text("SELECT setval(:sequence, :next, false)"),
                                       {"sequence": sequence, "next": (largest or 0) + 1})


def _rebuild_search_index(target: Database) -> None:
    """The index's tables differ by database (FTS5, tsvectors): built anew from the copied add-ons."""
    from addonhub.catalog.indexing import reindex_all
    from addonhub.catalog.models import Addon
    with target.session() as session:
        ids = session.scalars(select(Addon.id).order_by(Addon.id)).all()
    for start in range(0, len(ids), BATCH_ROWS):
        with target.session() as session:
            reindex_all(session, session.scalars(select(Addon).where(Addon.id.in_(ids[start:start + BATCH_ROWS]))).all())


def _copy_blobs(source: BlobStore, target: BlobStore, progress: Progress | None) -> tuple[int, int]:
    """Streams every blob across, but for those present already with the same size."""
    listed = list(source.list())
    present = {info.key: info.size for info in target.list()}
    total, done = sum(info.size for info in listed), 0
    for info in listed:
        if present.get(info.key) != info.size:
            target.put_chunks(info.key, source.chunks(info.key))
        done += info.size
        if progress is not None:
            progress("blobs", done, total)
    return len(listed), total


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress("tables", done, total)


def _sha256(chunks: Iterator[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _verify(source: Database, target: Database, source_blobs: BlobStore, target_blobs: BlobStore,
            summary: MigrationSummary, progress: Progress | None) -> None:
    """Counts every table on both sides, and hashes every blob on both sides."""
    with source.engine.connect() as reading, target.engine.connect() as written:
        for table in _copied_tables():
            counts = tuple(connection.scalar(select(func.count()).select_from(table)) for connection in (reading, written))
            summary.rows[table.name] = counts
            if counts[0] != counts[1]:
                summary.problems.append(f"table {table.name}: {counts[0]} rows in the source, {counts[1]} in the copy")
    listed = list(source_blobs.list())
    summary.blobs, summary.blob_bytes = len(listed), sum(info.size for info in listed)
    digests: dict[str, str] = {}
    for number, info in enumerate(listed, 1):
        expected = _sha256(source_blobs.chunks(info.key))
        try:
            digests[info.key] = _sha256(target_blobs.chunks(info.key))
        except FileNotFoundError:
            summary.problems.append(f"blob {info.key}: missing from the copy")
            continue
        if digests[info.key] != expected:
            summary.problems.append(f"blob {info.key}: sha256 {digests[info.key]} in the copy, {expected} in the source")
        if progress is not None:
            progress("verify", number, len(listed))
    with target.session() as session:
        for reference in references(session):
            if reference.key not in digests:
                summary.problems.append(f"{reference.row}: its blob {reference.key} is not in the copy")
            elif reference.sha256 is not None and digests[reference.key] != reference.sha256:
                summary.problems.append(f"{reference.row}: {reference.key} is not the sha256 its row records")
