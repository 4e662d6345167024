"""Reading the catalogue: finding add-ons, who may see what, and the listings built on them."""

import enum
import math
import uuid
from collections import Counter
from urllib.parse import unquote

from sqlalchemy import func, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, selectinload

from addonhub.accounts.models import User
from addonhub.catalog.constants import LANGUAGE_TOOL_TYPES, PUBLIC_FILE_STATUSES, AddonStatus, Channel
from addonhub.catalog.indexing import is_listed, is_public_listed
from addonhub.catalog.models import (
    Addon, AddonCategory, AddonDocument, AddonDocumentBody, AddonTag, AddonUser, CompatOverride, FeaturedPlacement,
    File, ReplacementAddon, Version, VersionCompatibility,
)
from addonhub.identifiers import can_name_a_record, row_id

MAX_RECOMMENDATIONS = 4


class Access(enum.Enum):
    ALLOWED = "allowed"
    DENIED = "denied"  # exists, but the caller may not see it
    NOT_FOUND = "not_found"


# Finding an add-on is the hottest read of the store, so these are plain statements: building
# them per request cost more than running them.
_ID_BY_SLUG_OR_GUID = (
    "coalesce((SELECT id FROM addons WHERE slug = :slug), "
    "(SELECT id FROM addons WHERE lower(guid) IN (:guid, :braced) LIMIT 1))"
)
_ADDON_ID = text(f"SELECT {_ID_BY_SLUG_OR_GUID}")
_LISTED_BODY = (
    "SELECT b.body FROM addon_documents d JOIN addon_document_bodies b ON b.addon_id = d.addon_id "
    "WHERE d.is_listed AND d.addon_id = "
)
_LISTED_BY_ID = text(_LISTED_BODY + ":id")
_LISTED_BY_SLUG_OR_GUID = text(_LISTED_BODY + _ID_BY_SLUG_OR_GUID)


def _lookup(identifier: str) -> tuple[int | None, dict | None]:
    """An add-on's id when the identifier is one, else the parameters that find it by slug or
    guid (case-insensitive; a "{uuid}" guid also without its braces); (None, None) when the
    identifier cannot name an add-on."""
    identifier = unquote(identifier).strip()
    if (addon_id := row_id(identifier)) is not None:
        return addon_id, None
    if not identifier or not can_name_a_record(identifier):
        return None, None
    lowered = identifier.lower()
    return None, {"slug": identifier, "guid": lowered, "braced": "{" + lowered + "}"}


def find_addon(session: Session, identifier: str) -> Addon | None:
    addon_id, by_name = _lookup(identifier)
    if by_name is not None:
        addon_id = session.execute(_ADDON_ID, by_name).scalar()
    return session.get(Addon, addon_id) if addon_id is not None else None


