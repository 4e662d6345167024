"""The review queue: listed versions wait here until a reviewer approves or rejects them.

Approval queues the version for signing and publication (the sign-version job), which makes it
public and current in the catalogue; rejection disables its file and keeps the reviewer's notes,
which its owner sees.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from addonhub.catalog.indexing import is_public_listed, reindex
from addonhub.catalog.models import Addon, File, Version
from addonhub.catalog.service import find_addon, find_version
from addonhub.jobs import enqueue
from addonhub.submissions.service import CONFLICT, INVALID, NOT_FOUND, SIGN_JOB, Refused


def review_queue(session: Session) -> list[Version]:
    """Versions awaiting review, oldest first."""
    return list(session.scalars(
        select(Version)
        .where(Version.channel == "listed", Version.is_deleted.is_(False), Version.reviewed.is_(None),
               Version.files.any(File.status == "unreviewed"))
        .options(selectinload(Version.addon), selectinload(Version.files))
        .order_by(Version.created, Version.id)
    ))


def pending_version(session: Session, addon_identifier: str, version_string: str) -> Version:
    addon = find_addon(session, addon_identifier)
    version = None
    if addon is not None:
        version = session.scalar(select(Version).where(Version.addon_id == addon.id, Version.version == version_string))
        version = version or find_version(session, addon, version_string)
    if version is None:
        raise Refused(NOT_FOUND, f"No version {version_string} of add-on {addon_identifier}.")
    if version.reviewed is not None or version.channel != "listed":
        raise Refused(CONFLICT, f"Version {version.version} of {addon.guid} is not awaiting review.")
    return version


def approve(session: Session, version: Version, notes: str | None = None) -> None:
    version.reviewed = datetime.utcnow()
    version.reviewer_notes = notes
    enqueue(session, SIGN_JOB, {"version_id": version.id})


def reject(session: Session, version: Version, notes: str) -> None:
    if not notes or not notes.strip():
        raise Refused(INVALID, "A rejection needs notes for the developer.")
    version.reviewed = datetime.utcnow()
    version.reviewer_notes = notes
    for file in version.files:
        file.status = "disabled"
    addon: Addon = version.addon
    if addon.status == "nominated" and not any(is_public_listed(v) for v in addon.versions):
        addon.status = "incomplete"
    reindex(session, addon)


def queue_entry(version: Version) -> dict:
    addon = version.addon
    return {
        "addon": {"id": addon.id, "guid": addon.guid, "slug": addon.slug,
                  "name": addon.name.get(addon.default_locale) or next(iter(addon.name.values()), None)},
        "version": version.version,
        "version_id": version.id,
        "channel": version.channel,
        "created": version.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "approval_notes": version.approval_notes,
        "files": [{"id": file.id, "filename": file.filename, "size": file.size, "hash": file.hash}
                  for file in version.files],
    }
