"""The S3 backend against a real S3-compatible server: writes stream in parts and appear only at
commit, abandoned and killed writes leave only what clean-up finds (tests/test_blobs.py runs the
backend-neutral tests on it too)."""

import hashlib
import subprocess
import sys

import pytest

from addonhub.blobs import open_blob_store
from addonhub.config import Settings
from addonhub.s3_blobs import PART_SIZE

PACKAGE = bytes(range(256)) * (PART_SIZE // 256 + 4096)  # a part and a megabyte
CHUNK = 64 * 1024


@pytest.fixture
def bucket_url(s3_server) -> str:
    return s3_server.blob_url()


@pytest.fixture
def blobs(tmp_path, bucket_url):
    return open_blob_store(Settings(data_dir=tmp_path, blob_url=bucket_url))


def stream(data: bytes):
    return (data[start:start + CHUNK] for start in range(0, len(data), CHUNK))


def test_a_package_larger_than_a_part_streams_in_parts_and_appears_only_at_commit(blobs):
    writer = blobs.writer("uploads/big.xpi")
    for chunk in stream(PACKAGE):
        writer.write(chunk)
        assert len(writer.buffer) < PART_SIZE  # never more than one part in memory
    # The first part is in the bucket already, as an upload in progress, not as a blob.
    [unfinished] = blobs.leftovers()
    assert unfinished.key.startswith("uploads/big.xpi?uploadId=") and unfinished.size == PART_SIZE
    assert not blobs.exists("uploads/big.xpi") and list(blobs.list()) == []

    stored = writer.commit()

    assert (stored.size, stored.sha256) == (len(PACKAGE), hashlib.sha256(PACKAGE).hexdigest())
    assert [(info.key, info.size) for info in blobs.list()] == [("uploads/big.xpi", len(PACKAGE))]
    assert list(blobs.leftovers()) == []
    across = (PART_SIZE - 3, PART_SIZE + 5)
    assert b"".join(blobs.chunks("uploads/big.xpi", *across)) == PACKAGE[slice(*across)]
    with blobs.local_file("uploads/big.xpi") as path:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256
    assert list(blobs.scratch_dir().iterdir()) == []


def test_an_abandoned_write_of_several_parts_leaves_nothing(blobs):
    writer = blobs.writer("uploads/cut.xpi")
    for chunk in stream(PACKAGE):
        writer.write(chunk)
    writer.abandon()
    assert list(blobs.leftovers()) == [] and list(blobs.list()) == [] and not blobs.exists("uploads/cut.xpi")


def test_a_rewrite_by_parts_replaces_a_small_blob_whole(blobs):
    blobs.put_chunks("files/1/a.xpi", iter([b"small"]))
    blobs.put_chunks("files/1/a.xpi", stream(PACKAGE))
    assert hashlib.sha256(b"".join(blobs.chunks("files/1/a.xpi"))).hexdigest() == hashlib.sha256(PACKAGE).hexdigest()


KILLED_WRITER = """
import sys
from pathlib import Path
from addonhub.blobs import open_blob_store
from addonhub.config import Settings
from addonhub.s3_blobs import PART_SIZE
blobs = open_blob_store(Settings(data_dir=Path(sys.argv[1]), blob_url=sys.argv[2]))
writer = blobs.writer("uploads/killed.xpi")
writer.write(b"x" * (PART_SIZE + 10))
with blobs.local_file(sys.argv[3]) as copy:  # a borrowed copy, left behind too
    print("written", flush=True)
    sys.stdin.read()
"""


def kill_a_writer_midway(data_dir, bucket_url, borrowed: str) -> None:
    """Runs a process that has sent a part of a blob and holds a scratch copy of `borrowed`, and
    kills it (-9)."""
    process = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(data_dir), bucket_url, borrowed],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert process.stdout.readline() == b"written\n"
    finally:
        process.kill()
        process.wait()


def test_a_killed_writer_leaves_what_leftovers_finds_and_delete_removes(tmp_path, blobs, bucket_url):
    blobs.put_chunks("uploads/kept", iter([b"kept"]))
    kill_a_writer_midway(tmp_path, bucket_url, "uploads/kept")

    copy, upload = sorted(blobs.leftovers(), key=lambda info: info.key)
    assert copy.key.startswith(".scratch/") and copy.size == 4
    assert upload.key.startswith("uploads/killed.xpi?uploadId=") and upload.size == PART_SIZE
    leftovers = [copy, upload]
    assert [info.key for info in blobs.list()] == ["uploads/kept"]
    for info in leftovers:
        blobs.delete(info.key)
    assert list(blobs.leftovers()) == [] and [info.key for info in blobs.list()] == ["uploads/kept"]


def test_scratch_files_in_folders_are_leftovers_and_deleting_stays_in_the_scratch_space(blobs, tmp_path):
    made = blobs.scratch_dir() / "tmp-signing" / "signed.xpi"
    made.parent.mkdir()
    made.write_bytes(b"half signed")
    assert [(info.key, info.size) for info in blobs.leftovers()] == [(".scratch/tmp-signing/signed.xpi", 11)]
    (tmp_path / "outside").write_bytes(b"not the store's")
    with pytest.raises(ValueError):
        blobs.delete(".scratch/../outside")
    blobs.delete(".scratch/tmp-signing/signed.xpi")
    assert list(blobs.leftovers()) == [] and (tmp_path / "outside").exists()


@pytest.mark.parametrize("url, error", [
    ("s3://addons/p?endpoint=http://127.0.0.1:1", "unknown blob URL option endpoint"),
    ("s3://key:secret@addons/p", "carries no credentials"),
    ("http://addons/p", "a blob URL is s3://bucket/prefix"),
])
def test_a_wrong_blob_url_is_refused_in_words(tmp_path, url, error):
    with pytest.raises(ValueError, match=error):
        open_blob_store(Settings(data_dir=tmp_path, blob_url=url))
