"""Chromium-family distribution: each add-on's permanent signing key, the CRX3 packages made
with it, and the release an update check is offered.

An extension's id in Chromium, Chrome, Edge and Brave follows from its key alone
(signing.crx3.crx_id_of_public_key), so the store keeps one key per add-on for good: made when
the product is created (or lazily, when an add-on reaches CRX building without one), or imported
from the PEM an organisation already signs with, which keeps the id its browsers know. The id is
public and lives on the add-on (`Addon.chromium_id`, where the catalogue shows it and update
checks look it up); the key is secret: encrypted with the store's key file (accounts.keys.
KeyCipher), in `chromium_keys`, never in an answer.
"""

import base64
import binascii
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import DateTime, ForeignKey, String, Text, bindparam, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from addonhub.accounts.keys import KeyCipher
from addonhub.blobs import BlobStore
from addonhub.catalog.constants import REVIEWED_STATUSES, FileStatus
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, File, Version
from addonhub.db import Base
from addonhub.packages.versions import is_strict
from addonhub.refusals import CONFLICT, INVALID, Refused
from addonhub.signing.crx3 import crx_id_of_private_key, crx_id_of_public_key, write_crx3

KEY_BITS = 2048  # what Chrome's "Pack extension" and the Chrome Web Store make
CRX_MEDIA_TYPE = "application/x-chrome-extension"
CHROMIUM_ID = re.compile(r"[a-p]{32}")


class ChromiumKey(Base):
    """An add-on's private key (PKCS#8 PEM, Fernet-encrypted): the one its CRX files are signed
    with, for as long as the add-on lives."""
    __tablename__ = "chromium_keys"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)


class ChromiumPackage(Base):
    """A file built as a CRX: the id it was signed for (an imported key may replace the add-on's
    key only while no CRX exists) and what update checks offer beside the file's hash and size."""
    __tablename__ = "chromium_packages"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), primary_key=True)
    crx_id: Mapped[str] = mapped_column(String(32), index=True)
    # The manifest's minimum_chrome_version: gupdate's prodversionmin.
    min_chrome_version: Mapped[str | None] = mapped_column(String(64))


# Keys ---------------------------------------------------------------------------------------------

def create_key(session: Session, cipher: KeyCipher, addon: Addon) -> str:
    """The add-on's Chromium id, its key made now if it has none."""
    if session.get(ChromiumKey, addon.id) is None:
        _store_key(session, cipher, addon, rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS))
    return addon.chromium_id


def import_key(session: Session, cipher: KeyCipher, addon: Addon, pem: bytes) -> str:
    """Makes the PEM's RSA key the add-on's, so that its Chromium id is the one the key gives
    (an extension moved in from elsewhere keeps its id). Refused for a key that is not an
    unencrypted RSA private key, for a key another add-on has, and, once a CRX signed with another
    key exists, for any other key: browsers would see a different extension."""
    key = _load_private_key(pem)
    crx_id = crx_id_of_private_key(key)
    other = session.scalar(select(Addon.guid).where(Addon.chromium_id == crx_id, Addon.id != addon.id))
    if other is not None:
        raise Refused(CONFLICT, f"This key (Chromium id {crx_id}) is already the key of add-on {other}.", field="key")
    built = session.scalar(select(ChromiumPackage.crx_id).join(File, File.id == ChromiumPackage.file_id)
                           .join(Version, Version.id == File.version_id)
                           .where(Version.addon_id == addon.id, ChromiumPackage.crx_id != crx_id).limit(1))
    if built is not None:
        raise Refused(CONFLICT, f"CRX packages of this add-on are signed for Chromium id {built}; a key with "
                                f"another id ({crx_id}) would make browsers see a different extension.", field="key")
    existing = session.get(ChromiumKey, addon.id)
    if existing is not None:
        session.delete(existing)
        session.flush()
    _store_key(session, cipher, addon, key)
    return crx_id


def signing_key(session: Session, cipher: KeyCipher, addon: Addon) -> rsa.RSAPrivateKey:
    """The key to sign the add-on's CRX files with, made now if the add-on has none yet."""
    create_key(session, cipher, addon)
    stored = session.get(ChromiumKey, addon.id)
    return serialization.load_pem_private_key(cipher.decrypt(stored.private_key_encrypted).encode("ascii"), None)


