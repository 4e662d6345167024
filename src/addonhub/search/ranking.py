"""How a backend ranks, written once: every backend keeps the same side tables beside its
full-text index and asks them the same questions, so what is not the full-text engine's own
syntax lives here. A backend (sqlite_fts5.py, postgres.py) subclasses RankedIndex and
RankedMatches and only supplies the queries that return id sets and (id, users, factor) rows.

The shared tables: `addon_search_names`, every name as its space-joined terms (for exact names)
and run together (for parts of words); `addon_search_ranks`, daily users, boost and their product
`factor` (popularity x boost) in a narrow table, so that ordering thousands of matches reads a few
pages; `addon_search_generation`, a counter every write bumps, so that each process knows when its
cached vocabulary is stale.

How a query is ranked (RankedMatches.rank): the name clauses are id sets from one cheap query per
word (plus the phrase, the prefix, the typo corrections, the exact names and the parts), scored in
Python over the add-ons whose names match at all, with their summary and description clauses
looked up for just those ids. Every other match only matches in its summary or description, so
scores SUMMARY + DESCRIPTION, SUMMARY or DESCRIPTION times its factor: the backend pages each of
those three groups by `factor` with a LIMIT, and the top of the merge is exact without scoring the
(many) text-only matches of a common word.
"""

import heapq
import threading
from abc import ABC, abstractmethod
from collections.abc import Collection
from functools import cache

from sqlalchemy import ColumnElement, Select, text
from sqlalchemy.engine import Connection

from addonhub.search import (
    ALTERNATIVE_CLAUSES, MIN_PART_LENGTH, Clause, Explanation, IndexEntry, Query, SearchIndex, popularity,
    required_words, tokenize, typo_corrections,
)

# The text-only groups, each as the text clauses its add-ons match (and no name clause).
TEXT_GROUPS = ((Clause.SUMMARY, Clause.DESCRIPTION), (Clause.SUMMARY,), (Clause.DESCRIPTION,))
# A trigram index finds nothing shorter than a trigram (FTS5's says so; a LIKE would): a
# run-together name that short is no part any backend looks for.
_MIN_TRIGRAM_LENGTH = 3
# (id, daily users, factor): what ranking reads of each match.
Row = tuple[int, int, float]


class RankedIndex(SearchIndex, ABC):
    """addonhub.search.SearchIndex over the shared tables and a backend's full-text table."""

    # The distinct words of names in the backend's full-text table (one column: the word).
    NAME_WORDS_SQL: str

    def __init__(self):
        self._vocabulary = _NameVocabulary(self.NAME_WORDS_SQL)

    def index_addon(self, connection: Connection, addon_id: int, names: list[str], summaries: list[str],
                    descriptions: list[str], daily_users: int, boost: float = 1.0) -> None:
        self.index_addons(connection, [IndexEntry(addon_id, names, summaries, descriptions, daily_users, boost)])

    def index_addons(self, connection: Connection, entries: list[IndexEntry]) -> None:
        # One statement a table for the whole batch (executemany): an import indexes thousands.
        if not entries:
            return
        self._forget(connection, [entry.addon_id for entry in entries])
        connection.execute(
            text("INSERT INTO addon_search_ranks (addon_id, users, boost, factor) VALUES (:id, :users, :boost, :factor)"),
            [{"id": entry.addon_id, "users": entry.daily_users, "boost": entry.boost,
              "factor": popularity(entry.daily_users) * entry.boost} for entry in entries],
        )
        names = [{"id": entry.addon_id, "tokens": tokens, "compact": tokens.replace(" ", "")}
                 for entry in entries for tokens in {" ".join(tokenize(name)) for name in entry.names} - {""}]
        if names:
            connection.execute(
                text("INSERT INTO addon_search_names (addon_id, tokens, compact) VALUES (:id, :tokens, :compact)"), names)
        self._write_text(connection, entries, list(dict.fromkeys(row["id"] for row in names)))

    def remove_addon(self, connection: Connection, addon_id: int) -> None:
        self._forget(connection, [addon_id])

    def _forget(self, connection: Connection, addon_ids: list[int]) -> None:
        ids = [{"id": addon_id} for addon_id in addon_ids]
        # First, while the names are still there (FTS5's parts index forgets a row by its values).
        self._forget_text(connection, ids)
        connection.execute(text("DELETE FROM addon_search_names WHERE addon_id = :id"), ids)
        connection.execute(text("DELETE FROM addon_search_ranks WHERE addon_id = :id"), ids)
        # Tells every process that its cached vocabulary is stale.
        connection.execute(text("UPDATE addon_search_generation SET value = value + 1"))

    @abstractmethod
    def _write_text(self, connection: Connection, entries: list[IndexEntry], named_ids: list[int]) -> None:
        """Indexes the entries' texts; their names are in addon_search_names already (`named_ids`:
        the add-ons with at least one)."""

    @abstractmethod
    def _forget_text(self, connection: Connection, ids: list[dict]) -> None:
        """Removes what _write_text wrote for the add-ons ({"id": ...} each)."""

    def match(self, connection: Connection, query: Query) -> "RankedMatches":
        words, joined = self._vocabulary.by_prefix(connection)
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
        return self._matches(connection, query, corrections, extends)

    @abstractmethod
    def _matches(self, connection: Connection, query: Query, corrections: dict[str, tuple[list[str], list[str]]],
                 last_term_extends: bool) -> "RankedMatches":
        """The backend's RankedMatches for the query."""


