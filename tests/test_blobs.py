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


def test_ranges_listing_and_local_files(tmp_path):
    blobs = LocalBlobStore(tmp_path / "blobs")
    blobs.put_chunks("files/1/a.xpi", iter([b"0123456789"]))
    blobs.put_chunks("uploads/u1", iter([b"x" * 3]))
    assert b"".join(blobs.chunks("files/1/a.xpi", 2, 5)) == b"234"
    assert b"".join(blobs.chunks("files/1/a.xpi", 8)) == b"89"
    assert [(info.key, info.size) for info in blobs.list()] == [("files/1/a.xpi", 10), ("uploads/u1", 3)]
    assert [info.key for info in blobs.list("uploads/")] == ["uploads/u1"]
    with blobs.local_file("files/1/a.xpi") as path:
        assert path.read_bytes() == b"0123456789"
    assert blobs.download("uploads/u1").path.read_bytes() == b"xxx"


def test_a_file_made_in_the_scratch_space_is_stored_whole_and_hashed(tmp_path):
    blobs = LocalBlobStore(tmp_path / "blobs")
    made = blobs.scratch_dir() / "signed.xpi"
    made.write_bytes(b"signed bytes")
    stored = blobs.put_file("files/2/b.xpi", made)
    assert (stored.size, stored.sha256) == (12, hashlib.sha256(b"signed bytes").hexdigest())
    assert not made.exists() and [info.key for info in blobs.list()] == ["files/2/b.xpi"]
    elsewhere = tmp_path / "elsewhere.xpi"
    elsewhere.write_bytes(b"copied")
    assert blobs.put_file("files/3/c.xpi", elsewhere).size == 6 and not elsewhere.exists()
    with blobs.open("files/3/c.xpi") as file:
        assert file.read() == b"copied"
