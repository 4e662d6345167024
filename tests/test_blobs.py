"""Blob storage: streamed writes appear whole or not at all."""

import hashlib

import pytest

from addonhub.blobs import BlobTooLarge, LocalBlobStore


def test_streamed_write_hashes_and_reads_back(tmp_path):
    blobs = LocalBlobStore(tmp_path / "blobs")
    stored = blobs.put_chunks("uploads/a.xpi", iter([b"abc", b"def"]))
    assert (stored.size, stored.sha256) == (6, hashlib.sha256(b"abcdef").hexdigest())
    with blobs.open("uploads/a.xpi") as file:
        assert file.read() == b"abcdef"
    blobs.delete("uploads/a.xpi")
    assert not blobs.exists("uploads/a.xpi")


def test_refused_and_failed_writes_leave_nothing(tmp_path):
    blobs = LocalBlobStore(tmp_path / "blobs")
    with pytest.raises(BlobTooLarge):
        blobs.put_chunks("uploads/big", iter([b"x" * 10, b"x" * 10]), max_size=15)

    def broken():
        yield b"start"
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        blobs.put_chunks("uploads/cut", broken())
    assert not blobs.exists("uploads/big") and not blobs.exists("uploads/cut")
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []


def test_a_rewrite_replaces_the_blob_whole(tmp_path):
    blobs = LocalBlobStore(tmp_path / "blobs")
    blobs.put_chunks("files/1/a.xpi", iter([b"old"]))
    blobs.put_chunks("files/1/a.xpi", iter([b"new content"]))
    with blobs.open("files/1/a.xpi") as file:
        assert file.read() == b"new content"


def test_keys_cannot_leave_the_store(tmp_path):
    blobs = LocalBlobStore(tmp_path / "blobs")
    with pytest.raises(ValueError):
        blobs.put_chunks("../outside", iter([b"x"]))
