"""Writing the activity log (in the caller's transaction, so an entry exists exactly when the
change it records was committed) and reading it for developers, reviewers and the CLI."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.activity.models import ActivityEntry
from addonhub.catalog.models import Addon, AddonUser, Version

UPLOAD = "upload"
VALIDATED = "validated"
VALIDATION_FAILED = "validation_failed"
# Valid, but the submission it carried was refused (a version that exists, an add-on not open...).
SUBMISSION_REFUSED = "submission_refused"
ADDON_CREATED = "addon_created"
VERSION_CREATED = "version_created"
APPROVED = "approved"
REJECTED = "rejected"
LISTING_EDITED = "listing_edited"
API_KEY_CREATED = "api_key_created"
API_KEY_ROTATED = "api_key_rotated"
API_KEY_REVOKED = "api_key_revoked"
EDGE_CREDENTIALS_CREATED = "edge_credentials_created"
EDGE_CREDENTIALS_ROTATED = "edge_credentials_rotated"
EDGE_CREDENTIALS_REVOKED = "edge_credentials_revoked"
# Store-wide, by an admin: their details keep what enabling again restores.
ADDON_DISABLED = "addon_disabled"
ADDON_ENABLED = "addon_enabled"
VERSION_DISABLED = "version_disabled"
VERSION_ENABLED = "version_enabled"
# Accounts, by an admin (or the operator): their details name the account changed.
ROLE_CHANGED = "role_changed"
ACCOUNT_DISABLED = "account_disabled"
ACCOUNT_ENABLED = "account_enabled"
# The catalogue's curation: compat overrides (by guid) and featured placements.
COMPAT_OVERRIDE_ADDED = "compat_override_added"
COMPAT_OVERRIDE_REMOVED = "compat_override_removed"
FEATURED_ADDED = "featured_added"
FEATURED_REMOVED = "featured_removed"
# By the add-on's developers (catalog.authors, submissions.administration): a developer enables
# again only what a developer disabled.
AUTHOR_ADDED = "author_added"
AUTHOR_CHANGED = "author_changed"
AUTHOR_REMOVED = "author_removed"
ADDON_DISABLED_BY_DEVELOPER = "addon_disabled_by_developer"
ADDON_ENABLED_BY_DEVELOPER = "addon_enabled_by_developer"
ADDON_DELETED = "addon_deleted"
VERSION_DISABLED_BY_DEVELOPER = "version_disabled_by_developer"
VERSION_ENABLED_BY_DEVELOPER = "version_enabled_by_developer"
VERSION_DELETED = "version_deleted"
ACTIONS = (UPLOAD, VALIDATED, VALIDATION_FAILED, SUBMISSION_REFUSED, ADDON_CREATED, VERSION_CREATED, APPROVED, REJECTED,
           LISTING_EDITED, API_KEY_CREATED, API_KEY_ROTATED, API_KEY_REVOKED, EDGE_CREDENTIALS_CREATED,
           EDGE_CREDENTIALS_ROTATED, EDGE_CREDENTIALS_REVOKED, ADDON_DISABLED, ADDON_ENABLED, VERSION_DISABLED,
           VERSION_ENABLED, ROLE_CHANGED, ACCOUNT_DISABLED, ACCOUNT_ENABLED, COMPAT_OVERRIDE_ADDED,
           COMPAT_OVERRIDE_REMOVED, FEATURED_ADDED, FEATURED_REMOVED, AUTHOR_ADDED, AUTHOR_CHANGED, AUTHOR_REMOVED,
           ADDON_DISABLED_BY_DEVELOPER, ADDON_ENABLED_BY_DEVELOPER, ADDON_DELETED, VERSION_DISABLED_BY_DEVELOPER,
           VERSION_ENABLED_BY_DEVELOPER, VERSION_DELETED)


def record(session: Session, action: str, user: User | None, *, addon: Addon | None = None,
           version: Version | None = None, guid: str | None = None, version_string: str | None = None,
           upload_uuid: str | None = None, notes: str | None = None, details: dict | None = None) -> ActivityEntry:
    """Adds an entry to the session; `guid`/`version_string` name what has no row (yet), such as
    an upload's add-on before it is created, or an Edge product."""
    if action not in ACTIONS:
        raise ValueError(f"unknown activity {action!r}")
    if version is not None and addon is None:
        addon = version.addon
    entry = ActivityEntry(
        action=action, user_id=user.id if user is not None else None,
        user_name=user.shown_name if user is not None else None,
        addon_id=addon.id if addon is not None else None, version_id=version.id if version is not None else None,
        addon_guid=addon.guid if addon is not None else guid,
        version_string=version.version if version is not None else version_string,
        upload_uuid=upload_uuid, notes=notes, details=details or {},
    )
    session.add(entry)
    return entry


def attach_upload(session: Session, upload_uuid: str, addon: Addon) -> None:
    """An upload for a new add-on was logged before the add-on existed: once it does, those
    entries become the add-on's, so that its developers and the --addon filter find them."""
    session.execute(update(ActivityEntry).where(ActivityEntry.upload_uuid == upload_uuid,
                                                ActivityEntry.addon_id.is_(None)).values(addon_id=addon.id))


@dataclass(frozen=True)
class LogFilter:
    addon: Addon | None = None
    user: User | None = None
    since: datetime | None = None
    action: str | None = None
    limit: int = 50


def entries(session: Session, log_filter: LogFilter = LogFilter()) -> list[ActivityEntry]:
    """The whole log, newest first: for reviewers, admins and the store's operator."""
    return _entries(session, select(ActivityEntry), log_filter)


def entries_for_developer(session: Session, developer: User, log_filter: LogFilter = LogFilter()) -> list[ActivityEntry]:
    """What a developer may read: the entries of the add-ons they author, and their own."""
    authored = select(AddonUser.addon_id).where(AddonUser.user_id == developer.id)
    query = select(ActivityEntry).where(
        ActivityEntry.addon_id.in_(authored) | (ActivityEntry.user_id == developer.id))
    return _entries(session, query, log_filter)


def _entries(session: Session, query, log_filter: LogFilter) -> list[ActivityEntry]:
    if log_filter.addon is not None:
        query = query.where(ActivityEntry.addon_id == log_filter.addon.id)
    if log_filter.user is not None:
        query = query.where(ActivityEntry.user_id == log_filter.user.id)
    if log_filter.since is not None:
        query = query.where(ActivityEntry.created >= log_filter.since)
    if log_filter.action is not None:
        query = query.where(ActivityEntry.action == log_filter.action)
    query = query.order_by(ActivityEntry.created.desc(), ActivityEntry.id.desc()).limit(log_filter.limit)
    return list(session.scalars(query))
