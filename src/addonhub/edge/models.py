"""What the Edge publish API adds to the shared submissions: operations and drafts.

An operation is what the API hands back from an upload or a publish (its id goes into
`Location`) and what clients then poll. An upload operation's outcome is its Upload's validation,
read when asked; a publish operation's is decided by the edge-publish job and kept here.

A draft is the product's newest valid package that has not been published yet: at most one per
product, replaced by each newer valid upload and cleared when it is published.
"""

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from addonhub.db import Base

UPLOAD, PUBLISH = "upload", "publish"
IN_PROGRESS, SUCCEEDED, FAILED = "in-progress", "succeeded", "failed"
# Why a publish failed: the shipped API's error codes, and one of the store's own for a
# submission a reviewer rejected after it was published.
NO_MODULES_UPDATED = "NoModulesUpdated"            # no new draft to publish
IN_PROGRESS_SUBMISSION = "InProgressSubmission"    # another submission is in review
SUBMISSION_VALIDATION_ERROR = "SubmissionValidationError"  # the draft cannot become a version
SUBMISSION_REJECTED = "SubmissionRejected"
UNKNOWN_ERROR = "UnknownError"                     # the publish job gave up (the store's log says why)


def _new_operation_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.utcnow()


def _same_as_created(context) -> datetime:
    # A new operation was last updated when it was created, to the microsecond.
    return context.get_current_parameters()["created"]


class EdgeOperation(Base):
    __tablename__ = "edge_operations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_new_operation_id)
    kind: Mapped[str] = mapped_column(String(16))
    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The package of an upload operation; the version a publish operation made, once it made one.
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    # Publish operations only: in-progress until the edge-publish job decides.
    state: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    # The shipped API's code for a failure (NoModulesUpdated, InProgressSubmission, ...).
    error_code: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(DateTime, default=_same_as_created)

    __table_args__ = (Index("ix_edge_operations_addon_kind", "addon_id", "kind"),)


class EdgeDraft(Base):
    __tablename__ = "edge_drafts"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"))
