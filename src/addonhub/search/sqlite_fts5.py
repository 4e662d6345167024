"""The search index in SQLite FTS5, the only module that writes FTS5 expressions.

Tables (migrations 0001, 0002, 0006, 0021): `addon_search`, the FTS5 table of names, summaries and
descriptions (rowid = add-on id, prefix indexes of 2 and 3 characters); `addon_search_names`,
every name as its space-joined terms (for exact names) and run together (for parts of words);
`addon_search_parts`, an FTS5 trigram index over those run-together names (external content:
its rowids are the names' ids), which finds a string inside them; `addon_search_ranks`,
daily users, boost and their product `factor` (popularity x boost) in a narrow table, so that
ordering thousands of matches reads a few pages; `addon_search_vocab`, the indexed terms
(fts5vocab), for typo corrections; `addon_search_generation`, a counter every write bumps, so
that each process knows when its cached vocabulary is stale.

How a query is ranked (Matches.rank): the name clauses are id sets from one cheap FTS query per
word (plus the phrase, the prefix, the typo corrections, the exact names and the parts), scored
in Python over the add-ons whose names match at all, with their summary and description clauses
looked up for just those ids. Every other match only matches in its summary or description, so
scores SUMMARY + DESCRIPTION, SUMMARY or DESCRIPTION times its factor: SQLite pages each of those
three groups by `factor` with a LIMIT, and the top of the merge is exact without scoring the
(many) text-only matches of a common word.
"""

import heapq
import threading
from functools import cache

import orjson
from sqlalchemy import ColumnElement, Select, bindparam, column, func, or_, select, table, text
from sqlalchemy.engine import Connection

from addonhub.search import (
    ALTERNATIVE_CLAUSES, MIN_PART_LENGTH, Clause, Explanation, IndexEntry, Query, SearchIndex, popularity,
    required_words, tokenize, typo_corrections,
)

_RANKS = table("addon_search_ranks", column("addon_id"), column("users"), column("boost"), column("factor"))
_MATCHING = "SELECT rowid FROM addon_search WHERE addon_search MATCH {}"
_PARTS = ("SELECT addon_id FROM addon_search_names WHERE id IN "
          "(SELECT rowid FROM addon_search_parts WHERE addon_search_parts MATCH {})")
_AMONG = "SELECT value FROM json_each({})"
# The text-only groups: what each adds, with its FTS5 expression built from the summary (S),
# description (D) and any-name (N) expressions.
_TEXT_GROUPS = (
    ((Clause.SUMMARY, Clause.DESCRIPTION), "(({S}) AND ({D})) NOT ({N})"),
    ((Clause.SUMMARY,), "(({S}) NOT ({D})) NOT ({N})"),
    ((Clause.DESCRIPTION,), "(({D}) NOT ({S})) NOT ({N})"),
)


