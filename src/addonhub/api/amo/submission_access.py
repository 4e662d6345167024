"""Who may read or change which add-on and version through the v5 submission API, and the
answers everyone else gets: 404 for what they may not know of, 401/403 for the rest."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.api.auth import credentials_required
from addonhub.api.responses import APIError, not_found
from addonhub.catalog.indexing import is_public_listed
from addonhub.catalog.models import Addon, Version
from addonhub.catalog.service import Access, addon_access, can_manage, find_addon, find_version, is_author

NO_PERMISSION = "You do not have permission to perform this action."


def readable_addon(session: Session, user: User | None, identifier: str) -> Addon:
    addon = find_addon(session, identifier)
    access = addon_access(addon, user)
    if access is Access.NOT_FOUND:
        raise not_found()
    if access is Access.DENIED:
        flags = {"is_disabled_by_developer": addon.is_disabled, "is_disabled_by_mozilla": addon.is_disabled_by_mozilla}
        if user is None:
            raise credentials_required(flags)
        raise APIError(403, {"detail": NO_PERMISSION, **flags})
    return addon


def writable_addon(session: Session, user: User, identifier: str) -> Addon:
    addon = find_addon(session, identifier)
    if addon is None or addon.is_deleted:
        raise not_found()
    if not is_author(addon, user):
        raise APIError(403, {"detail": NO_PERMISSION})
    return addon


def find_version_v5(session: Session, addon: Addon, identifier: str) -> Version | None:
    """AMO v5: a number without dots is an id; a "v" prefix forces a version string."""
    if identifier.startswith("v"):
        return session.scalar(select(Version).where(Version.addon_id == addon.id, Version.version == identifier[1:]))
    return find_version(session, addon, identifier)


def readable_version(session: Session, user: User | None, identifier: str, version_id: str) -> tuple[Addon, Version]:
    addon = readable_addon(session, user, identifier)
    version = find_version_v5(session, addon, version_id)
    if version is None or (version.is_deleted and not (user and user.is_admin)):
        raise not_found()
    if not can_manage(addon, user) and not is_public_listed(version):
        if version.channel == "unlisted":
            raise not_found()  # unlisted versions stay unknown to all but their add-on's people
        if user is None:
            raise credentials_required()
        raise APIError(403, {"detail": NO_PERMISSION})
    return addon, version
