"""The steps a submission goes through, as job-queue handlers.

validate-upload: the full validation of an upload, then the step its purpose names (a version
for the signing API, a draft for Edge; see addonhub.workflows). sign-version: a version's file
signed (Firefox packages as signed XPIs, Chromium packages as CRX3) and published. Each runs in one transaction with its job's completion,
so a crash leaves nothing half-done and the job runs again: a signed file is stored under a key
of its own before the transaction that points the catalogue at it commits.
"""

import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.keys import KeyCipher
from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.blobs import BlobStore
from addonhub.catalog.constants import AddonStatus, Channel, FileStatus
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, File, Version
from addonhub.distribution.chromium import build_crx, is_chromium_package
from addonhub.metrics import SIGNING_SECONDS
from addonhub.packages.archive import ArchiveLimits
from addonhub.packages.report import Report
from addonhub.packages.validation import UnreadablePackage, ValidationOptions, validate_package
from addonhub.refusals import Refused
from addonhub.signing.ca import SigningCA
from addonhub.signing.xpi import sign_xpi
from addonhub.submissions.models import Upload
from addonhub.submissions.versions import upload_manifest

# What follows a successful validation, by upload purpose, in the validation's transaction.
AfterValidation = Callable[[Session, Upload], None]


@dataclass(frozen=True)
class PipelineServices:
    """What the submission jobs need of the store, and nothing more."""
    blobs: BlobStore
    archive_limits: ArchiveLimits
    validation_time_budget: float
    addons_linter: str | None
    store_base_url: str | None  # the Firefox update URL listed add-ons may declare is under it
    signing_ca: Callable[[], SigningCA]  # made on first use: creating a CA takes seconds
    key_cipher: KeyCipher  # decrypts the add-ons' Chromium signing keys


def validation_abandoned(session: Session, payload: dict, _error: str) -> None:
    """Clients poll an upload until it is processed: it is, as invalid (the store's log says why)."""
    upload = session.get(Upload, payload["upload_id"])
    if upload is not None and not upload.processed:
        report = Report()
        report.error("VALIDATION_FAILED", "The package could not be validated. Please try again, or tell the "
                                          "store's administrators if it happens again.")
        upload.processed, upload.valid, upload.validation = True, False, report.as_amo_json()


def validate_upload(services: PipelineServices, after_validation: dict[str, AfterValidation], session: Session,
                    payload: dict) -> None:
    upload = session.get(Upload, payload["upload_id"])
    if upload is None or upload.processed:
        return
    options = ValidationOptions(listed=upload.channel == Channel.LISTED, target=upload.target,
                                limits=services.archive_limits, time_budget=services.validation_time_budget,
                                addons_linter=services.addons_linter, store_base_url=services.store_base_url)
    try:
        with services.blobs.local_file(upload.blob_key) as path:
            report = validate_package(path, options)
    except UnreadablePackage:
        report = Report()
        report.error("BAD_ZIPFILE", "Invalid or corrupted file.")
    upload.processed = True
    upload.valid = not report.has_errors
    # Uploads that were not read on arrival (Edge's) learn their version here.
    upload.version = upload.version or report.metadata.get("version")
    upload.validation = report.as_amo_json()
    uploader = session.get(User, upload.user_id)
    _record_for_upload(session, upload, uploader, activity.VALIDATED if upload.valid else activity.VALIDATION_FAILED)
    follow_up = after_validation.get(upload.purpose)
    if upload.valid and follow_up is not None:
        try:
            follow_up(session, upload)
        except Refused as refusal:
            report.error("SUBMISSION_REFUSED", refusal.message)
            upload.valid, upload.validation = False, report.as_amo_json()
            _record_for_upload(session, upload, uploader, activity.SUBMISSION_REFUSED, refusal.message)


def _record_for_upload(session: Session, upload: Upload, uploader: User | None, action: str,
                       notes: str | None = None) -> None:
    """Attributed to the uploader, so that it is in their log before any add-on exists."""
    addon = session.get(Addon, upload.addon_id) if upload.addon_id else None
    activity.record(session, action, uploader, addon=addon, guid=upload.guid, version_string=upload.version,
                    upload_uuid=upload.uuid, notes=notes,
                    details={"errors": (upload.validation or {}).get("errors", 0)})


def sign_version(services: PipelineServices, session: Session, payload: dict) -> None:
    version = session.get(Version, payload["version_id"])
    if version is None or version.is_deleted:
        return
    addon = version.addon
    # A rejection that won the race against an approval stands.
    if any(file.status == FileStatus.DISABLED for file in version.files):
        return
    for file in version.files:
        if file.status == FileStatus.PUBLIC:
            continue
        if file.storage_key and (file.filename or "").endswith(".xpi") and not file.is_signed:
            _sign(services, file, addon.guid)
        elif is_chromium_package(file):
            manifest = upload_manifest(session.scalar(select(Upload).where(Upload.version_id == version.id)))
            build_crx(session, services.key_cipher, services.blobs, file, manifest)
        file.status = FileStatus.PUBLIC
    now = datetime.utcnow()
    version.reviewed = version.reviewed or now
    if version.channel == Channel.LISTED:
        if addon.status in (AddonStatus.INCOMPLETE, AddonStatus.NOMINATED):
            addon.status = AddonStatus.PUBLIC
        addon.last_updated = now
    reindex(session, addon)


def _sign(services: PipelineServices, file: File, guid: str) -> None:
    with services.blobs.local_file(file.storage_key) as unsigned:
        sign_into_file(services.blobs, services.signing_ca(), file, unsigned, guid)


def sign_into_file(blobs: BlobStore, ca: SigningCA, file: File, unsigned: Path, guid: str) -> None:
    """Signs the package at `unsigned` into a blob of its own and points the file at it (hash,
    size, signed), in the caller's transaction. The key is one no earlier attempt wrote, so that
    the hash recorded is always that of the bytes the key holds. The file needs its id and name."""
    key = f"files/{file.id}/{secrets.token_hex(8)}/{file.filename}"
    with tempfile.NamedTemporaryFile(dir=blobs.scratch_dir(), suffix=".xpi", delete=False) as scratch:
        signed = Path(scratch.name)
    try:
        with SIGNING_SECONDS.time():
            sign_xpi(ca, unsigned, guid, signed)
        stored = blobs.put_file(key, signed)
    finally:
        signed.unlink(missing_ok=True)
    file.storage_key, file.is_signed = key, True
    file.size, file.hash = stored.size, f"sha256:{stored.sha256}"
