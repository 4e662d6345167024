"""Blob storage: streamed writes appear whole or not at all, on both backends (a directory, and
a real S3-compatible server)."""

import hashlib

import pytest

from addonhub.blobs import BlobTooLarge, LocalBlobStore, open_blob_store
from addonhub.config import Settings


@pytest.fixture(params=["local", "s3"])
def blobs(request, tmp_path):
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    return open_blob_store(Settings(data_dir=tmp_path, blob_url=request.getfixturevalue("s3_server").blob_url()))


def test_streamed_write_hashes_and_reads_back(blobs):
    stored = blobs.put_chunks("uploads/a.xpi", iter([b"abc", b"def"]))
    assert (stored.size, stored.sha256) == (6, hashlib.sha256(b"abcdef").hexdigest())
    with blobs.open("uploads/a.xpi") as file:
        assert file.read() == b"abcdef"
    blobs.delete("uploads/a.xpi")
    assert not blobs.exists("uploads/a.xpi")


def test_refused_and_failed_writes_leave_nothing(blobs):
    with pytest.raises(BlobTooLarge):
        blobs.put_chunks("uploads/big", iter([b"x" * 10, b"x" * 10]), max_size=15)

    def broken():
        yield b"start"
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        blobs.put_chunks("uploads/cut", broken())
    assert not blobs.exists("uploads/big") and not blobs.exists("uploads/cut")
    assert list(blobs.list()) == [] and list(blobs.leftovers()) == []


def test_a_rewrite_replaces_the_blob_whole(blobs):
    blobs.put_chunks("files/1/a.xpi", iter([b"old"]))
    blobs.put_chunks("files/1/a.xpi", iter([b"new content"]))
    with blobs.open("files/1/a.xpi") as file:
        assert file.read() == b"new content"


def test_keys_cannot_leave_the_store(blobs):
    with pytest.raises(ValueError):
        blobs.put_chunks("../outside", iter([b"x"]))
    with pytest.raises(ValueError):
        blobs.exists("uploads/../../outside")


def test_ranges_listing_and_local_files(blobs):
    blobs.put_chunks("files/1/a.xpi", iter([b"0123456789"]))
    blobs.put_chunks("uploads/u1", iter([b"x" * 3]))
    assert b"".join(blobs.chunks("files/1/a.xpi", 2, 5)) == b"234"
    assert b"".join(blobs.chunks("files/1/a.xpi", 8)) == b"89"
    assert b"".join(blobs.chunks("files/1/a.xpi", 20)) == b"" and b"".join(blobs.chunks("files/1/a.xpi", 4, 4)) == b""
    assert [(info.key, info.size) for info in blobs.list()] == [("files/1/a.xpi", 10), ("uploads/u1", 3)]
    assert [info.key for info in blobs.list("uploads/")] == ["uploads/u1"]
    with blobs.local_file("files/1/a.xpi") as path:
        assert path.read_bytes() == b"0123456789"
    assert list(blobs.leftovers()) == []  # a borrowed copy goes when it is given back
    with pytest.raises(FileNotFoundError):
        blobs.open("files/none.xpi")


def test_an_empty_blob_is_a_blob(blobs):
    stored = blobs.put_chunks("uploads/empty", iter([]))
    assert (stored.size, stored.sha256) == (0, hashlib.sha256(b"").hexdigest())
    assert blobs.exists("uploads/empty") and b"".join(blobs.chunks("uploads/empty")) == b""


def test_a_local_download_is_the_file_itself(tmp_path):
    blobs = LocalBlobStore(tmp_path / "blobs")
    blobs.put_chunks("uploads/u1", iter([b"x" * 3]))
    assert blobs.download("uploads/u1").path.read_bytes() == b"xxx"


def test_a_file_made_in_the_scratch_space_is_stored_whole_and_hashed(blobs, tmp_path):
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
