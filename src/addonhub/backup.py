"""Backing up a whole store while it serves, checking a backup, and restoring one into a new store.

A backup is one tar archive, every member private (0600):

  addonhub.sqlite3        the database, copied with SQLite's online backup API
  secret_key, api_key_encryption_key
                          the store's secrets (the second decrypts the AMO API key secrets
                          and Chromium signing keys kept in the database)
  signing/ca/...          the signing CA, when the store has made one
  blobs/<key>             every blob, read through the BlobStore interface
  manifest.json           format, times, versions, and the size and SHA-256 of every member

The database is copied first, then the blobs: a blob is written before the row that names it is
committed, so every blob the copied database refers to exists when the blobs are copied, unless
the store deleted it in between; such blobs are reported and named in the manifest. The manifest
is the last member: its hashes are known only once everything is copied, and an archive cut
short anywhere loses it, which verification reports.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from sqlalchemy import create_engine, select, union
from sqlalchemy.engine import make_url

from addonhub.accounts.keys import KEY_FILE
from addonhub.blobs import CHUNK_SIZE, BlobStore, open_blob_store
from addonhub.catalog.models import File, Version
from addonhub.config import Settings
from addonhub.submissions.models import Upload

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "addonhub.sqlite3"
SECRETS = ("secret_key", KEY_FILE)
CA_DIR = PurePosixPath("signing/ca")
BLOBS = "blobs/"
# Pages copied per step of the online backup (4 MiB at SQLite's default page size): small enough
# for progress to move, large enough that the steps cost nothing.
PAGES_PER_STEP = 1024

# Called with a stage ("database", "blobs", "verify", "restore"), the work done and the work in all.
Progress = Callable[[str, int, int], None]


class BackupError(Exception):
    """A backup or restore that cannot be done, said for the operator."""


class InvalidArchive(BackupError):
    def __init__(self, problems: list[str]):
        super().__init__(f"the archive is not a sound store backup ({len(problems)} problems)")
        self.problems = problems


@dataclass(frozen=True)
class BackupSummary:
    archive: Path
    pages: int
    blobs: int
    blob_bytes: int
    # Blobs the copied database refers to that the store deleted before they could be copied.
    missing_blobs: list[str]


@dataclass(frozen=True)
class ArchiveCheck:
    problems: list[str]
    created: str | None
    pages: int
    blobs: int
    blob_bytes: int
    missing_blobs: list[str]


def backup(settings: Settings, out: Path, progress: Progress | None = None) -> BackupSummary:
    """Writes a backup of the store of `settings` to `out`, which must not exist; `out` appears
    only once the archive is complete."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists; a backup never overwrites a file")
    database = _sqlite_path(settings)
    if not database.is_file():
        raise BackupError(f"there is no store in {settings.data_dir}: {database} does not exist")
    missing_secrets = [name for name in SECRETS if not (settings.data_dir / name).is_file()]
    if missing_secrets:
        raise BackupError(f"the store in {settings.data_dir} has no {' or '.join(missing_secrets)}")
    created = datetime.now(timezone.utc)
    # Beside `out`, so that the finished archive is linked into place rather than copied; the
    # directory is private, as the database copy and the archive hold the store's secrets.
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as scratch:
        copy = Path(scratch) / DATABASE
        pages = _copy_database(database, copy, progress)
        referenced, schema_revision = _read_copy(copy)
        partial = Path(scratch) / "archive.tar"
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                files = [_add(tar, DATABASE, copy.open("rb"), copy.stat().st_size, created)]
                for name in SECRETS:
                    path = settings.data_dir / name
                    files.append(_add(tar, name, path.open("rb"), path.stat().st_size, created))
                ca = settings.data_dir / CA_DIR
                for path in sorted(ca.iterdir()) if ca.is_dir() else []:
                    files.append(_add(tar, str(CA_DIR / path.name), path.open("rb"), path.stat().st_size, created))
                blobs, missing = _add_blobs(tar, open_blob_store(settings), referenced, created, progress)
                manifest = {
                    "format": FORMAT, "created": created.isoformat(timespec="seconds"),
                    "store_version": version("addonhub"), "schema_revision": schema_revision,
                    "database": {"name": DATABASE, "pages": pages},
                    "files": files, "blobs": blobs, "missing_blobs": missing,
                }
                body = json.dumps(manifest, indent=2).encode()
                _add(tar, MANIFEST, io.BytesIO(body), len(body), created)
            raw.flush()
            os.fsync(raw.fileno())
        try:
            os.link(partial, out)  # unlike a rename, refuses to replace a file made meanwhile
        except FileExistsError:
            raise BackupError(f"{out} already exists; a backup never overwrites a file") from None
    return BackupSummary(out, pages, len(blobs), sum(blob["size"] for blob in blobs), missing)


