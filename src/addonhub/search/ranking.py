"""How a backend ranks, written once: every backend keeps the same side tables beside its
full-text index and asks them the same questions, so what is not the full-text engine's own
syntax lives here. A backend (sqlite_fts5.py, postgres.py) subclasses RankedIndex and
RankedMatches and only supplies the queries that return id sets.

The shared tables: `addon_search_names`, every name as its space-joined terms (for exact names)
and run together (for parts of words); `addon_search_ranks`, daily users, boost and their product
`factor` (popularity x boost); `addon_search_generation`, a counter every write raises.

Each process keeps, per index generation, what every query needs besides its own matches
(IndexSnapshot): the name vocabulary, for typo corrections, and the rank rows as arrays sorted
by id. A query then asks the full-text engine only for id sets, one cheap query per word (plus
the phrase, the prefix, the typo corrections, the exact names, the parts, and the summaries and
descriptions holding every word), and scores and pages them with numpy: no row is joined, and
the catalogue's filters arrive as a sorted array of candidate ids, to intersect with.
"""

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

import numpy as np
from sqlalchemy import TextClause, bindparam, column, select, table, text
from sqlalchemy.engine import Connection

from addonhub.db import CommittedSnapshots, execute_driver_sql, insert_rows, joined_columns
from addonhub.search import (
    ALTERNATIVE_CLAUSES, MIN_PART_LENGTH, Clause, Explanation, IndexEntry, Query, SearchIndex, popularity,
    required_words, tokenize, typo_corrections,
)

# A trigram index finds nothing shorter than a trigram (FTS5's says so; a LIKE would): a
# run-together name that short is no part any backend looks for.
_MIN_TRIGRAM_LENGTH = 3
_GENERATION = "SELECT value FROM addon_search_generation"
_RANKS = table("addon_search_ranks", column("addon_id"), column("users"), column("boost"), column("factor"))
_NAMES = table("addon_search_names", column("addon_id"), column("tokens"), column("compact"))


def of_addons(sql: str) -> TextClause:
    """The statement with `:ids` bound to a list of add-on ids (`IN :ids`): one statement for a
    whole batch, where one a row (executemany) is a round trip each on PostgreSQL."""
    return text(sql).bindparams(bindparam("ids", expanding=True))


def _mark_written(connection: Connection) -> None:
    """Tells every process that its snapshot (IndexSnapshot) is stale: every write calls it (as
    the driver runs a bulk insert, like mark_changed)."""
    execute_driver_sql(connection, "UPDATE addon_search_generation SET value = value + 1", ())


