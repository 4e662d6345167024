"""Accepting uploads and making versions from them: the rules every publishing dialect shares.

Refusals are `Refused(reason, message)`; each dialect turns the reason into its own status code
and error shape. Nothing here commits: the caller's transaction holds the upload, the version and
the jobs that follow, so a refused or failed request leaves the store as it was.
"""

import re
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.blobs import StoredBlob
from addonhub.catalog.appversions import is_valid, version_int
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, AddonUser, File, Version, VersionCompatibility
from addonhub.catalog.service import is_author
from addonhub.jobs import enqueue
from addonhub.packages.identity import PackageIdentity
from addonhub.packages.validation import ADDON_ID
from addonhub.submissions.models import EDGE, SIGNING_API, Upload

# Refusal reasons; the dialects map them to status codes.
INVALID, FORBIDDEN, NOT_FOUND, CONFLICT = "invalid", "forbidden", "not-found", "conflict"
VALIDATE_JOB, SIGN_JOB = "validate-upload", "sign-version"
# Minimum Firefox versions when the manifest names none: the first to support MV2 and MV3.
DEFAULT_MIN_FIREFOX = {2: "48.0", 3: "109.0"}
MAX_GUID_WITHOUT_MANIFEST_ID = 64
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


class Refused(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


@dataclass(frozen=True)
class Submitter:
    user: User
    ip: str | None


def find_addon_by_guid(session: Session, guid: str) -> Addon | None:
    return session.scalar(select(Addon).where(func.lower(Addon.guid) == guid.lower()))


def owned_addon(session: Session, guid: str, user: User) -> Addon | None:
    """The add-on with this id, if any; refused when someone else owns it, or when it takes no
    new versions."""
    addon = find_addon_by_guid(session, guid)
    if addon is not None:
        if not is_author(addon, user):
            raise Refused(FORBIDDEN, "You do not own this addon.")
        check_open_for_versions(addon)
    return addon


def check_open_for_versions(addon: Addon) -> None:
    # A deleted add-on's id is never used again, as on AMO.
    if addon.is_deleted:
        raise Refused(INVALID, "Duplicate add-on ID found.")
    if addon.is_disabled_by_mozilla:
        raise Refused(INVALID, "You cannot add versions to an addon that has status: Disabled by Mozilla.")


def check_same_guid(manifest_guid: str | None, addon: Addon) -> None:
    """Firefox knows an add-on by its manifest's id, exactly: one differing even in case is another add-on."""
    if manifest_guid is not None and manifest_guid != addon.guid:
        raise Refused(INVALID, f"The add-on ID in your manifest.json ({manifest_guid}) does not match the ID of "
                               f"your add-on on AMO ({addon.guid})")


def check_guid(guid: str) -> None:
    if not ADDON_ID.match(guid) or len(guid) > 255:
        raise Refused(INVALID, "Invalid Add-on ID in URL or package")


def latest_version_string(session: Session, addon: Addon) -> str | None:
    return session.scalar(select(Version.version).where(Version.addon_id == addon.id).order_by(Version.id.desc()).limit(1))


def check_version_is_new(session: Session, guid: str, version: str, addon: Addon | None) -> None:
    """Version strings are never reused within an add-on: not across channels, not after deletion,
    and not while an upload of that version is still being processed or awaits its version."""
    taken = addon is not None and session.scalar(
        select(Version.id).where(Version.addon_id == addon.id, Version.version == version)) is not None
    pending = session.scalar(select(Upload.id).where(
        func.lower(Upload.guid) == guid.lower(), Upload.version == version, Upload.purpose == SIGNING_API,
        Upload.version_id.is_(None), (Upload.processed.is_(False)) | (Upload.valid.is_(True))).limit(1))
    if taken or pending is not None:
        latest = latest_version_string(session, addon) if addon is not None else None
        raise Refused(CONFLICT, f"Version already exists. Latest version is: {latest or version}.")


def default_channel(session: Session, addon: Addon | None) -> str:
    """New add-ons start unlisted; later versions follow the channel of the latest one."""
    if addon is None:
        return "unlisted"
    latest = session.scalar(select(Version.channel).where(Version.addon_id == addon.id).order_by(Version.id.desc()).limit(1))
    return latest or "unlisted"


def record_upload(session: Session, submitter: Submitter, blob: StoredBlob, filename: str, *, purpose: str,
                  channel: str, identity: PackageIdentity | None, guid: str | None = None,
                  addon: Addon | None = None, target: str = "firefox") -> Upload:
    """Records an upload and queues its validation, in the caller's transaction."""
    upload = Upload(
        uuid=blob.key.rsplit("/", 1)[-1], user_id=submitter.user.id, ip=submitter.ip, purpose=purpose,
        target=target, channel=channel, guid=guid or (identity.guid if identity else None),
        addon_id=addon.id if addon else None, version=identity.version if identity else None,
        filename=filename, blob_key=blob.key, size=blob.size, sha256=blob.sha256,
        processed=False, valid=False,
    )
    session.add(upload)
    session.flush()
    enqueue(session, VALIDATE_JOB, {"upload_id": upload.id})
    return upload


def new_upload_key() -> str:
    return f"uploads/{uuid.uuid4().hex}"


def generated_guid() -> str:
    return "{" + str(uuid.uuid4()) + "}"


# Versions ---------------------------------------------------------------------------------------

def create_version(session: Session, upload: Upload, user: User, channel: str, *,
                   release_notes: dict | None = None, approval_notes: str | None = None) -> Version:
    """Makes a version (and the add-on, the first time) from a validated upload. Unlisted
    versions are queued for signing at once; listed ones wait for a reviewer."""
    if not upload.processed:
        raise Refused(INVALID, "Upload not processed yet.")
    if not upload.valid:
        raise Refused(INVALID, "Upload did not pass validation.")
    if upload.version_id is not None:
        raise Refused(CONFLICT, "This upload has already been submitted.")
    metadata = (upload.validation or {}).get("metadata", {})
    addon = session.get(Addon, upload.addon_id) if upload.addon_id else owned_addon(session, upload.guid, user)
    if addon is None:
        addon = _create_addon(session, upload, user, metadata)
    elif not is_author(addon, user):
        raise Refused(FORBIDDEN, "You do not own this addon.")
    check_open_for_versions(addon)
    if upload.target == "firefox":
        check_same_guid(metadata.get("id"), addon)
    if session.scalar(select(Version.id).where(Version.addon_id == addon.id, Version.version == upload.version)):
        raise Refused(CONFLICT, f"Version {upload.version} already exists.")
    version = Version(
        addon=addon, version=upload.version, channel=channel, release_notes=release_notes or {},
        approval_notes=approval_notes,
        files=[File(
            filename=_filename(addon, upload), storage_key=upload.blob_key, hash=f"sha256:{upload.sha256}",
            size=upload.size, status="unreviewed", is_signed=False,
            permissions=[p for p in metadata.get("permissions", []) if isinstance(p, str)],
        )],
        compatibility=_compatibility(upload, metadata),
    )
    session.add(version)
    session.flush()
    upload.version_id, upload.addon_id = version.id, addon.id
    if channel == "unlisted":
        enqueue(session, SIGN_JOB, {"version_id": version.id})
    elif addon.status not in ("public", "disabled"):
        addon.status = "nominated"
    reindex(session, addon)
    return version


def _create_addon(session: Session, upload: Upload, user: User, metadata: dict) -> Addon:
    name = metadata.get("name") or upload.guid
    addon = Addon(guid=upload.guid, slug=_free_slug(session, name), type=_addon_type(metadata),
                  status="incomplete", name={"en-US": name})
    addon.authors.append(AddonUser(user_id=user.id, position=0, listed=True))
    session.add(addon)
    session.flush()
    return addon


def _addon_type(metadata: dict) -> str:
    return {"statictheme": "persona", "theme": "persona", "dictionary": "dictionary",
            "langpack": "language", "locale": "language"}.get(metadata.get("type"), "extension")


def _free_slug(session: Session, name: str) -> str:
    base = _SLUG_UNSAFE.sub("-", name.lower()).strip("-")[:40] or "addon"
    if base.isdigit():
        base = f"addon-{base}"
    slug = base
    while session.scalar(select(Addon.id).where(Addon.slug == slug)) is not None:
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _filename(addon: Addon, upload: Upload) -> str:
    extension = "xpi" if upload.target == "firefox" else "zip"
    return f"{addon.slug}-{upload.version}.{extension}"


def _compatibility(upload: Upload, metadata: dict) -> list[VersionCompatibility]:
    if upload.target != "firefox" or upload.purpose == EDGE:
        return []
    minimum = metadata.get("strict_min_version")
    if not isinstance(minimum, str) or not is_valid(minimum):
        minimum = DEFAULT_MIN_FIREFOX.get(metadata.get("manifest_version"), "48.0")
    maximum = metadata.get("strict_max_version")
    if not isinstance(maximum, str) or not is_valid(maximum):
        maximum = "*"
    return [VersionCompatibility(application="firefox", min=minimum, max=maximum,
                                 min_int=version_int(minimum), max_int=version_int(maximum))]


def find_upload(session: Session, upload_uuid: str) -> Upload | None:
    try:
        key = uuid.UUID(upload_uuid).hex
    except ValueError:
        return None
    return session.scalar(select(Upload).where(Upload.uuid == key))


def upload_for_version(session: Session, version: Version) -> Upload | None:
    return session.scalar(select(Upload).where(Upload.version_id == version.id))