class RankedMatches(ABC):
    """addonhub.search.Matches from the clause id sets and rank rows a backend finds.

    `corrections` maps each query term no name holds to its typo corrections: name words, and
    run-together names (found as parts). The backend's "any name" match is an add-on whose
    names hold a term, a word correction or (from two letters) the last term as a prefix.
    """

    def __init__(self, connection: Connection, query: Query, corrections: dict[str, tuple[list[str], list[str]]],
                 last_term_extends: bool):
        self._connection = connection
        self._query = query
        self._corrections = corrections
        self._last_term_extends = last_term_extends
        self._names: _NameMatches | None = None

    def _any_name_terms(self) -> tuple[list[str], str | None]:
        """What the "any name" match asks for, for the backend to write in its own syntax: the
        whole words (the terms and their word corrections), and the last term as a prefix unless
        it is one letter (a one-letter prefix is every name)."""
        terms = self._query.terms
        words = [*terms, *(fix for fixed_words, _ in self._corrections.values() for fix in fixed_words)]
        return words, terms[-1] if len(terms[-1]) >= 2 else None

    def rank(self, offset: int, limit: int, candidates: Select | None = None) -> tuple[int, list[int]]:
        names = self._name_matches()
        wanted = offset + limit
        name_total = part_only_in_text = 0  # the latter: part-only name matches the text-only groups count too
        scored = []  # (-score, -users, id)
        for addon_id, users, factor in self._name_match_rows(names.part_only, candidates):
            weight, in_text = names.weight(addon_id)
            if weight:
                name_total += 1
                scored.append((-weight * factor, -users, addon_id))
                part_only_in_text += in_text and addon_id in names.part_only
        best = heapq.nsmallest(wanted, scored)
        text_only_total = self._text_only_count(candidates)
        # A text-only match gets onto the page only by scoring at least the page's last name
        # match: below that factor it need not be read, and a group none of whose add-ons could
        # reach it is not asked at all (a common word's page is then all name matches).
        threshold = -best[-1][0] if wanted and len(best) == wanted else 0.0
        top_factor = self._max_factor() if threshold else 0.0
        for group in TEXT_GROUPS:
            weight = sum(clause.weight for clause in group)
            if not text_only_total or threshold and weight * top_factor < threshold:
                continue
            # Part-only name matches are scored above; the groups hold them too (they are no
            # full-text name match), so each is read that much further.
            best += [(-weight * factor, -users, addon_id) for addon_id, users, factor in
                     self._text_group_rows(group, candidates, limit=wanted + len(names.part_only),
                                           min_factor=threshold / weight * (1 - 1e-9))
                     if addon_id not in names.part_only]
        total = name_total + text_only_total - part_only_in_text
        best.sort()
        return total, [addon_id for _, _, addon_id in best[offset:wanted]]

    def condition(self, addon_id: ColumnElement[int]) -> ColumnElement[bool]:
        names = self._name_matches()
        return self._condition(addon_id, [candidate for candidate in names.ids if names.weight(candidate)[0]])

    def explain(self, addon_id: int) -> Explanation | None:
        names = self._name_matches()
        clauses = (names.clauses(addon_id) if addon_id in names.ids
                   else {clause: clause.weight for clause in self._text_clauses(addon_id)})
        rank = self._connection.execute(text("SELECT users, boost FROM addon_search_ranks WHERE addon_id = :id"),
                                        {"id": addon_id}).first()
        if not clauses or not rank:
            return None
        users, boost = rank
        return Explanation(clauses, users, boost)

    def _name_matches(self) -> "_NameMatches":
        """The name clauses' id sets, read once per query (every call of rank, condition and
        explain shares them)."""
        if self._names is None:
            terms = self._query.terms
            words = {term: self._names_holding([term]) for term in terms}
            typos, typos_in_words = {}, set()  # the latter: found by full-text name matches
            for term, (fixed_words, fixed_joined) in self._corrections.items():
                typos[term] = set()
                if fixed_words:
                    found = self._names_holding(fixed_words)
                    typos[term] |= found
                    typos_in_words |= found
                if fixed_joined:
                    typos[term] |= self._names_containing(fixed_joined)
            prefix = (self._names_with_prefix(terms[-1]) if self._last_term_extends
                      else words[terms[-1]] if len(terms[-1]) >= 2 else set())
            phrase = self._names_with_phrase(terms) if len(terms) > 1 else set()
            exact = set(self._connection.execute(text("SELECT addon_id FROM addon_search_names WHERE tokens = :tokens"),
                                                 {"tokens": " ".join(self._query.tokens)}).scalars())
            joined = self._query.run_together
            parts = self._names_containing([joined]) if len(joined) >= MIN_PART_LENGTH else set()
            text_names = set().union(*words.values(), typos_in_words, prefix)
            part_only = (parts | set().union(*typos.values())) - text_names
            summary, description = (self._text_among(clause, part_only) for clause in (Clause.SUMMARY, Clause.DESCRIPTION))
            self._names = _NameMatches(self._query, words, typos, prefix, phrase, exact, parts, summary, description,
                                       text_names | part_only, part_only)
        return self._names

    def _max_factor(self) -> float:
        """The highest factor of any indexed add-on (an index on it): what bounds a text-only score."""
        return self._connection.execute(text("SELECT max(factor) FROM addon_search_ranks")).scalar() or 0.0

    # The backend's queries. "Holding" is the full-text index's word match; "containing", the
    # trigram index's substring match over run-together names.

    @abstractmethod
    def _names_holding(self, words: Collection[str]) -> set[int]:
        """The add-ons a name of which holds any of the words."""

    @abstractmethod
    def _names_with_prefix(self, term: str) -> set[int]:
        """The add-ons a name of which holds a word starting with the term."""

    @abstractmethod
    def _names_with_phrase(self, terms: tuple[str, ...]) -> set[int]:
        """The add-ons a name of which holds the terms in order, one after the other."""

    @abstractmethod
    def _names_containing(self, parts: Collection[str]) -> set[int]:
        """The add-ons a run-together name of which contains any of the strings."""

    @abstractmethod
    def _text_among(self, clause: Clause, part_only: set[int]) -> set[int]:
        """Of the any-name matches and of `part_only`, those whose summaries (Clause.SUMMARY) or
        descriptions (Clause.DESCRIPTION) hold every term."""

    @abstractmethod
    def _name_match_rows(self, part_only: set[int], candidates: Select | None) -> list[Row]:
        """The rows of the candidates that are any-name matches or in `part_only`."""

    @abstractmethod
    def _text_only_count(self, candidates: Select | None) -> int:
        """How many candidates hold every term in their summaries or descriptions, and are no
        any-name match."""

    @abstractmethod
    def _text_group_rows(self, group: tuple[Clause, ...], candidates: Select | None, limit: int,
                         min_factor: float) -> list[Row]:
        """Of the candidates that are no any-name match and match exactly the group's text
        clauses, those with a factor of at least `min_factor`: the `limit` first by factor, then
        daily users (both descending), then id."""

    @abstractmethod
    def _text_clauses(self, addon_id: int) -> list[Clause]:
        """Which of Clause.SUMMARY and Clause.DESCRIPTION the add-on matches."""

    @abstractmethod
    def _condition(self, addon_id: ColumnElement[int], name_ids: list[int]) -> ColumnElement[bool]:
        """Whether `addon_id` is one of `name_ids` or holds every term in its summaries or descriptions."""