class RankedIndex(SearchIndex, ABC):
    """addonhub.search.SearchIndex over the shared tables and a backend's full-text table."""

    def __init__(self):
        self._snapshots = CommittedSnapshots(_GENERATION, self._snapshot)

    def index_addon(self, connection: Connection, addon_id: int, names: list[str], summaries: list[str],
                    descriptions: list[str], daily_users: int, boost: float = 1.0) -> None:
        self.index_addons(connection, [IndexEntry(addon_id, names, summaries, descriptions, daily_users, boost)])

    def index_addons(self, connection: Connection, entries: list[IndexEntry], new: bool = False) -> None:
        # One statement a table for the whole batch (executemany): an import indexes thousands.
        if not entries:
            return
        if new:
            _mark_written(connection)
        else:
            self._forget(connection, [entry.addon_id for entry in entries])
        insert_rows(connection, _RANKS, [
            {"addon_id": entry.addon_id, "users": entry.daily_users, "boost": entry.boost,
             "factor": float(popularity(entry.daily_users) * entry.boost)} for entry in entries])
        names = [{"addon_id": entry.addon_id, "tokens": tokens, "compact": tokens.replace(" ", "")}
                 for entry in entries for tokens in {" ".join(tokenize(name)) for name in entry.names} - {""}]
        insert_rows(connection, _NAMES, names)
        self._write_text(connection, entries, list(dict.fromkeys(row["addon_id"] for row in names)))

    def remove_addons(self, connection: Connection, addon_ids: list[int]) -> None:
        if addon_ids:
            self._forget(connection, addon_ids)

    def _forget(self, connection: Connection, addon_ids: list[int]) -> None:
        # First, while the names are still there (FTS5's parts index forgets a row by its values).
        self._forget_text(connection, addon_ids)
        for forgotten in ("addon_search_names", "addon_search_ranks"):
            connection.execute(of_addons(f"DELETE FROM {forgotten} WHERE addon_id IN :ids"), {"ids": addon_ids})
        _mark_written(connection)

    @abstractmethod
    def _write_text(self, connection: Connection, entries: list[IndexEntry], named_ids: list[int]) -> None:
        """Indexes the entries' texts; their names are in addon_search_names already (`named_ids`:
        the add-ons with at least one)."""

    @abstractmethod
    def _forget_text(self, connection: Connection, addon_ids: list[int]) -> None:
        """Removes what _write_text wrote for the add-ons."""

    def match(self, connection: Connection, query: Query) -> "RankedMatches":
        snapshot = self._snapshots.get(connection)
        words, joined = snapshot.words, snapshot.joined
        corrections = {}
        for term in query.terms:
            known_words, known_joined = words.get(term[:2], set()), joined.get(term[:2], set())
            if term not in known_words and term not in known_joined:
                fixes = typo_corrections(term, known_words | known_joined)
                corrections[term] = ([fix for fix in fixes if fix in known_words],
                                     [fix for fix in fixes if fix not in known_words and len(fix) >= _MIN_TRIGRAM_LENGTH])
        last = query.terms[-1]
        # Whether the last term starts a longer name word: if not, its prefix matches are its word matches.
        extends = len(last) >= 2 and any(word.startswith(last) and word != last for word in words.get(last[:2], ()))
        return self._matches(connection, snapshot, query, corrections, extends)

    def _snapshot(self, connection: Connection, generation: int) -> "IndexSnapshot":
        ids, users, boosts = joined_columns(connection, select(_RANKS.c.addon_id, _RANKS.c.users, _RANKS.c.boost))
        ids, users, boosts = (np.fromstring(values, dtype=dtype, sep=" ") for values, dtype in
                              ((ids, np.int64), (users, np.int64), (boosts, np.float64)))
        order = np.argsort(ids)
        words, joined = _name_vocabulary(connection)
        return IndexSnapshot(generation, words, joined, ids[order], users[order], popularity(users[order]) * boosts[order])

    @abstractmethod
    def _matches(self, connection: Connection, snapshot: "IndexSnapshot", query: Query,
                 corrections: dict[str, tuple[list[str], list[str]]], last_term_extends: bool) -> "RankedMatches":
        """The backend's RankedMatches for the query."""


