"""The full-text search index, in the catalogue's terms: which add-ons match a query, through
which clauses, and how each scores. Backends implement SearchIndex; search_index_for() picks one.

Relevance follows addons.mozilla.org's design: a query is a set of optional clauses (Clause),
each adding its weight to an add-on's score when it matches, and the sum is multiplied by the
add-on's popularity factor and its boost (score()). The catalogue (addonhub.catalog.listing_search)
decides what a search means: its filters and sorts. The index keeps the text of listed add-ons
and ranks them, because only where the match sets live can scoring stop at the top page rather
than score every match. So that every backend ranks alike, the rules live here: how text splits
into terms (tokenize, analyse), which typos a term tolerates, the clauses with their weights and
the popularity factor; addonhub.search.ranking holds how a backend scores and pages the matches,
and a backend (sqlite_fts5, postgres) only supplies the queries that find them.
"""

import enum
import math
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from rapidfuzz.distance import Levenshtein
from sqlalchemy.engine import Connection, Engine

_TOKEN = re.compile(r"[^\W_]+")
_MAX_CORRECTIONS = 20
MAX_TERMS = 10
# A run-together query shorter than this is no part of a word worth finding: "tab" is inside
# "stable" and "portable", which is noise, not a match.
MIN_PART_LENGTH = 4


class Clause(enum.Enum):
    """One way a query can match an add-on, with the weight it adds to the score (AMO's should
    clauses, in the catalogue's terms). Name clauses weigh most; the name ones nest (an exact
    name is also a phrase and holds all the words), so their weights add up the way AMO's
    boosts do. The weights are chosen so that (with popularity() below):
    - an exact name scores about six times a name that only holds the query as a phrase;
    - a name holding the query as a phrase (78 with the clauses it implies) outranks any loose
      match, one holding only some of the words in its name, summary or description (at most
      3 + 3 + 2 for two words), whatever their daily users: the popularity factor spans less
      than the ratio, 1 to 7.3 up to 20 million daily users;
    - summary and description weigh below every name clause.

    Fractional clauses (SOME_WORDS, TYPOS) give weight x the share of the query's words found.
    Each value is a description and the weight (a tuple, so that equal weights stay distinct).
    """

    EXACT_NAME = "exact name", 400  # a name is the query's words, nothing more (stop words included)
    NAME_PHRASE = "name phrase", 50  # the name holds the words in order (two words or more)
    NAME_ALL_WORDS = "all words of the name", 12  # in any order
    NAME_PREFIX = "name prefix", 4  # all the words, the last one as the start of a word (what autocomplete types)
    NAME_SOME_WORDS = "some words of the name", 6  # at least half of the words; x the share found
    NAME_PART = "part of a name", 6  # the words, run together, are inside a name written as one: "reader" in "EasyReader"
    NAME_TYPOS = "name with typos", 6  # the words found allowing typos (some needed one); x the share found
    SUMMARY = "summary", 3  # every word
    DESCRIPTION = "description", 2  # every word

    @property
    def weight(self) -> float:
        return float(self.value[1])


# NAME_PART and NAME_TYPOS are alternatives (AMO's DisMax of its trigram and fuzzy queries): a
# misspelt run-together word matches both ways, and counting it twice would rank typos above
# correct spellings. Only the larger of the two counts.
ALTERNATIVE_CLAUSES = (Clause.NAME_PART, Clause.NAME_TYPOS)


def popularity(daily_users):
    """AMO multiplies relevance by log10(2 + daily users) (Elasticsearch's log2p); 10 instead of
    2 keeps every factor at 1 or more, so an add-on nobody uses yet still scores its clauses in
    full and the factor spans 1 to 7 rather than 0.3 to 7: popularity orders matches of a kind
    and lifts popular add-ons over slightly better matches, but cannot lift a loose match over
    an exact one. Of a number or of a numpy array of them (a snapshot's, all at once)."""
    return np.log10(10 + np.maximum(daily_users, 0))


def score(clauses: dict["Clause", float], daily_users: int, boost: float) -> float:
    """The relevance of an add-on: its clause contributions added up, times its popularity and
    its boost (AMO's promoted search_ranking_bump; 1.0 for none)."""
    return sum(clauses.values()) * popularity(daily_users) * boost


@dataclass(frozen=True)
class Explanation:
    """Why an add-on ranks where it does: each matching clause with what it contributes."""

    clauses: dict[Clause, float]
    daily_users: int
    boost: float

    @property
    def popularity(self) -> float:
        return popularity(self.daily_users)

    @property
    def score(self) -> float:
        return score(self.clauses, self.daily_users, self.boost)


# Lucene's English stop words (what AMO's "stop" filter removes), and the commonest ones of the
# languages add-ons are most often searched in, for requests in those languages.
_STOP_WORDS = {
    "en": frozenset("a an and are as at be but by for if in into is it no not of on or such that the their "
                    "then there these they this to was will with".split()),
    "de": frozenset("der die das den dem des ein eine einen und oder mit von zu im in fur auf ist".split()),
    "fr": frozenset("le la les l un une des du de d et ou a au aux en pour sur avec est".split()),
    "es": frozenset("el la los las un una unos unas de del y o a al en para con por es".split()),
    "it": frozenset("il lo la i gli le un una di del della e o a al in per con da".split()),
    "pt": frozenset("o a os as um uma de do da dos das e ou em no na para com por".split()),
    "nl": frozenset("de het een en of van voor in op met te".split()),
}


