"""What a catalogue search means: filters, sorts and relevance ranking over listed add-ons.

Relevance: a name match outranks a summary match, which outranks a description match; among
name matches, the exact name outranks the phrase, then all words in any order, then a prefix,
then a match with typos. Popularity (daily users) multiplies the score by at most 2, which the
tier weights are spaced to survive, so popularity orders results within a tier only.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date

import orjson
from sqlalchemy import and_, exists, func, or_, select, text
from sqlalchemy.engine import Connection

from addonhub import search as index
from addonhub.accounts.models import User
from addonhub.catalog.models import (
    Addon, AddonCategory, AddonDocument, AddonTag, AddonUser, FeaturedPlacement, File,
    VersionCompatibility,
)

SORTS = {
    "created": AddonDocument.created.desc(),
    "downloads": AddonDocument.weekly_downloads.desc(),
    "hotness": AddonDocument.hotness.desc(),
    "name": AddonDocument.name_sort.asc(),
    "rating": AddonDocument.bayesian_rating.desc(),
    "updated": AddonDocument.last_updated.desc(),
    "users": AddonDocument.average_daily_users.desc(),
}
# "relevance" and "random" are not columns; they are handled below.
SORT_NAMES = (*SORTS, "random", "relevance")

_TIER_WEIGHTS = {"exact": 1000.0, "phrase": 450.0, "words": 200.0, "prefix": 80.0, "typo": 25.0}
_SUMMARY_WEIGHT = 8.0
_DESCRIPTION_WEIGHT = 3.0
_MAX_TERMS = 10
_MAX_CORRECTIONS = 20


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
    lang: str | None = None
    sorts: list[str] = field(default_factory=list)


def _filters(query: SearchQuery) -> list:
    on_current_version = Addon.current_version_id
    conditions = [AddonDocument.is_listed.is_(True)]
    if query.types:
        conditions.append(AddonDocument.type.in_(query.types))
    if query.app:
        compat = [VersionCompatibility.version_id == on_current_version, VersionCompatibility.application == query.app]
        if query.appversion_int is not None:
            compat += [VersionCompatibility.min_int <= query.appversion_int, VersionCompatibility.max_int >= query.appversion_int]
        conditions.append(exists().where(*compat))
        if query.category and query.types:
            conditions.append(exists().where(
                AddonCategory.addon_id == Addon.id, AddonCategory.application == query.app,
                AddonCategory.slug == query.category,
            ))
    for tag in query.tags:
        conditions.append(exists().where(AddonTag.addon_id == Addon.id, AddonTag.tag == tag))
    if query.authors:
        ids = [int(a) for a in query.authors if a.isdigit()]
        conditions.append(exists().where(
            AddonUser.addon_id == Addon.id, AddonUser.listed.is_(True), AddonUser.user_id == User.id,
            or_(User.username.in_(query.authors), User.id.in_(ids)),
        ))
    if query.guids:
        conditions.append(func.lower(Addon.guid).in_([guid.lower() for guid in query.guids]))
    if query.exclude:
        ids = [int(x) for x in query.exclude if x.isdigit()]
        conditions.append(~or_(Addon.slug.in_(query.exclude), Addon.id.in_(ids)))
    if query.platform:
        conditions.append(exists().where(
            File.version_id == on_current_version, File.platform.in_([query.platform, "all"])
        ))
    if query.featured:
        placement = [FeaturedPlacement.addon_id == Addon.id]
        if query.app:
            placement.append(FeaturedPlacement.application == query.app)
        if query.lang:
            placement.append(or_(FeaturedPlacement.locale.is_(None), func.lower(FeaturedPlacement.locale) == query.lang.lower()))
        conditions.append(exists().where(*placement))
    return conditions


def _base(columns) -> select:
    return select(*columns).select_from(AddonDocument).join(Addon, Addon.id == AddonDocument.addon_id)


def search_ids(connection: Connection, query: SearchQuery, offset: int, limit: int) -> tuple[int, list[int]]:
    """The total number of matches and the ids of one page of them, in order."""
    conditions = _filters(query)
    sorts = query.sorts or (["relevance"] if query.q else ["downloads"])
    if query.q is not None:
        ranked = _ranked_matches(connection, query.q, conditions, sorts)
        return len(ranked), ranked[offset:offset + limit]
    if sorts == ["random"]:
        ids = list(connection.execute(_base([AddonDocument.addon_id]).where(*conditions).order_by(AddonDocument.addon_id)).scalars())
        # Seeded with the day, as AMO does: the order is stable within a day.
        random.Random(date.today().toordinal()).shuffle(ids)
        return len(ids), ids[offset:offset + limit]
    total = connection.execute(_base([func.count()]).where(*conditions)).scalar_one()
    # Without a query, every match is equally relevant: fall back to popularity.
    order = [SORTS["users" if name == "relevance" else name] for name in sorts]
    rows = connection.execute(
        _base([AddonDocument.addon_id]).where(*conditions)
        .order_by(*order, AddonDocument.addon_id).offset(offset).limit(limit)
    ).scalars()
    return total, list(rows)


def _ranked_matches(connection: Connection, q: str, conditions: list, sorts: list[str]) -> list[int]:
    terms = index.tokenize(q)[:_MAX_TERMS]
    if not terms:
        return []
    alternatives = [[term, *index.typo_corrections(connection, term)[:_MAX_CORRECTIONS]] for term in terms]
    exact_terms = [[term] for term in terms]
    name_match = index.match_expression("name", alternatives, prefix_last=True)
    summary_match = index.match_expression("summary", exact_terms)
    description_match = index.match_expression("description", exact_terms)

    def hits(expression: str) -> set[int]:
        return set(connection.execute(
            text("SELECT rowid FROM addon_search WHERE addon_search MATCH :m"), {"m": expression}
        ).scalars())

    any_match = f"({name_match}) OR ({summary_match}) OR ({description_match})"
    matching = select(text("rowid")).select_from(text("addon_search")).where(text("addon_search MATCH :any"))
    columns = [AddonDocument.addon_id, AddonDocument.names, AddonDocument.average_daily_users,
               AddonDocument.weekly_downloads, AddonDocument.created, AddonDocument.last_updated,
               AddonDocument.bayesian_rating, AddonDocument.hotness, AddonDocument.name_sort]
    rows = connection.execute(
        _base(columns).where(*conditions, AddonDocument.addon_id.in_(matching)), {"any": any_match}
    ).all()
    if not rows:
        return []
    summary_hits, description_hits = hits(summary_match), hits(description_match)
    known_words = [set(options) for options in alternatives]

    def relevance(row) -> float:
        names = orjson.loads(row.names) if isinstance(row.names, (str, bytes)) else row.names
        score = max((_name_tier(terms, known_words, name) for name in names), default=0.0)
        if row.addon_id in summary_hits:
            score += _SUMMARY_WEIGHT
        if row.addon_id in description_hits:
            score += _DESCRIPTION_WEIGHT
        return score * min(2.0, 1.0 + math.log10(1 + row.average_daily_users) / 7)

    keys = {
        "relevance": lambda r: -relevance(r),
        "created": lambda r: -r.created.timestamp(),
        "downloads": lambda r: -r.weekly_downloads,
        "hotness": lambda r: -r.hotness,
        "name": lambda r: r.name_sort,
        "rating": lambda r: -r.bayesian_rating,
        "updated": lambda r: -r.last_updated.timestamp(),
        "users": lambda r: -r.average_daily_users,
    }
    chosen = [keys[name] for name in sorts]
    rows.sort(key=lambda r: (*(key(r) for key in chosen), -r.average_daily_users, r.addon_id))
    return [row.addon_id for row in rows]


def _name_tier(terms: list[str], alternatives: list[set[str]], name: str) -> float:
    """The best way one of the add-on's names (space-joined tokens) matches the query's terms."""
    phrase = " ".join(terms)
    words = name.split()
    if name == phrase:
        return _TIER_WEIGHTS["exact"]
    if f" {phrase} " in f" {name} ":
        return _TIER_WEIGHTS["phrase"]
    present = set(words)
    if all(term in present for term in terms):
        return _TIER_WEIGHTS["words"]
    *leading, last = terms
    if all(term in present for term in leading) and any(word.startswith(last) for word in words):
        return _TIER_WEIGHTS["prefix"]
    if all(present & options for options in alternatives[:-1]) and (
        present & alternatives[-1] or any(word.startswith(last) for word in words)
    ):
        return _TIER_WEIGHTS["typo"]
    return 0.0
