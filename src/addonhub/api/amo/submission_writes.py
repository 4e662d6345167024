"""What the v5 submission API writes, in the caller's session: a version made from a validated
upload (and its add-on, the first time), an add-on's metadata, a version's edits. Checks that
AMO's serializers make come first and fail as FieldErrors; nothing here commits.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.api.amo.submission_access import NO_PERMISSION
from addonhub.api.amo.submission_input import AddonFields, VersionFields, field_problem, merged
from addonhub.api.responses import APIError, not_found
from addonhub.catalog.appversions import is_valid, version_int
from addonhub.catalog.constants import CATEGORIES
from addonhub.catalog.licenses import THEME_TYPES, fits_type, license_row
from addonhub.catalog.models import Addon, AddonCategory, AddonTag, License, Version, VersionCompatibility
from addonhub.submissions.models import SUBMISSION_API, Upload
from addonhub.submissions.service import (
    CONFLICT, DEFAULT_MIN_FIREFOX, FORBIDDEN, NOT_FOUND, Refused, check_guid, create_version, find_addon_by_guid,
    find_upload, generated_guid,
)

# AMO's defaults for Firefox for Android, by manifest version, when the manifest names none.
DEFAULT_MIN_ANDROID = {2: "48.0", 3: "120.0"}


def refusal_problem(refusal: Refused) -> Exception:
    """A shared-rule refusal in v5's shapes: permissions as `detail`, the rest on a field."""
    if refusal.reason == FORBIDDEN:
        return APIError(403, {"detail": NO_PERMISSION})
    if refusal.reason == NOT_FOUND:
        return not_found()
    return field_problem("version" if refusal.reason == CONFLICT else "upload", refusal.message)


def same_guid(one: str, other: str) -> bool:
    """Clients may send a {uuid} id without its braces."""
    strip = lambda guid: guid.lower().removeprefix("{").removesuffix("}")  # noqa: E731
    return strip(one) == strip(other)


# Uploads and new versions -----------------------------------------------------------------------

def submittable_upload(session: Session, user: User, upload_uuid: str) -> Upload:
    upload = find_upload(session, upload_uuid)
    if upload is None:
        raise field_problem("upload", f"Object with uuid={upload_uuid} does not exist.")
    # Someone else's upload, one still being validated and an invalid one are all "not valid"
    # on AMO; only v5 uploads wait for a client to make them a version.
    if upload.user_id != user.id or upload.purpose != SUBMISSION_API or not upload.valid:
        raise field_problem("upload", "Upload is not valid.")
    if upload.version_id is not None:
        raise field_problem("upload", "This upload has already been submitted.")
    return upload


def guid_for_new_addon(session: Session, upload: Upload, url_guid: str | None) -> str:
    """The id of the add-on a first upload creates: the manifest's, or one generated when the
    manifest has none (POST only: a PUT names the id, which the manifest must carry)."""
    if url_guid is not None:
        if upload.guid is None:
            raise field_problem("upload", "Please specify your Add-on ID in the manifest to submit it to this URL.")
        if not same_guid(upload.guid, url_guid):
            raise field_problem("upload", f"The add-on ID in your manifest.json ({upload.guid}) does not match "
                                          f"the ID in the URL ({url_guid})")
    guid = upload.guid or generated_guid()
    try:
        check_guid(guid)
    except Refused as refusal:
        raise refusal_problem(refusal) from None
    if find_addon_by_guid(session, guid) is not None:
        raise field_problem("upload", "Duplicate add-on ID found.")
    upload.guid = guid
    return guid


def add_version(session: Session, user: User, upload: Upload, addon: Addon | None, fields: VersionFields) -> Version:
    """A version from the upload, in the upload's channel; `addon` None makes a new add-on with
    the upload's guid (see guid_for_new_addon)."""
    if addon is not None:
        if upload.guid is not None and not same_guid(upload.guid, addon.guid):
            raise field_problem("upload", f"The add-on ID in your manifest.json ({upload.guid}) does not match "
                                          f"the ID of your add-on on AMO ({addon.guid})")
        if session.scalar(select(Version.id).where(Version.addon_id == addon.id, Version.version == upload.version)):
            raise field_problem("version", f"Version {upload.version} already exists.")
        upload.guid, upload.addon_id = addon.guid, addon.id
    try:
        version = create_version(session, upload, user, upload.channel,
                                 release_notes=merged({}, fields.release_notes or {}),
                                 approval_notes=fields.approval_notes)
    except Refused as refusal:
        raise refusal_problem(refusal) from None
    license = new_license(fields, version.addon)
    version.license = license if license is not None else _previous_license(session, version)
    if fields.compatibility is not None:
        set_compatibility(version, fields.compatibility, _manifest_metadata(upload))
    if fields.source is not None:
        version.source_key = fields.source.blob.key
    return version


