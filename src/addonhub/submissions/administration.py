"""Disabling an add-on or one of its versions, and enabling it again: store-wide, as AMO's admins
do, or by the add-on's developers (who may also delete a version or, owners only, the add-on).

A disabled add-on (status "disabled", not the developer's own is_disabled flag) leaves listings,
downloads and update checks: every one of them already asks catalog.indexing.is_listed, the file's
status or the add-on's status; a developer's is_disabled and a deleted add-on or version are asked
by the same checks. A disabled version's files are "disabled" (whoever disabled it), so that the
add-on's current version falls back to its previous public one. Each change is an activity-log
entry whose details keep the statuses it replaced: enabling restores them from the latest such
entry, so that a version rejected by a reviewer is never "enabled" into public by mistake, and
the entry's action says who disabled it: a developer never enables what the store disabled. An
add-on the store disabled is the store's to decide: its developers change nothing of it.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.administration import require_admin
from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.activity.models import ActivityEntry
from addonhub.catalog.authors import check_owner
from addonhub.catalog.constants import AddonStatus, FileStatus
from addonhub.catalog.indexing import is_public_listed, reindex
from addonhub.catalog.models import Addon, Version
from addonhub.catalog.service import find_addon_by_any_id, find_version, is_author
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, Refused


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
    _disable_files(session, version, by_user, activity.VERSION_DISABLED, reason)


def enable_version(session: Session, version: Version, by_user: User | None, reason: str | None) -> None:
    """Gives the version's files back the statuses they had when an admin disabled them."""
    reason = _check(by_user, reason)
    if not is_disabled_by_store(session, version):
        raise Refused(CONFLICT, f"Version {version.version} of {version.addon.guid} is not disabled by the store.")
    _restore_files(session, version, by_user, activity.VERSION_ENABLED, reason)


# What the add-on's developers do ------------------------------------------------------------------

def _check_developer(addon: Addon, by_user: User) -> None:
    """The add-on's authors act on it while it is theirs to act on: not deleted, not disabled by the
    store (whose decision it is)."""
    if addon.is_deleted or not is_author(addon, by_user):
        raise Refused(NOT_FOUND, "Not found.")
    if addon.is_disabled_by_mozilla:
        raise Refused(CONFLICT, "This add-on is disabled by the store: only the store's administrators can change it.")


def developer_disable_version(session: Session, version: Version, by_user: User) -> None:
    _check_developer(version.addon, by_user)
    _disable_files(session, version, by_user, activity.VERSION_DISABLED_BY_DEVELOPER)


def developer_enable_version(session: Session, version: Version, by_user: User) -> None:
    """Enables a version its developers disabled; one the store disabled stays so."""
    _check_developer(version.addon, by_user)
    if is_disabled_by_store(session, version):
        raise Refused(FORBIDDEN, f"Version {version.version} was disabled by the store: only its administrators "
                                 "can enable it.")
    if not is_disabled_by_developer(session, version):
        raise Refused(CONFLICT, f"Version {version.version} is not disabled.")
    _restore_files(session, version, by_user, activity.VERSION_ENABLED_BY_DEVELOPER)


def developer_delete_version(session: Session, version: Version, by_user: User) -> None:
    """Deletes the version for good, as AMO does: its files disabled, its version string never
    used again (the row stays)."""
    _check_developer(version.addon, by_user)
    if version.is_deleted:
        raise Refused(CONFLICT, f"Version {version.version} is deleted.")
    activity.record(session, activity.VERSION_DELETED, by_user, version=version,
                    details={"files": {str(file.id): file.status for file in version.files}})
    version.is_deleted = True
    for file in version.files:
        if file.status != FileStatus.DELETED:
            file.status = FileStatus.DISABLED
    reindex(session, version.addon)


def developer_disable_addon(session: Session, addon: Addon, by_user: User) -> None:
    """Hides the add-on (AMO's "invisible"): out of listings, downloads and update checks, its
    versions as they were."""
    _check_developer(addon, by_user)
    if addon.is_disabled:
        raise Refused(CONFLICT, f"Add-on {addon.guid} is already disabled.")
    activity.record(session, activity.ADDON_DISABLED_BY_DEVELOPER, by_user, addon=addon)
    addon.is_disabled = True
    reindex(session, addon)