def _store_key(session: Session, cipher: KeyCipher, addon: Addon, key: rsa.RSAPrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode("ascii")
    session.add(ChromiumKey(addon_id=addon.id, private_key_encrypted=cipher.encrypt(pem)))
    addon.chromium_id = crx_id_of_private_key(key)
    reindex(session, addon)  # the detail object shows the id


def _load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError as error:  # the PEM is encrypted
        raise Refused(INVALID, "The key is encrypted; give it unencrypted (openssl pkey -in KEY -out PLAIN).",
                      field="key") from error
    except (ValueError, UnsupportedAlgorithm) as error:
        raise Refused(INVALID, "The key is not a PEM private key.", field="key") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise Refused(INVALID, "The key must be an RSA private key, as Chrome's extension keys are.", field="key")
    return key


# Manifests ----------------------------------------------------------------------------------------

def manifest_key_id(manifest_key: object) -> str | None:
    """The Chromium id a manifest's `key` (base64 SubjectPublicKeyInfo) pins, or None without one."""
    if manifest_key is None:
        return None
    try:
        spki = base64.b64decode(manifest_key, validate=True) if isinstance(manifest_key, str) else None
        if spki is None:
            raise ValueError
        serialization.load_der_public_key(spki)
    except (ValueError, binascii.Error, UnsupportedAlgorithm) as error:
        raise Refused(INVALID, 'The manifest\'s "key" is not a base64 public key.', field="key") from error
    return crx_id_of_public_key(spki)


def check_manifest_key(addon: Addon, manifest: dict) -> None:
    """A package whose manifest `key` pins another id than the add-on's would install in
    Chromium as another extension: refused, saying which id each names."""
    pinned = manifest_key_id(manifest.get("key"))
    if pinned is None or pinned == addon.chromium_id:
        return
    if addon.chromium_id is None:
        raise Refused(INVALID, f'The manifest\'s "key" gives the Chromium id {pinned}, but the store has no key for '
                               "this product yet: import its private key (addonhub products set-key), or remove "
                               '"key" from the manifest.', field="key")
    raise Refused(INVALID, f'The manifest\'s "key" gives the Chromium id {pinned}, but this product\'s id is '
                           f'{addon.chromium_id}: remove "key" from the manifest, or use this product\'s key.',
                  field="key")


# Packages -----------------------------------------------------------------------------------------

def is_chromium_package(file: File) -> bool:
    """A version's file uploaded for Chromium (the Edge flow stores them as .zip) not yet a CRX."""
    return bool(file.storage_key) and (file.filename or "").endswith(".zip")


def build_crx(session: Session, cipher: KeyCipher, blobs: BlobStore, file: File, manifest: dict) -> None:
    """Signs the file's package as a CRX3 with its add-on's key into a blob key no earlier attempt
    wrote, and points the file at it (name, hash and size of the CRX), in the caller's transaction:
    a crash before it commits leaves the file as it was, and the retry builds it again."""
    addon = file.version.addon
    key = signing_key(session, cipher, addon)
    filename = file.filename.removesuffix(".zip") + ".crx"
    blob_key = f"files/{file.id}/{secrets.token_hex(8)}/{filename}"
    with tempfile.NamedTemporaryFile(dir=blobs.scratch_dir(), suffix=".crx", delete=False) as scratch:
        built = Path(scratch.name)
    try:
        with blobs.local_file(file.storage_key) as archive:
            write_crx3(key, archive, built)
        stored = blobs.put_file(blob_key, built)
    finally:
        built.unlink(missing_ok=True)
    file.storage_key, file.filename, file.is_signed = blob_key, filename, True
    file.size, file.hash = stored.size, f"sha256:{stored.sha256}"
    session.merge(ChromiumPackage(file_id=file.id, crx_id=addon.chromium_id,
                                  min_chrome_version=manifest.get("minimum_chrome_version")))


# Update checks ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChromiumRelease:
    """What an update check offers for an id: the CRX of the add-on's current version."""
    crx_id: str
    addon_id: int
    version: str
    file_id: int
    filename: str
    sha256: str
    size: int
    min_chrome_version: str | None


@dataclass(frozen=True)
class UpdateCheck:
    """One extension of an update check: its id and the version installed (0.0.0.0 while pending)."""
    crx_id: str
    installed: str

    @classmethod
    def checked(cls, crx_id: str | None, installed: str | None) -> "UpdateCheck":
        """The check, if the id is a Chromium id and the version a Chromium version; else Refused."""
        if not crx_id or not CHROMIUM_ID.fullmatch(crx_id):
            raise Refused(INVALID, f"{crx_id!r} is not a Chromium extension id (32 letters a-p).", field="x")
        if not installed or not is_strict(installed):
            raise Refused(INVALID, f"{installed!r} is not a version (1 to 4 numbers separated by dots).", field="x")
        return cls(crx_id, installed)


def current_releases(connection: Connection, crx_ids: list[str]) -> dict[str, ChromiumRelease]:
    """The release each id is offered, for the ids that have one: the CRX of the add-on's current
    (newest public listed) version, while the add-on is public and not disabled. The only
    releases a browser is ever offered; one indexed query for every id of a request."""
    if not crx_ids:
        return {}
    rows = connection.execute(_releases_of(len(crx_ids)), {f"id{n}": crx_id for n, crx_id in enumerate(crx_ids)})
    return {row.chromium_id: ChromiumRelease(row.chromium_id, row.addon_id, row.version, row.id, row.filename,
                                             row.hash.removeprefix("sha256:"), row.size, row.min_chrome_version)
            for row in rows}


@lru_cache(maxsize=128)
def _releases_of(count: int):
    """The query for `count` ids, built once per count: one bound parameter per id is reused from
    SQLAlchemy's statement cache as it is, where an expanding IN list is rewritten for every call
    (a third of an update check's time); the statuses are compared one by one for the same reason."""
    # The ids pick the rows through their own index (a subquery): beside `status = 'public'`, which
    # nearly every add-on matches, SQLite without statistics would walk the status index instead.
    asked = select(Addon.id).where(Addon.chromium_id.in_([bindparam(f"id{n}") for n in range(count)]))
    return (
        select(Addon.chromium_id, Addon.id.label("addon_id"), Version.version, File.id, File.filename, File.hash,
               File.size, ChromiumPackage.min_chrome_version)
        .join(Version, Version.id == Addon.current_version_id)
        .join(File, File.version_id == Version.id)
        .join(ChromiumPackage, ChromiumPackage.file_id == File.id)
        .where(Addon.id.in_(asked), or_(*(Addon.status == status for status in REVIEWED_STATUSES)),
               Addon.is_disabled.is_(False),
               Version.is_deleted.is_(False), File.status == FileStatus.PUBLIC)
    )


def offered_update(check: UpdateCheck, release: ChromiumRelease | None) -> ChromiumRelease | None:
    """The release to install, or None when there is none or the installed version is as new."""
    if release is None or version_key(release.version) <= version_key(check.installed):
        return None
    return release


def version_key(version: str) -> tuple[int, ...]:
    """A dotted version as Chromium compares them: number by number, missing parts being 0."""
    parts = [int(part) for part in version.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))
