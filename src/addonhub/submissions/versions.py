"""Making versions from validated uploads: the rules every publishing dialect shares.

Which add-on a package belongs to and under which id, who may add versions to it, which version
strings are free, and what a new version carries (compatibility, license, notes). Refusals are
`Refused`; nothing here commits: the caller's transaction holds the version and the jobs that
follow, so a refused or failed request leaves the store as it was.
"""

import re
import secrets
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.catalog.compatibility import set_compatibility
from addonhub.catalog.constants import AddonStatus, Channel, FileStatus
from addonhub.catalog.edits import VersionChanges, merged, new_license
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, AddonUser, File, License, Version
from addonhub.catalog.service import is_author
from addonhub.identifiers import can_name_a_record
from addonhub.jobs import enqueue
from addonhub.packages.validation import ADDON_ID
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, Refused
from addonhub.submissions.models import AUTO_VERSION, Upload

SIGN_JOB = "sign-version"
# AMO lets a URL's id stand in for a manifest without one only up to this length.
MAX_GUID_WITHOUT_MANIFEST_ID = 64
NOT_YOURS = "You do not own this addon."
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


# Ids --------------------------------------------------------------------------------------------

def find_addon_by_guid(session: Session, guid: str) -> Addon | None:
    """Ids are looked up case-insensitively, as AMO's are."""
    if not can_name_a_record(guid):
        return None
    return session.scalar(select(Addon).where(func.lower(Addon.guid) == guid.lower()))


def generated_guid() -> str:
    return "{" + str(uuid.uuid4()) + "}"


def names_same_addon(url_guid: str, guid: str) -> bool:
    """Whether an id in a URL names this id: URLs are lookups, so case does not matter, and
    clients may send a {uuid} id without its braces."""
    strip = lambda value: value.lower().removeprefix("{").removesuffix("}")  # noqa: E731
    return strip(url_guid) == strip(guid)


def with_braces(session: Session, url_guid: str, manifest_guid: str | None) -> str:
    """The id a URL names: some clients strip the braces from a {uuid} id, so they are put back
    when that is what the manifest or an existing add-on has."""
    if url_guid.startswith("{"):
        return url_guid
    braced = "{" + url_guid + "}"
    if (manifest_guid or "").lower() == braced.lower() or find_addon_by_guid(session, braced) is not None:
        return braced
    return url_guid


def check_guid(guid: str) -> None:
    if not ADDON_ID.match(guid) or len(guid) > 255:
        raise Refused(INVALID, "Invalid Add-on ID in URL or package", field="upload")


def check_manifest_id(manifest_guid: str | None, addon: Addon) -> None:
    """Firefox knows an add-on by its manifest's id, exactly: one differing even in case is another
    add-on. A manifest without an id takes the add-on's."""
    if manifest_guid is not None and manifest_guid != addon.guid:
        raise Refused(INVALID, f"The add-on ID in your manifest.json ({manifest_guid}) does not match the ID of "
                               f"your add-on on AMO ({addon.guid})", field="upload")


def guid_for_new_addon(session: Session, manifest_guid: str | None, url_guid: str | None, *,
                       url_may_stand_in: bool) -> str:
    """The id of the add-on a first upload creates: the manifest's, else the URL's where the API
    lets it stand in (the signing API, up to 64 characters), else a generated one when no URL
    names one. Refused when another add-on, even a deleted one, has it."""
    guid = manifest_guid
    if url_guid is not None:
        url_guid = with_braces(session, url_guid, manifest_guid)
        if manifest_guid is None:
            if not url_may_stand_in:
                raise Refused(INVALID, "Please specify your Add-on ID in the manifest to submit it to this URL.",
                              field="upload")
            if len(url_guid) > MAX_GUID_WITHOUT_MANIFEST_ID:
                raise Refused(INVALID, "Please specify your Add-on ID in the manifest if it's longer than "
                                       f"{MAX_GUID_WITHOUT_MANIFEST_ID} characters.", field="upload")
            guid = url_guid
        elif not names_same_addon(url_guid, manifest_guid):
            raise Refused(INVALID, f"The add-on ID in your manifest.json ({manifest_guid}) does not match the ID "
                                   f"in the URL ({url_guid})", field="upload")
    guid = guid or generated_guid()
    check_guid(guid)
    if find_addon_by_guid(session, guid) is not None:
        raise Refused(INVALID, "Duplicate add-on ID found.", field="upload")
    return guid


