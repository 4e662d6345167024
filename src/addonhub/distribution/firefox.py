"""Firefox updates: which release an install is offered, through either of Firefox's two ways.

- Update manifests (`/updates/firefox/<guid>`), for add-ons that name an update URL in their
  manifest (self-distributed, usually unlisted): every public version of the add-on's channel.
  Listed add-ons answer anyone; all others only a caller holding the add-on's link key.
- VersionCheck (what `extensions.update.url` names, as AMO's update service answers it), for
  add-ons without one: the newest public listed version compatible with the asking application,
  by AMO's rules: its minimum always, its maximum in strict mode (the default) and in normal mode
  for versions with strict compatibility, never in ignore mode; in normal mode the store's compat
  overrides also rule versions out, as AMO's incompatible_versions did.

No HTTP here: api/updates_firefox.py words these answers.
"""

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, selectinload

from addonhub.catalog.appversions import version_int
from addonhub.catalog.constants import APPLICATIONS, PUBLIC_FILE_STATUSES, Channel
from addonhub.catalog.indexing import is_listed
from addonhub.catalog.models import Addon, AddonDocument, CompatOverride, File, Version, VersionCompatibility
from addonhub.catalog.service import is_public_file
from addonhub.distribution.links import current_link_key, is_valid_link_key, rotate_link_key
from addonhub.published_urls import firefox_update_url, latest_xpi_url

STRICT, NORMAL, IGNORE = "strict", "normal", "ignore"
# Firefox knows add-ons by ids of at most this many characters (AMO's guid column): anything
# longer names no add-on, and is answered without a look at the database.
MAX_GUID_LENGTH = 255
APPLICATIONS_BY_GUID = {app.guid: app.name for app in APPLICATIONS.values()}
# The application whose bounds an update manifest states: it has no way to say which one asks,
# and Firefox for Android reads the same "gecko" entry.
_MANIFEST_APPLICATIONS = ("firefox", "android")


@dataclass(frozen=True)
class Release:
    """What an update entry says about one version's file."""
    version_id: int
    version: str
    file_id: int
    filename: str
    hash: str | None
    strict_min_version: str | None
    strict_max_version: str | None  # only when the browser must hold to it
    has_release_notes: bool
    # The file is not public: its links work only with the add-on's link key.
    needs_key: bool


# Update manifests ---------------------------------------------------------------------------

def is_distributable(addon: Addon) -> bool:
    """Whether the store offers the add-on's files to browsers at all: not deleted, not disabled
    by the store, not disabled by its developer (AMO's update service answers these with nothing)."""
    return not addon.is_deleted and not addon.is_disabled_by_mozilla and not addon.is_disabled


def updates_channel(addon: Addon) -> str:
    """The channel an add-on's installs update from: listed once it has a listed version (AMO's
    listed add-ons may have unlisted versions on the side, which never update listed installs)."""
    has_listed = any(v.channel == Channel.LISTED and not v.is_deleted for v in addon.versions)
    return Channel.LISTED if has_listed else Channel.UNLISTED


def find_by_guid(session: Session, guid: str) -> Addon | None:
    """The add-on a URL names by its id (in any case, as every id in a URL is a lookup)."""
    if not guid or len(guid) > MAX_GUID_LENGTH:
        return None
    return session.scalar(select(Addon).where(func.lower(Addon.guid) == guid.lower()).options(
        selectinload(Addon.versions).selectinload(Version.files),
        selectinload(Addon.versions).selectinload(Version.compatibility)))


def links_need_key(addon: Addon | None) -> bool:
    """Whether browsers need the link key to update and install the add-on: unless it is listed.
    An add-on not in the store yet will need one, as a first upload makes it unlisted."""
    return addon is None or not (updates_channel(addon) == Channel.LISTED and is_listed(addon))


def may_update(session: Session, secret_key: bytes, addon: Addon, key: str | None) -> bool:
    """Whether the caller may learn of the add-on's releases: anyone for a listed add-on; for any
    other, only a caller with its link key, so that unlisted add-ons stay unknown to the rest."""
    if not is_distributable(addon):
        return False
    return not links_need_key(addon) or is_valid_link_key(session, secret_key, addon.guid, key)