class SqliteFts5Index(SearchIndex):
    """addonhub.search.SearchIndex over those tables."""

    def __init__(self):
        self._vocabulary = _NameVocabulary()

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
            connection.execute(text(
                "INSERT INTO addon_search_parts (rowid, compact) "
                "SELECT id, compact FROM addon_search_names WHERE addon_id = :id"),
                [{"id": addon_id} for addon_id in dict.fromkeys(row["id"] for row in names)])
        connection.execute(
            text("INSERT INTO addon_search (rowid, name, summary, description) VALUES (:id, :n, :s, :d)"),
            [{"id": entry.addon_id, "n": "\n".join(entry.names), "s": "\n".join(entry.summaries),
              "d": "\n".join(entry.descriptions)} for entry in entries],
        )

    def remove_addon(self, connection: Connection, addon_id: int) -> None:
        self._forget(connection, [addon_id])

    def _forget(self, connection: Connection, addon_ids: list[int]) -> None:
        ids = [{"id": addon_id} for addon_id in addon_ids]
        connection.execute(text("DELETE FROM addon_search WHERE rowid = :id"), ids)
        # An external-content index forgets a row given the values it indexed.
        connection.execute(text(
            "INSERT INTO addon_search_parts (addon_search_parts, rowid, compact) "
            "SELECT 'delete', id, compact FROM addon_search_names WHERE addon_id = :id"), ids)
        connection.execute(text("DELETE FROM addon_search_names WHERE addon_id = :id"), ids)
        connection.execute(text("DELETE FROM addon_search_ranks WHERE addon_id = :id"), ids)
        # Tells every process that its cached vocabulary is stale.
        connection.execute(text("UPDATE addon_search_generation SET value = value + 1"))

    def match(self, connection: Connection, query: Query) -> "_Fts5Matches":
        words, joined = self._vocabulary.by_prefix(connection)
        corrections = {}
        for term in query.terms:
            known_words, known_joined = words.get(term[:2], set()), joined.get(term[:2], set())
            if term not in known_words and term not in known_joined:
                fixes = typo_corrections(term, known_words | known_joined)
                corrections[term] = ([fix for fix in fixes if fix in known_words],
                                     [fix for fix in fixes if fix not in known_words])
        last = query.terms[-1]
        # Whether the last term starts a longer name word: if not, its prefix matches are its word matches.
        extends = len(last) >= 2 and any(word.startswith(last) and word != last for word in words.get(last[:2], ()))
        return _Fts5Matches(connection, query, corrections, extends)


