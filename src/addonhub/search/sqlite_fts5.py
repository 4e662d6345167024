"""The search index in SQLite FTS5, the only module that writes FTS5 expressions; how it ranks is
addonhub.search.ranking's, shared with every backend.

Tables (migrations 0001, 0002, 0006, 0021): `addon_search`, the FTS5 table of names, summaries and
descriptions (rowid = add-on id, prefix indexes of 2 and 3 characters); `addon_search_parts`, an
FTS5 trigram index over the run-together names of `addon_search_names` (external content: its
rowids are the names' ids), which finds a string inside them; `addon_search_vocab`, the indexed
terms (fts5vocab), for typo corrections; and ranking's shared `addon_search_names`,
`addon_search_ranks` and `addon_search_generation`.

Each name clause is one cheap FTS query; the any-name expression `N` (every term, the word
corrections and the last term as a prefix) is combined with the summary and description ones in
FTS5 itself, which intersects them far faster than ids could be looked up one by one.
"""

from collections.abc import Collection

import orjson
from sqlalchemy import ColumnElement, Select, bindparam, column, func, or_, select, table, text
from sqlalchemy.engine import Connection

from addonhub.search import Clause, IndexEntry, Query
from addonhub.search.ranking import RankedIndex, RankedMatches, Row

_RANKS = table("addon_search_ranks", column("addon_id"), column("users"), column("boost"), column("factor"))
_MATCHING = "SELECT rowid FROM addon_search WHERE addon_search MATCH {}"
_PARTS = ("SELECT addon_id FROM addon_search_names WHERE id IN "
          "(SELECT rowid FROM addon_search_parts WHERE addon_search_parts MATCH {})")
_AMONG = "SELECT value FROM json_each({})"


class SqliteFts5Index(RankedIndex):
    """addonhub.search.SearchIndex over those tables."""

    NAME_WORDS_SQL = "SELECT term FROM addon_search_vocab WHERE col = 'name'"

    def _write_text(self, connection: Connection, entries: list[IndexEntry], named_ids: list[int]) -> None:
        if named_ids:
            connection.execute(text(
                "INSERT INTO addon_search_parts (rowid, compact) "
                "SELECT id, compact FROM addon_search_names WHERE addon_id = :id"),
                [{"id": addon_id} for addon_id in named_ids])
        connection.execute(
            text("INSERT INTO addon_search (rowid, name, summary, description) VALUES (:id, :n, :s, :d)"),
            [{"id": entry.addon_id, "n": "\n".join(entry.names), "s": "\n".join(entry.summaries),
              "d": "\n".join(entry.descriptions)} for entry in entries],
        )

    def _forget_text(self, connection: Connection, ids: list[dict]) -> None:
        connection.execute(text("DELETE FROM addon_search WHERE rowid = :id"), ids)
        # An external-content index forgets a row given the values it indexed.
        connection.execute(text(
            "INSERT INTO addon_search_parts (addon_search_parts, rowid, compact) "
            "SELECT 'delete', id, compact FROM addon_search_names WHERE addon_id = :id"), ids)

    def _matches(self, connection: Connection, query: Query, corrections: dict[str, tuple[list[str], list[str]]],
                 last_term_extends: bool) -> "_Fts5Matches":
        return _Fts5Matches(connection, query, corrections, last_term_extends)


class _Fts5Matches(RankedMatches):
    def __init__(self, connection: Connection, query: Query, corrections: dict[str, tuple[list[str], list[str]]],
                 last_term_extends: bool):
        super().__init__(connection, query, corrections, last_term_extends)
        terms = query.terms
        words, prefix = self._any_name_terms()
        self._any_name = "name : (" + " OR ".join([*map(_quote, words), *([_quote(prefix) + " *"] if prefix else [])]) + ")"
        self._text = {Clause.SUMMARY: _every_term("summary", terms), Clause.DESCRIPTION: _every_term("description", terms)}

    def _names_holding(self, words: Collection[str]) -> set[int]:
        return self._ids(_MATCHING, "name : (" + " OR ".join(map(_quote, words)) + ")")

    def _names_with_prefix(self, term: str) -> set[int]:
        return self._ids(_MATCHING, f"name : {_quote(term)} *")

    def _names_with_phrase(self, terms: tuple[str, ...]) -> set[int]:
        return self._ids(_MATCHING, 'name : "' + " ".join(term.replace('"', '""') for term in terms) + '"')

    def _names_containing(self, parts: Collection[str]) -> set[int]:
        return self._ids(_PARTS, " OR ".join(map(_quote, parts)))

    def _text_among(self, clause: Clause, part_only: set[int]) -> set[int]:
        # The few that only the parts index finds are looked up: a join that reads the
        # expression's matches once.
        expression = self._text[clause]
        found = self._ids(_MATCHING, f"({expression}) AND ({self._any_name})")
        if part_only:
            found.update(addon_id for (addon_id,) in self._fetch(
                "SELECT s.rowid FROM addon_search s JOIN (SELECT value FROM json_each(?)) AS ids ON ids.value = s.rowid "
                "WHERE addon_search MATCH ?", orjson.dumps(sorted(part_only)).decode(), expression))
        return found

    def _name_match_rows(self, part_only: set[int], candidates: Select | None) -> list[Row]:
        rows = self._rows(_MATCHING, self._any_name, candidates)
        if part_only:
            rows += self._rows(_AMONG, orjson.dumps(sorted(part_only)).decode(), candidates)
        return rows

    def _text_only_count(self, candidates: Select | None) -> int:
        expression = f"({self._text_match()}) NOT ({self._any_name})"
        if candidates is None:
            return self._fetch(f"SELECT count(*) FROM ({_MATCHING.format('?')})", expression)[0][0]
        return self._connection.execute(
            self._narrowed(_MATCHING, expression, candidates).with_only_columns(func.count())).scalar_one()

    def _text_group_rows(self, group: tuple[Clause, ...], candidates: Select | None, limit: int,
                         min_factor: float) -> list[Row]:
        expression = " AND ".join(f"({self._text[clause]})" for clause in group)
        for lacking in [*(self._text[clause] for clause in self._text if clause not in group), self._any_name]:
            expression = f"({expression}) NOT ({lacking})"
        return self._rows(_MATCHING, expression, candidates, limit=limit, min_factor=min_factor)

    def _text_clauses(self, addon_id: int) -> list[Clause]:
        return [clause for clause, expression in self._text.items()
                if self._fetch(f"{_MATCHING.format('?')} AND rowid = ?", expression, addon_id)]

    def _condition(self, addon_id: ColumnElement[int], name_ids: list[int]) -> ColumnElement[bool]:
        return or_(
            addon_id.in_(select(column("value")).select_from(
                func.json_each(bindparam("ids", orjson.dumps(name_ids).decode(), unique=True)))),
            addon_id.in_(text(_MATCHING.format(":text")).bindparams(bindparam("text", self._text_match(), unique=True))),
        )

    def _text_match(self) -> str:
        return f"({self._text[Clause.SUMMARY]}) OR ({self._text[Clause.DESCRIPTION]})"

    def _rows(self, source: str, parameter: str, candidates: Select | None, limit: int | None = None,
              min_factor: float = 0.0) -> list[Row]:
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


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _every_term(column_name: str, terms) -> str:
    return f"{column_name} : (" + " AND ".join(map(_quote, terms)) + ")"
