"""Changes developers make to their add-ons and versions, with the rules AMO applies to them.

Dialects parse a request into `AddonChanges` or `VersionChanges` (checking each value's form);
the rules that need the catalogue (a category of the add-on's type, a free slug, a license that
fits the type, a name that stays) are here, raising `Refused` with the field at fault. Nothing
here commits or reindexes: the caller's transaction does.
"""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.blobs import StoredBlob
from addonhub.catalog.compatibility import set_compatibility
from addonhub.catalog.constants import CATEGORIES
from addonhub.catalog.licenses import THEME_TYPES, BuiltinLicense, fits_type, license_row
from addonhub.catalog.models import Addon, AddonCategory, AddonTag, License, Version
from addonhub.refusals import INVALID, Refused


@dataclass
class VersionChanges:
    """What a request sets on a version; `given` names the fields it set (null included)."""
    given: frozenset[str] = frozenset()
    license: BuiltinLicense | None = None
    custom_license: dict | None = None  # {"name": translations, "text": translations}
    compatibility: dict[str, dict[str, str]] | None = None  # {app: {"min"?, "max"?}}
    release_notes: dict | None = None
    approval_notes: str | None = None
    source: StoredBlob | None = None


@dataclass
class AddonChanges:
    """What a request sets on an add-on: translated fields as {locale: text or None to remove}."""
    translated: dict[str, dict] = field(default_factory=dict)
    categories: dict[str, list[str]] | None = None  # {app: [slug...]}
    tags: list[str] | None = None
    flags: dict[str, bool] | None = None  # is_experimental, requires_payment
    slug: str | None = None
    default_locale: str | None = None

    def changed_fields(self) -> list[str]:
        """The names of the fields the request sets, for the activity log."""
        scalars = {"categories": self.categories, "tags": self.tags, "slug": self.slug,
                   "default_locale": self.default_locale, **(self.flags or {})}
        return sorted([*self.translated, *(name for name, value in scalars.items() if value is not None)])


def merged(existing: dict[str, str] | None, changes: dict[str, str | None]) -> dict[str, str]:
    """A translated field after a change: locales given a blank or null text are removed."""
    result = dict(existing or {})
    for locale, text in changes.items():
        if text is None or not text.strip():
            result.pop(locale, None)
        else:
            result[locale] = text
    return result


def new_license(changes: VersionChanges, addon: Addon) -> License | None:
    """The license row a change asks for, if it asks for one."""
    if changes.license is not None:
        if not fits_type(changes.license, addon.type):
            raise Refused(INVALID, "Wrong add-on type for this license.", field="license")
        return license_row(changes.license)
    if changes.custom_license is not None:
        if addon.type in THEME_TYPES:
            raise Refused(INVALID, "Custom licenses are not supported for themes.", field="custom_license")
        return License(name=merged({}, changes.custom_license["name"]),
                       text=merged({}, changes.custom_license["text"]))
    return None


def edit_version(version: Version, changes: VersionChanges, manifest: dict) -> None:
    """Applies the changes, but for the source, whose blob the caller swaps once committed."""
    if "release_notes" in changes.given:
        version.release_notes = merged(version.release_notes, changes.release_notes) if changes.release_notes else {}
    if "approval_notes" in changes.given:
        version.approval_notes = changes.approval_notes
    license = new_license(changes, version.addon)
    if license is not None:
        version.license = license
    if changes.compatibility is not None:
        set_compatibility(version, changes.compatibility, manifest)


def edit_addon(session: Session, addon: Addon, changes: AddonChanges, editor: User) -> None:
    changed = changes.changed_fields()
    if changed:
        activity.record(session, activity.LISTING_EDITED, editor, addon=addon, details={"fields": changed})
    if changes.default_locale is not None:
        addon.default_locale = changes.default_locale
    for name, translations in changes.translated.items():
        setattr(addon, name, merged(getattr(addon, name), translations) if translations else {})
    if not addon.name:
        raise Refused(INVALID, "This field may not be blank.", field="name")  # every add-on is known by a name
    if changes.categories is not None:
        allowed = CATEGORIES.get(addon.type, ())
        if any(slug not in allowed for slugs in changes.categories.values() for slug in slugs):
            raise Refused(INVALID, "Invalid category name.", field="categories")
        wanted = {(app, slug) for app, slugs in changes.categories.items() for slug in slugs}
        _sync(addon.categories, wanted, lambda row: (row.application, row.slug),
              lambda key: AddonCategory(application=key[0], slug=key[1]))
    if changes.tags is not None:
        _sync(addon.tags, set(changes.tags), lambda row: row.tag, lambda tag: AddonTag(tag=tag))
    for name, value in (changes.flags or {}).items():
        setattr(addon, name, value)
    if changes.slug is not None and changes.slug != addon.slug:
        if session.scalar(select(Addon.id).where(Addon.slug == changes.slug)) is not None:
            raise Refused(INVALID, "This slug is already in use. Please choose another.", field="slug")
        addon.slug = changes.slug


def _sync(rows: list, wanted: set, key_of, make) -> None:
    """Makes a collection hold exactly the wanted keys, keeping the rows that stay: deleting and
    re-inserting a row with the same primary key in one flush would collide."""
    for row in list(rows):
        if key_of(row) not in wanted:
            rows.remove(row)
    present = {key_of(row) for row in rows}
    rows.extend(make(key) for key in sorted(wanted - present))