class _Fts5Matches:
    def __init__(self, connection: Connection, query: Query, corrections: dict[str, tuple[list[str], list[str]]],
                 last_term_extends: bool):
        self._connection = connection
        self._last_term_extends = last_term_extends
        self._query = query
        self._corrections = corrections
        terms = query.terms
        alternatives = [_quote(term) for term in terms]
        alternatives += [_quote(fix) for words, _ in corrections.values() for fix in words]
        if len(terms[-1]) >= 2:  # a one-letter prefix is every name
            alternatives.append(_quote(terms[-1]) + " *")
        self._any_name = "name : (" + " OR ".join(alternatives) + ")"
        self._summary = _every_term("summary", terms)
        self._description = _every_term("description", terms)
        self._names: _NameMatches | None = None

    def rank(self, offset: int, limit: int, candidates: Select | None = None) -> tuple[int, list[int]]:
        names = self._name_matches()
        wanted = offset + limit
        name_total = part_only_in_text = 0  # the latter: part-only name matches the text-only groups count too
        scored = []  # (-score, -users, id)
        rows = self._rows(_MATCHING, self._any_name, candidates)
        if names.part_only:
            rows += self._rows(_AMONG, orjson.dumps(sorted(names.part_only)).decode(), candidates)
        for addon_id, users, factor in rows:
            weight, in_text = names.weight(addon_id)
            if weight:
                name_total += 1
                scored.append((-weight * factor, -users, addon_id))
                part_only_in_text += in_text and addon_id in names.part_only
        best = heapq.nsmallest(wanted, scored)
        text_only = f"(({self._summary}) OR ({self._description})) NOT ({self._any_name})"
        text_only_total = self._count(text_only, candidates)
        # A text-only match gets onto the page only by scoring at least the page's last name
        # match: below that factor it need not be read, and a group none of whose add-ons could
        # reach it is not asked at all (a common word's page is then all name matches).
        threshold = -best[-1][0] if wanted and len(best) == wanted else 0.0
        top_factor = (self._fetch("SELECT max(factor) FROM addon_search_ranks")[0][0] or 0.0) if threshold else 0.0
        for group, expression in _TEXT_GROUPS:
            weight = sum(clause.weight for clause in group)
            if not text_only_total or threshold and weight * top_factor < threshold:
                continue
            fts = expression.format(S=self._summary, D=self._description, N=self._any_name)
            # Part-only name matches are scored above; the groups hold them too (they are no FTS5
            # name match), so each is read that much further.
            best += [(-weight * factor, -users, addon_id) for addon_id, users, factor in
                     self._rows(_MATCHING, fts, candidates, limit=wanted + len(names.part_only),
                                min_factor=threshold / weight * (1 - 1e-9))
                     if addon_id not in names.part_only]
        total = name_total + text_only_total - part_only_in_text
        best.sort()
        return total, [addon_id for _, _, addon_id in best[offset:wanted]]

    def condition(self, addon_id: ColumnElement[int]) -> ColumnElement[bool]:
        names = self._name_matches()
        matching_names = [candidate for candidate in names.ids if names.weight(candidate)[0]]
        return or_(
            addon_id.in_(select(column("value")).select_from(
                func.json_each(bindparam("ids", orjson.dumps(matching_names).decode(), unique=True)))),
            addon_id.in_(text(_MATCHING.format(":text")).bindparams(
                bindparam("text", f"({self._summary}) OR ({self._description})", unique=True))),
        )

    def explain(self, addon_id: int) -> Explanation | None:
        names = self._name_matches()
        if addon_id in names.ids:
            clauses = names.clauses(addon_id)
        else:
            clauses = {clause: clause.weight for clause, expression in
                       ((Clause.SUMMARY, self._summary), (Clause.DESCRIPTION, self._description))
                       if self._fetch(f"{_MATCHING.format('?')} AND rowid = ?", expression, addon_id)}
        rank = self._fetch("SELECT users, boost FROM addon_search_ranks WHERE addon_id = ?", addon_id)
        if not clauses or not rank:
            return None
        users, boost = rank[0]
        return Explanation(clauses, users, boost)

    def _name_matches(self) -> "_NameMatches":
        """The name clauses' id sets, read once per query (every call of rank, condition and
        explain shares them)."""
        if self._names is None:
            terms = self._query.terms
            words = {term: self._ids(_MATCHING, f"name : {_quote(term)}") for term in terms}
            typos, typos_in_words = {}, set()  # the latter: found by FTS5 name matches
            for term, (fixed_words, fixed_joined) in self._corrections.items():
                typos[term] = set()
                if fixed_words:
                    found = self._ids(_MATCHING, "name : (" + " OR ".join(map(_quote, fixed_words)) + ")")
                    typos[term] |= found
                    typos_in_words |= found
                if fixed_joined:
                    typos[term] |= self._ids(_PARTS, " OR ".join(map(_quote, fixed_joined)))
            prefix = (self._ids(_MATCHING, f"name : {_quote(terms[-1])} *") if self._last_term_extends
                      else words[terms[-1]] if len(terms[-1]) >= 2 else set())
            phrase = self._ids(_MATCHING, _phrase("name", terms)) if len(terms) > 1 else set()
            exact = self._ids("SELECT addon_id FROM addon_search_names WHERE tokens = {}", " ".join(self._query.tokens))
            joined = self._query.run_together
            parts = self._ids(_PARTS, _quote(joined)) if len(joined) >= MIN_PART_LENGTH else set()
            fts_names = set().union(*words.values(), typos_in_words, prefix)
            part_only = (parts | set().union(*typos.values())) - fts_names
            summary, description = (self._text_among(expression, part_only) for expression in (self._summary, self._description))
            self._names = _NameMatches(self._query, words, typos, prefix, phrase, exact, parts, summary, description,
                                       fts_names | part_only, part_only)
        return self._names

    def _text_among(self, expression: str, part_only: set[int]) -> set[int]:
        """Which of the name matches also match the text expression: FTS5 intersects it with the
        any-name expression itself (far cheaper than looking ids up one by one); the few that only
        the parts index finds are looked up, a join that reads the expression's matches once."""
        found = self._ids(_MATCHING, f"({expression}) AND ({self._any_name})")
        if part_only:
            found.update(addon_id for (addon_id,) in self._fetch(
                "SELECT s.rowid FROM addon_search s JOIN (SELECT value FROM json_each(?)) AS ids ON ids.value = s.rowid "
                "WHERE addon_search MATCH ?", orjson.dumps(sorted(part_only)).decode(), expression))
        return found

    def _rows(self, source: str, parameter: str, candidates: Select | None, limit: int | None = None,
              min_factor: float = 0.0) -> list[tuple]:
        """(id, daily users, factor) of the candidates among `source`'s ids (SQL with one
        placeholder "{}" for `parameter`) whose factor is at least `min_factor`; with a limit,
        those of the highest factor."""
        if candidates is None:
            order = f" ORDER BY factor DESC, users DESC, addon_id LIMIT {int(limit)}" if limit is not None else ""
            return self._fetch(f"SELECT addon_id, users, factor FROM addon_search_ranks "
                               f"WHERE addon_id IN ({source.format('?')}) AND factor >= ?{order}", parameter, min_factor)
        statement = self._narrowed(source, parameter, candidates).with_only_columns(
            _RANKS.c.addon_id, _RANKS.c.users, _RANKS.c.factor).where(_RANKS.c.factor >= min_factor)
        if limit is not None:
            statement = statement.order_by(_RANKS.c.factor.desc(), _RANKS.c.users.desc(), _RANKS.c.addon_id).limit(limit)
        return self._connection.execute(statement).all()

    def _count(self, expression: str, candidates: Select | None) -> int:
        if candidates is None:
            return self._fetch(f"SELECT count(*) FROM ({_MATCHING.format('?')})", expression)[0][0]
        return self._connection.execute(
            self._narrowed(_MATCHING, expression, candidates).with_only_columns(func.count())).scalar_one()

    def _narrowed(self, source: str, parameter: str, candidates: Select) -> Select:
        """The candidates among `source`'s ids, joined to their rank rows. The candidates' own
        query drives, so that SQLite checks the filters only for the matches (as an IN over the
        whole filtered catalogue would not)."""
        (addon_id,) = candidates.selected_columns
        matching = text(source.format(":match")).bindparams(bindparam("match", parameter, unique=True))
        return candidates.join(_RANKS, _RANKS.c.addon_id == addon_id).where(addon_id.in_(matching))

    def _ids(self, source: str, *parameters) -> set[int]:
        return {addon_id for (addon_id,) in self._fetch(source.format("?"), *parameters)}

    def _fetch(self, sql: str, *parameters) -> list[tuple]:
        # Sets of thousands of ids: the driver's own fetch is several times faster than Result rows.
        return self._connection.connection.driver_connection.execute(sql, parameters).fetchall()


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
        self.part_only = part_only  # of them, those only the parts index finds (no FTS5 name match)
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


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _phrase(column_name: str, terms) -> str:
    return f'{column_name} : "' + " ".join(term.replace('"', '""') for term in terms) + '"'


def _every_term(column_name: str, terms) -> str:
    return f"{column_name} : (" + " AND ".join(map(_quote, terms)) + ")"


class _NameVocabulary:
    """The distinct words of names, and the run-together forms of names of several words, each
    grouped by their first two letters, cached per database until the index's generation
    changes (every process that writes to it bumps it)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[int, dict[str, set[str]], dict[str, set[str]]]] = {}

    def by_prefix(self, connection: Connection) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        database = str(connection.engine.url)
        generation = connection.execute(text("SELECT value FROM addon_search_generation")).scalar_one()
        with self._lock:
            cached = self._cache.get(database)
            if cached is None or cached[0] != generation:
                words = _by_prefix(connection, "SELECT term FROM addon_search_vocab WHERE col = 'name'")
                joined = _by_prefix(connection, "SELECT DISTINCT compact FROM addon_search_names WHERE tokens LIKE '% %'")
                cached = self._cache[database] = (generation, words, joined)
            return cached[1], cached[2]


def _by_prefix(connection: Connection, sql: str) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for (term,) in connection.execute(text(sql)):
        grouped.setdefault(term[:2], set()).add(term)
    return grouped
