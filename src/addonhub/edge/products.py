"""Products: add-ons of the shared catalogue as the Edge publish API knows them.

A product's id is its add-on's `edge_product_id` (a GUID, as Partner Center's product ids are).
The Edge API has no way to create a product, so the store does it (`addonhub products create`).
"""

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.catalog.constants import REVIEWED_STATUSES, AddonStatus, Channel, FileStatus
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, AddonUser, File, Version
from addonhub.catalog.service import edge_product_id
from addonhub.edge.models import PUBLISH, EdgeOperation
from addonhub.submissions.administration import disabled_by
from addonhub.submissions.versions import generated_guid

# Edge publishes extensions and themes; the catalogue's other types (dictionaries, language
# packs, search engines) are Firefox's alone.
EDGE_PRODUCT_TYPES = ("extension", "persona", "theme")

# The statuses of the Edge API's product list, as the reference lists them.
IN_DRAFT = "In Draft"
IN_REVIEW = "In Review"
IN_THE_STORE = "In the Store"
FAILED = "Failed"

DEFAULT_LOCALE = "en-US"


class ProductError(ValueError):
    """A product cannot be created as asked; the message says why."""


def create_product(session: Session, owner: User, name: str) -> Addon:
    """A new extension owned by `owner`: a generated guid and slug, not public until a version of
    it is approved, and indexed (hidden) like every other add-on."""
    name = (name or "").strip()
    if not name:
        raise ProductError("a product needs a name")
    addon = Addon(
        guid=generated_guid(),
        slug=f"edge-{secrets.token_hex(8)}",  # letters first: a slug may not be only digits
        type="extension",
        status=AddonStatus.INCOMPLETE,
        default_locale=DEFAULT_LOCALE,
        name={DEFAULT_LOCALE: name},
        authors=[AddonUser(user_id=owner.id, position=0, listed=True)],
    )
    session.add(addon)
    reindex(session, addon)
    return addon


def products_of(session: Session, user: User) -> list[Addon]:
    """The Edge products the user is an author of, oldest first; deleted add-ons are not products."""
    return list(session.scalars(
        select(Addon).join(AddonUser, AddonUser.addon_id == Addon.id)
        .where(AddonUser.user_id == user.id, Addon.type.in_(EDGE_PRODUCT_TYPES), Addon.status != AddonStatus.DELETED)
        .order_by(Addon.id)
    ))


def product_for(session: Session, user: User, product_id: str) -> Addon | None:
    """The caller's product with this id, or None when there is none: unknown, deleted, not an Edge
    type, or someone else's (the API answers 404 alike, never revealing other accounts' products).
    The id is read as a GUID in any of its spellings (case, braces, hyphens)."""
    normalized = edge_product_id(product_id)
    if normalized is None:
        return None
    addon = session.scalar(
        select(Addon).join(AddonUser, AddonUser.addon_id == Addon.id)
        .where(Addon.edge_product_id == normalized, AddonUser.user_id == user.id,
               Addon.type.in_(EDGE_PRODUCT_TYPES), Addon.status != AddonStatus.DELETED)
    )
    return addon


def product_status(session: Session, addon: Addon) -> str:
    """Where the product's latest submission stands, in the Edge API's words: In Review while a
    listed version waits for a reviewer (or, approved, for publication); Failed when the latest
    listed version was rejected; In the Store once a version is public; else In Draft. A new draft
    that has not been published does not change it, as on Edge."""
    if submission_in_review(session, addon) is not None:
        return IN_REVIEW
    latest = session.scalar(
        select(Version).where(Version.addon_id == addon.id, Version.channel == Channel.LISTED, Version.is_deleted.is_(False))
        .order_by(Version.id.desc()).limit(1))
    if latest is not None and is_rejected(session, latest):
        return FAILED
    if addon.status in REVIEWED_STATUSES and addon.current_version_id is not None:
        return IN_THE_STORE
    return IN_DRAFT


def submission_in_review(session: Session, addon: Addon) -> Version | None:
    """The product's listed version that is not public yet and not rejected, if any: what a new
    publish would conflict with."""
    return session.scalar(
        select(Version).where(Version.addon_id == addon.id, Version.channel == Channel.LISTED, Version.is_deleted.is_(False),
                              Version.files.any(File.status == FileStatus.UNREVIEWED))
        .order_by(Version.id.desc()).limit(1))


def edge_submissions(session: Session, version_ids: list[int]) -> set[int]:
    """Which of these versions were published through the Edge API (the reviewer console's filter)."""
    return set(session.scalars(select(EdgeOperation.version_id).where(
        EdgeOperation.kind == PUBLISH, EdgeOperation.version_id.in_(version_ids))))


def is_rejected(session: Session, version: Version) -> bool:
    """A reviewer refused it: reviewed, and its files disabled (submissions.review.reject), but
    not by a disabling after its approval (by the store or its developers, which the log tells)."""
    return (version.reviewed is not None and bool(version.files)
            and all(f.status == FileStatus.DISABLED for f in version.files) and disabled_by(session, version) is None)


def product_name(addon: Addon) -> str:
    """The name in the add-on's default language, else in any language it has."""
    names = addon.name or {}
    return names.get(addon.default_locale) or next((name for name in names.values() if name), "")


def product_last_updated(addon: Addon) -> datetime:
    """When the product last changed: its latest release, else its creation. (Not `modified`,
    which any bookkeeping change of the row, such as a ratings count, moves.)"""
    return max(moment for moment in (addon.created, addon.last_updated) if moment is not None)
