"""The store's clean-up: expired uploads, blobs no row points at, and unfinished writes.

Run by the periodic expire-uploads job and by `addonhub cleanup`. Blobs are removed only once
nothing could still name them: an expired upload's once its row is gone (submissions.expiry),
an orphan or an unfinished write once it is older than the grace period, which no write in
flight reaches, so a blob whose row is about to commit is never taken.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session

from addonhub.blobs import BlobInfo, BlobStore
from addonhub.config import Settings
from addonhub.db import Database
from addonhub.edge.models import EdgeDraft
from addonhub.integrity import references, stored_blobs
from addonhub.submissions.expiry import Removed, expirable_uploads, expire_uploads

log = logging.getLogger(__name__)

CLEANUP_JOB = "expire-uploads"
# Rows of other packages that keep an upload however old: a product's draft awaits its publish.
KEEPS_UPLOADS = (EdgeDraft.upload_id,)


@dataclass(frozen=True)
class CleanupPolicy:
    upload_retention: timedelta
    grace: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> "CleanupPolicy":
        return cls(timedelta(days=settings.upload_retention_days), timedelta(hours=settings.orphan_grace_hours))


@dataclass(frozen=True)
class CleanupReport:
    uploads: Removed
    orphans: Removed
    unfinished: Removed

    @property
    def total(self) -> Removed:
        return self.uploads + self.orphans + self.unfinished


def _removed(found: list[BlobInfo]) -> Removed:
    return Removed(len(found), sum(info.size for info in found))


def orphan_blobs(db: Database, blobs: BlobStore, older_than: datetime) -> list[BlobInfo]:
    """Blobs older than `older_than` that no row names."""
    old = [info for info in stored_blobs(blobs) if info.modified < older_than]
    # Read after listing, so that a row committed meanwhile is seen.
    with db.session() as session:
        named = {reference.key for reference in references(session)}
    return [info for info in old if info.key not in named]


def clean_up(db: Database, blobs: BlobStore, policy: CleanupPolicy, dry_run: bool = False,
             now: datetime | None = None) -> CleanupReport:
    now = now or datetime.now(timezone.utc)
    # Rows hold naive UTC times; blob listings aware ones.
    uploads_before = (now - policy.upload_retention).replace(tzinfo=None)
    if dry_run:
        uploads = expirable_uploads(db, uploads_before, KEEPS_UPLOADS)
    else:
        uploads = expire_uploads(db, blobs, uploads_before, KEEPS_UPLOADS)
    orphans = orphan_blobs(db, blobs, now - policy.grace)
    unfinished = [info for info in blobs.leftovers() if info.modified < now - policy.grace]
    if not dry_run:
        for info in orphans + unfinished:
            blobs.delete(info.key)
    return CleanupReport(uploads, _removed(orphans), _removed(unfinished))


def cleanup_job(db: Database, blobs: BlobStore, policy: CleanupPolicy, _session: Session, _payload: dict) -> None:
    """The expire-uploads job. Blobs may go only after the rows naming them are committed, so the
    clean-up commits as it goes instead of in the job's transaction; run again, it finds less."""
    report = clean_up(db, blobs, policy)
    log.info("clean-up removed %d expired uploads, %d orphan blobs, %d unfinished writes (%d bytes)",
             report.uploads.count, report.orphans.count, report.unfinished.count, report.total.bytes)
