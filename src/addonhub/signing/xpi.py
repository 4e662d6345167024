"""Signing an XPI: the package's files are streamed into a new zip, followed by the COSE and PKCS#7
signature files (AMO's layout, as Autograph writes it)."""

import os
import secrets
import stat
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from addonhub.packages.archive import PackageArchive
from addonhub.packages.manifest import gecko_settings, parse_json
from addonhub.packages.validation import MANIFEST, MAX_SMALL_FILE
from addonhub.signing import SigningError, cose, jar, pkcs7
from addonhub.signing.ca import SigningCA, common_name_for

# Entries get fixed metadata, so that signing the same files twice differs only in the signatures.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_REGULAR_FILE = (stat.S_IFREG | 0o644) << 16


def sign_xpi(ca: SigningCA, source_path: Path | str, addon_id: str, output_path: Path | str) -> x509.Certificate:
    """Writes a signed copy of the package to output_path and returns the PKCS#7 signer's certificate
    (its serial number identifies the signature, as AMO records it for revocation).

    Signature files already in the package are dropped, and directory entries too (Firefox ignores
    them). The output appears whole or not at all; the source may be the output path itself.
    Raises ArchiveError when the package cannot be read safely, SigningError when its manifest
    names another add-on id (Firefox would refuse the signature)."""
    common_name = common_name_for(addon_id)
    with PackageArchive(source_path) as archive:
        declared = _declared_id(archive)
        if declared is not None and declared != addon_id:
            raise SigningError(f"the package's manifest says its id is {declared!r}, not {addon_id!r}")
    with PackageArchive(source_path) as archive, _replaced_atomically(Path(output_path)) as output:
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
            file_digests = [(name, _copy(archive, name, package))
                            for name in archive.files if not jar.is_signature_file(name)]
            signature_files, signer = _signature_files(ca, common_name, file_digests)
            for name, data in signature_files:
                package.writestr(_zip_info(name), data)
    return signer


def _declared_id(archive: PackageArchive) -> str | None:
    """The Gecko id the package's manifest declares, if it is readable and declares one."""
    if MANIFEST not in archive:
        return None
    manifest = parse_json(archive.read(MANIFEST, MAX_SMALL_FILE), MANIFEST).value
    declared = gecko_settings(manifest).get("id") if isinstance(manifest, dict) else None
    return declared if isinstance(declared, str) else None


def _signature_files(ca: SigningCA, common_name: str,
                     file_digests: list[tuple[str, jar.Digests]]) -> tuple[list[tuple[str, bytes]], x509.Certificate]:
    """The five signature files in writing order, and the PKCS#7 signer's certificate. Each signature
    gets a fresh key and certificate; the keys are dropped once used."""
    cose_manifest = jar.manifest(file_digests)
    cose_key = ec.generate_private_key(ec.SECP256R1())
    cose_signature = cose.sign(cose_manifest, ca.issue(common_name, cose_key.public_key()), cose_key,
                               [ca.intermediate])
    # The PKCS#7 manifest also covers the COSE files, so either signature protects the other.
    manifest = cose_manifest + jar.manifest_sections([
        (jar.COSE_MANIFEST, jar.digests_of([cose_manifest])),
        (jar.COSE_SIGNATURE, jar.digests_of([cose_signature])),
    ])
    signature_file = jar.signature_file(manifest)
    pkcs7_key = rsa.generate_private_key(public_exponent=65537, key_size=ca.intermediate_key.key_size)
    signer = ca.issue(common_name, pkcs7_key.public_key())
    pkcs7_signature = pkcs7.sign_detached(signature_file, signer, pkcs7_key, [ca.intermediate])
    files = [cose_manifest, cose_signature, manifest, signature_file, pkcs7_signature]
    return list(zip(jar.SIGNATURE_FILES, files, strict=True)), signer


def _copy(archive: PackageArchive, name: str, package: zipfile.ZipFile) -> jar.Digests:
    """Streams one entry into the new package and returns its digests, computed on the way. Entries
    the developer stored uncompressed stay so: they are usually compressed already (images,
    wasm, archives), and deflating them again made signing large packages several times slower."""
    info = _zip_info(name)
    if not archive.entry(name).is_deflated:
        info.compress_type = zipfile.ZIP_STORED
    with package.open(info, "w") as target:
        return jar.digests_of(_written(archive.chunks(name), target))


def _written(chunks: Iterable[bytes], target: BinaryIO) -> Iterator[bytes]:
    for chunk in chunks:
        target.write(chunk)
        yield chunk


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = _REGULAR_FILE
    return info


@contextmanager
def _replaced_atomically(path: Path) -> Iterator[BinaryIO]:
    """A new file in path's directory that replaces path only once complete; on any error it is removed."""
    staging = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    # 0o666 less the umask, as for any new file (mkstemp would make it 0600).
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
