"""CRX3 packages as the Chromium family installs them (components/crx_file in Chromium).

A CRX3 is "Cr24", the format version 3 and the header's length (both uint32 little-endian), a
CrxFileHeader (protobuf), then the ZIP archive unchanged. The header holds one RSA proof (the
SubjectPublicKeyInfo and an RSASSA-PKCS1-v1_5/SHA-256 signature) and the SignedData naming the
extension's id; every proof signs "CRX3 SignedData\\0", the SignedData's length and bytes, and the
archive. The header is three protobuf fields, so it is encoded and decoded here by hand rather
than through a protobuf library. A store-hosted (non-webstore) CRX needs no publisher proof.

The extension id is the first 16 bytes of the SHA-256 of the key's SubjectPublicKeyInfo, written
as 32 letters a-p: it follows from the key alone, so a key must be kept for as long as the
extension lives.
"""

import hashlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

MAGIC = b"Cr24"
FORMAT_VERSION = 3
SIGNATURE_CONTEXT = b"CRX3 SignedData\x00"  # Chromium feeds it with its NUL (std::size)
CRX_ID_BYTES = 16
# Chromium refuses headers past this size (crx_verifier.cc kMaxHeaderSize).
MAX_HEADER_BYTES = 1 << 18
CHUNK_SIZE = 1 << 16

# CrxFileHeader's fields, and AsymmetricKeyProof's and SignedData's.
_RSA_PROOF, _ECDSA_PROOF, _SIGNED_HEADER_DATA = 2, 3, 10000
_PUBLIC_KEY, _SIGNATURE = 1, 2
_CRX_ID = 1
_LENGTH_DELIMITED = 2


class CrxError(ValueError):
    """The file is not a CRX3 Chromium would install; the message says what is wrong."""


def crx_id_of_public_key(spki_der: bytes) -> str:
    """The extension id that a SubjectPublicKeyInfo (DER) gives: sha256[:16] in the a-p alphabet."""
    return _id_alphabet(hashlib.sha256(spki_der).digest()[:CRX_ID_BYTES])


def crx_id_of_private_key(private_key: rsa.RSAPrivateKey) -> str:
    return crx_id_of_public_key(public_key_der(private_key))


def public_key_der(private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)


def _id_alphabet(raw: bytes) -> str:
    return raw.hex().translate(str.maketrans("0123456789abcdef", "abcdefghijklmnop"))