def developer_enable_addon(session: Session, addon: Addon, by_user: User) -> None:
    _check_developer(addon, by_user)
    if not addon.is_disabled:
        raise Refused(CONFLICT, f"Add-on {addon.guid} is not disabled.")
    activity.record(session, activity.ADDON_ENABLED_BY_DEVELOPER, by_user, addon=addon)
    addon.is_disabled = False
    reindex(session, addon)


def developer_delete_addon(session: Session, addon: Addon, by_user: User) -> None:
    """Deletes the add-on (owners only): gone from every page and answer, its id kept so that no
    upload ever takes it again (submissions.versions refuses a deleted add-on's id)."""
    _check_developer(addon, by_user)
    check_owner(addon, by_user)
    activity.record(session, activity.ADDON_DELETED, by_user, addon=addon, details={"status": addon.status})
    addon.status = AddonStatus.DELETED
    reindex(session, addon)


# Both ---------------------------------------------------------------------------------------------

def _disable_files(session: Session, version: Version, by_user: User | None, action: str,
                   reason: str | None = None) -> None:
    """Disables the version's live files, the entry keeping their statuses for enabling."""
    if version.is_deleted:
        raise Refused(CONFLICT, f"Version {version.version} is deleted.")
    live = [file for file in version.files if file.status not in (FileStatus.DISABLED, FileStatus.DELETED)]
    if not live:
        raise Refused(CONFLICT, f"Version {version.version} of {version.addon.guid} has no file left to disable.")
    activity.record(session, action, by_user, version=version, notes=reason,
                    details={"files": {str(file.id): file.status for file in live}})
    for file in live:
        file.status = FileStatus.DISABLED
    reindex(session, version.addon)


def _restore_files(session: Session, version: Version, by_user: User | None, action: str,
                   reason: str | None = None) -> None:
    """Gives the files back the statuses the latest disabling entry kept."""
    statuses = _last_switch(session, version).details.get("files", {})
    activity.record(session, action, by_user, version=version, notes=reason, details={"files": statuses})
    for file in version.files:
        if str(file.id) in statuses and file.status == FileStatus.DISABLED:
            file.status = statuses[str(file.id)]
    reindex(session, version.addon)


# Every change that disables or enables a version, whoever made it: the latest says how it stands.
_VERSION_SWITCHES = (activity.VERSION_DISABLED, activity.VERSION_ENABLED,
                     activity.VERSION_DISABLED_BY_DEVELOPER, activity.VERSION_ENABLED_BY_DEVELOPER)


def _last_switch(session: Session, version: Version) -> ActivityEntry | None:
    return _last_entry(session, ActivityEntry.version_id == version.id, _VERSION_SWITCHES)


STORE, DEVELOPER = "store", "developer"
_DISABLED_BY = {activity.VERSION_DISABLED: STORE, activity.VERSION_DISABLED_BY_DEVELOPER: DEVELOPER}


def disabled_by(session: Session, version: Version) -> str | None:
    """Who disabled the version (STORE or DEVELOPER), from its latest switch; None while it is not
    disabled. A rejection disables files too, but is no switch: a rejected version is None."""
    if version.is_deleted or not any(file.status == FileStatus.DISABLED for file in version.files):
        return None  # asks the log only about versions with a disabled file
    last = _last_switch(session, version)
    return _DISABLED_BY.get(last.action) if last is not None else None


def is_disabled_by_store(session: Session, version: Version) -> bool:
    """Whether the version's latest switch is the store's disabling it (a rejection is not one)."""
    return disabled_by(session, version) == STORE


def is_disabled_by_developer(session: Session, version: Version) -> bool:
    return disabled_by(session, version) == DEVELOPER


def disabled_versions(session: Session, addon: Addon) -> set[int]:
    """The ids of the add-on's versions disabled by the store, for the admin's page."""
    return {version.id for version in addon.versions if is_disabled_by_store(session, version)}


def _last_entry(session: Session, about, actions: tuple[str, ...]) -> ActivityEntry | None:
    return session.scalar(select(ActivityEntry).where(about, ActivityEntry.action.in_(actions))
                          .order_by(ActivityEntry.id.desc()).limit(1))
