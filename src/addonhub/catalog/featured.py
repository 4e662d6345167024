"""Featured placements: an add-on featured for one application, in one language or in all, as
admins choose them in the reviewer console (and `addonhub featured`), beside what imports bring.

The catalogue's `featured` filter and the home page's featured shelf read the placements through
the listing snapshot of the catalogue's revision, so every change goes through reindex(), which
raises the revision (and rewrites the add-on's document, whose is_featured follows its placements).
"""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.administration import require_admin
from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.catalog.constants import APPLICATIONS
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, FeaturedPlacement
from addonhub.catalog.service import find_addon_by_any_id
from addonhub.refusals import CONFLICT, INVALID, NOT_FOUND, Refused

# A BCP 47 language tag as AMO's locales are written (de, pt-BR, es-419), within the column's width.
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?$")


@dataclass(frozen=True)
class Placement:
    """A placement as the console and the CLI show it."""
    id: int
    addon: Addon
    application: str
    locale: str | None


def placements(session: Session) -> list[Placement]:
    """Every placement, by add-on then application and locale (every language first)."""
    rows = session.execute(select(FeaturedPlacement, Addon).join(Addon, Addon.id == FeaturedPlacement.addon_id)).all()
    return sorted((Placement(row.id, addon, row.application, row.locale) for row, addon in rows),
                  key=lambda p: (p.addon.id, p.application, p.locale or ""))


def _locale(locale: str | None) -> str | None:
    """The locale as stored (None: every language); refused unless it is a language tag."""
    locale = (locale or "").strip()
    if not locale:
        return None
    if not _LOCALE.match(locale):
        raise Refused(INVALID, f'"{locale[:20]}" is not a locale such as de or pt-BR (leave it blank for every '
                               "language).", field="locale")
    return locale


def feature(session: Session, identifier: str, application: str, locale: str | None,
            by_user: User | None) -> Placement:
    """Features the add-on (by id, slug, guid) for the application, in the locale or every language."""
    require_admin(by_user, "feature add-ons")
    if application not in APPLICATIONS:
        raise Refused(INVALID, f"The application is one of {', '.join(APPLICATIONS)}.", field="application")
    locale = _locale(locale)
    addon = find_addon_by_any_id(session, (identifier or "").strip()) if (identifier or "").strip() else None
    if addon is None or addon.is_deleted:
        raise Refused(NOT_FOUND, f'No add-on "{(identifier or "")[:255]}" is known to this store.', field="addon")
    if any(row.application == application and (row.locale or "").lower() == (locale or "").lower()
           for row in addon.featured_placements):
        raise Refused(CONFLICT, f"{addon.slug} is already featured for {application} in "
                                f"{locale or 'every language'}.", field="addon")
    row = FeaturedPlacement(application=application, locale=locale)
    addon.featured_placements.append(row)
    activity.record(session, activity.FEATURED_ADDED, by_user, addon=addon,
                    details={"application": application, "locale": locale})
    reindex(session, addon)
    return Placement(row.id, addon, application, locale)


def unfeature(session: Session, placement_id: int | None, by_user: User | None) -> Placement:
    """Removes one placement; the add-on leaves the featured add-ons where no other places it."""
    require_admin(by_user, "feature add-ons")
    row = session.get(FeaturedPlacement, placement_id) if placement_id is not None else None
    if row is None:
        raise Refused(NOT_FOUND, "This placement is not there any more.")
    addon = session.get(Addon, row.addon_id)
    removed = Placement(row.id, addon, row.application, row.locale)
    addon.featured_placements.remove(row)
    activity.record(session, activity.FEATURED_REMOVED, by_user, addon=addon,
                    details={"application": row.application, "locale": row.locale})
    reindex(session, addon)
    return removed
