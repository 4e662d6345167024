"""The catalogue's access rules (catalog.service) as the v5 submission API answers them: 404 for
what the caller may not know of, 401/403 for the rest."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.api.auth import permission_denied
from addonhub.api.responses import not_found
from addonhub.catalog.models import Addon, Version
from addonhub.catalog.service import Access, addon_access, find_addon, find_version, is_author, version_access


def readable_addon(session: Session, user: User | None, identifier: str) -> Addon:
    addon = find_addon(session, identifier)
    access = addon_access(addon, user)
    if access is Access.NOT_FOUND:
        raise not_found()
    if access is Access.DENIED:
        raise permission_denied(user, addon)
    return addon


def writable_addon(session: Session, user: User, identifier: str) -> Addon:
    addon = find_addon(session, identifier)
    if addon is None or addon.is_deleted:
        raise not_found()
    if not is_author(addon, user):
        raise permission_denied(user)
    return addon


def find_version_v5(session: Session, addon: Addon, identifier: str) -> Version | None:
    """AMO v5: a number without dots is an id; a "v" prefix forces a version string."""
    if identifier.startswith("v"):
        return session.scalar(select(Version).where(Version.addon_id == addon.id, Version.version == identifier[1:]))
    return find_version(session, addon, identifier)


def readable_version(session: Session, user: User | None, identifier: str, version_id: str) -> tuple[Addon, Version]:
    addon = readable_addon(session, user, identifier)
    version = find_version_v5(session, addon, version_id)
    access = version_access(addon, version, user) if version is not None else Access.NOT_FOUND
    if access is Access.NOT_FOUND:
        raise not_found()
    if access is Access.DENIED:
        raise permission_denied(user)
    return addon, version
