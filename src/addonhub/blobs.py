"""Blob storage: package and signed-file bytes, kept out of the database.

The embedded default is a directory. Writes stream into a temporary file beside the final one,
hashing as they go, and are renamed into place only when complete, so a crash or a refused
upload never leaves a partial blob visible under its key.
"""

import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

class BlobTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int
    sha256: str


class BlobWriter:
    """A blob being written: bytes go to a temporary file and into the hash, up to a limit.
    Nothing is visible under the key until commit(); abandon() leaves no trace."""

    def __init__(self, store: "LocalBlobStore", key: str, max_size: int | None):
        self.store, self.key, self.max_size = store, key, max_size
        self.path = store.path_of(key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(8)}.partial")
        self.file = open(self.temporary, "xb")
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.max_size is not None and self.size > self.max_size:
            raise BlobTooLarge(self.max_size)
        self.hash.update(chunk)
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


class LocalBlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"blob key {key!r} leaves the store")
        return path

    def put_chunks(self, key: str, chunks: Iterator[bytes], max_size: int | None = None) -> StoredBlob:
        writer = self.writer(key, max_size)
        try:
            for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.abandon()
            raise
        return writer.commit()

    def writer(self, key: str, max_size: int | None = None) -> BlobWriter:
        return BlobWriter(self, key, max_size)

    def open(self, key: str) -> BinaryIO:
        return open(self.path_of(key), "rb")

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)
