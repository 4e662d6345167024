"""The review queue: listed versions wait here until a reviewer approves or rejects them.

Approval queues the version for signing and publication (the sign-version job), which makes it
public and current in the catalogue; rejection disables its file and keeps the reviewer's notes,
which its owner sees.
"""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.catalog.constants import CLOSED_STATUSES, AddonStatus, Channel, FileStatus
from addonhub.catalog.indexing import is_public_listed, reindex
from addonhub.catalog.models import Addon, File, Version
from addonhub.catalog.service import find_addon_by_any_id, find_version, is_author
from addonhub.jobs import enqueue
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, Refused
from addonhub.submissions.models import Upload
from addonhub.submissions.versions import SIGN_JOB


def _awaiting_review(columns) -> select:
    return (select(*columns).join(Addon, Addon.id == Version.addon_id)
            .where(Version.channel == Channel.LISTED, Version.is_deleted.is_(False), Version.reviewed.is_(None),
                   Version.files.any(File.status == FileStatus.UNREVIEWED), Addon.status.not_in(CLOSED_STATUSES)))


def review_queue(session: Session, addon_type: str | None = None) -> list[Version]:
    """Versions awaiting review, oldest first; of one add-on type when the reviewer narrows it."""
    query = _awaiting_review([Version])
    if addon_type is not None:
        query = query.where(Addon.type == addon_type)
    return list(session.scalars(
        query.options(selectinload(Version.addon), selectinload(Version.files))
        .order_by(Version.created, Version.id)
    ))


def review_queue_length(session: Session) -> int:
    return session.scalar(_awaiting_review([func.count(Version.id)]))


def pending_version(session: Session, addon_identifier: str, version_string: str) -> Version:
    """The version a reviewer names: the add-on by any identifier the store shows (Edge reviewers
    know a submission by its product id), the version by its string or id."""
    addon = find_addon_by_any_id(session, addon_identifier)
    if addon is None:
        raise Refused(NOT_FOUND, f"No add-on {addon_identifier} is known to this store.")
    version = session.scalar(select(Version).where(Version.addon_id == addon.id, Version.version == version_string))
    version = version or find_version(session, addon, version_string)
    if version is None:
        raise Refused(NOT_FOUND, f"No version {version_string} of add-on {addon.guid}.")
    if version.reviewed is not None or version.channel != Channel.LISTED:
        raise Refused(CONFLICT, f"Version {version.version} of {addon.guid} is not awaiting review.")
    if addon.status in CLOSED_STATUSES:
        raise Refused(CONFLICT, f"Add-on {addon.guid} is {addon.status}: its versions cannot be reviewed.")
    return version


def version_under_review(session: Session, version_id: int | None) -> Version:
    """A listed version by id, as the reviewer console links to it: one awaiting review or one
    already decided (whose page then says so), never an unlisted one."""
    version = session.get(Version, version_id) if version_id is not None else None
    if version is None or version.is_deleted or version.channel != Channel.LISTED:
        raise Refused(NOT_FOUND, "No such listed version.")
    return version


def version_to_review(session: Session, addon_identifier: str) -> Version:
    """What an add-on's review_url leads a reviewer to: its oldest listed version awaiting
    review, else its newest listed version."""
    addon = find_addon_by_any_id(session, addon_identifier)
    if addon is None:
        raise Refused(NOT_FOUND, f"No add-on {addon_identifier} is known to this store.")
    listed = select(Version).where(Version.addon_id == addon.id, Version.channel == Channel.LISTED,
                                   Version.is_deleted.is_(False))
    version = session.scalar(_awaiting_review([Version]).where(Version.addon_id == addon.id)
                             .order_by(Version.created, Version.id).limit(1))
    version = version or session.scalar(listed.order_by(Version.id.desc()).limit(1))
    if version is None:
        raise Refused(NOT_FOUND, f"Add-on {addon.guid} has no listed version.")
    return version


def is_awaiting_review(version: Version) -> bool:
    return (version.reviewed is None and version.addon.status not in CLOSED_STATUSES
            and any(file.status == FileStatus.UNREVIEWED for file in version.files))


def previously_approved(session: Session, version: Version) -> Version | None:
    """The add-on's newest listed version approved before this one: what a reviewer compares with."""
    return session.scalar(
        select(Version).where(Version.addon_id == version.addon_id, Version.channel == Channel.LISTED,
                              Version.id < version.id, Version.is_deleted.is_(False),
                              Version.files.any(File.status == FileStatus.PUBLIC))
        .order_by(Version.id.desc()).limit(1))


def validation_report(session: Session, version: Version) -> dict | None:
    """The validation (AMO's JSON) of the upload the version was made from."""
    return session.scalar(select(Upload.validation).where(Upload.version_id == version.id)
                          .order_by(Upload.id.desc()).limit(1))


def approve(session: Session, version: Version, reviewer: User | None, notes: str | None = None) -> None:
    """`reviewer` None is the store's operator (the CLI)."""
    _decide(session, version, reviewer, notes)
    activity.record(session, activity.APPROVED, reviewer, version=version, notes=notes)
    enqueue(session, SIGN_JOB, {"version_id": version.id})


def reject(session: Session, version: Version, reviewer: User | None, notes: str | None) -> None:
    if not notes or not notes.strip():
        raise Refused(INVALID, "A rejection needs notes for the developer.", field="notes")
    _decide(session, version, reviewer, notes)
    activity.record(session, activity.REJECTED, reviewer, version=version, notes=notes)
    for file in version.files:
        file.status = FileStatus.DISABLED
    addon: Addon = version.addon
    if addon.status == AddonStatus.NOMINATED and not any(is_public_listed(v) for v in addon.versions):
        addon.status = AddonStatus.INCOMPLETE
    reindex(session, addon)


def _decide(session: Session, version: Version, reviewer: User | None, notes: str | None) -> None:
    """Records the decision if no other reviewer has decided first: two reviewers (or a reviewer
    and the CLI) may act on the same version at once, and only one decision may stand."""
    if reviewer is not None and is_author(version.addon, reviewer):
        raise Refused(FORBIDDEN, "You cannot review your own add-on.")
    decided = session.execute(update(Version).where(Version.id == version.id, Version.reviewed.is_(None))
                              .values(reviewed=datetime.utcnow(), reviewer_notes=notes))
    if decided.rowcount != 1:
        raise Refused(CONFLICT, f"Version {version.version} has already been reviewed.")
    session.refresh(version)


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
