"""Reading packages without trusting them."""

import stat
import struct
import tracemalloc
import warnings
import zipfile

import pytest

from addonhub.packages.archive import MIB, ArchiveError, ArchiveLimits, PackageArchive
from tests.packages.builders import package, raw_entry, with_declared_size, with_directory_entries


def refused(path, limits=ArchiveLimits(), read: str | None = None) -> str:
    with pytest.raises(ArchiveError) as caught:
        with PackageArchive(path, limits) as archive:
            if read:
                archive.read(read)
    return caught.value.code


def test_reads_a_normal_archive_entry_by_entry(tmp_path):
    path = package(tmp_path / "ok.zip", {"manifest.json": "{}", "dir/a.js": "a" * 100_000})
    with PackageArchive(path) as archive:
        assert archive.files == ["manifest.json", "dir/a.js"]
        chunks = list(archive.chunks("dir/a.js"))
        assert len(chunks) > 1 and b"".join(chunks) == b"a" * 100_000


@pytest.mark.parametrize("content", [b"not a zip", b"", b"PK\x03\x04garbage"])
def test_garbage_is_a_bad_zipfile(tmp_path, content):
    path = tmp_path / "bad.zip"
    path.write_bytes(content)
    assert refused(path) == "BAD_ZIPFILE"


def test_truncated_archive(tmp_path):
    path = package(tmp_path / "t.zip", {"manifest.json": "{}", "big.js": "x" * 10_000})
    path.write_bytes(path.read_bytes()[:-40])
    assert refused(path) == "BAD_ZIPFILE"


@pytest.mark.parametrize("name", [b"../evil.js", b"a/../../evil.js", b"/etc/passwd", b"a\\b.js", b"C:/x.js", b"a\x01b.js"])
def test_dangerous_names(tmp_path, name):
    assert refused(raw_entry(tmp_path / "n.zip", name)) == "INVALID_XPI_ENTRY"


def test_undecodable_names(tmp_path):
    assert refused(raw_entry(tmp_path / "u.zip", b"caf\xe9\xff.js")) == "INVALID_XPI_ENTRY"


def test_utf8_names_are_fine(tmp_path):
    path = package(tmp_path / "u.zip", {"日本語/ファイル.js": "x"})
    with PackageArchive(path) as archive:
        assert archive.files == ["日本語/ファイル.js"]


def test_symlinks(tmp_path):
    path = raw_entry(tmp_path / "s.zip", b"link.js", b"/etc/passwd", external_attr=(stat.S_IFLNK | 0o777) << 16)
    assert refused(path) == "INVALID_XPI_ENTRY"


def test_duplicate_entries(tmp_path):
    path = tmp_path / "d.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("manifest.json", "{}")
            archive.writestr("manifest.json", '{"evil": true}')
    assert refused(path) == "DUPLICATE_XPI_ENTRY"


def test_encrypted_entries(tmp_path):
    assert refused(raw_entry(tmp_path / "e.zip", b"secret.js", flag_bits=0x1)) == "ENCRYPTED_XPI_ENTRY"


def test_unsupported_compression(tmp_path):
    path = package(tmp_path / "b.zip", {"a.js": "x" * 100}, compression=zipfile.ZIP_BZIP2)
    assert refused(path) == "UNSUPPORTED_COMPRESSION"


def test_declared_size_differs_from_the_real_one(tmp_path):
    bigger = with_declared_size(package(tmp_path / "big.zip", {"a.js": "hello world"}, zipfile.ZIP_STORED), 20)
    assert refused(bigger, read="a.js") in ("SIZE_MISMATCH", "BAD_ZIPFILE")
    smaller = with_declared_size(package(tmp_path / "small.zip", {"a.js": "hello world"}), 5)
    assert refused(smaller, read="a.js") in ("SIZE_MISMATCH", "BAD_ZIPFILE")


def test_too_many_entries(tmp_path):
    path = package(tmp_path / "m.zip", {f"f{n}.js": "x" for n in range(11)})
    assert refused(path, ArchiveLimits(max_entries=10)) == "TOO_MANY_ENTRIES"


def test_one_entry_too_large(tmp_path):
    path = package(tmp_path / "l.zip", {"a.js": "x" * 2000})
    assert refused(path, ArchiveLimits(max_entry_size=1000)) == "FILE_TOO_LARGE_IN_ARCHIVE"


def test_total_too_large(tmp_path):
    path = package(tmp_path / "t.zip", {f"f{n}.js": "x" * 600 for n in range(3)})
    assert refused(path, ArchiveLimits(max_total_size=1500)) == "ARCHIVE_TOO_LARGE"


def test_zip_bomb_ratio(tmp_path):
    path = package(tmp_path / "bomb.zip", {"bomb.txt": b"\0" * (8 * 1024 * 1024)})
    assert path.stat().st_size < 20_000
    assert refused(path) == "ZIP_BOMB"


def opening_peak(path, limits=ArchiveLimits()) -> tuple[str, int]:
    """The refusal's code, and the most memory Python held while opening the archive."""
    tracemalloc.start()
    try:
        code = refused(path, limits)
        return code, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("declared", [None, 1])
def test_a_huge_directory_is_refused_before_it_is_read(tmp_path, declared):
    # 200,000 entries in 11 MB of directory; the end record says so (in ZIP64's), or lies and says 1.
    path = with_directory_entries(tmp_path / "many.zip", 200_000, declared=declared)
    code, peak = opening_peak(path, ArchiveLimits(max_entries=1000))
    assert code == "TOO_MANY_ENTRIES" and peak < 2 * MIB


def test_a_directory_larger_than_its_entries_need_is_refused(tmp_path):
    path = package(tmp_path / "long.zip", {f"{n}{'a' * 4000}.js": "x" for n in range(5)})
    assert refused(path, ArchiveLimits(max_entries=10)) == "TOO_MANY_ENTRIES"
    with PackageArchive(path, ArchiveLimits(max_entries=20)) as archive:
        assert len(archive.files) == 5


def test_a_directory_larger_than_the_file_is_corrupt(tmp_path):
    path = package(tmp_path / "d.zip", {"a.js": "x"})
    data = bytearray(path.read_bytes())
    data[-10:-6] = struct.pack("<I", 10 * len(data))  # the end record's directory size
    path.write_bytes(bytes(data))
    assert refused(path) == "BAD_ZIPFILE"
