"""What the store's rows and blobs should agree on, and `check`: where they do not.

Every blob under uploads/, sources/, files/ and images/ belongs to a row (an upload, a version's
source, a file, an add-on's icon or screenshot) and every such row to a blob holding the bytes
its hash names. A crash can break that only
in ways the design leaves for clean-up (a blob whose row never committed, a write never
finished), but a disk, an operator or a bug can break it any way: `check_store` looks at all of
it, and at jobs that a dead worker holds past their lease or that failed for good, and changes
nothing.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.blobs import BlobInfo, BlobStore
from addonhub.catalog.images import blob_key, icon_urls
from addonhub.catalog.models import Addon, File, Preview, Version
from addonhub.db import Database
from addonhub.jobs import FAILED, RUNNING, Job, utcnow
from addonhub.submissions.models import Upload

# Where rows keep their blobs; anything else under the blob store is not the catalogue's.
BLOB_PREFIXES = ("uploads/", "sources/", "files/", "images/")

BLOB_WITHOUT_ROW = "blob-without-row"
UNFINISHED_WRITE = "unfinished-write"
ROW_WITHOUT_BLOB = "row-without-blob"
HASH_MISMATCH = "hash-mismatch"
JOB_STUCK = "job-stuck"
JOB_FAILED = "job-failed"
KINDS = (BLOB_WITHOUT_ROW, UNFINISHED_WRITE, ROW_WITHOUT_BLOB, HASH_MISMATCH, JOB_STUCK, JOB_FAILED)


@dataclass(frozen=True)
class Reference:
    """A row that names a blob, and the SHA-256 its bytes must have when the row records one."""
    key: str
    row: str
    sha256: str | None


@dataclass(frozen=True)
class Problem:
    kind: str
    subject: str
    detail: str
    size: int | None = None

    def as_json(self) -> dict:
        return asdict(self)


def references(session: Session) -> list[Reference]:
    found = [Reference(key, f"file {file_id}", digest.removeprefix("sha256:") if digest.startswith("sha256:") else None)
             for file_id, key, digest in session.execute(
                 select(File.id, File.storage_key, File.hash).where(File.storage_key.is_not(None)))]
    found += [Reference(key, f"upload {uuid}", sha256)
              for uuid, key, sha256 in session.execute(select(Upload.uuid, Upload.blob_key, Upload.sha256))]
    found += [Reference(key, f"source of version {version_id}", None)
              for version_id, key in session.execute(
                  select(Version.id, Version.source_key).where(Version.source_key.is_not(None)))]
    found += [Reference(blob_key(url), f"icon of add-on {addon_id}", None)
              for addon_id, icon_url in session.execute(select(Addon.id, Addon.icon_url).where(Addon.icon_url.is_not(None)))
              for url in icon_urls(icon_url).values()]
    found += [Reference(blob_key(url), f"screenshot {preview_id}", None)
              for preview_id, *urls in session.execute(select(Preview.id, Preview.image_url, Preview.thumbnail_url))
              for url in urls if blob_key(url)]
    return found


def stored_blobs(blobs: BlobStore) -> Iterator[BlobInfo]:
    for prefix in BLOB_PREFIXES:
        yield from blobs.list(prefix)


def _sha256(blobs: BlobStore, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in blobs.chunks(key):
        digest.update(chunk)
    return digest.hexdigest()


def check_store(db: Database, blobs: BlobStore, now: datetime | None = None) -> list[Problem]:
    now = now or utcnow()
    # Blobs first, rows after: a row committed while we list is still seen with its blob.
    stored = {info.key: info for info in stored_blobs(blobs)}
    with db.session() as session:
        referenced = references(session)
        stuck = session.scalars(select(Job).where(Job.status == RUNNING, Job.lease_until < now).order_by(Job.id)).all()
        failed = session.scalars(select(Job).where(Job.status == FAILED).order_by(Job.id)).all()
    named = {reference.key for reference in referenced}
    problems = [Problem(BLOB_WITHOUT_ROW, info.key, f"no row points at it (since {info.modified:%Y-%m-%d %H:%M})",
                        info.size) for info in stored.values() if info.key not in named]
    problems += [Problem(UNFINISHED_WRITE, info.key, f"a write that never completed ({info.modified:%Y-%m-%d %H:%M})",
                         info.size) for info in blobs.leftovers()]
    digests: dict[str, str] = {}  # an unsigned file shares its upload's blob: read it once
    for reference in referenced:
        if reference.key not in stored and not blobs.exists(reference.key):
            problems.append(Problem(ROW_WITHOUT_BLOB, reference.row, f"its blob {reference.key} is missing"))
            continue
        if reference.sha256 is None:
            continue
        if reference.key not in digests:
            digests[reference.key] = _sha256(blobs, reference.key)
        if digests[reference.key] != reference.sha256:
            problems.append(Problem(HASH_MISMATCH, reference.row, f"{reference.key} has sha256 "
                                    f"{digests[reference.key]}, the row records {reference.sha256}"))
    problems += [Problem(JOB_STUCK, f"job {job.id} ({job.kind})",
                         f"running by {job.worker}, its lease ran out {job.lease_until:%Y-%m-%d %H:%M:%S}")
                 for job in stuck]
    problems += [Problem(JOB_FAILED, f"job {job.id} ({job.kind})",
                         f"failed after {job.attempts} attempts: {job.last_error}") for job in failed]
    return problems
