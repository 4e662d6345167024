"""The store's certificate authority: a root and an intermediate, made on first use in the data directory.

It mirrors AMO's signing PKI as Autograph uses it: an RSA root, an RSA intermediate with the
code-signing extended key usage, and for every signature a fresh end-entity certificate whose
common name is the add-on id. The intermediate issues every end-entity certificate, the RSA one
for PKCS#7 as well as the P-256 one for COSE.

A CA is four PEM documents, root.pem, root.key, intermediate.pem and intermediate.key
(`new_ca_pems`, `SigningCA.from_pems`), kept where the store keeps its secrets (store_secrets.py).
In a data directory they are files in DATA_DIR/signing/ca/ (the keys 0600): the directory is
built under a temporary name and renamed into place, so a process never sees half a CA and two
processes creating it at once end up sharing one. Only the intermediate's key is needed to sign:
root.key can be moved offline once the CA exists.
"""

import hashlib
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from addonhub.signing import SigningError

ROOT_KEY_BITS = 4096
# End-entity RSA keys are the intermediate's size and made for every signature: 2048 keeps that fast.
INTERMEDIATE_KEY_BITS = 2048
ROOT_VALIDITY = timedelta(days=25 * 365)
INTERMEDIATE_VALIDITY = timedelta(days=20 * 365)
END_ENTITY_VALIDITY = timedelta(days=10 * 365)  # Autograph's; Firefox ignores add-on certificates' dates
# Firefox's getSignedStatus: ids longer than this are named by their SHA-256 in the certificate.
MAX_ID_IN_COMMON_NAME = 64
# Any other OU would make Firefox treat the add-on as privileged, system or preliminary.
END_ENTITY_UNIT = "Production"


def common_name_for(addon_id: str) -> str:
    """The certificate common name for an add-on id: the id, or its SHA-256 hex when longer than 64."""
    if not addon_id:
        raise SigningError("The add-on id must not be empty.")
    if len(addon_id) > MAX_ID_IN_COMMON_NAME:
        return hashlib.sha256(addon_id.encode("utf-8")).hexdigest()
    return addon_id


@dataclass(frozen=True)
class SigningCA:
    root: x509.Certificate
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey

    @classmethod
    def open(cls, data_dir: Path | str) -> "SigningCA":
        """The store's CA, created on first use."""
        directory = _ca_directory(data_dir)
        if not directory.is_dir():
            _create(directory)
        return cls._load(directory)

    @classmethod
    def _load(cls, directory: Path) -> "SigningCA":
        try:
            pems = {name: (directory / name).read_bytes() for name in ("root.pem", "intermediate.pem", "intermediate.key")}
        except OSError as error:
            raise SigningError(f"The signing CA in {directory} cannot be read: {error}") from None
        return cls.from_pems(pems, where=f"in {directory}")

    @classmethod
    def from_pems(cls, pems: dict[str, bytes], where: str) -> "SigningCA":
        """The CA of these PEM documents (named as new_ca_pems names them; root.key is not needed);
        `where` says in errors where they were kept."""
        try:
            root = x509.load_pem_x509_certificate(pems["root.pem"])
            intermediate = x509.load_pem_x509_certificate(pems["intermediate.pem"])
            key = serialization.load_pem_private_key(pems["intermediate.key"], password=None)
        except (KeyError, ValueError, TypeError) as error:
            raise SigningError(f"The signing CA {where} cannot be read: {error}") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SigningError(f"The signing CA {where} does not have an RSA intermediate key.")
        return cls(root, intermediate, key)

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def issue(self, common_name: str, public_key: CertificatePublicKeyTypes) -> x509.Certificate:
        """A fresh end-entity code-signing certificate for one signature (Autograph's template)."""
        now = datetime.now(timezone.utc)
        subject = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "addonhub"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, END_ENTITY_UNIT),
        ])
        builder = (
            _builder(subject, self.intermediate.subject, public_key, now,
                     min(now + END_ENTITY_VALIDITY, self.intermediate.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .add_extension(_authority_key_id(self.intermediate), critical=False)
        )
        return builder.sign(self.intermediate_key, hashes.SHA256())


def stored_root_pem(data_dir: Path | str) -> bytes | None:
    """The root certificate of the store in data_dir, or None when it has not made its CA yet."""
    path = _ca_directory(data_dir) / "root.pem"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _ca_directory(data_dir: Path | str) -> Path:
    return Path(data_dir) / "signing" / "ca"


def _create(directory: Path) -> None:
    """Builds a CA in a private temporary directory and renames it into place; if another process
    got there first, its CA stays and this one is discarded."""
    directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".ca-", dir=directory.parent))
    try:
        _write_ca(staging)
        try:
            os.rename(staging, directory)  # atomic; fails when the other process's CA is already there
        except OSError:
            if not directory.is_dir():
                raise
        else:
            _fsync(directory.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def stored_ca_pems(data_dir: Path | str) -> dict[str, bytes] | None:
    """The PEM documents of the CA in data_dir (those that are there: root.key may have been moved
    offline), or None when it has made none."""
    directory = _ca_directory(data_dir)
    if not directory.is_dir():
        return None
    return {path.name: path.read_bytes() for path in directory.iterdir() if path.name in CA_DOCUMENTS}


CA_DOCUMENTS = {"root.pem": 0o644, "root.key": 0o600, "intermediate.pem": 0o644, "intermediate.key": 0o600}


def _write_ca(directory: Path) -> None:
    for name, data in new_ca_pems().items():
        _write(directory / name, data, CA_DOCUMENTS[name])


def new_ca_pems() -> dict[str, bytes]:
    """A new root and intermediate, as PEM documents by file name (the keys unencrypted)."""
    # A random tag in the names tells one store's CA from another's when both are trusted.
    tag = secrets.token_hex(4)
    now = datetime.now(timezone.utc)

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=ROOT_KEY_BITS)
    root_name = _ca_name(f"addonhub root CA {tag}")
    root = (
        _builder(root_name, root_name, root_key.public_key(), now, now + ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )

    intermediate_key = rsa.generate_private_key(public_exponent=65537, key_size=INTERMEDIATE_KEY_BITS)
    intermediate = (
        _builder(_ca_name(f"addonhub add-on signing CA {tag}"), root.subject, intermediate_key.public_key(),
                 now, now + INTERMEDIATE_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        # Firefox (mozilla::pkix) requires the code-signing purpose on every certificate that names purposes.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .add_extension(_authority_key_id(root), critical=False)
        .sign(root_key, hashes.SHA256())
    )

    return {"root.pem": root.public_bytes(serialization.Encoding.PEM), "root.key": _private_pem(root_key),
            "intermediate.pem": intermediate.public_bytes(serialization.Encoding.PEM),
            "intermediate.key": _private_pem(intermediate_key)}


def _builder(subject: x509.Name, issuer: x509.Name, public_key: CertificatePublicKeyTypes,
             not_before: datetime, not_after: datetime) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _ca_name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "addonhub"),
    ])


def _key_usage(digital_signature: bool = False, key_cert_sign: bool = False, crl_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=key_cert_sign, crl_sign=crl_sign,
        encipher_only=False, decipher_only=False,
    )


def _authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    identifier = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(identifier)


def _private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _fsync(directory: Path) -> None:
    """Makes a rename in the directory survive a crash."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
