"""The objects of AMO's v5 submission API: uploads, versions (one `file`, with a status clients
wait on) and add-ons. Built on the catalogue's stored form and rendered per request, so every
link comes out absolute."""

from sqlalchemy.orm import Session

from addonhub.catalog.constants import FileStatus
from addonhub.catalog.licenses import builtin_slug
from addonhub.catalog.models import Addon, File, Version
from addonhub.catalog.serializers import addon_object, promoted_groups, version_object
from addonhub.catalog.serializers import file_object as catalog_file_object
from addonhub.catalog.service import latest_unlisted_version
from addonhub.submissions.models import Upload

API = "/api/v5"
# v5 knows three file statuses: what clients poll for is "public".
V5_FILE_STATUSES = {FileStatus.PUBLIC: "public", FileStatus.LITE: "public", FileStatus.DISABLED: "disabled",
                    FileStatus.DELETED: "disabled"}
_V5_FILE_FIELDS = ("id", "created", "hash", "is_mozilla_signed_extension", "optional_permissions", "permissions",
                   "size", "url")


def upload_url(base_url: str, upload: Upload) -> str:
    return f"{base_url}{API}/addons/upload/{upload.uuid}/"


def upload_object(base_url: str, upload: Upload) -> dict:
    return {
        "uuid": upload.uuid,
        "channel": upload.channel,
        "processed": upload.processed,
        "submitted": upload.version_id is not None,
        "url": upload_url(base_url, upload),
        "valid": upload.valid,
        "validation": upload.validation,
        "version": upload.version,
    }


def source_url(base_url: str, version: Version) -> str | None:
    if not version.source_key:
        return None
    return f"{base_url}{API}/addons/addon/{version.addon_id}/versions/{version.id}/source/"


def file_object(file: File) -> dict:
    """The catalogue's file object as v5 shapes it. Stored form: `url` is a path, made absolute
    by rendering."""
    body = {key: value for key, value in catalog_file_object(file).items() if key in _V5_FILE_FIELDS}
    body["host_permissions"] = list(file.host_permissions or [])
    body["status"] = V5_FILE_STATUSES.get(file.status, "unreviewed")
    return body


def version_object_v5(version: Version, base_url: str, privileged: bool = False) -> dict:
    """A version; `privileged` (its authors and reviewers) adds what only they may read: the
    notes for and from reviewers, and the source."""
    body = version_object(version)
    body.pop("files")
    body["file"] = file_object(version.files[0]) if version.files else None
    if body["license"] is not None:
        slug = builtin_slug(version.license, version.addon.type)
        body["license"].update(is_custom=slug is None, slug=slug)
    if privileged:
        body["approval_notes"] = version.approval_notes
        body["reviewer_notes"] = version.reviewer_notes
        body["source"] = source_url(base_url, version)
    return body


def addon_object_v5(session: Session, addon: Addon, base_url: str, privileged: bool,
                    version: Version | None = None) -> dict:
    """An add-on; `version` is the one a create or update request just submitted."""
    body = addon_object(addon)
    body["promoted"] = promoted_groups(addon)
    current = addon.current_version
    if current is not None:
        body["current_version"] = version_object_v5(current, base_url)
        if body["current_version"]["license"]:
            del body["current_version"]["license"]["text"]
    if privileged:
        unlisted = latest_unlisted_version(session, addon)
        body["latest_unlisted_version"] = version_object_v5(unlisted, base_url) if unlisted else None
    if version is not None:
        body["version"] = version_object_v5(version, base_url, privileged=True)
    return body

