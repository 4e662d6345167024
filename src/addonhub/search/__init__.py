"""The full-text search index, in the catalogue's terms: which add-ons match a query's words, and
how well (the relevance tiers). Backends implement SearchIndex; search_index_for() picks one.

The catalogue (addonhub.catalog.listing_search) decides what a search means: its filters, sorts
and how tiers and popularity rank results. The index only keeps the text of listed add-ons and
answers, tier by tier, which of them match. Backend-neutral rules live here: how text splits
into terms and which typos a term tolerates, so every backend agrees on what a query means.
"""

import enum
import re
import unicodedata
from collections.abc import Collection, Sequence
from typing import Protocol

from rapidfuzz.distance import Levenshtein
from sqlalchemy import ColumnElement, Select
from sqlalchemy.engine import Connection, Engine

_TOKEN = re.compile(r"[^\W_]+")
_MAX_CORRECTIONS = 20


class Tier(enum.IntEnum):
    """How well an add-on matches a query, best first.

    The name tiers nest: an exact name is also a phrase, a phrase has all the words, all the
    words match with the last as a prefix, and that matches with typos too; so NAME_TYPOS holds
    every name match, and an add-on's rank is the strictest tier holding it. SUMMARY_ONLY and
    DESCRIPTION_ONLY hold only what no tier above them holds. Summaries and descriptions match
    every term as it is: no prefix, no typos.
    """

    EXACT_NAME = 0  # a name is the terms, nothing more
    NAME_PHRASE = 1
    NAME_WORDS = 2  # in any order
    NAME_PREFIX = 3  # the last term may be the start of a word
    NAME_TYPOS = 4  # as NAME_PREFIX, with any term corrected (see typo_corrections)
    SUMMARY_ONLY = 5
    DESCRIPTION_ONLY = 6


class Matches(Protocol):
    """The add-ons matching one query's terms, tier by tier, as seen on one connection.

    `candidates` is the catalogue's restriction: a SELECT of (add-on id, daily users) rows from
    its own tables, its filters in the WHERE clause. The index narrows it to the matches, so the
    filters stay the catalogue's. None means every indexed add-on: the index holds only listed
    ones, and answers from its own tables, which is the fast path of a search without filters.
    """

    def ids(self, tier: Tier) -> set[int]:
        """Every indexed add-on in the tier, unfiltered: the cheapest answer, for a caller that
        intersects it with the candidates it already holds."""

    def rows(self, tier: Tier, candidates: Select | None = None) -> list[tuple[int, int]]:
        """(add-on id, daily users) of the candidates in the tier, in no order."""

    def page(self, tier: Tier, offset: int, limit: int, candidates: Select | None = None) -> list[int]:
        """One page of the candidates in the tier, most daily users first, then by id."""

    def count(self, tier: Tier | None = None, candidates: Select | None = None) -> int:
        """How many candidates are in the tier; without one, in any tier."""

    def condition(self, addon_id: ColumnElement[int]) -> ColumnElement[bool]:
        """Whether the add-on `addon_id` (a column of the caller's tables) matches in any tier:
        for listings the catalogue sorts by its own columns."""


class SearchIndex(Protocol):
    """A full-text index of listed add-ons: their names, summaries, descriptions and daily users."""

    def index_addon(self, connection: Connection, addon_id: int, names: list[str], summaries: list[str],
                    descriptions: list[str], daily_users: int) -> None:
        """Replaces what the index holds for the add-on; descriptions are plain text."""

    def remove_addon(self, connection: Connection, addon_id: int) -> None:
        """Forgets the add-on: it is no longer listed."""

    def match(self, connection: Connection, terms: Sequence[str]) -> Matches:
        """The matches of the terms (from tokenize(), at least one)."""


def tokenize(value: str) -> list[str]:
    """Splits text into the terms the index matches: lowercased, without diacritics (as FTS5's
    unicode61 tokenizer with remove_diacritics does, so that exact names compare alike)."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _TOKEN.findall(stripped)


def allowed_typos(term: str) -> int:
    # Elasticsearch's "AUTO" fuzziness: none up to 2 characters, 1 up to 5, then 2.
    return 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2


def typo_corrections(term: str, known: Collection[str]) -> list[str]:
    """The terms the query term may have been meant as: of `known`, the indexed name terms
    sharing its first two letters (as AMO's fuzzy query does with prefix_length 2), those within
    the allowed edit distance. A term that names do contain is taken as meant: correcting it
    would only add noise."""
    limit = allowed_typos(term)
    if not limit or term in known:
        return []
    return sorted(
        candidate for candidate in known
        if abs(len(candidate) - len(term)) <= limit
        and Levenshtein.distance(term, candidate, score_cutoff=limit) <= limit
    )[:_MAX_CORRECTIONS]


_indexes: dict[str, SearchIndex] = {}


def search_index_for(bind: Connection | Engine) -> SearchIndex:
    """The index of the database behind the connection; one per process and dialect, since it
    caches what it reads (the name vocabulary)."""
    dialect = bind.dialect.name
    if dialect not in _indexes:
        if dialect != "sqlite":
            raise NotImplementedError(f"no full-text search index for {dialect} databases yet")
        # Imported here: the backend builds on this module's definitions.
        from addonhub.search.sqlite_fts5 import SqliteFts5Index
        _indexes.setdefault(dialect, SqliteFts5Index())
    return _indexes[dialect]
