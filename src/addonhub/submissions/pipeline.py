"""The steps a submission goes through, as job-queue handlers.

validate-upload: the full validation of an upload; for the signing API, the version is made
right after it. sign-version: a version's file signed (Firefox packages) and published. Each runs
in one transaction with its job's completion, so a crash leaves nothing half-done and the job
runs again: a signed file is written under a key of its own before the transaction that points
the catalogue at it commits.
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import File, Version
from addonhub.edge.submissions import PUBLISH_JOB, make_draft, publish, publish_abandoned
from addonhub.jobs import GiveUp, Handler
from addonhub.packages.archive import ArchiveLimits
from addonhub.packages.report import Report
from addonhub.packages.validation import UnreadablePackage, ValidationOptions, validate_package
from addonhub.signing.xpi import sign_xpi
from addonhub.store import Store
from addonhub.submissions.models import EDGE, SIGNING_API, Upload
from addonhub.submissions.service import SIGN_JOB, VALIDATE_JOB, Refused, create_version


def handlers(store: Store) -> dict[str, Handler]:
    return {VALIDATE_JOB: partial(validate_upload, store), SIGN_JOB: partial(sign_version, store),
            PUBLISH_JOB: partial(publish, store)}


def give_up_handlers() -> dict[str, GiveUp]:
    """What to do when a job has failed on its every attempt."""
    return {VALIDATE_JOB: _validation_abandoned, PUBLISH_JOB: publish_abandoned}


def _validation_abandoned(session: Session, payload: dict, _error: str) -> None:
    """Clients poll an upload until it is processed: it is, as invalid (the store's log says why)."""
    upload = session.get(Upload, payload["upload_id"])
    if upload is not None and not upload.processed:
        report = Report()
        report.error("VALIDATION_FAILED", "The package could not be validated. Please try again, or tell the "
                                          "store's administrators if it happens again.")
        upload.processed, upload.valid, upload.validation = True, False, report.as_amo_json()


def validate_upload(store: Store, session: Session, payload: dict) -> None:
    upload = session.get(Upload, payload["upload_id"])
    if upload is None or upload.processed:
        return
    options = ValidationOptions(listed=upload.channel == "listed", target=upload.target,
                                limits=ArchiveLimits.from_environment(), addons_linter=store.settings.addons_linter)
    try:
        report = validate_package(store.blobs.path_of(upload.blob_key), options)
    except UnreadablePackage:
        report = Report()
        report.error("BAD_ZIPFILE", "Invalid or corrupted file.")
    upload.processed = True
    upload.valid = not report.has_errors
    # Uploads that were not read on arrival (Edge's) learn their version here.
    upload.version = upload.version or report.metadata.get("version")
    upload.validation = report.as_amo_json()
    follow_up = _AFTER_VALIDATION.get(upload.purpose)
    if upload.valid and follow_up is not None:
        try:
            follow_up(session, upload)
        except Refused as refusal:
            report.error("SUBMISSION_REFUSED", refusal.message)
            upload.valid, upload.validation = False, report.as_amo_json()


def _make_version(session: Session, upload: Upload) -> None:
    create_version(session, upload, session.get(User, upload.user_id), upload.channel)


# What follows a successful validation, by upload purpose. v5 uploads wait for the client to
# ask for a version; Edge packages become their product's draft, which publishing turns into one.
_AFTER_VALIDATION: dict[str, Callable[[Session, Upload], None]] = {SIGNING_API: _make_version, EDGE: make_draft}


def sign_version(store: Store, session: Session, payload: dict) -> None:
    version = session.get(Version, payload["version_id"])
    if version is None or version.is_deleted:
        return
    addon = version.addon
    # A rejection that won the race against an approval stands.
    if any(file.status == "disabled" for file in version.files):
        return
    for file in version.files:
        if file.status == "public":
            continue
        if file.storage_key and (file.filename or "").endswith(".xpi") and not file.is_signed:
            _sign(store, file, addon.guid)
        file.status = "public"
    now = datetime.utcnow()
    version.reviewed = version.reviewed or now
    if version.channel == "listed" and addon.status in ("incomplete", "nominated"):
        addon.status = "public"
    if version.channel == "listed":
        addon.last_updated = now
    reindex(session, addon)


def _sign(store: Store, file: File, guid: str) -> None:
    """Signs the file into a blob of its own: a key no earlier attempt wrote, so that the hash
    recorded is always that of the bytes the key holds."""
    key = f"files/{file.id}/{secrets.token_hex(8)}/{file.filename}"
    output = store.blobs.path_of(key)
    output.parent.mkdir(parents=True, exist_ok=True)
    sign_xpi(store.signing_ca, store.blobs.path_of(file.storage_key), guid, output)
    file.storage_key, file.is_signed = key, True
    file.size, file.hash = output.stat().st_size, f"sha256:{_sha256_of(output)}"


def _sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
