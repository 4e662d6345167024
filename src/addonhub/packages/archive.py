"""Reading a zip package (.zip, .xpi) without trusting it.

Before zipfile reads the central directory (all of it, into memory, with an object per record),
the end records' entry count and directory size are checked against the limits and the
directory's records counted without being kept, so no upload costs memory in proportion to its
size. Then every entry is vetted: names (no "..", absolute paths, backslashes,
control characters or undecodable bytes), duplicates, symlinks, encryption, compression method,
and the declared sizes against the limits, including the compression ratio that betrays a zip
bomb. Content is only ever streamed, in chunks, with the real size and CRC checked as it goes,
so nothing is extracted to disk and no entry is held whole in memory unless asked for.
"""

import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MIB = 1024 * 1024
CHUNK_SIZE = 64 * 1024
_SUPPORTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
# Real add-ons' directory records average under 100 bytes (46 of header, then the name and extra
# fields); a directory larger than max_entries records of 1 KiB each is not an add-on's.
DIRECTORY_BYTES_PER_ENTRY = 1024
_END = struct.Struct("<4s4H2LH")  # end of central directory record
_END_SIGNATURE = b"PK\x05\x06"
_MAX_COMMENT = 0xFFFF
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")
_DIRECTORY_RECORD = struct.Struct("<4s12x4x4x4x3H8x4x")  # signature ... name, extra and comment lengths ...


@dataclass(frozen=True)
class ArchiveLimits:
    # AMO's limits: 100 MiB per entry, 250 MiB in all.
    max_entries: int = 20_000
    max_entry_size: int = 100 * MIB
    max_total_size: int = 250 * MIB
    # Deflate rarely beats 20:1 on real add-on content; past 100:1 on a large entry it is a bomb.
    max_compression_ratio: float = 100.0
    ratio_checked_above: int = 1 * MIB


