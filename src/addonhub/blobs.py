"""Blob storage: package and signed-file bytes, kept out of the database.

Callers speak to the `BlobStore` interface, never to paths: write a stream (hashed and
size-limited as it goes), read a stream or a range, borrow a local file for readers that must
seek (zip), hand a client a download, delete, and list for clean-up. The embedded backend is a
directory (`LocalBlobStore`); the scale-out one is an S3-compatible bucket (`s3_blobs.S3BlobStore`,
chosen by `blob_url`).

Every backend makes a write visible under its key only once it is complete, so a crash or a
refused upload never leaves a partial blob behind.
"""

import hashlib
import os
import secrets
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from addonhub.config import Settings

CHUNK_SIZE = 1024 * 1024


class BlobTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int
    sha256: str


@dataclass(frozen=True)
class BlobInfo:
    """A stored blob as listed for clean-up: what it is, how big, and since when."""
    key: str
    size: int
    modified: datetime


@dataclass(frozen=True)
class Download:
    """How a client gets a blob's bytes: a local file the server sends itself (`path`; ranges and
    conditional requests by the web framework), an address to redirect the client to (`url`, a
    presigned one), or, with neither, the blob the server streams itself through `chunks()`, of
    `size` bytes, last written at `modified`."""
    path: Path | None = None
    url: str | None = None
    size: int | None = None
    modified: datetime | None = None


class BlobWriter(ABC):
    """A blob being written: bytes go into the hash and into storage, up to a limit. Nothing is
    visible under the key until commit(); abandon() leaves no trace."""

    def __init__(self, key: str, max_size: int | None):
        self.key, self.max_size = key, max_size
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.max_size is not None and self.size > self.max_size:
            raise BlobTooLarge(self.max_size)
        self.hash.update(chunk)
        self._store(chunk)

    @abstractmethod
    def _store(self, chunk: bytes) -> None: ...

    @abstractmethod
    def commit(self) -> StoredBlob: ...

    @abstractmethod
    def abandon(self) -> None: ...


class BlobStore(ABC):
    # Whether a write waits on the network (a part's upload): callers on an event loop then write
    # from a thread; a local file's writes are quick enough to make inline.
    writes_block = False

    @abstractmethod
    def writer(self, key: str, max_size: int | None = None) -> BlobWriter:
        """A writer for a new blob under `key` (replacing any blob there once committed)."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """The blob's bytes as a stream, from the start."""

    @abstractmethod
    def chunks(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes from `start` up to `end` (exclusive; None for the end), in chunks."""

    @abstractmethod
    def local_file(self, key: str):
        """A context manager giving a path on this machine that holds the blob's bytes, for
        readers that must seek (zip archives)."""

    @abstractmethod
    def download(self, key: str, filename: str | None = None, media_type: str | None = None) -> Download:
        """What a client is handed to fetch the blob; a URL it is sent to names the file and its
        type itself (a response the server makes adds its own headers)."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Deletes the blob; deleting one that is not there is not an error."""

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[BlobInfo]:
        """Every blob whose key starts with `prefix`."""

    @abstractmethod
    def leftovers(self) -> Iterator[BlobInfo]:
        """What writes that never completed left behind (a process killed mid-upload or mid-signing),
        which `list` does not show; `delete` removes each by its key."""

    def put_chunks(self, key: str, chunks: Iterator[bytes], max_size: int | None = None) -> StoredBlob:
        writer = self.writer(key, max_size)
        try:
            for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.abandon()
            raise
        return writer.commit()

    def scratch_dir(self) -> Path:
        """Where to make a file that put_file() will store."""
        return Path(tempfile.gettempdir())

    def put_file(self, key: str, path: Path) -> StoredBlob:
        """Stores a file made on this machine (a signed package) under `key`; the file is used up."""
        with open(path, "rb") as stream:
            stored = self.put_chunks(key, iter(lambda: stream.read(CHUNK_SIZE), b""))
        Path(path).unlink()
        return stored


class _LocalWriter(BlobWriter):
    def __init__(self, path: Path, key: str, max_size: int | None):
        super().__init__(key, max_size)
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.partial")
        self.file = open(self.temporary, "xb")

    def _store(self, chunk: bytes) -> None:
        self.file.write(chunk)

    def commit(self) -> StoredBlob:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.temporary, self.path)
        return StoredBlob(self.key, self.size, self.hash.hexdigest())

    def abandon(self) -> None:
        self.file.close()
        self.temporary.unlink(missing_ok=True)


class LocalBlobStore(BlobStore):
    """Blobs as files under one directory, each key a relative path."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"blob key {key!r} leaves the store")
        return path

    def writer(self, key: str, max_size: int | None = None) -> BlobWriter:
        return _LocalWriter(self._path(key), key, max_size)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def chunks(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        with self.open(key) as stream:
            stream.seek(start)
            remaining = None if end is None else max(0, end - start)
            while remaining is None or remaining > 0:
                chunk = stream.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    @contextmanager
    def local_file(self, key: str) -> Iterator[Path]:
        yield self._path(key)

    def download(self, key: str, filename: str | None = None, media_type: str | None = None) -> Download:
        return Download(path=self._path(key))

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> Iterator[BlobInfo]:
        return (info for info in self._files(unfinished=False) if info.key.startswith(prefix))

    def leftovers(self) -> Iterator[BlobInfo]:
        return self._files(unfinished=True)

    def _files(self, unfinished: bool) -> Iterator[BlobInfo]:
        """The files under the root: blobs, or (unfinished) writes in progress or abandoned, which
        are not blobs yet: partial writes and signings' scratch files."""
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and (key.startswith(".scratch/") or path.name.endswith(".partial")) == unfinished:
                stat = path.stat()
                yield BlobInfo(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, timezone.utc))

    def scratch_dir(self) -> Path:
        """On the blobs' own disk, so that put_file() is a rename: signed packages can be large."""
        scratch = self.root / ".scratch"
        scratch.mkdir(exist_ok=True)
        return scratch

    def put_file(self, key: str, path: Path) -> StoredBlob:
        path = Path(path)
        if path.parent != self.root / ".scratch":
            return super().put_file(key, path)
        digest, size = hashlib.sha256(), 0
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK_SIZE):
                digest.update(chunk)
                size += len(chunk)
            os.fsync(stream.fileno())
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return StoredBlob(key, size, digest.hexdigest())


def open_blob_store(settings: Settings) -> BlobStore:
    """The store's blob backend, as its settings choose: a bucket when blob_url names one, else
    the data directory's blobs/."""
    if settings.blob_url is None:
        return LocalBlobStore(settings.data_dir / "blobs")
    # Imported only here: boto3 takes a while to import, and the embedded default needs none of it.
    from addonhub.s3_blobs import S3BlobStore
    return S3BlobStore.from_url(settings.blob_url, settings.data_dir / "blob-scratch",
                                presigned_downloads=settings.blob_presigned_downloads)