# Add-ons open to new versions -------------------------------------------------------------------

def check_open_for_versions(addon: Addon, user: User) -> None:
    """Only its authors add versions, and not to an add-on the store closed."""
    if not is_author(addon, user):
        raise Refused(FORBIDDEN, NOT_YOURS)
    # A deleted add-on's id is never used again, as on AMO.
    if addon.is_deleted:
        raise Refused(INVALID, "Duplicate add-on ID found.", field="upload")
    if addon.is_disabled_by_mozilla:
        raise Refused(INVALID, "You cannot add versions to an addon that has status: Disabled by Mozilla.",
                      field="upload")


def latest_version_string(session: Session, addon: Addon) -> str | None:
    return session.scalar(select(Version.version).where(Version.addon_id == addon.id)
                          .order_by(Version.id.desc()).limit(1))


def check_version_is_new(session: Session, addon: Addon | None, version: str, guid: str | None = None) -> None:
    """Version strings are never reused within an add-on: not across channels, not after
    deletion, and not while an upload that will become that version is still in flight."""
    taken = addon is not None and session.scalar(
        select(Version.id).where(Version.addon_id == addon.id, Version.version == version)) is not None
    pending = guid is not None and session.scalar(select(Upload.id).where(
        func.lower(Upload.guid) == guid.lower(), Upload.version == version, Upload.purpose == AUTO_VERSION,
        Upload.version_id.is_(None), (Upload.processed.is_(False)) | (Upload.valid.is_(True))).limit(1)) is not None
    if taken or pending:
        raise VersionExists(version, latest_version_string(session, addon) if addon is not None else None)


class VersionExists(Refused):
    """AMO words this refusal differently in each API, so it carries what each wording needs."""

    def __init__(self, version: str, latest: str | None):
        super().__init__(CONFLICT, f"Version {version} already exists.", field="version")
        self.version, self.latest = version, latest or version


def checked_channel(asked: str | None) -> str | None:
    """The channel a request asks for, if it asks for one."""
    if asked and asked not in (Channel.LISTED, Channel.UNLISTED):
        raise Refused(INVALID, f'"{asked}" is not a valid choice.', field="channel")
    return asked or None


def default_channel(session: Session, addon: Addon | None, asked: str | None) -> str:
    """New add-ons start unlisted, whatever was asked (as on AMO); later versions go where asked,
    else follow the channel of the latest one."""
    if addon is None:
        return Channel.UNLISTED
    if checked_channel(asked) is None:
        latest = session.scalar(select(Version.channel).where(Version.addon_id == addon.id)
                                .order_by(Version.id.desc()).limit(1))
        return latest or Channel.UNLISTED
    return asked


# Versions ---------------------------------------------------------------------------------------

