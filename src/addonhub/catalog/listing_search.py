"""What a catalogue search means: filters, sorts and relevance ranking over listed add-ons.
(Named listing_search to tell it from addonhub.search, the full-text index it asks.)

Relevance is AMO's: optional clauses over names, summaries and descriptions whose weights add up
(addonhub.search.Clause), times a popularity factor and the add-on's boost (addonhub.search.score);
an add-on matching some of the words ranks lower instead of vanishing. explain() says, for one
add-on, which clauses matched and what each adds. The index ranks (see addonhub.search): the
catalogue hands it the query, analysed in the request's language, and its filters.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.engine import Connection

from addonhub.accounts.models import User
from addonhub.catalog.listing_snapshot import listing_snapshot
from addonhub.catalog.models import (
    Addon, AddonCategory, AddonDocument, AddonDocumentApp, AddonTag, AddonUser, FeaturedPlacement, File, PromotedAddon,
)
from addonhub.identifiers import row_id
from addonhub.search import Explanation, analyse, search_index_for

# Each sort with its tie-breaker in the same direction, so that an index on (is_listed, column)
# serves the ORDER BY without sorting (listing_snapshot keeps each order it is asked for).
SORTS = {
    "created": (AddonDocument.created.desc(), AddonDocument.addon_id.desc()),
    "downloads": (AddonDocument.weekly_downloads.desc(), AddonDocument.addon_id.desc()),
    "hotness": (AddonDocument.hotness.desc(), AddonDocument.addon_id.desc()),
    "name": (AddonDocument.name_sort.asc(), AddonDocument.addon_id.asc()),
    "rating": (AddonDocument.bayesian_rating.desc(), AddonDocument.addon_id.desc()),
    # The recommended group first; AMO only uses it ahead of another sort (see _effective_sorts).
    "recommended": (AddonDocument.is_recommended.desc(), AddonDocument.addon_id.desc()),
    "updated": (AddonDocument.last_updated.desc(), AddonDocument.addon_id.desc()),
    "users": (AddonDocument.average_daily_users.desc(), AddonDocument.addon_id.desc()),
}
# "relevance" and "random" are not columns; they are handled below.
SORT_NAMES = (*SORTS, "random", "relevance")
# Without a query and without a sort, AMO's: the recommended group first, then by users.
DEFAULT_SORTS = ("recommended", "users")


@dataclass
class SearchQuery:
    q: str | None = None
    app: str | None = None
    appversion_int: int | None = None
    types: list[str] = field(default_factory=list)
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    guids: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    platform: str | None = None
    featured: bool = False
    # Names of promoted groups, any of which will do (approved for `app` when there is one).
    promoted: list[str] = field(default_factory=list)
    lang: str | None = None
    sorts: list[str] = field(default_factory=list)
    # What applies without a query and without a sort (the API's v3 keeps its own).
    default_sorts: tuple[str, ...] = DEFAULT_SORTS


def _filters(query: SearchQuery) -> list:
    """Conditions on top of being listed (which every row of the full-text index already is)."""
    this_addon = AddonDocument.addon_id
    conditions = []
    if query.types:
        conditions.append(AddonDocument.type.in_(query.types))
    if query.app:
        supports = [AddonDocumentApp.addon_id == this_addon, AddonDocumentApp.application == query.app]
        if query.appversion_int is not None:
            supports += [AddonDocumentApp.min_int <= query.appversion_int, AddonDocumentApp.max_int >= query.appversion_int]
        conditions.append(exists().where(*supports))
        if query.category and query.types:
            conditions.append(exists().where(
                AddonCategory.addon_id == this_addon, AddonCategory.application == query.app,
                AddonCategory.slug == query.category,
            ))
    for tag in query.tags:
        conditions.append(exists().where(AddonTag.addon_id == this_addon, AddonTag.tag == tag))
    if query.authors:
        ids = [user_id for user_id in map(row_id, query.authors) if user_id is not None]
        conditions.append(exists().where(
            AddonUser.addon_id == this_addon, AddonUser.listed.is_(True), AddonUser.user_id == User.id,
            or_(User.username.in_(query.authors), User.id.in_(ids)),
        ))
    if query.guids:
        conditions.append(this_addon.in_(
            select(Addon.id).where(func.lower(Addon.guid).in_([guid.lower() for guid in query.guids]))))
    if query.exclude:
        ids = [addon_id for addon_id in map(row_id, query.exclude) if addon_id is not None]
        conditions.append(this_addon.not_in(select(Addon.id).where(or_(Addon.slug.in_(query.exclude), Addon.id.in_(ids)))))
    if query.platform:
        conditions.append(exists().where(
            Addon.id == this_addon, File.version_id == Addon.current_version_id, File.platform.in_([query.platform, "all"])))
    if query.featured:
        placement = [FeaturedPlacement.addon_id == this_addon]
        if query.app:
            placement.append(FeaturedPlacement.application == query.app)
        if query.lang:
            placement.append(or_(FeaturedPlacement.locale.is_(None), func.lower(FeaturedPlacement.locale) == query.lang.lower()))
        conditions.append(exists().where(*placement))
    if query.promoted:
        promotion = [PromotedAddon.addon_id == this_addon, PromotedAddon.group.in_(query.promoted)]
        if query.app:
            promotion.append(PromotedAddon.application == query.app)
        conditions.append(exists().where(*promotion))
    return conditions


def _effective_sorts(query: SearchQuery) -> list[str]:
    """The sorts asked for as AMO applies them: "recommended" alone means nothing (so the
    default applies), and beside "relevance" it is dropped, as AMO's relevance weighs promotions
    itself (catalog.indexing.search_boost)."""
    sorts = list(query.sorts)
    if sorts == ["recommended"]:
        sorts = []
    elif "recommended" in sorts and "relevance" in sorts:
        sorts.remove("recommended")
    return sorts or (["relevance"] if query.q else list(query.default_sorts))


def search_ids(connection: Connection, query: SearchQuery, offset: int, limit: int) -> tuple[int, list[int]]:
    """The total number of matches and the ids of one page of them, in order."""
    listing = listing_snapshot(connection)
    kept = listing.kept(connection, _filters(query))
    sorts = _effective_sorts(query)
    if query.q is not None:
        analysed = analyse(query.q, query.lang)
        if analysed is None:
            return 0, []
        matches = search_index_for(connection).match(connection, analysed)
        if sorts[0] == "relevance":
            return matches.rank(offset, limit, None if kept is None else listing.ids[kept])
        kept = listing.among(kept, matches.ids())
    if sorts == ["random"]:
        ids = (listing.ids if kept is None else listing.ids[kept]).tolist()
        # Seeded with the day, as AMO does: the order is stable within a day.
        random.Random(date.today().toordinal()).shuffle(ids)
        return len(ids), ids[offset:offset + limit]
    # Without a query, every match is equally relevant: popularity decides.
    names = ["users" if name == "relevance" else name for name in sorts]
    keys = [SORTS[name] for name in names]
    return listing.page(connection, ",".join(names), [column for column, _ in keys] + [keys[-1][1]],
                        kept, offset, limit)


def explain(connection: Connection, query: SearchQuery, addon_id: int) -> Explanation | None:
    """Why the add-on ranks where it does for the query's words (filters aside): the clauses it
    matches with what each adds, its popularity factor and boost; None if it does not match."""
    analysed = analyse(query.q or "", query.lang)
    if analysed is None:
        return None
    return search_index_for(connection).match(connection, analysed).explain(addon_id)
