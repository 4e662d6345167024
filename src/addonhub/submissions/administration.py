"""Disabling an add-on or one of its versions store-wide, as AMO's admins do, and enabling it again.

A disabled add-on (status "disabled", not the developer's own is_disabled flag) leaves listings,
downloads and update checks: every one of them already asks catalog.indexing.is_listed, the file's
status or the add-on's status. A disabled version's files are "disabled", so that the add-on's
current version falls back to its previous public one. Each change is an activity-log entry whose
details keep the statuses it replaced: enabling restores them from the latest such entry, so that
a version rejected by a reviewer is never "enabled" into public by mistake.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.administration import require_admin
from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.activity.models import ActivityEntry
from addonhub.catalog.constants import AddonStatus, FileStatus
from addonhub.catalog.indexing import is_public_listed, reindex
from addonhub.catalog.models import Addon, Version
from addonhub.catalog.service import find_addon_by_any_id, find_version
from addonhub.refusals import CONFLICT, INVALID, NOT_FOUND, Refused


def named_target(session: Session, addon_identifier: str, version_identifier: str | None = None) -> Addon | Version:
    """The add-on (by any id the store shows) or, with a version string or id, its version: what
    an operator names on the command line."""
    addon = find_addon_by_any_id(session, addon_identifier)
    if addon is None:
        raise Refused(NOT_FOUND, f"No add-on {addon_identifier} is known to this store.")
    if version_identifier is None:
        return addon
    version = find_version(session, addon, version_identifier)
    if version is None:
        raise Refused(NOT_FOUND, f"No version {version_identifier} of add-on {addon.guid}.")
    return version


def _check(by_user: User | None, reason: str | None) -> str:
    """Only admins act store-wide (None is the store's operator, the CLI), and always say why."""
    require_admin(by_user, "disable or enable add-ons and versions")
    if not reason or not reason.strip():
        raise Refused(INVALID, "Say why: a reason is required.", field="reason")
    return reason.strip()


def disable_addon(session: Session, addon: Addon, by_user: User | None, reason: str | None) -> None:
    reason = _check(by_user, reason)
    if addon.is_deleted or addon.is_disabled_by_mozilla:
        raise Refused(CONFLICT, f"Add-on {addon.guid} is already {addon.status}.")
    activity.record(session, activity.ADDON_DISABLED, by_user, addon=addon, notes=reason,
                    details={"status": addon.status})
    addon.status = AddonStatus.DISABLED
    reindex(session, addon)


def enable_addon(session: Session, addon: Addon, by_user: User | None, reason: str | None) -> None:
    """Gives the add-on back the status it had before it was disabled; one disabled some other way
    (an import from AMO) becomes public if it has a public listed version, else incomplete."""
    reason = _check(by_user, reason)
    if not addon.is_disabled_by_mozilla:
        raise Refused(CONFLICT, f"Add-on {addon.guid} is not disabled by the store.")
    last = _last_entry(session, ActivityEntry.addon_id == addon.id,
                       (activity.ADDON_DISABLED, activity.ADDON_ENABLED))
    restored = last.details.get("status") if last is not None and last.action == activity.ADDON_DISABLED else None
    if restored is None:
        has_public = any(is_public_listed(version) for version in addon.versions)
        restored = AddonStatus.PUBLIC if has_public else AddonStatus.INCOMPLETE
    activity.record(session, activity.ADDON_ENABLED, by_user, addon=addon, notes=reason,
                    details={"status": restored})
    addon.status = restored
    reindex(session, addon)


def disable_version(session: Session, version: Version, by_user: User | None, reason: str | None) -> None:
    reason = _check(by_user, reason)
    if version.is_deleted:
        raise Refused(CONFLICT, f"Version {version.version} is deleted.")
    live = [file for file in version.files if file.status not in (FileStatus.DISABLED, FileStatus.DELETED)]
    if not live:
        raise Refused(CONFLICT, f"Version {version.version} of {version.addon.guid} has no file left to disable.")
    activity.record(session, activity.VERSION_DISABLED, by_user, version=version, notes=reason,
                    details={"files": {str(file.id): file.status for file in live}})
    for file in live:
        file.status = FileStatus.DISABLED
    reindex(session, version.addon)


def enable_version(session: Session, version: Version, by_user: User | None, reason: str | None) -> None:
    """Gives the version's files back the statuses they had when an admin disabled them."""
    reason = _check(by_user, reason)
    if not is_disabled_by_store(session, version):
        raise Refused(CONFLICT, f"Version {version.version} of {version.addon.guid} is not disabled by the store.")
    last = _last_entry(session, ActivityEntry.version_id == version.id,
                       (activity.VERSION_DISABLED, activity.VERSION_ENABLED))
    statuses = last.details.get("files", {})
    activity.record(session, activity.VERSION_ENABLED, by_user, version=version, notes=reason,
                    details={"files": statuses})
    for file in version.files:
        if str(file.id) in statuses and file.status == FileStatus.DISABLED:
            file.status = statuses[str(file.id)]
    reindex(session, version.addon)


def is_disabled_by_store(session: Session, version: Version) -> bool:
    """Whether the version's latest store-wide change disabled it (a rejection is not one)."""
    last = _last_entry(session, ActivityEntry.version_id == version.id,
                       (activity.VERSION_DISABLED, activity.VERSION_ENABLED))
    return (last is not None and last.action == activity.VERSION_DISABLED and not version.is_deleted
            and any(file.status == FileStatus.DISABLED for file in version.files))


def disabled_versions(session: Session, addon: Addon) -> set[int]:
    """The ids of the add-on's versions disabled by the store, for the admin's page."""
    return {version.id for version in addon.versions if is_disabled_by_store(session, version)}


def _last_entry(session: Session, about, actions: tuple[str, ...]) -> ActivityEntry | None:
    return session.scalar(select(ActivityEntry).where(about, ActivityEntry.action.in_(actions))
                          .order_by(ActivityEntry.id.desc()).limit(1))
