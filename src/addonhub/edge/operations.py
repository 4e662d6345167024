"""Finding an operation for its product, and what it has come to, in no dialect's words.

An upload operation's outcome is read from its Upload each time (validation still running, valid,
or invalid with the validator's findings). A publish operation's is what the edge-publish job
decided, except that a submission a reviewer later rejected reads as failed, with the
reviewer's notes: that is the only place the Edge API can tell its developer why.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from addonhub.catalog.models import Addon, Version
from addonhub.edge.models import FAILED, IN_PROGRESS, SUBMISSION_REJECTED, SUCCEEDED, UPLOAD, EdgeOperation
from addonhub.edge.package_errors import package_errors
from addonhub.edge.products import is_rejected
from addonhub.submissions.models import Upload


@dataclass(frozen=True)
class Outcome:
    state: str                 # IN_PROGRESS, SUCCEEDED or FAILED
    updated: datetime
    error_code: str | None = None  # publish failures: NoModulesUpdated...; uploads: the first error's id
    detail: str | None = None      # what the store knows beyond the code (a refusal, a reviewer's notes)
    errors: list[dict] = field(default_factory=list)  # [{"id", "message"}]
    version: Version | None = None  # the version a publish made


def operation_id_in(reference: str) -> str | None:
    """The operation id a client sent: the bare id, or a path or URL ending with it (clients
    paste the whole `Location` of the v1 contract). The last segment that is a UUID counts."""
    for segment in reversed(reference.split("/")):
        # uuid.UUID reads Arabic-Indic digits as hex digits, turning them into another id.
        if not segment.isascii():
            continue
        try:
            return str(uuid.UUID(segment))
        except ValueError:
            continue
    return None


def find_operation(session: Session, product: Addon, reference: str, kind: str) -> EdgeOperation | None:
    """The product's operation of this kind, or None: unknown, another kind, or another product's
    (the caller has already checked the product is theirs)."""
    operation_id = operation_id_in(reference)
    operation = session.get(EdgeOperation, operation_id) if operation_id else None
    if operation is None or operation.kind != kind or operation.addon_id != product.id:
        return None
    return operation


def outcome(session: Session, operation: EdgeOperation) -> Outcome:
    return _upload_outcome(session, operation) if operation.kind == UPLOAD else _publish_outcome(session, operation)


def _upload_outcome(session: Session, operation: EdgeOperation) -> Outcome:
    upload = session.get(Upload, operation.upload_id) if operation.upload_id is not None else None
    if upload is not None and not upload.processed:
        return Outcome(IN_PROGRESS, operation.updated)
    if upload is not None and upload.valid:
        return Outcome(SUCCEEDED, operation.updated)
    errors = package_errors(upload.validation if upload is not None else None)
    return Outcome(FAILED, operation.updated, errors[0]["id"], errors=errors)


def _publish_outcome(session: Session, operation: EdgeOperation) -> Outcome:
    if operation.state == IN_PROGRESS:
        return Outcome(IN_PROGRESS, operation.updated)
    if operation.state == FAILED:
        errors = [{"id": operation.error_code, "message": operation.message}] if operation.message else []
        return Outcome(FAILED, operation.updated, operation.error_code, operation.message, errors)
    version = session.get(Version, operation.version_id) if operation.version_id is not None else None
    if version is not None and is_rejected(session, version):
        notes = version.reviewer_notes or "The submission was rejected in review."
        return Outcome(FAILED, version.reviewed or operation.updated, SUBMISSION_REJECTED, notes,
                       [{"id": SUBMISSION_REJECTED, "message": notes}], version)
    return Outcome(SUCCEEDED, operation.updated, version=version)