@dataclass(frozen=True)
class IndexSnapshot:
    """What a process keeps of one generation of the index: the distinct words of names, and the
    run-together forms of names of several words, each grouped by their first two letters; and
    the rank rows as arrays in the order of `ids` (ascending), so that scoring thousands of
    matches is arithmetic rather than a join."""

    generation: int
    words: dict[str, set[str]]
    joined: dict[str, set[str]]
    ids: np.ndarray
    users: np.ndarray
    factors: np.ndarray

    def positions(self, addon_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each add-on's rank row is, and which of them have one: a match the snapshot
        does not know of was indexed after it and is left out, as the generation it shows had it
        not yet."""
        positions = np.searchsorted(self.ids, addon_ids)
        known = positions < len(self.ids)
        known[known] = self.ids[positions[known]] == addon_ids[known]
        return positions, known


def _name_vocabulary(connection: Connection) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The distinct words of names, and the run-together forms of names of several words, each
    grouped by their first two letters: from the names' terms as tokenize() wrote them, which
    every backend's full-text index holds (one read of a narrow table, where a full-text
    vocabulary would scan every column's terms)."""
    (names,) = joined_columns(connection, select(_NAMES.c.tokens), separator="\n")
    words: dict[str, set[str]] = {}
    joined: dict[str, set[str]] = {}
    for name in set(names.split("\n")) - {""}:
        terms = name.split(" ")
        for term in terms:
            words.setdefault(term[:2], set()).add(term)
        if len(terms) > 1:
            compact = "".join(terms)
            joined.setdefault(compact[:2], set()).add(compact)
    return words, joined


def within(candidates: np.ndarray, addon_ids: np.ndarray) -> np.ndarray:
    """Which of `addon_ids` are among the candidates (a sorted array of ids)."""
    positions = np.searchsorted(candidates, addon_ids)
    inside = positions < len(candidates)
    inside[inside] = candidates[positions[inside]] == addon_ids[inside]
    return inside


_NONE = np.zeros(0, dtype=np.int64)
# Masks of more bits than this are not looked up in a table of every mask (_NameMatches.weights).
_MAX_WEIGHT_TABLE = 1 << 16


class RankedMatches(ABC):
    """addonhub.search.Matches from the clause id sets a backend finds.

    `corrections` maps each query term no name holds to its typo corrections: name words, and
    run-together names (found as parts).
    """

    def __init__(self, connection: Connection, snapshot: IndexSnapshot, query: Query,
                 corrections: dict[str, tuple[list[str], list[str]]], last_term_extends: bool):
        self._connection = connection
        self._snapshot = snapshot
        self._query = query
        self._corrections = corrections
        self._last_term_extends = last_term_extends
        self._scored: tuple[_NameMatches, np.ndarray, np.ndarray] | None = None

    def rank(self, offset: int, limit: int, candidates: np.ndarray | None = None) -> tuple[int, list[int]]:
        ids, weights = self._matching()[1:]
        if candidates is not None:
            inside = within(candidates, ids)
            ids, weights = ids[inside], weights[inside]
        total, wanted = len(ids), offset + limit
        if not wanted or not total:
            return total, []
        positions = self._snapshot.positions(ids)[0]
        scores, users = weights * self._snapshot.factors[positions], self._snapshot.users[positions]
        if total > wanted:
            # Only what scores at least the page's last match needs ordering (ties included).
            top = scores >= np.partition(scores, total - wanted)[total - wanted]
            ids, scores, users = ids[top], scores[top], users[top]
        order = np.lexsort((ids, -users, -scores))
        return total, ids[order][offset:wanted].tolist()

    def ids(self) -> np.ndarray:
        return self._matching()[1]

    def explain(self, addon_id: int) -> Explanation | None:
        names, ids, _ = self._matching()
        if not within(ids, np.array([addon_id], dtype=np.int64))[0]:
            return None
        rank = self._connection.execute(text("SELECT users, boost FROM addon_search_ranks WHERE addon_id = :id"),
                                        {"id": addon_id}).first()
        if not rank:
            return None
        users, boost = rank
        return Explanation(names.clauses(addon_id), users, boost)

    def _matching(self) -> tuple["_NameMatches", np.ndarray, np.ndarray]:
        """The clause sets, read once per query (rank, ids and explain share them), and every
        match the snapshot knows of, ascending, with its clause weights added up."""
        if self._scored is None:
            names = self._clause_sets()
            weights = names.weights()
            matching = weights > 0
            self._scored = names, names.ids[matching], weights[matching]
        return self._scored

    def _clause_sets(self) -> "_NameMatches":
        terms = self._query.terms
        words = {term: self._names_holding([term]) for term in terms}
        typos = {term: np.concatenate([self._names_holding(fixed_words) if fixed_words else _NONE,
                                       self._names_containing(fixed_joined) if fixed_joined else _NONE])
                 for term, (fixed_words, fixed_joined) in self._corrections.items()}
        prefix = (self._names_with_prefix(terms[-1]) if self._last_term_extends
                  else words[terms[-1]] if len(terms[-1]) >= 2 else _NONE)
        phrase = self._names_with_phrase(terms) if len(terms) > 1 else _NONE
        exact = np.array(self._connection.execute(
            text("SELECT addon_id FROM addon_search_names WHERE tokens = :tokens"),
            {"tokens": " ".join(self._query.tokens)}).scalars().all(), dtype=np.int64)
        joined = self._query.run_together
        parts = self._names_containing([joined]) if len(joined) >= MIN_PART_LENGTH else _NONE
        return _NameMatches(self._snapshot, self._query, words, typos, prefix, phrase, exact, parts,
                            self._texts_holding(Clause.SUMMARY), self._texts_holding(Clause.DESCRIPTION))

    # The backend's queries, each the ids it finds as an array (numpy, int64, in any order).
    # "Holding" is the full-text index's word match; "containing", the trigram index's substring
    # match over run-together names.

    @abstractmethod
    def _names_holding(self, words: Collection[str]) -> np.ndarray:
        """The add-ons a name of which holds any of the words."""

    @abstractmethod
    def _names_with_prefix(self, term: str) -> np.ndarray:
        """The add-ons a name of which holds a word starting with the term."""

    @abstractmethod
    def _names_with_phrase(self, terms: tuple[str, ...]) -> np.ndarray:
        """The add-ons a name of which holds the terms in order, one after the other."""

    @abstractmethod
    def _names_containing(self, parts: Collection[str]) -> np.ndarray:
        """The add-ons a run-together name of which contains any of the strings."""

    @abstractmethod
    def _texts_holding(self, clause: Clause) -> np.ndarray:
        """The add-ons whose summaries (Clause.SUMMARY) or descriptions (Clause.DESCRIPTION) hold
        every term."""


class _NameMatches:
    """The id sets of one query's clauses. An add-on's clauses depend only on which sets hold it,
    so each add-on gets a bit mask of them and the clauses are worked out once per distinct mask:
    a common word's thousands of matches share a handful. The masks are kept by the add-on's
    place in the snapshot's ids, so that making them is a lookup per id, not a sort."""

    def __init__(self, snapshot: IndexSnapshot, query: Query, words: dict[str, np.ndarray],
                 typos: dict[str, np.ndarray], prefix: np.ndarray, phrase: np.ndarray, exact: np.ndarray,
                 parts: np.ndarray, summary: np.ndarray, description: np.ndarray):
        self._terms = query.terms
        self._required = required_words(query)
        count = len(query.terms)
        # Bits: each word, then each word's typo matches, then the clauses below in this order.
        self._prefix, self._phrase, self._exact, self._parts, self._summary, self._description = (
            1 << bit for bit in range(2 * count, 2 * count + 6))
        sets = [*(words[term] for term in query.terms), *(typos.get(term, _NONE) for term in query.terms),
                prefix, phrase, exact, parts, summary, description]
        masks = np.zeros(len(snapshot.ids), dtype=np.int64)
        for bit, members in enumerate(sets):
            positions, known = snapshot.positions(members)
            masks[positions[known]] |= 1 << bit
        held = np.flatnonzero(masks)
        # Every add-on in some set, ascending, and the bits of the sets holding it.
        self.ids, self._masks = snapshot.ids[held], masks[held]
        self._mask_clauses = cache(self._clauses_of)

    def weights(self) -> np.ndarray:
        """Each add-on's clause weights added up, in the order of `ids` (0 for an add-on in a set
        too weak for any clause: a name holding one word of three)."""
        if self._description >= _MAX_WEIGHT_TABLE:
            distinct, inverse = np.unique(self._masks, return_inverse=True)
            return self._weights_of(distinct)[inverse]
        # Queries of up to five terms have masks of at most 16 bits: a table indexed by mask
        # replaces the sort that finding the distinct ones takes.
        table = np.zeros(2 * self._description, dtype=np.float64)
        present = np.zeros(len(table), dtype=bool)
        present[self._masks] = True
        distinct = np.flatnonzero(present)
        table[distinct] = self._weights_of(distinct)
        return table[self._masks]

    def _weights_of(self, masks: np.ndarray) -> np.ndarray:
        return np.array([sum(self._mask_clauses(int(mask)).values()) for mask in masks], dtype=np.float64)

    def clauses(self, addon_id: int) -> dict[Clause, float]:
        position = int(np.searchsorted(self.ids, addon_id))
        found = position < len(self.ids) and self.ids[position] == addon_id
        return self._mask_clauses(int(self._masks[position]) if found else 0)

    def _clauses_of(self, mask: int) -> dict[Clause, float]:
        count = len(self._terms)
        found = [bool(mask & 1 << position) for position in range(count)]
        found_count = sum(found)
        fuzzy_count = sum(hit or bool(mask & 1 << (count + position)) for position, hit in enumerate(found))
        clauses: dict[Clause, float] = {}
        if mask & self._exact:
            clauses[Clause.EXACT_NAME] = Clause.EXACT_NAME.weight
        if mask & self._phrase:
            clauses[Clause.NAME_PHRASE] = Clause.NAME_PHRASE.weight
        if found_count == count:
            clauses[Clause.NAME_ALL_WORDS] = Clause.NAME_ALL_WORDS.weight
        if all(found[:-1]) and mask & self._prefix:
            clauses[Clause.NAME_PREFIX] = Clause.NAME_PREFIX.weight
        if found_count >= self._required:
            clauses[Clause.NAME_SOME_WORDS] = Clause.NAME_SOME_WORDS.weight * found_count / count
        alternatives = {
            Clause.NAME_PART: Clause.NAME_PART.weight if mask & self._parts else 0.0,
            Clause.NAME_TYPOS: (Clause.NAME_TYPOS.weight * fuzzy_count / count
                                if fuzzy_count > found_count and fuzzy_count >= self._required else 0.0),
        }
        best = max(ALTERNATIVE_CLAUSES, key=lambda clause: alternatives[clause])
        if alternatives[best]:
            clauses[best] = alternatives[best]
        if mask & self._summary:
            clauses[Clause.SUMMARY] = Clause.SUMMARY.weight
        if mask & self._description:
            clauses[Clause.DESCRIPTION] = Clause.DESCRIPTION.weight
        return clauses