def write_crx3(private_key: rsa.RSAPrivateKey, archive: Path, destination: Path) -> None:
    """Writes the ZIP at `archive` as a CRX3 signed with `private_key` to `destination`. The
    archive is read twice (to sign, then to copy), never held in memory whole."""
    spki = public_key_der(private_key)
    signed_data = _field(_CRX_ID, hashlib.sha256(spki).digest()[:CRX_ID_BYTES])
    digest = hashlib.sha256(_signed_prefix(signed_data))
    for chunk in _file_chunks(archive):
        digest.update(chunk)
    signature = private_key.sign(digest.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    header = (_field(_RSA_PROOF, _field(_PUBLIC_KEY, spki) + _field(_SIGNATURE, signature))
              + _field(_SIGNED_HEADER_DATA, signed_data))
    with open(destination, "wb") as out:
        out.write(MAGIC + struct.pack("<II", FORMAT_VERSION, len(header)) + header)
        for chunk in _file_chunks(archive):
            out.write(chunk)


@dataclass(frozen=True)
class KeyProof:
    algorithm: str  # "rsa" or "ecdsa"
    public_key: bytes  # SubjectPublicKeyInfo, DER
    signature: bytes


@dataclass(frozen=True)
class Crx3:
    """What a verified CRX3 holds: its id, its proofs, and where its archive starts."""
    crx_id: str
    proofs: tuple[KeyProof, ...]
    archive_offset: int


def verify_crx3(path: Path) -> Crx3:
    """Checks the file as Chromium's crx_verifier does for a self-hosted extension: the magic and
    version, a header that parses, a SignedData id, a proof by the key that id belongs to, and
    every proof's signature over the archive. Raises CrxError saying what failed."""
    with open(path, "rb") as stream:
        start = stream.read(12)
        if len(start) < 12 or start[:4] != MAGIC:
            raise CrxError("not a CRX file (no Cr24 magic)")
        version, header_length = struct.unpack("<II", start[4:])
        if version != FORMAT_VERSION:
            raise CrxError(f"CRX format version {version}; only 3 is installed")
        if header_length > MAX_HEADER_BYTES:
            raise CrxError(f"the header is {header_length} bytes, more than Chromium reads")
        header = stream.read(header_length)
        if len(header) != header_length:
            raise CrxError("the file ends inside its header")
    proofs, signed_data = _parse_header(header)
    crx_id = _signed_crx_id(signed_data)
    if not any(crx_id_of_public_key(proof.public_key) == crx_id for proof in proofs):
        raise CrxError(f"no proof by the key of the id it names ({crx_id})")
    offset = 12 + header_length
    digest = hashlib.sha256(_signed_prefix(signed_data))
    for chunk in _file_chunks(path, offset):
        digest.update(chunk)
    for proof in proofs:
        _check_proof(proof, digest.digest())
    return Crx3(crx_id=crx_id, proofs=tuple(proofs), archive_offset=offset)


def _check_proof(proof: KeyProof, digest: bytes) -> None:
    prehashed = utils.Prehashed(hashes.SHA256())
    try:
        key = serialization.load_der_public_key(proof.public_key)
    except ValueError as error:
        raise CrxError(f"a {proof.algorithm} proof's public key cannot be read") from error
    try:
        if proof.algorithm == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(proof.signature, digest, padding.PKCS1v15(), prehashed)
        elif proof.algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(proof.signature, digest, ec.ECDSA(prehashed))
        else:
            raise CrxError(f"a {proof.algorithm} proof carries another kind of key")
    except InvalidSignature as error:
        raise CrxError(f"the {proof.algorithm} proof of key {crx_id_of_public_key(proof.public_key)} does not "
                       "verify") from error


def _signed_crx_id(signed_data: bytes | None) -> str:
    if signed_data is None:
        raise CrxError("the header has no signed_header_data")
    ids = [value for number, value in _fields(signed_data) if number == _CRX_ID]
    if len(ids) != 1 or len(ids[0]) != CRX_ID_BYTES:
        raise CrxError("the signed header data names no 16-byte crx id")
    return _id_alphabet(ids[0])


def _parse_header(header: bytes) -> tuple[list[KeyProof], bytes | None]:
    proofs, signed_data = [], None
    for number, value in _fields(header):
        if number in (_RSA_PROOF, _ECDSA_PROOF):
            parts = dict(_fields(value))
            if _PUBLIC_KEY not in parts or _SIGNATURE not in parts:
                raise CrxError("a key proof lacks its public key or signature")
            proofs.append(KeyProof("rsa" if number == _RSA_PROOF else "ecdsa", parts[_PUBLIC_KEY], parts[_SIGNATURE]))
        elif number == _SIGNED_HEADER_DATA:
            signed_data = value
    return proofs, signed_data


def _signed_prefix(signed_data: bytes) -> bytes:
    return SIGNATURE_CONTEXT + struct.pack("<I", len(signed_data)) + signed_data


def _field(number: int, value: bytes) -> bytes:
    """A length-delimited protobuf field: its tag, the value's length (varints) and the value."""
    return _varint(number << 3 | _LENGTH_DELIMITED) + _varint(len(value)) + value


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _fields(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The length-delimited fields of a protobuf message, in order; every field of the CRX3 header
    messages is one, so any other wire type is malformed here."""
    position = 0
    while position < len(data):
        tag, position = _read_varint(data, position)
        if tag & 7 != _LENGTH_DELIMITED:
            raise CrxError(f"unexpected protobuf wire type {tag & 7} in the header")
        length, position = _read_varint(data, position)
        if position + length > len(data):
            raise CrxError("a header field runs past the header's end")
        yield tag >> 3, data[position:position + length]
        position += length


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    value, shift = 0, 0
    while shift < 64:
        if position >= len(data):
            raise CrxError("the header ends inside a varint")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7
    raise CrxError("a varint in the header is too long")


def _file_chunks(path: Path, offset: int = 0) -> Iterator[bytes]:
    with open(path, "rb") as stream:
        stream.seek(offset)
        yield from iter(lambda: stream.read(CHUNK_SIZE), b"")
