"""The JAR signing text files: the manifest (digests of every file) and the signature file (digests
of the manifest), written as Autograph writes them and read as Firefox reads them."""

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from addonhub.signing import SignatureProblem

MANIFEST = "META-INF/manifest.mf"
SIGNATURE_FILE = "META-INF/mozilla.sf"
PKCS7_SIGNATURE = "META-INF/mozilla.rsa"
COSE_MANIFEST = "META-INF/cose.manifest"
COSE_SIGNATURE = "META-INF/cose.sig"
# In the order they are written, after the package's own files (as Autograph does).
SIGNATURE_FILES = (COSE_MANIFEST, COSE_SIGNATURE, MANIFEST, SIGNATURE_FILE, PKCS7_SIGNATURE)

MANIFEST_VERSION = b"Manifest-Version: 1.0"
SIGNATURE_VERSION = b"Signature-Version: 1.0"
# CRLF, as jarsigner writes (Firefox reads any line end). It also makes mozilla.sf its own MIME
# canonical form, so `openssl cms -verify` accepts the signature with or without -binary.
EOL = b"\r\n"
# The JAR specification's line limit, which Firefox enforces.
MAX_LINE_BYTES = 72


def is_signature_file(name: str) -> bool:
    """A JAR or COSE signature file, in any case: signing replaces them and manifests do not list
    them (Autograph's rule, which matches the names Firefox looks for)."""
    lowered = name.lower()
    if not lowered.startswith("meta-inf/"):
        return False
    rest = lowered.removeprefix("meta-inf/")
    return (rest in ("manifest.mf", "cose.manifest", "cose.sig")
            or rest.endswith((".sf", ".rsa", ".dsa")) or rest.startswith("sig-"))


@dataclass(frozen=True)
class Digests:
    sha1: bytes
    sha256: bytes


def digests_of(chunks: Iterable[bytes]) -> Digests:
    sha1, sha256 = hashlib.sha1(), hashlib.sha256()
    for chunk in chunks:
        sha1.update(chunk)
        sha256.update(chunk)
    return Digests(sha1.digest(), sha256.digest())


def manifest(files: Iterable[tuple[str, Digests]]) -> bytes:
    return _lines([MANIFEST_VERSION, b""]) + manifest_sections(files)


def manifest_sections(files: Iterable[tuple[str, Digests]]) -> bytes:
    """One section per file, each ending with a blank line."""
    return b"".join(_lines([
        _fold(b"Name: " + name.encode("utf-8")),
        b"Digest-Algorithms: SHA1 SHA256",
        b"SHA1-Digest: " + _b64(digests.sha1),
        b"SHA256-Digest: " + _b64(digests.sha256),
        b"",
    ]) for name, digests in files)


def signature_file(manifest_bytes: bytes) -> bytes:
    digests = digests_of([manifest_bytes])
    return _lines([
        SIGNATURE_VERSION,
        b"SHA1-Digest-Manifest: " + _b64(digests.sha1),
        b"SHA256-Digest-Manifest: " + _b64(digests.sha256),
        b"",
    ])


def manifest_entries(manifest_bytes: bytes) -> dict[str, dict[str, str]]:
    """The per-file sections of a manifest by file name, attribute names lowercased."""
    entries: dict[str, dict[str, str]] = {}
    for section in _sections(manifest_bytes, MANIFEST_VERSION)[1:]:
        name = section.get("name")
        if not name:
            raise SignatureProblem("a section has no Name")
        if name in entries:
            raise SignatureProblem(f"{name!r} is listed twice")
        entries[name] = section
    return entries


def signature_file_attributes(data: bytes) -> dict[str, str]:
    """The main section of a signature file, attribute names lowercased."""
    return _sections(data, SIGNATURE_VERSION)[0]


def decode_digest(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise SignatureProblem(f"{value!r} is not a base64 digest") from None


def _lines(lines: list[bytes]) -> bytes:
    return b"".join(line + EOL for line in lines)


def _b64(digest: bytes) -> bytes:
    return base64.b64encode(digest)


def _fold(line: bytes) -> bytes:
    """Splits a line longer than 72 bytes into continuation lines starting with a space, never
    inside a UTF-8 character."""
    parts = []
    limit = MAX_LINE_BYTES
    while len(line) > limit:
        cut = limit
        while line[cut] & 0xC0 == 0x80:  # a continuation byte: back up to the character's start
            cut -= 1
        parts.append(line[:cut])
        line = line[cut:]
        limit = MAX_LINE_BYTES - 1  # room for the leading space
    parts.append(line)
    return (EOL + b" ").join(parts)


def _sections(data: bytes, version_line: bytes) -> list[dict[str, str]]:
    """Sections separated by blank lines, the first being the main one, which starts with the version line."""
    lines = _unfolded_lines(data)
    if not lines or lines[0] != version_line:
        raise SignatureProblem(f"does not start with {version_line.decode()!r}")
    sections: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in lines:
        if not line:
            if current:
                sections.append(current)
            current = {}
            continue
        name, colon, value = line.partition(b":")
        name = name.rstrip(b" ")
        if not colon or not name:
            raise SignatureProblem(f"malformed line {line[:80]!r}")
        try:
            # Like Firefox, keep spaces that end a value: a file name may end with one.
            key, text = name.decode("ascii").lower(), value.lstrip(b" ").decode("utf-8")
        except UnicodeDecodeError:
            raise SignatureProblem(f"line {line[:80]!r} is not UTF-8") from None
        if key in current:
            raise SignatureProblem(f"{key!r} appears twice in one section")
        current[key] = text
    if current:
        sections.append(current)
    return sections


def _unfolded_lines(data: bytes) -> list[bytes]:
    lines: list[bytes] = []
    for line in re.split(rb"\r\n|\r|\n", data):
        continued = line.startswith(b" ")
        content = line[1:] if continued else line
        if len(content) > MAX_LINE_BYTES:
            raise SignatureProblem(f"a line is longer than {MAX_LINE_BYTES} bytes")
        if continued and lines and lines[-1]:
            lines[-1] += content
        elif continued:
            raise SignatureProblem("a continuation line follows nothing")
        else:
            lines.append(content)
    return lines
