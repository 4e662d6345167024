"""The Edge submission life cycle on the shared pipeline: package upload, draft, publish.

- receive_package(): the package becomes an Upload (purpose PRODUCT_DRAFT, validated for Chromium) and an
  upload operation. Nothing is read from it on arrival: Edge reports every package problem
  through the operation's status, never in the upload's answer.
- make_draft(): what follows a valid product-draft upload's validation (registered in
  addonhub.workflows), in the same transaction: the package becomes the product's draft,
  replacing an older one, unless its manifest `key` names another Chromium id.
- request_publish() records a publish operation and queues the edge-publish job; publish() is
  that job: the draft becomes a listed version, which waits in the review queue like every other.

Everything runs on the durable job queue, in the transaction that completes its job, so a crash
at any point leaves the previous state and the job to run again.
"""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.blobs import StoredBlob
from addonhub.catalog.constants import Channel
from addonhub.catalog.models import Addon
from addonhub.edge.models import (
    IN_PROGRESS, IN_PROGRESS_SUBMISSION, NO_MODULES_UPDATED, PUBLISH, SUBMISSION_VALIDATION_ERROR, SUCCEEDED,
    FAILED, UNKNOWN_ERROR, UPLOAD, EdgeDraft, EdgeOperation,
)
from addonhub.distribution.chromium import check_manifest_key
from addonhub.edge.products import submission_in_review
from addonhub.jobs import enqueue
from addonhub.catalog.edits import VersionChanges
from addonhub.refusals import Refused
from addonhub.submissions.models import PRODUCT_DRAFT, Upload
from addonhub.submissions.uploads import Submitter, record_upload
from addonhub.submissions.versions import create_version, upload_manifest

PUBLISH_JOB = "edge-publish"
# A raw application/zip body has no file name; the version's file gets one of its own anyway.
PACKAGE_FILENAME = "package.zip"


def receive_package(session: Session, submitter: Submitter, product: Addon, blob: StoredBlob) -> EdgeOperation:
    """Records the package and its validation job, and the operation the client will poll."""
    upload = record_upload(session, submitter, blob, PACKAGE_FILENAME, purpose=PRODUCT_DRAFT, channel=Channel.LISTED,
                           identity=None, guid=product.guid, addon=product, target="chromium")
    operation = EdgeOperation(kind=UPLOAD, addon_id=product.id, user_id=submitter.user.id, upload_id=upload.id)
    session.add(operation)
    session.flush()
    return operation


def make_draft(session: Session, upload: Upload) -> None:
    """A valid package becomes its product's draft, unless a newer upload already did (uploads
    may finish validating out of order when several workers run). A manifest `key` pinning
    another Chromium id than the product's is refused: the package would be another extension."""
    if upload.addon_id is None:
        return
    check_manifest_key(session.get(Addon, upload.addon_id), upload_manifest(upload))
    draft = session.get(EdgeDraft, upload.addon_id)
    if draft is None:
        session.add(EdgeDraft(addon_id=upload.addon_id, upload_id=upload.id))
    elif draft.upload_id < upload.id:
        draft.upload_id = upload.id
    session.execute(update(EdgeOperation).where(EdgeOperation.upload_id == upload.id)
                    .values(updated=datetime.utcnow()))


def request_publish(session: Session, submitter: Submitter, product: Addon, notes: str) -> EdgeOperation:
    """A publish operation, decided by the edge-publish job (so the answer is 202 at once, as on Edge)."""
    operation = EdgeOperation(kind=PUBLISH, addon_id=product.id, user_id=submitter.user.id, state=IN_PROGRESS,
                              notes=notes or None)
    session.add(operation)
    session.flush()
    enqueue(session, PUBLISH_JOB, {"operation_id": operation.id})
    return operation


def publish(session: Session, payload: dict) -> None:
    """The edge-publish job: the draft goes to the review queue, or the operation fails saying why."""
    operation = session.get(EdgeOperation, payload["operation_id"])
    if operation is None or operation.state != IN_PROGRESS:
        return
    operation.updated = datetime.utcnow()
    product = session.get(Addon, operation.addon_id)
    draft = session.get(EdgeDraft, operation.addon_id)
    upload = session.get(Upload, draft.upload_id) if draft is not None else None
    if upload is None or upload.version_id is not None:
        _fail(operation, NO_MODULES_UPDATED)
        return
    if submission_in_review(session, product) is not None:
        _fail(operation, IN_PROGRESS_SUBMISSION)
        return
    try:
        version = create_version(session, upload, session.get(User, operation.user_id), Channel.LISTED,
                                 VersionChanges(approval_notes=operation.notes))
    except Refused as refusal:
        _fail(operation, SUBMISSION_VALIDATION_ERROR, refusal.message)
        return
    session.delete(draft)
    operation.version_id, operation.state = version.id, SUCCEEDED


def publish_abandoned(session: Session, payload: dict, _error: str) -> None:
    """The edge-publish job failed on every attempt: its operation must not stay in progress."""
    operation = session.get(EdgeOperation, payload["operation_id"])
    if operation is not None and operation.state == IN_PROGRESS:
        operation.updated = datetime.utcnow()
        _fail(operation, UNKNOWN_ERROR)


def _fail(operation: EdgeOperation, error_code: str, message: str | None = None) -> None:
    operation.state, operation.error_code, operation.message = FAILED, error_code, message
