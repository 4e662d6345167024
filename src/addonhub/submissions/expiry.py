"""Uploads that never became a version expire: their blob is removed and their row deleted, so a
client still polling one is told it does not exist (404, as AMO answers for unknown uploads).

An upload is kept, however old, while anything points at it: its version, a file or a source
stored under its key, or a row of another package that names it (an Edge draft, passed in as
`kept_by`: submissions knows nothing of edge). The row goes first, in a conditional delete that
checks all of that again, and the blob only once that delete has committed: a version made from
the upload meanwhile keeps both, and a crash in between leaves an orphan blob, which the
clean-up of orphans removes later, never a row without its blob.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, exists, func, select

from addonhub.blobs import BlobStore
from addonhub.catalog.models import File, Version
from addonhub.db import Database
from addonhub.submissions.models import Upload

# Rows deleted per transaction: short transactions leave the database to requests in between.
_BATCH = 200


@dataclass(frozen=True)
class Removed:
    count: int = 0
    bytes: int = 0

    def __add__(self, other: "Removed") -> "Removed":
        return Removed(self.count + other.count, self.bytes + other.bytes)


def _expired(older_than: datetime, kept_by: Sequence[ColumnElement[int]]) -> ColumnElement[bool]:
    return and_(
        Upload.version_id.is_(None),
        Upload.created < older_than,
        ~exists().where(File.storage_key == Upload.blob_key),
        ~exists().where(Version.source_key == Upload.blob_key),
        *(Upload.id.not_in(select(column).where(column.is_not(None)).scalar_subquery()) for column in kept_by),
    )


def expirable_uploads(db: Database, older_than: datetime, kept_by: Sequence[ColumnElement[int]] = ()) -> Removed:
    """How many uploads (and how many bytes) expire_uploads would remove now."""
    with db.session() as session:
        count, size = session.execute(
            select(func.count(), func.coalesce(func.sum(Upload.size), 0)).where(_expired(older_than, kept_by))).one()
    return Removed(count, size)


def expire_uploads(db: Database, blobs: BlobStore, older_than: datetime,
                   kept_by: Sequence[ColumnElement[int]] = ()) -> Removed:
    """Removes the uploads created before `older_than` that nothing points at; run again, it
    finds nothing more to do."""
    removed = Removed()
    while True:
        with db.session() as session:
            ids = session.scalars(select(Upload.id).where(_expired(older_than, kept_by)).limit(_BATCH)).all()
            if not ids:
                return removed
            # Checked again as the rows go: what a version took since the select above stays.
            gone = session.execute(delete(Upload).where(Upload.id.in_(ids), _expired(older_than, kept_by))
                                   .returning(Upload.blob_key, Upload.size),
                                   execution_options={"synchronize_session": False}).all()
        for key, size in gone:
            blobs.delete(key)
            removed += Removed(1, size)
