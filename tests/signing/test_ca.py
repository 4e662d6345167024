"""The store's CA: made on first use, safely, with the certificate profile Firefox expects."""

import hashlib
import os
import stat
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from addonhub.signing import SigningError
from addonhub.signing.ca import SigningCA, common_name_for, stored_root_pem


def extension(certificate: x509.Certificate, kind: type):
    return certificate.extensions.get_extension_for_class(kind).value


def test_the_ca_is_made_on_first_use_with_keys_only_the_owner_can_read(tmp_path):
    assert stored_root_pem(tmp_path) is None
    ca = SigningCA.open(tmp_path)
    directory = tmp_path / "signing" / "ca"
    assert sorted(path.name for path in directory.iterdir()) == ["intermediate.key", "intermediate.pem",
                                                                 "root.key", "root.pem"]
    for key in ("root.key", "intermediate.key"):
        assert stat.S_IMODE((directory / key).stat().st_mode) == 0o600
    assert stored_root_pem(tmp_path) == ca.root_pem()
    assert SigningCA.open(tmp_path).root == ca.root  # later opens load the same CA


def test_signing_needs_only_the_intermediate_key(data_dir):
    (data_dir / "signing" / "ca" / "root.key").unlink()  # the root key moved offline
    ca = SigningCA.open(data_dir)
    assert ca.issue("x@example.org", ec.generate_private_key(ec.SECP256R1()).public_key())


def test_processes_starting_at_once_share_one_ca(tmp_path):
    program = ("import sys; from cryptography.hazmat.primitives import hashes; "
               "from addonhub.signing.ca import SigningCA; "
               "print(SigningCA.open(sys.argv[1]).root.fingerprint(hashes.SHA256()).hex())")
    processes = [subprocess.Popen([sys.executable, "-c", program, str(tmp_path)], stdout=subprocess.PIPE, text=True)
                 for _ in range(4)]
    fingerprints = {process.communicate(timeout=120)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert len(fingerprints) == 1
    assert os.listdir(tmp_path / "signing") == ["ca"]  # the losers' staging directories are gone


def test_an_unreadable_ca_is_an_error(data_dir):
    (data_dir / "signing" / "ca" / "intermediate.key").write_text("not a key")
    with pytest.raises(SigningError, match="cannot be read"):
        SigningCA.open(data_dir)


def test_root_and_intermediate_are_cas_and_the_intermediate_signs_code(ca):
    assert extension(ca.root, x509.BasicConstraints).ca
    ca.root.verify_directly_issued_by(ca.root)
    assert isinstance(ca.root.public_key(), rsa.RSAPublicKey) and ca.root.public_key().key_size == 4096

    ca.intermediate.verify_directly_issued_by(ca.root)
    constraints = extension(ca.intermediate, x509.BasicConstraints)
    assert constraints.ca and constraints.path_length == 0
    assert extension(ca.intermediate, x509.KeyUsage).key_cert_sign
    assert ExtendedKeyUsageOID.CODE_SIGNING in extension(ca.intermediate, x509.ExtendedKeyUsage)


def test_end_entity_certificates_follow_autographs_template(ca):
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = ca.issue("demo@example.org", key.public_key())
    certificate.verify_directly_issued_by(ca.intermediate)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "demo@example.org"
    # Firefox treats any OU but these as an ordinary signed add-on.
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "Production"
    assert not extension(certificate, x509.BasicConstraints).ca
    assert extension(certificate, x509.KeyUsage).digital_signature
    assert list(extension(certificate, x509.ExtendedKeyUsage)) == [ExtendedKeyUsageOID.CODE_SIGNING]
    assert certificate.public_key() == key.public_key()
    assert ca.issue("demo@example.org", key.public_key()).serial_number != certificate.serial_number


def test_ids_longer_than_64_characters_are_named_by_their_sha256():
    assert common_name_for("demo@example.org") == "demo@example.org"
    assert common_name_for("a" * 64) == "a" * 64
    long_id = "{" + "b" * 70 + "}"
    assert common_name_for(long_id) == hashlib.sha256(long_id.encode()).hexdigest()
    with pytest.raises(SigningError):
        common_name_for("")