def verify(archive: Path, progress: Progress | None = None) -> ArchiveCheck:
    """Checks a backup: its manifest, the database (PRAGMA integrity_check) and every hash."""
    with tempfile.TemporaryDirectory(prefix="addonhub-verify-") as scratch:
        return _unpack(Path(archive), Path(scratch), None, "verify", progress)


def restore(settings: Settings, archive: Path, progress: Progress | None = None) -> ArchiveCheck:
    """Makes the store of `settings` from a backup, checking it on the way: its data directory
    must be new or empty, and stays so unless the whole archive is sound."""
    data_dir = settings.data_dir
    if settings.database_url is not None:
        raise BackupError("a restored store keeps its database in its data directory; "
                          "unset ADDONHUB_DATABASE_URL")
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(f"{data_dir} exists and is not empty; restore makes a new store")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # Built under a private temporary name beside it and renamed into place when sound, so the
    # data directory never holds half a store.
    staging = Path(tempfile.mkdtemp(dir=data_dir.parent, prefix=f".{data_dir.name}.restoring-"))
    try:
        blobs = open_blob_store(settings.model_copy(update={"data_dir": staging}))
        check = _unpack(Path(archive), staging, blobs, "restore", progress)
        if check.problems:
            raise InvalidArchive(check.problems)
        try:
            os.rename(staging, data_dir)  # replaces an empty directory, fails on one filled meanwhile
        except OSError as error:
            raise BackupError(f"cannot restore into {data_dir}: {error.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return check


def _sqlite_path(settings: Settings) -> Path:
    url = make_url(settings.effective_database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(f"backup copies SQLite databases; this store's is {url.get_backend_name()}")
    return Path(url.database)


def _copy_database(source: Path, copy: Path, progress: Progress | None) -> int:
    """Copies the database with SQLite's online backup API; returns its page count."""
    reading = sqlite3.connect(source, isolation_level=None, timeout=30)
    try:
        # A read transaction held across every step: the steps then all read one snapshot, so
        # writers (in WAL mode) go on and the copy never restarts, where a paged backup without
        # it starts over each time another connection writes.
        reading.execute("BEGIN")
        reading.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        writing = sqlite3.connect(copy)
        try:
            reading.backup(writing, pages=PAGES_PER_STEP, progress=None if progress is None else
                           lambda _status, remaining, total: progress("database", total - remaining, total))
            # Out of WAL mode the copy is one file; a store opening it turns WAL back on.
            writing.execute("PRAGMA journal_mode=DELETE")
            return writing.execute("PRAGMA page_count").fetchone()[0]
        finally:
            writing.close()
    finally:
        reading.close()


def _read_copy(copy: Path) -> tuple[set[str], str | None]:
    """The blob keys the copied database refers to, and its schema revision."""
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            keys = set(connection.scalars(union(
                select(File.storage_key).where(File.storage_key.is_not(None)),
                select(Upload.blob_key),
                select(Version.source_key).where(Version.source_key.is_not(None)))))
            revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        engine.dispose()
    return keys, revision


def _add_blobs(tar: tarfile.TarFile, blobs: BlobStore, referenced: set[str], created: datetime,
               progress: Progress | None) -> tuple[list[dict], list[str]]:
    """Copies the blobs the database refers to and any others present; returns their manifest
    entries and the referenced blobs that were gone."""
    listed = {info.key: info.size for info in blobs.list()}
    total, done = sum(listed.values()), 0
    entries, missing = [], []
    for key in sorted(listed.keys() | referenced):
        if key not in listed:
            missing.append(key)
            continue
        try:
            stream = blobs.open(key)
        except FileNotFoundError:
            # Deleted since it was listed. Unless the copied database refers to it, the store had
            # done with it (a heartbeat's probe, a refused upload): it is no part of the copy.
            if key in referenced:
                missing.append(key)
        else:
            entry = _add(tar, BLOBS + key, stream, listed[key], created)
            entries.append({"key": key, "size": entry["size"], "sha256": entry["sha256"]})
        done += listed[key]
        if progress is not None:
            progress("blobs", done, total)
    return entries, missing


class _Hashing:
    """A stream read through SHA-256."""

    def __init__(self, stream: BinaryIO):
        self.stream, self.hash = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.hash.update(data)
        return data


def _add(tar: tarfile.TarFile, name: str, stream, size: int, created: datetime) -> dict:
    """Adds `size` bytes of the stream (then closed) as a private member; its manifest entry."""
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(created.timestamp())
    hashing = _Hashing(stream)
    try:
        # Blobs are never rewritten under their key, so the size listed is the size there is;
        # tarfile fails on a stream that ends sooner.
        tar.addfile(info, hashing)
    finally:
        stream.close()
    return {"name": name, "size": size, "sha256": hashing.hash.hexdigest()}


def _unpack(archive: Path, target: Path, blobs: BlobStore | None, stage: str,
            progress: Progress | None) -> ArchiveCheck:
    """Reads the archive once, writing the database, secrets and CA under `target` and the blobs
    into `blobs` (only hashed when None), and checks everything against the manifest."""
    problems: list[str] = []
    seen: dict[str, tuple[int, str]] = {}
    manifest = None
    try:
        total = archive.stat().st_size
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                name = member.name
                if name in seen or (name == MANIFEST and manifest is not None):
                    problems.append(f"{name}: more than once in the archive")
                elif not member.isfile():
                    problems.append(f"{name}: not a regular file")
                elif name == MANIFEST:
                    manifest = _read_manifest(tar.extractfile(member).read(), problems)
                elif name.startswith(BLOBS):
                    seen[name] = _restore_blob(blobs, name[len(BLOBS):], tar.extractfile(member), problems)
                elif _is_store_file(name):
                    seen[name] = _write_file(target / name, tar.extractfile(member))
                else:
                    problems.append(f"{name}: not part of a store backup")
                if progress is not None:
                    progress(stage, min(member.offset_data + member.size, total), total)
    except (tarfile.TarError, OSError) as error:
        problems.append(f"the archive cannot be read to its end ({error}): it is truncated or damaged")
    if manifest is None:
        problems.append(f"{MANIFEST} is missing or unreadable: the archive is incomplete or not a store backup")
        return ArchiveCheck(problems, None, 0, 0, 0, [])
    for name, (size, digest) in manifest.members.items():
        if name not in seen:
            problems.append(f"{name}: in the manifest but not in the archive")
        elif seen[name][1] != digest:
            problems.append(f"{name}: its SHA-256 is not the manifest's (the copy is corrupted)")
        elif seen[name][0] != size:
            problems.append(f"{name}: {seen[name][0]} bytes where the manifest says {size}")
    problems.extend(f"{name}: not in the manifest" for name in sorted(seen.keys() - manifest.members.keys()))
    if DATABASE in seen:
        problems.extend(_check_database(target / DATABASE, manifest.pages))
    blob_sizes = [size for name, (size, _) in manifest.members.items() if name.startswith(BLOBS)]
    return ArchiveCheck(problems, manifest.created, manifest.pages, len(blob_sizes), sum(blob_sizes),
                        manifest.missing_blobs)


@dataclass(frozen=True)
class _Manifest:
    created: str
    pages: int
    members: dict[str, tuple[int, str]]  # name in the archive: (size, SHA-256)
    missing_blobs: list[str]


def _read_manifest(body: bytes, problems: list[str]) -> _Manifest | None:
    """The manifest, or None with the problem noted: a damaged manifest is a problem, not a crash."""
    try:
        data = json.loads(body)
        if data["format"] != FORMAT:
            problems.append(f"{MANIFEST}: format {data['format']!r}; this addonhub reads format {FORMAT}")
            return None
        members = {entry["name"]: (int(entry["size"]), str(entry["sha256"])) for entry in data["files"]}
        members.update({BLOBS + entry["key"]: (int(entry["size"]), str(entry["sha256"])) for entry in data["blobs"]})
        return _Manifest(str(data["created"]), int(data["database"]["pages"]), members,
                         [str(key) for key in data["missing_blobs"]])
    except (ValueError, KeyError, TypeError) as error:
        problems.append(f"{MANIFEST} cannot be read: {error!r}")
        return None


def _is_store_file(name: str) -> bool:
    path = PurePosixPath(name)
    return name in (DATABASE, *SECRETS) or (path.parent == CA_DIR and path.name not in ("", ".", ".."))


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    return iter(lambda: stream.read(CHUNK_SIZE), b"")


def _write_file(path: Path, stream: BinaryIO) -> tuple[int, str]:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        for chunk in _chunks(stream):
            digest.update(chunk)
            size += len(chunk)
            file.write(chunk)
        file.flush()
        os.fsync(file.fileno())
    return size, digest.hexdigest()


def _restore_blob(blobs: BlobStore | None, key: str, stream: BinaryIO, problems: list[str]) -> tuple[int, str]:
    if blobs is None:
        digest, size = hashlib.sha256(), 0
        for chunk in _chunks(stream):
            digest.update(chunk)
            size += len(chunk)
        return size, digest.hexdigest()
    try:
        stored = blobs.put_chunks(key, _chunks(stream))
    except ValueError as error:  # a key the blob store refuses (one that leaves it)
        problems.append(f"{BLOBS}{key}: {error}")
        return 0, ""
    return stored.size, stored.sha256


def _check_database(path: Path, pages: int) -> list[str]:
    try:
        # Read-only: a restored database is left exactly as archived until its store opens it.
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            results = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            found = connection.execute("PRAGMA page_count").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return [f"{DATABASE}: cannot be opened as an SQLite database ({error})"]
    problems = [] if results == ["ok"] else [f"{DATABASE}: integrity check: {result}" for result in results]
    if found != pages:
        problems.append(f"{DATABASE}: {found} pages where the manifest says {pages}")
    return problems
