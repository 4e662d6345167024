"""Packages built in the tests: valid ones, and hostile archives no honest tool would write."""

import io
import json
import struct
import zlib
import zipfile
from pathlib import Path

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def manifest(**overrides) -> dict:
    data = {
        "manifest_version": 2,
        "name": "Test Extension",
        "version": "1.0",
        "browser_specific_settings": {"gecko": {"id": "test@example.org"}},
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def package(path: Path, files: dict[str, bytes | str | dict], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in files.items():
            if isinstance(content, dict):
                content = json.dumps(content)
            archive.writestr(name, content)
    return path


def extension(path: Path, manifest_data: dict | None = None, **files) -> Path:
    contents = {"manifest.json": manifest_data if manifest_data is not None else manifest()}
    contents.update(files)
    return package(path, contents)


def raw_entry(path: Path, name: bytes, content: bytes = b"x", flag_bits: int = 0, external_attr: int = 0,
              compression=zipfile.ZIP_STORED) -> Path:
    """An archive with one entry whose name bytes and header fields are set as given."""
    placeholder = "Q" * len(name)  # same length, so the headers' name lengths stay right
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        info = zipfile.ZipInfo(placeholder)
        info.external_attr = external_attr
        info.compress_type = compression
        archive.writestr(info, content)
    data = buffer.getvalue().replace(placeholder.encode(), name)
    if flag_bits:
        data = _patch_all(data, b"PK\x01\x02", 8, struct.pack("<H", flag_bits))
        data = _patch_all(data, b"PK\x03\x04", 6, struct.pack("<H", flag_bits))
    path.write_bytes(data)
    return path


def with_declared_size(path: Path, declared: int) -> Path:
    """Rewrites every entry's uncompressed size, leaving the content as it is."""
    data = path.read_bytes()
    data = _patch_all(data, b"PK\x01\x02", 24, struct.pack("<I", declared))
    data = _patch_all(data, b"PK\x03\x04", 22, struct.pack("<I", declared))
    path.write_bytes(data)
    return path


def _patch_all(data: bytes, signature: bytes, offset: int, value: bytes) -> bytes:
    out = bytearray(data)
    start = out.find(signature)
    while start != -1:
        out[start + offset:start + offset + len(value)] = value
        start = out.find(signature, start + 4)
    return bytes(out)


def chromium_extension(path: Path, version: str = "1.0.0", name: str = "Test Extension", **fields) -> Path:
    """An MV3 extension as Chrome and Edge take it: a service worker, and no Gecko id; `fields`
    are more manifest fields (key, minimum_chrome_version...)."""
    data = manifest(manifest_version=3, name=name, version=version, browser_specific_settings=None,
                    background={"service_worker": "background.js"}, **fields)
    return extension(path, data, **{"background.js": "chrome.runtime.onInstalled.addListener(() => {});\n"})


def with_directory_entries(path: Path, count: int, declared: int | None = None) -> Path:
    """An archive whose central directory lists `count` entries, and whose end record declares
    `declared` of them (`count` unless told); ZIP64's end record carries counts past 65535. Only the
    first entry can be read: the others point at made-up offsets (distinct, as in a real archive)."""
    content = b"x"
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, zlib.crc32(content), 1, 1, 10, 0) + b"0000000.js" + content
    records = b"".join(
        struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, zlib.crc32(content), 1, 1, 10, 0, 0, 0, 0, 0, n)
        + b"%07d.js" % n for n in range(count))
    declared = count if declared is None else declared
    offset = len(local) + len(records)
    zip64 = b""
    if declared > 0xFFFF:
        zip64 = (struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, declared, declared, len(records), len(local))
                 + struct.pack("<4sLQL", b"PK\x06\x07", 0, offset, 1))
    short = min(declared, 0xFFFF)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, short, short, len(records), len(local), 0)
    path.write_bytes(local + records + zip64 + end)
    return path