@dataclass(frozen=True)
class Query:
    """A search query as the index matches it (see analyse)."""

    tokens: tuple[str, ...]  # every term, in order: what an exact name is compared with
    terms: tuple[str, ...]  # without stop words: what the other clauses look for

    @property
    def run_together(self) -> str:
        """The terms written as one word, to find inside names written as one."""
        return "".join(self.terms)


def analyse(text: str, lang: str | None = None) -> Query | None:
    """The query's terms (at most MAX_TERMS), without the stop words of English and of the
    request's language, as AMO's analysers drop them: "the password manager" must find password
    managers although no name holds "the". A query of stop words only keeps them (it has
    nothing else to look for). None for a query without terms."""
    tokens = tuple(tokenize(text)[:MAX_TERMS])
    if not tokens:
        return None
    stop_words = _STOP_WORDS["en"] | _STOP_WORDS.get((lang or "").lower().replace("_", "-").split("-")[0], frozenset())
    terms = tuple(term for term in tokens if term not in stop_words) or tokens
    return Query(tokens, terms)


def required_words(query: Query) -> int:
    """How many of the query's words a name must hold to match some of them: half, rounded up
    (for one or two words, one), as AMO's minimum_should_match keeps a long query from matching
    every name that shares one common word with it."""
    return max(1, math.ceil(len(query.terms) / 2))


class Matches(Protocol):
    """The add-ons matching one query, ranked by score(), as seen on one connection.

    `candidates` is the catalogue's restriction, its filters worked out: a sorted array of the
    add-on ids they keep (numpy, int64). None means every indexed add-on (the index holds only
    listed ones).
    """

    def rank(self, offset: int, limit: int, candidates: np.ndarray | None = None) -> tuple[int, list[int]]:
        """How many candidates match through at least one clause, and one page of them: best
        score first, then most daily users, then lowest id."""

    def ids(self) -> np.ndarray:
        """Every matching add-on's id, ascending: for listings the catalogue sorts its own way."""

    def explain(self, addon_id: int) -> Explanation | None:
        """The clauses through which the add-on matches and what each adds; None if it does not
        match (or is not indexed)."""


@dataclass(frozen=True)
class IndexEntry:
    """What the index holds of one listed add-on (the arguments of SearchIndex.index_addon)."""

    addon_id: int
    names: list[str]
    summaries: list[str]
    descriptions: list[str]
    daily_users: int
    boost: float = 1.0


class SearchIndex(Protocol):
    """A full-text index of listed add-ons: names, summaries, descriptions, daily users, boost."""

    def index_addon(self, connection: Connection, addon_id: int, names: list[str], summaries: list[str],
                    descriptions: list[str], daily_users: int, boost: float = 1.0) -> None:
        """Replaces what the index holds for the add-on; descriptions are plain text. `boost`
        multiplies its score (1.0: none), as AMO's promoted groups do."""

    def index_addons(self, connection: Connection, entries: list[IndexEntry], new: bool = False) -> None:
        """index_addon for many add-ons at once: what an import of thousands calls. `new` says
        that none of them is in the index yet (an import's new add-ons), so that nothing is to
        be replaced. This default (for a backend that subclasses SearchIndex) indexes them one by
        one; a backend overrides it with statements that each write the whole batch."""
        for entry in entries:
            self.index_addon(connection, entry.addon_id, entry.names, entry.summaries, entry.descriptions,
                             entry.daily_users, boost=entry.boost)

    def remove_addons(self, connection: Connection, addon_ids: list[int]) -> None:
        """Forgets the add-ons: they are no longer listed."""

    def match(self, connection: Connection, query: Query) -> Matches:
        """The matches of the query (from analyse())."""


def tokenize(value: str) -> list[str]:
    """Splits text into the terms the index matches: lowercased, without diacritics (as FTS5's
    unicode61 tokenizer with remove_diacritics does, so that exact names compare alike)."""
    if value.isascii():  # nothing to decompose: most of a catalogue's text, at a tenth of the cost
        return _TOKEN.findall(value.lower())
    decomposed = unicodedata.normalize("NFKD", value.lower())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _TOKEN.findall(stripped)


def allowed_typos(term: str) -> int:
    # Elasticsearch's "AUTO" fuzziness: none up to 2 characters, 1 up to 5, then 2.
    return 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2


def typo_corrections(term: str, known: Collection[str]) -> list[str]:
    """The words the query term may have been meant as: of `known`, the indexed name words
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
        # Imported here: the backends build on this module's definitions.
        if dialect == "postgresql":
            from addonhub.search.postgres import PostgresIndex
            _indexes.setdefault(dialect, PostgresIndex())
        else:
            from addonhub.search.sqlite_fts5 import SqliteFts5Index
            _indexes.setdefault(dialect, SqliteFts5Index())
    return _indexes[dialect]
