"""CRX3 packages: what signing.crx3 writes is checked by its own verifier and, independently, by
protobuf's parser of Chromium's crx3.proto and cryptography's RSA verification, against the byte
layout Chromium 156 accepted (the notes, section 1.1)."""

import hashlib
import struct

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from addonhub.signing.crx3 import CrxError, crx_id_of_private_key, verify_crx3, write_crx3
from tests.packages.builders import chromium_extension


def crx3_messages():
    """CrxFileHeader and SignedData, declared as components/crx_file/crx3.proto declares them."""
    proto = descriptor_pb2.FileDescriptorProto(name="crx3.proto", package="crx_file", syntax="proto2")
    optional, repeated = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL, descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
    as_bytes, as_message = descriptor_pb2.FieldDescriptorProto.TYPE_BYTES, descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
    proof = proto.message_type.add(name="AsymmetricKeyProof")
    proof.field.add(name="public_key", number=1, label=optional, type=as_bytes)
    proof.field.add(name="signature", number=2, label=optional, type=as_bytes)
    header = proto.message_type.add(name="CrxFileHeader")
    for name, number in (("sha256_with_rsa", 2), ("sha256_with_ecdsa", 3)):
        header.field.add(name=name, number=number, label=repeated, type=as_message, type_name=".crx_file.AsymmetricKeyProof")
    header.field.add(name="signed_header_data", number=10000, label=optional, type=as_bytes)
    signed = proto.message_type.add(name="SignedData")
    signed.field.add(name="crx_id", number=1, label=optional, type=as_bytes)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return (message_factory.GetMessageClass(pool.FindMessageTypeByName("crx_file.CrxFileHeader")),
            message_factory.GetMessageClass(pool.FindMessageTypeByName("crx_file.SignedData")))


def id_as_the_notes_compute_it(spki: bytes) -> str:
    # openssl pkey -pubout -outform DER | sha256sum | head -c32 | tr 0-9a-f a-p
    return hashlib.sha256(spki).hexdigest()[:32].translate(str.maketrans("0123456789abcdef", "abcdefghijklmnop"))


@pytest.fixture
def signed(tmp_path, rsa_key):
    archive = chromium_extension(tmp_path / "extension.zip")
    crx = tmp_path / "extension.crx"
    write_crx3(rsa_key, archive, crx)
    return archive, crx


def test_the_crx_parses_and_verifies_independently_of_the_stores_reader(signed, rsa_key):
    archive, crx = signed
    data = crx.read_bytes()
    magic, version, header_length = struct.unpack("<4sII", data[:12])
    assert (magic, version) == (b"Cr24", 3)
    header_class, signed_data_class = crx3_messages()
    header = header_class.FromString(data[12:12 + header_length])
    zip_bytes = data[12 + header_length:]
    assert zip_bytes == archive.read_bytes()  # the archive goes in unchanged
    assert len(header.sha256_with_rsa) == 1 and len(header.sha256_with_ecdsa) == 0
    [proof] = header.sha256_with_rsa
    spki = rsa_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert proof.public_key == spki
    crx_id = signed_data_class.FromString(header.signed_header_data).crx_id
    assert crx_id == hashlib.sha256(spki).digest()[:16]
    signed_bytes = (b"CRX3 SignedData\x00" + struct.pack("<I", len(header.signed_header_data))
                    + header.signed_header_data + zip_bytes)
    serialization.load_der_public_key(proof.public_key).verify(proof.signature, signed_bytes, padding.PKCS1v15(),
                                                               hashes.SHA256())  # raises if it does not verify
    # The layout of the CRX Chromium 156 installed (the notes): same tags and lengths for a 2048-bit key.
    assert data[:20].hex(" ") == "43 72 32 34 03 00 00 00 45 02 00 00 12 ac 04 0a a6 02 30 82"


def test_the_stores_reader_gives_the_id_the_key_gives(signed, rsa_key):
    archive, crx = signed
    spki = rsa_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    verified = verify_crx3(crx)
    assert verified.crx_id == crx_id_of_private_key(rsa_key) == id_as_the_notes_compute_it(spki)
    assert crx.read_bytes()[verified.archive_offset:] == archive.read_bytes()


def tampered(crx, offset: int, value: bytes):
    data = bytearray(crx.read_bytes())
    data[offset:offset + len(value)] = value
    crx.write_bytes(bytes(data))
    return crx


@pytest.mark.parametrize("damage, message", [
    (lambda crx: tampered(crx, crx.stat().st_size - 30, b"\x00\x01"), "does not verify"),  # a changed archive
    (lambda crx: tampered(crx, 0, b"PK\x03\x04"), "no Cr24 magic"),
    (lambda crx: tampered(crx, 4, struct.pack("<I", 2)), "version 2"),
    (lambda crx: crx.write_bytes(crx.read_bytes()[:200]), "ends inside its header"),
    (lambda crx: tampered(crx, 8, struct.pack("<I", 1 << 20)), "more than Chromium reads"),
])
def test_damaged_files_are_refused_saying_why(signed, damage, message):
    _, crx = signed
    damage(crx)
    with pytest.raises(CrxError, match=message):
        verify_crx3(crx)


def test_a_proof_by_a_key_other_than_the_ids_is_refused(signed, tmp_path):
    """Another key's signature (here an ECDSA proof added beside the RSA one, over the same bytes)
    must itself verify, and an id needs a proof by its own key."""
    archive, crx = signed
    data = crx.read_bytes()
    header_length = struct.unpack("<I", data[8:12])[0]
    header_class, _ = crx3_messages()
    header = header_class.FromString(data[12:12 + header_length])
    other = ec.generate_private_key(ec.SECP256R1())
    proof = header.sha256_with_ecdsa.add()
    proof.public_key = other.public_key().public_bytes(serialization.Encoding.DER,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    proof.signature = b"\x30\x06\x02\x01\x01\x02\x01\x01"  # a well-formed signature of nothing
    extended = header.SerializeToString()
    crx.write_bytes(data[:8] + struct.pack("<I", len(extended)) + extended + data[12 + header_length:])
    with pytest.raises(CrxError, match="ecdsa proof .* does not verify"):
        verify_crx3(crx)
    del header.sha256_with_rsa[:]
    without_own = header.SerializeToString()
    crx.write_bytes(data[:8] + struct.pack("<I", len(without_own)) + without_own + data[12 + header_length:])
    with pytest.raises(CrxError, match="no proof by the key of the id"):
        verify_crx3(crx)