def create_version(session: Session, upload: Upload, user: User, channel: str,
                   changes: VersionChanges | None = None, addon: Addon | None = None) -> Version:
    """Makes a version (and the add-on, the first time) from a validated upload: of `addon` when
    the request named one, else of the add-on the upload was sent for or has the id of. Unlisted
    versions are queued for signing at once; listed ones wait for a reviewer."""
    changes = changes or VersionChanges()
    if not upload.processed:
        raise Refused(INVALID, "Upload not processed yet.", field="upload")
    if not upload.valid:
        raise Refused(INVALID, "Upload did not pass validation.", field="upload")
    if upload.version_id is not None:
        raise Refused(CONFLICT, "This upload has already been submitted.", field="upload")
    manifest = upload_manifest(upload)
    if addon is None:
        addon = session.get(Addon, upload.addon_id) if upload.addon_id else find_addon_by_guid(session, upload.guid)
    if addon is None:
        addon = _create_addon(session, upload, user, manifest)
        activity.record(session, activity.ADDON_CREATED, user, addon=addon)
    else:
        check_open_for_versions(addon, user)
        if upload.target == "firefox":
            check_manifest_id(manifest.get("id"), addon)
        check_version_is_new(session, addon, upload.version)
    version = Version(
        addon=addon, version=upload.version, channel=channel,
        release_notes=merged({}, changes.release_notes or {}), approval_notes=changes.approval_notes,
        source_key=changes.source.key if changes.source is not None else None,
        files=[File(
            filename=package_filename(addon, upload.version, upload.target), storage_key=upload.blob_key,
            hash=f"sha256:{upload.sha256}",
            size=upload.size, status=FileStatus.UNREVIEWED, is_signed=False,
            # Validation kept the manifest's strings (reviewers compare them between versions).
            permissions=manifest.get("permissions", []), optional_permissions=manifest.get("optional_permissions", []),
            host_permissions=manifest.get("host_permissions", []),
        )],
    )
    session.add(version)
    session.flush()
    license = new_license(changes, addon)
    version.license = license if license is not None else _previous_license(session, version)
    if upload.target == "firefox":
        set_compatibility(version, changes.compatibility or {"firefox": {}}, manifest)
    upload.version_id, upload.addon_id, upload.guid = version.id, addon.id, addon.guid
    activity.attach_upload(session, upload.uuid, addon)
    activity.record(session, activity.VERSION_CREATED, user, version=version, upload_uuid=upload.uuid,
                    details={"channel": channel})
    if channel == Channel.UNLISTED:
        enqueue(session, SIGN_JOB, {"version_id": version.id})
    elif addon.status not in (AddonStatus.PUBLIC, AddonStatus.DISABLED):
        addon.status = AddonStatus.NOMINATED
    reindex(session, addon)
    return version


def upload_manifest(upload: Upload | None) -> dict:
    """What validation read from the upload's manifest (id, version, applications...)."""
    return ((upload.validation or {}).get("metadata") or {}) if upload is not None else {}


def _previous_license(session: Session, version: Version) -> License | None:
    """AMO carries the license of the add-on's previous version over when none is given."""
    return session.scalar(
        select(License).join(Version, Version.license_id == License.id)
        .where(Version.addon_id == version.addon_id, Version.id != version.id).order_by(Version.id.desc()).limit(1)
    )


def _create_addon(session: Session, upload: Upload, user: User, manifest: dict) -> Addon:
    name = manifest.get("name") or upload.guid
    addon = Addon(guid=upload.guid, slug=_free_slug(session, name), type=_addon_type(manifest),
                  status=AddonStatus.INCOMPLETE, name={"en-US": name})
    addon.authors.append(AddonUser(user_id=user.id, position=0, listed=True))
    session.add(addon)
    session.flush()
    return addon


def _addon_type(manifest: dict) -> str:
    return {"statictheme": "persona", "theme": "persona", "dictionary": "dictionary",
            "langpack": "language", "locale": "language"}.get(manifest.get("type"), "extension")


def _free_slug(session: Session, name: str) -> str:
    base = _SLUG_UNSAFE.sub("-", name.lower()).strip("-")[:40] or "addon"
    if base.isdigit():
        base = f"addon-{base}"
    slug = base
    while session.scalar(select(Addon.id).where(Addon.slug == slug)) is not None:
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def package_filename(addon: Addon, version: str, target: str = "firefox") -> str:
    """The name a version's file is stored and downloaded under: an XPI for Firefox, else the zip
    Chromium packages arrive as (signing makes it a .crx)."""
    extension = "xpi" if target == "firefox" else "zip"
    return f"{addon.slug}-{version}.{extension}"


def make_version_at_once(session: Session, upload: Upload) -> None:
    """What follows a valid signing-API upload: its version, in the channel it was sent for."""
    create_version(session, upload, session.get(User, upload.user_id), upload.channel)
