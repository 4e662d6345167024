"""Compat overrides, as AMO's admins keep them: for an add-on's guid (hosted here or not), ranges
of its versions that are incompatible with a range of an application's versions.

Stored as AMO's API shows them (one row per guid, its `version_ranges`, each with its
applications), so the AMO API's /addons/compat-override/ and the VersionCheck of
distribution.firefox (which rules overridden versions out in normal compatibility mode) read the
rows as they are: an admin's change is answered at the next request, nothing holds a copy.
Admins add and remove them in the reviewer console, the operator with `addonhub compat-overrides`.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.administration import require_admin
from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.catalog.appversions import is_valid
from addonhub.catalog.constants import APPLICATIONS
from addonhub.catalog.models import Addon, CompatOverride
from addonhub.catalog.service import find_addon, find_addon_by_any_id
from addonhub.identifiers import can_name_a_record
from addonhub.refusals import CONFLICT, INVALID, NOT_FOUND, Refused

MAX_GUID_LENGTH = 255
MAX_VERSION_LENGTH = 32


@dataclass(frozen=True)
class IncompatibleRange:
    """Versions addon_min..addon_max of the add-on do not work with application versions
    app_min..app_max ("0" and "*" are the lowest and highest of all, as on AMO)."""
    addon_min: str
    addon_max: str
    application: str
    app_min: str
    app_max: str

    def stored(self) -> dict:
        """The range in AMO's API shape, as the compat_overrides row keeps it."""
        app = APPLICATIONS[self.application]
        return {"addon_min_version": self.addon_min, "addon_max_version": self.addon_max,
                "applications": [{"name": app.pretty, "id": app.id, "guid": app.guid,
                                  "min_version": self.app_min, "max_version": self.app_max}]}


def compat_overrides(session: Session) -> list[CompatOverride]:
    return list(session.scalars(select(CompatOverride).order_by(CompatOverride.addon_guid)))


def _version(value: str | None, default: str, field: str) -> str:
    value = (value or "").strip() or default
    if len(value) > MAX_VERSION_LENGTH or not is_valid(value):
        raise Refused(INVALID, f'"{value[:MAX_VERSION_LENGTH]}" is not a version such as 1.2, 115.0 or 128.*.',
                      field=field)
    return value


def _checked(version_range: IncompatibleRange) -> IncompatibleRange:
    """The range with blank bounds made the widest ("0", "*"), each bound a version."""
    if version_range.application not in APPLICATIONS:
        raise Refused(INVALID, f"The application is one of {', '.join(APPLICATIONS)}.", field="application")
    return IncompatibleRange(
        _version(version_range.addon_min, "0", "addon_min"), _version(version_range.addon_max, "*", "addon_max"),
        version_range.application,
        _version(version_range.app_min, "0", "app_min"), _version(version_range.app_max, "*", "app_max"))


def _target(session: Session, identifier: str) -> tuple[str, str, Addon | None]:
    """The guid and name an override is for: a hosted add-on by any of its ids, or any guid (AMO
    keeps overrides for add-ons it does not host)."""
    identifier = (identifier or "").strip()
    addon = find_addon_by_any_id(session, identifier) if identifier else None
    if addon is not None:
        return addon.guid, addon.default_name, addon
    if (not identifier or len(identifier) > MAX_GUID_LENGTH or not can_name_a_record(identifier)
            or any(c.isspace() for c in identifier)
            or not ("@" in identifier or (identifier.startswith("{") and identifier.endswith("}")))):
        raise Refused(INVALID, "Name an add-on of this store (id, slug or guid) or an add-on id such as "
                               "name@example.org or {uuid}.", field="addon")
    return identifier, "", None


def add_range(session: Session, identifier: str, version_range: IncompatibleRange,
              by_user: User | None) -> CompatOverride:
    """Adds the range to the override of the add-on's guid, made when it has none."""
    require_admin(by_user, "change compat overrides")
    version_range = _checked(version_range)
    guid, name, addon = _target(session, identifier)
    row = session.scalar(select(CompatOverride).where(CompatOverride.addon_guid == guid))
    if row is None:
        row = CompatOverride(addon_guid=guid, name=name, version_ranges=[])
        session.add(row)
    stored = version_range.stored()
    if stored in row.version_ranges:
        raise Refused(CONFLICT, f"{guid} already has this range.")
    # A new list: the JSON column is saved when it is assigned, not when a list is changed in place.
    row.version_ranges = [*row.version_ranges, stored]
    activity.record(session, activity.COMPAT_OVERRIDE_ADDED, by_user, addon=addon, guid=guid, details=stored)
    session.flush()
    return row


def remove_range(session: Session, override_id: int | None, position: int | None, by_user: User | None) -> str:
    """Removes the override's range at this position (0 the first), the override with its last
    range; returns the guid."""
    require_admin(by_user, "change compat overrides")
    row = session.get(CompatOverride, override_id) if override_id is not None else None
    if row is None or position is None or not 0 <= position < len(row.version_ranges):
        raise Refused(NOT_FOUND, "This compat override range is not there any more.")
    removed = row.version_ranges[position]
    remaining = row.version_ranges[:position] + row.version_ranges[position + 1:]
    activity.record(session, activity.COMPAT_OVERRIDE_REMOVED, by_user, addon=find_addon(session, row.addon_guid),
                    guid=row.addon_guid, details=removed)
    if remaining:
        row.version_ranges = remaining
    else:
        session.delete(row)
    session.flush()
    return row.addon_guid