@dataclass(frozen=True)
class FirefoxLinks:
    """What a developer or a policy needs to point Firefox at the add-on."""
    guid: str
    update_url: str  # for browser_specific_settings.gecko.update_url
    install_url: str  # the latest install link, for ExtensionSettings' install_url
    key: str | None  # the link key both carry, when the add-on is not listed

    def as_json(self) -> dict:
        return {"guid": self.guid, "update_url": self.update_url, "install_url": self.install_url, "key": self.key}


def firefox_links(session: Session, secret_key: bytes, base: str, guid: str) -> FirefoxLinks:
    """The add-on's Firefox links on the store at `base`, keyed when they must be; for an add-on
    not in the store yet too, so that its first version can already name them."""
    addon = find_by_guid(session, guid)
    guid = addon.guid if addon is not None else guid
    key = current_link_key(session, secret_key, guid) if links_need_key(addon) else None
    return FirefoxLinks(guid, firefox_update_url(base, guid, key), latest_xpi_url(base, guid, key), key)


def rotate_links(session: Session, secret_key: bytes, guid: str) -> None:
    """Revokes the add-on's keyed links (by its id as stored, when it is in the store)."""
    addon = find_by_guid(session, guid)
    rotate_link_key(session, secret_key, addon.guid if addon is not None else guid)


def _release_file(version: Version) -> File | None:
    """A version's file Firefox can install: an XPI (not an Edge product's CRX), public (signed,
    approved) and held by the store."""
    return next((f for f in version.files if f.status in PUBLIC_FILE_STATUSES and f.storage_key
                 and (f.filename or "").endswith(".xpi")), None)


def _manifest_release(version: Version, file: File) -> Release:
    bounds = next((row for app in _MANIFEST_APPLICATIONS for row in version.compatibility
                   if row.application == app), None)
    return Release(
        version_id=version.id, version=version.version, file_id=file.id, filename=file.filename,
        hash=file.hash, strict_min_version=bounds.min if bounds else None,
        # "*" bounds nothing; any other maximum is the developer's (or reviewer's) strict limit.
        strict_max_version=bounds.max if bounds and bounds.max != "*" else None,
        has_release_notes=any(version.release_notes.values()), needs_key=not is_public_file(file),
    )


def manifest_releases(addon: Addon) -> list[Release]:
    """Every installable version of the add-on's updates channel, newest first; Firefox picks
    the newest one compatible with itself."""
    channel = updates_channel(addon)
    releases = []
    for version in sorted(addon.versions, key=lambda v: v.id, reverse=True):
        file = _release_file(version) if version.channel == channel and not version.is_deleted else None
        if file is not None:
            releases.append(_manifest_release(version, file))
    return releases


def key_opens_file(session: Session, secret_key: bytes, file: File, key: str | None) -> bool:
    """Whether a link key lets an anonymous browser download this file: an installable file of a
    live version of a distributable add-on whose key it is. Files still in review or rejected
    stay for their developers' credentials only."""
    version = file.version
    return (bool(key) and _release_file(version) is file and not version.is_deleted
            and is_distributable(version.addon) and is_valid_link_key(session, secret_key, version.addon.guid, key))


def release_notes(session: Session, secret_key: bytes, guid: str, version_string: str,
                  key: str | None) -> Version | None:
    """A released version whose notes the caller may read: one its update answers would offer."""
    addon = find_by_guid(session, guid)
    if addon is None or not may_update(session, secret_key, addon, key):
        return None
    offered = {release.version_id for release in manifest_releases(addon)}
    return next((v for v in addon.versions if v.version == version_string and v.id in offered), None)


# VersionCheck -------------------------------------------------------------------------------

def versioncheck_addon(connection: Connection, guid: str) -> tuple[int, str] | None:
    """The id and stored guid of the listed add-on VersionCheck may answer for; None for unknown,
    deleted and disabled ones (and every add-on that is not listed), which AMO answers with an
    empty object. The read model's is_listed already says all that in one indexed row."""
    if not guid or len(guid) > MAX_GUID_LENGTH:
        return None
    row = connection.execute(_VERSIONCHECK_ADDON, {"guid": guid.lower()}).first()
    return (row.id, row.guid) if row is not None and row.listed else None