def edge_product_id(value: str) -> str | None:
    """A product id as the store keeps it, from any spelling of its GUID (case, braces, hyphens)."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        return None


def find_addon_by_any_id(session: Session, identifier: str) -> Addon | None:
    """The add-on an operator or reviewer names by any identifier the store shows: its id, slug,
    guid, or Edge product id (which only the Edge dialect and the review tools take)."""
    addon = find_addon(session, identifier)
    product_id = edge_product_id(identifier) if addon is None else None
    if product_id is not None:
        addon = session.scalar(select(Addon).where(Addon.edge_product_id == product_id))
    return addon


def listed_document(connection: Connection, identifier: str) -> str | None:
    """The stored detail object of a listed add-on (what anybody may read), in one query."""
    addon_id, by_name = _lookup(identifier)
    if addon_id is not None:
        return connection.execute(_LISTED_BY_ID, {"id": addon_id}).scalar()
    if by_name is not None:
        return connection.execute(_LISTED_BY_SLUG_OR_GUID, by_name).scalar()
    return None


def is_author(addon: Addon, user: User | None) -> bool:
    return user is not None and any(link.user_id == user.id for link in addon.authors)


def can_manage(addon: Addon, user: User | None) -> bool:
    """Authors and reviewers see what the public does not (non-public add-ons, unlisted versions)."""
    return user is not None and (user.is_reviewer or is_author(addon, user))


def addon_access(addon: Addon | None, user: User | None) -> Access:
    if addon is None or (addon.is_deleted and not (user and user.is_admin)):
        return Access.NOT_FOUND
    if is_listed(addon) or can_manage(addon, user):
        return Access.ALLOWED
    return Access.DENIED


def version_access(addon: Addon, version: Version, user: User | None) -> Access:
    """Public listed versions are for anyone; the others for the add-on's authors and reviewers.
    Unlisted versions stay unknown to everyone else (as their files do), and deleted ones to all
    but admins."""
    if version.is_deleted and not (user and user.is_admin):
        return Access.NOT_FOUND
    if is_public_listed(version) or can_manage(addon, user):
        return Access.ALLOWED
    if version.channel == Channel.UNLISTED:
        return Access.NOT_FOUND
    return Access.DENIED


def is_public_file(file: File) -> bool:
    """Whether anyone may download the file: public, of a public listed version of a listed add-on."""
    version = file.version
    return file.status in PUBLIC_FILE_STATUSES and is_public_listed(version) and is_listed(version.addon)


def file_access(file: File, user: User | None) -> Access:
    """Non-public files are for their add-on's authors and reviewers; to anyone else they do not
    exist, so that unlisted add-ons stay unknown (DENIED: credentials would decide)."""
    if is_public_file(file) or can_manage(file.version.addon, user):
        return Access.ALLOWED
    return Access.DENIED if user is None else Access.NOT_FOUND


VERSION_FILTERS = ("all_without_unlisted", "all_with_unlisted", "all_with_deleted")


def filter_access(addon: Addon, version_filter: str | None, user: User | None) -> Access:
    if version_filter == "all_with_deleted":
        return Access.ALLOWED if user and user.is_admin else Access.DENIED
    if version_filter in ("all_without_unlisted", "all_with_unlisted"):
        return Access.ALLOWED if can_manage(addon, user) else Access.DENIED
    return Access.ALLOWED


def versions_query(addon: Addon, version_filter: str | None):
    """Newest first. Without a filter, public listed versions only."""
    query = select(Version).where(Version.addon_id == addon.id).options(
        selectinload(Version.files), selectinload(Version.compatibility), selectinload(Version.license)
    ).order_by(Version.created.desc(), Version.id.desc())
    if version_filter != "all_with_deleted":
        query = query.where(Version.is_deleted.is_(False))
    if version_filter in (None, "all_without_unlisted"):
        query = query.where(Version.channel == Channel.LISTED)
    return query


def list_versions(session: Session, addon: Addon, version_filter: str | None) -> list[Version]:
    versions = session.scalars(versions_query(addon, version_filter)).all()
    if version_filter is None:
        versions = [v for v in versions if is_public_listed(v)]
    return versions


def find_version(session: Session, addon: Addon, identifier: str) -> Version | None:
    version_id = row_id(identifier)
    condition = Version.id == version_id if version_id is not None else Version.version == identifier
    return session.scalar(select(Version).where(Version.addon_id == addon.id, condition))


def latest_unlisted_version(session: Session, addon: Addon) -> Version | None:
    return session.scalar(
        select(Version).where(Version.addon_id == addon.id, Version.channel == Channel.UNLISTED, Version.is_deleted.is_(False))
        .order_by(Version.created.desc(), Version.id.desc()).limit(1)
    )


def documents(session: Session, addon_ids: list[int]) -> list[str]:
    """The stored detail objects of these add-ons, in the order given."""
    if not addon_ids:
        return []
    rows = dict(session.execute(
        select(AddonDocumentBody.addon_id, AddonDocumentBody.body).where(AddonDocumentBody.addon_id.in_(addon_ids))
    ).all())
    return [rows[addon_id] for addon_id in addon_ids if addon_id in rows]


def document(session: Session, addon_id: int) -> str | None:
    return session.scalar(select(AddonDocumentBody.body).where(AddonDocumentBody.addon_id == addon_id))


def language_tools(session: Session, app: str, types: list[str], appversion_int: int | None):
    """Listed dictionaries and language packs for an application; with an application version,
    each with its newest public version compatible with it (add-ons with none are left out)."""
    addons = session.scalars(
        select(Addon).join(AddonDocument, AddonDocument.addon_id == Addon.id).where(
            AddonDocument.is_listed.is_(True), Addon.type.in_(types or LANGUAGE_TOOL_TYPES),
            select(VersionCompatibility.version_id).where(
                VersionCompatibility.version_id == Addon.current_version_id, VersionCompatibility.application == app
            ).exists(),
        ).order_by(Addon.id)
    ).all()
    results = []
    for addon in addons:
        compatible = None
        if appversion_int is not None:
            compatible = next((
                version for version in sorted(addon.versions, key=lambda v: (v.created, v.id), reverse=True)
                if is_public_listed(version) and any(
                    c.application == app and c.min_int <= appversion_int <= c.max_int for c in version.compatibility
                )
            ), None)
            if compatible is None:
                continue
        results.append((addon, compatible))
    return results


def replacements(session: Session, offset: int, limit: int) -> tuple[int, list[dict]]:
    """Replacement suggestions; guids of add-ons that are not listed here are left out."""
    total = session.scalar(select(func.count()).select_from(ReplacementAddon))
    rows = session.scalars(select(ReplacementAddon).order_by(ReplacementAddon.id).offset(offset).limit(limit)).all()
    wanted = {guid for row in rows for guid in row.replacement_guids}
    listed = set(session.scalars(
        select(Addon.guid).join(AddonDocument, AddonDocument.addon_id == Addon.id)
        .where(Addon.guid.in_(wanted), AddonDocument.is_listed.is_(True))
    )) if wanted else set()
    return total, [
        {"guid": row.guid, "replacement": [guid for guid in row.replacement_guids if guid in listed]} for row in rows
    ]


def compat_overrides(session: Session, guids: list[str], offset: int, limit: int) -> tuple[int, list[dict]]:
    query = select(CompatOverride)
    if guids:
        query = query.where(CompatOverride.addon_guid.in_(guids))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(CompatOverride.id).offset(offset).limit(limit)).all()
    ids = dict(session.execute(
        select(Addon.guid, Addon.id).where(Addon.guid.in_([row.addon_guid for row in rows]), Addon.status != AddonStatus.DELETED)
    ).all()) if rows else {}
    return total, [
        {
            "addon_id": ids.get(row.addon_guid),
            "addon_guid": row.addon_guid,
            "name": row.name,
            "version_ranges": row.version_ranges,
        }
        for row in rows
    ]


def _popularity(users: int) -> float:
    return 1.0 + math.log10(1 + users) / 7


def recommend(session: Session, guid: str | None) -> list[int]:
    """Up to four listed add-ons related to the one with this guid: those sharing its categories
    (3 points each), tags (2 each), authors (2 each) and type (1), weighted by popularity."""
    addon = find_addon(session, guid) if guid else None
    if addon is None or addon.is_deleted:
        return []
    scores: Counter[int] = Counter()
    my_categories = [(c.application, c.slug) for c in addon.categories]
    if my_categories:
        for (other,) in session.execute(select(AddonCategory.addon_id).where(
            or_(*[(AddonCategory.application == app) & (AddonCategory.slug == slug) for app, slug in my_categories])
        )):
            scores[other] += 3
    my_tags = [t.tag for t in addon.tags]
    if my_tags:
        for (other,) in session.execute(select(AddonTag.addon_id).where(AddonTag.tag.in_(my_tags))):
            scores[other] += 2
    my_authors = [a.user_id for a in addon.authors]
    if my_authors:
        for (other,) in session.execute(select(AddonUser.addon_id).where(AddonUser.user_id.in_(my_authors)).distinct()):
            scores[other] += 2
    scores.pop(addon.id, None)
    if not scores:
        return []
    candidates = session.execute(
        select(AddonDocument.addon_id, AddonDocument.type, AddonDocument.average_daily_users)
        .where(AddonDocument.addon_id.in_(list(scores)), AddonDocument.is_listed.is_(True))
    ).all()
    ranked = sorted(
        candidates,
        key=lambda row: (-(scores[row.addon_id] + (row.type == addon.type)) * _popularity(row.average_daily_users), row.addon_id),
    )
    return [row.addon_id for row in ranked[:MAX_RECOMMENDATIONS]]


def curated(session: Session) -> list[int]:
    """The fallback list: the most used featured add-ons, or the most used ones if none are featured."""
    featured = select(FeaturedPlacement.addon_id)
    for condition in (AddonDocument.addon_id.in_(featured), True):
        ids = list(session.scalars(
            select(AddonDocument.addon_id).where(AddonDocument.is_listed.is_(True), condition)
            .order_by(AddonDocument.average_daily_users.desc(), AddonDocument.addon_id).limit(MAX_RECOMMENDATIONS)
        ))
        if ids:
            return ids
    return []