def _previous_license(session: Session, version: Version) -> License | None:
    """AMO carries the license of the add-on's previous version over when none is given."""
    return session.scalar(
        select(License).join(Version, Version.license_id == License.id)
        .where(Version.addon_id == version.addon_id, Version.id != version.id).order_by(Version.id.desc()).limit(1)
    )


def _manifest_metadata(upload: Upload | None) -> dict:
    return ((upload.validation or {}).get("metadata") or {}) if upload is not None else {}


# Version fields ---------------------------------------------------------------------------------

def new_license(fields: VersionFields, addon: Addon) -> License | None:
    if fields.license is not None:
        if not fits_type(fields.license, addon.type):
            raise field_problem("license", "Wrong add-on type for this license.")
        return license_row(fields.license)
    if fields.custom_license is not None:
        if addon.type in THEME_TYPES:
            raise field_problem("custom_license", "Custom licenses are not supported for themes.")
        return License(name=merged({}, fields.custom_license["name"]), text=merged({}, fields.custom_license["text"]))
    return None


def set_compatibility(version: Version, wanted: dict[str, dict[str, str]], metadata: dict) -> None:
    """The applications the version supports become exactly those wanted; bounds not given keep
    their current value, else come from the manifest, else AMO's defaults. Rows are changed in
    place, as the table's key is (version, application)."""
    existing = {row.application: row for row in version.compatibility}
    for row in list(version.compatibility):
        if row.application not in wanted:
            version.compatibility.remove(row)
    for app, bounds in wanted.items():
        row = existing.get(app)
        minimum = bounds.get("min") or (row.min if row else _default_min(app, metadata))
        maximum = bounds.get("max") or (row.max if row else _manifest_bound(metadata, "strict_max_version") or "*")
        if row is None:
            row = VersionCompatibility(application=app)
            version.compatibility.append(row)
        row.min, row.max, row.min_int, row.max_int = minimum, maximum, version_int(minimum), version_int(maximum)


def _manifest_bound(metadata: dict, key: str) -> str | None:
    value = metadata.get(key)
    return value if isinstance(value, str) and is_valid(value) else None


def _default_min(app: str, metadata: dict) -> str:
    defaults = DEFAULT_MIN_FIREFOX if app == "firefox" else DEFAULT_MIN_ANDROID
    manifest_minimum = _manifest_bound(metadata, "strict_min_version") if app == "firefox" else None
    return manifest_minimum or defaults.get(metadata.get("manifest_version"), defaults[2])


def edit_version(version: Version, fields: VersionFields, upload: Upload | None) -> None:
    """A PATCH's JSON fields (the source is swapped by the caller, who owns the blobs)."""
    if "release_notes" in fields.given:
        version.release_notes = merged(version.release_notes, fields.release_notes) if fields.release_notes else {}
    if "approval_notes" in fields.given:
        version.approval_notes = fields.approval_notes
    license = new_license(fields, version.addon)
    if license is not None:
        version.license = license
    if fields.compatibility is not None:
        set_compatibility(version, fields.compatibility, _manifest_metadata(upload))


# Add-on metadata --------------------------------------------------------------------------------

def edit_addon(session: Session, addon: Addon, fields: AddonFields) -> None:
    if fields.default_locale is not None:
        addon.default_locale = fields.default_locale
    for name, changes in fields.translated.items():
        setattr(addon, name, merged(getattr(addon, name), changes) if changes else {})
    if not addon.name:
        raise field_problem("name", "This field may not be blank.")  # every add-on is known by a name
    if fields.categories is not None:
        allowed = CATEGORIES.get(addon.type, ())
        if any(slug not in allowed for slugs in fields.categories.values() for slug in slugs):
            raise field_problem("categories", "Invalid category name.")
        wanted = {(app, slug) for app, slugs in fields.categories.items() for slug in slugs}
        _sync(addon.categories, wanted, lambda row: (row.application, row.slug),
              lambda key: AddonCategory(application=key[0], slug=key[1]))
    if fields.tags is not None:
        _sync(addon.tags, set(fields.tags), lambda row: row.tag, lambda tag: AddonTag(tag=tag))
    for name, value in (fields.flags or {}).items():
        setattr(addon, name, value)
    if fields.slug is not None and fields.slug != addon.slug:
        if session.scalar(select(Addon.id).where(Addon.slug == fields.slug)) is not None:
            raise field_problem("slug", "This slug is already in use. Please choose another.")
        addon.slug = fields.slug


def _sync(rows: list, wanted: set, key_of, make) -> None:
    """Makes a collection hold exactly the wanted keys, keeping the rows that stay: deleting and
    re-inserting a row with the same primary key in one flush would collide."""
    for row in list(rows):
        if key_of(row) not in wanted:
            rows.remove(row)
    present = {key_of(row) for row in rows}
    rows.extend(make(key) for key in sorted(wanted - present))