class _NameMatches:
    """The id sets of one query's name clauses, and the summary and description clauses of the
    add-ons in them. An add-on's clauses depend only on which sets hold it, so each add-on gets a
    bit mask of them and the clauses are worked out once per distinct mask: a common word's
    thousands of name matches share a handful."""

    def __init__(self, query: Query, words: dict[str, set[int]], typos: dict[str, set[int]], prefix: set[int],
                 phrase: set[int], exact: set[int], parts: set[int], summary: set[int], description: set[int],
                 every: set[int], part_only: set[int]):
        self._terms = query.terms
        self._required = required_words(query)
        count = len(query.terms)
        # Bits: each word, then each word's typo matches, then the clauses below in this order.
        self._prefix, self._phrase, self._exact, self._parts, self._summary, self._description = (
            1 << bit for bit in range(2 * count, 2 * count + 6))
        sets = [*(words[term] for term in query.terms), *(typos.get(term, ()) for term in query.terms),
                prefix, phrase, exact, parts, summary, description]
        self._masks: dict[int, int] = {}
        for bit, members in enumerate(sets):
            for addon_id in members:
                self._masks[addon_id] = self._masks.get(addon_id, 0) | 1 << bit
        self.ids = every  # every add-on with some name match, even one too weak for a clause
        self.part_only = part_only  # of them, those only the trigram index finds (no full-text name match)
        self._mask_clauses = cache(self._clauses_of)
        self._mask_weight = cache(lambda mask: sum(self._mask_clauses(mask).values()))

    def clauses(self, addon_id: int) -> dict[Clause, float]:
        return self._mask_clauses(self._masks.get(addon_id, 0))

    def weight(self, addon_id: int) -> tuple[float, bool]:
        """The add-on's clause weights added up, and whether it matches in its summary or
        description."""
        mask = self._masks.get(addon_id, 0)
        return self._mask_weight(mask), bool(mask & (self._summary | self._description))

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


class _NameVocabulary:
    """The distinct words of names, and the run-together forms of names of several words, each
    grouped by their first two letters, cached per database until the index's generation
    changes (every process that writes to it bumps it)."""

    def __init__(self, words_sql: str):
        self._words_sql = words_sql
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[int, dict[str, set[str]], dict[str, set[str]]]] = {}

    def by_prefix(self, connection: Connection) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        database = str(connection.engine.url)
        generation = connection.execute(text("SELECT value FROM addon_search_generation")).scalar_one()
        with self._lock:
            cached = self._cache.get(database)
            if cached is None or cached[0] != generation:
                words = _by_prefix(connection, self._words_sql)
                joined = _by_prefix(connection, "SELECT DISTINCT compact FROM addon_search_names WHERE tokens LIKE '% %'")
                cached = self._cache[database] = (generation, words, joined)
            return cached[1], cached[2]


def _by_prefix(connection: Connection, sql: str) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for (term,) in connection.execute(text(sql)):
        grouped.setdefault(term[:2], set()).add(term)
    return grouped