class ArchiveError(Exception):
    """The archive cannot be read safely; `code` names the problem as the validator reports it."""

    def __init__(self, code: str, message: str, entry: str | None = None):
        super().__init__(message)
        self.code, self.message, self.entry = code, message, entry


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    compressed_size: int
    is_dir: bool
    is_deflated: bool


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as text: UTF-8 when flagged or when it decodes as such, else refused."""
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG and not name.isascii():
        raw = name.encode("cp437")  # how zipfile decoded the unflagged bytes
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError("INVALID_XPI_ENTRY", f"An entry name could not be decoded: {raw!r}") from None
    return name


def _check_name(name: str) -> None:
    problem = None
    if "\\" in name:
        problem = "contains a backslash"
    elif name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        problem = "is an absolute path"
    elif ".." in name.split("/"):
        problem = "points outside the archive (..)"
    elif any(ord(char) < 32 or ord(char) == 127 for char in name):
        problem = "contains control characters"
    elif not name.strip("/"):
        problem = "is empty"
    if problem:
        raise ArchiveError("INVALID_XPI_ENTRY", f"Invalid file name in archive: {name!r} {problem}.", name)


def _check_directory(file: BinaryIO, limits: ArchiveLimits) -> None:
    """Refuses an archive whose central directory is past the limits, reading it as zipfile will
    (the same end record, the same directory start) but keeping nothing of it. Damage that is not
    a limit is left for zipfile to report."""
    file.seek(0, 2)
    tail_start = max(0, file.tell() - _END.size - _MAX_COMMENT)
    file.seek(tail_start)
    tail = file.read()
    # zipfile tries an end record without a comment first, then the last signature in the tail.
    if tail[-_END.size:-_END.size + 4] == _END_SIGNATURE and tail[-2:] == b"\0\0":
        found = len(tail) - _END.size
    else:
        found = tail.rfind(_END_SIGNATURE)
    if found < 0 or len(tail) - found < _END.size:
        return
    _, _, _, _, count, size, _, _ = _END.unpack_from(tail, found)
    end = tail_start + found
    zip64_records = 0
    if end >= _ZIP64_LOCATOR.size + _ZIP64_END.size:
        file.seek(end - _ZIP64_LOCATOR.size - _ZIP64_END.size)
        zip64 = file.read(_ZIP64_END.size + _ZIP64_LOCATOR.size)
        if (zip64[_ZIP64_END.size:_ZIP64_END.size + 4] == b"PK\x06\x07" and zip64[:4] == b"PK\x06\x06"):
            *_, count, size, _ = _ZIP64_END.unpack_from(zip64)
            zip64_records = _ZIP64_END.size + _ZIP64_LOCATOR.size
    if count > limits.max_entries:
        raise ArchiveError("TOO_MANY_ENTRIES", f"The archive has {count} entries; the limit is {limits.max_entries}.")
    start = end - zip64_records - size  # where zipfile looks for it, whatever offset is recorded
    if start < 0:
        raise ArchiveError("BAD_ZIPFILE", f"Corrupt ZIP file: its central directory is said to be {size} bytes, "
                                          "more than the file holds.")
    if size > limits.max_entries * DIRECTORY_BYTES_PER_ENTRY:
        raise ArchiveError("TOO_MANY_ENTRIES", f"The archive's central directory is {size} bytes, more than "
                                               f"{limits.max_entries} entries, the limit, would need.")
    # zipfile reads records until it has read `size` bytes, whatever count was declared: count
    # them the same way, so that a false count cannot slip a million entries past the limit.
    file.seek(start)
    entries = read = 0
    while read < size:
        record = file.read(_DIRECTORY_RECORD.size)
        if len(record) != _DIRECTORY_RECORD.size or record[:4] != b"PK\x01\x02":
            return
        _, name_length, extra_length, comment_length = _DIRECTORY_RECORD.unpack(record)
        file.seek(name_length + extra_length + comment_length, 1)
        read += _DIRECTORY_RECORD.size + name_length + extra_length + comment_length
        entries += 1
        if entries > limits.max_entries:
            raise ArchiveError("TOO_MANY_ENTRIES", f"The archive has more than {limits.max_entries} entries, "
                                                   "the limit.")


class PackageArchive:
    def __init__(self, path: Path | str, limits: ArchiveLimits = ArchiveLimits()):
        self.path, self.limits = Path(path), limits
        try:
            with open(self.path, "rb") as file:
                _check_directory(file, limits)
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, UnicodeDecodeError, ValueError, EOFError, OSError) as error:
            raise ArchiveError("BAD_ZIPFILE", f"Corrupt ZIP file: {error}") from None
        try:
            self._entries = self._vet(self._zip.infolist())
        except BaseException:
            self._zip.close()
            raise

    def _vet(self, infos: list[zipfile.ZipInfo]) -> dict[str, tuple[Entry, zipfile.ZipInfo]]:
        limits = self.limits
        entries: dict[str, tuple[Entry, zipfile.ZipInfo]] = {}
        total = 0
        for info in infos:
            name = _entry_name(info)
            _check_name(name)
            if name in entries:
                raise ArchiveError("DUPLICATE_XPI_ENTRY", f"The archive contains {name!r} more than once.", name)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ArchiveError("INVALID_XPI_ENTRY", f"{name!r} is a symbolic link.", name)
            if info.flag_bits & _ENCRYPTED_FLAG:
                raise ArchiveError("ENCRYPTED_XPI_ENTRY", f"{name!r} is encrypted.", name)
            if info.compress_type not in _SUPPORTED_COMPRESSION:
                raise ArchiveError("UNSUPPORTED_COMPRESSION",
                                   f"{name!r} uses compression method {info.compress_type}; only stored and deflated are supported.", name)
            if info.file_size > limits.max_entry_size:
                raise ArchiveError("FILE_TOO_LARGE_IN_ARCHIVE",
                                   f"{name!r} is {info.file_size} bytes uncompressed; the limit is {limits.max_entry_size}.", name)
            if (info.file_size > limits.ratio_checked_above
                    and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)):
                raise ArchiveError("ZIP_BOMB", f"{name!r} compresses {info.file_size // max(info.compress_size, 1)}:1; "
                                   "the archive looks like a zip bomb.", name)
            total += info.file_size
            if total > limits.max_total_size:
                raise ArchiveError("ARCHIVE_TOO_LARGE",
                                   f"The archive holds more than {limits.max_total_size} bytes uncompressed.")
            entries[name] = (Entry(name, info.file_size, info.compress_size, info.is_dir(),
                                   info.compress_type == zipfile.ZIP_DEFLATED), info)
        return entries

    def __enter__(self) -> "PackageArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    @property
    def entries(self) -> list[Entry]:
        return [entry for entry, _ in self._entries.values()]

    @property
    def files(self) -> list[str]:
        """Names of the file entries (not directories), in archive order."""
        return [entry.name for entry, _ in self._entries.values() if not entry.is_dir]

    def __contains__(self, name: str) -> bool:
        return name in self._entries and not self._entries[name][0].is_dir

    def entry(self, name: str) -> Entry:
        return self._entries[name][0]

    def chunks(self, name: str) -> Iterator[bytes]:
        """The entry's bytes in chunks; the real size must match the declared one, and the CRC hold."""
        entry, info = self._entries[name]
        produced = 0
        try:
            with self._zip.open(info) as stream:
                # zipfile stops at the declared size and then checks the CRC, so content longer
                # than declared fails the CRC; shorter content is caught below.
                while chunk := stream.read(CHUNK_SIZE):
                    produced += len(chunk)
                    yield chunk
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as error:
            raise ArchiveError("BAD_ZIPFILE", f"{name!r} could not be read: {error}", name) from None
        if produced != entry.size:
            raise ArchiveError("SIZE_MISMATCH", f"{name!r} declares {entry.size} bytes but holds {produced}.", name)

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The whole entry, for small files (manifests, locales); refuses entries over `limit`."""
        entry = self.entry(name)
        if limit is not None and entry.size > limit:
            raise ArchiveError("FILE_TOO_LARGE", f"{name!r} is too large to read ({entry.size} bytes).", name)
        return b"".join(self.chunks(name))