# Update checks are most of a store's requests: their statements are built once, with bound
# parameters, so that each check reuses SQLAlchemy's compiled form. The listed flag is a subquery by
# primary key, not a join: with is_listed in the WHERE clause, SQLite (without statistics) would
# scan the listed add-ons' index instead of seeking the guid.
_VERSIONCHECK_ADDON = select(
    Addon.id, Addon.guid,
    select(AddonDocument.is_listed).where(AddonDocument.addon_id == Addon.id).scalar_subquery().label("listed"),
).where(func.lower(Addon.guid) == bindparam("guid"))


def _overridden(ranges: list[dict], app_guid: str, version: str, app_version_int: int) -> bool:
    """Whether a compat override marks this add-on version incompatible with this application
    version ("0" and "*" bounds, as AMO's, are the lowest and highest of all)."""
    version_number = version_int(version)
    for version_range in ranges:
        if not (version_int(version_range.get("addon_min_version", "0")) <= version_number
                <= version_int(version_range.get("addon_max_version", "*"))):
            continue
        for application in version_range.get("applications", []):
            if application.get("guid") == app_guid and (
                    version_int(application.get("min_version", "0")) <= app_version_int
                    <= version_int(application.get("max_version", "*"))):
                return True
    return False


def best_listed_release(connection: Connection, addon_id: int, guid: str, app_guid: str, app_version: str,
                        compat_mode: str) -> Release | None:
    """The newest public listed version compatible with the application version, by AMO's rules
    (see the module's docstring); None when there is none. `guid` is the add-on's, as stored."""
    asked = version_int(app_version)
    # Any mode but strict and normal ignores the maximum (so a hostile value makes no statement).
    mode = compat_mode if compat_mode in (STRICT, NORMAL) else IGNORE
    overrides = connection.execute(
        select(CompatOverride.version_ranges).where(CompatOverride.addon_guid == guid)
    ).scalar() if mode == NORMAL else None
    rows = connection.execute(_compatible_versions(mode),
                              {"addon_id": addon_id, "app": APPLICATIONS_BY_GUID[app_guid], "asked": asked})
    for row in rows:
        if overrides and _overridden(overrides, app_guid, row.version, asked):
            continue
        return Release(
            version_id=row.id, version=row.version, file_id=row.file_id, filename=row.filename, hash=row.hash,
            strict_min_version=row.min,
            # AMO states the maximum only for versions that hold browsers to it.
            strict_max_version=row.max if row.is_strict_compatibility_enabled else None,
            has_release_notes=any((row.release_notes or {}).values()), needs_key=False,
        )
    return None


@lru_cache(maxsize=3)
def _compatible_versions(compat_mode: str):
    """Public listed versions whose bounds admit the asked application version, newest first: the
    maximum counts in strict mode, in normal mode only for versions with strict compatibility,
    never otherwise. One statement per mode, built once, its statuses compared one by one (an IN
    list of constants is rewritten at every execution; see _VERSIONCHECK_ADDON)."""
    query = (
        select(Version.id, Version.version, Version.is_strict_compatibility_enabled, Version.release_notes,
               VersionCompatibility.min, VersionCompatibility.max, File.id.label("file_id"), File.filename, File.hash)
        .join(VersionCompatibility, (VersionCompatibility.version_id == Version.id)
              & (VersionCompatibility.application == bindparam("app")))
        .join(File, File.version_id == Version.id)
        .where(Version.addon_id == bindparam("addon_id"), Version.channel == Channel.LISTED,
               Version.is_deleted.is_(False), or_(*(File.status == status for status in PUBLIC_FILE_STATUSES)),
               File.storage_key.is_not(None),
               File.filename.is_not(None), VersionCompatibility.min_int <= bindparam("asked"))
        .order_by(Version.id.desc(), File.id)
    )
    if compat_mode == STRICT:
        return query.where(VersionCompatibility.max_int >= bindparam("asked"))
    if compat_mode == NORMAL:
        return query.where(Version.is_strict_compatibility_enabled.is_(False)
                           | (VersionCompatibility.max_int >= bindparam("asked")))
    return query


def is_known_application(app_guid: str | None) -> bool:
    return app_guid in APPLICATIONS_BY_GUID

