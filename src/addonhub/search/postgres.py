"""The search index in PostgreSQL, the only module that writes tsquery expressions; how it ranks is
addonhub.search.ranking's, shared with every backend.

Tables (migration 0022): `addon_search`, one row per indexed add-on (addon_id the key) with its
names, summaries and descriptions each as a tsvector (GIN indexes on the three); pg_trgm's GIN
index on `addon_search_names.compact`, which finds a string inside run-together names; and
ranking's shared `addon_search_names`, `addon_search_ranks` and `addon_search_generation`. The
name vocabulary, for typo corrections, is ts_stat over the name vectors.

The vectors are written as tsvector literals of tokenize()'s terms, not parsed by a text search
configuration: PostgreSQL then holds the terms the shared rules see, as SQLite's FTS5 does
(lowercased, diacritics removed in Python), and a query's terms are compared as they are. Names
keep their terms' positions, numbered across all of an add-on's names as FTS5 numbers them, for
phrases (`<->`); summaries and descriptions are only asked for every term (`&`), so they keep
none. Prefixes are `term:*`.
"""

from collections.abc import Collection

from sqlalchemy import (
    ARRAY, BigInteger, ColumnElement, Select, TextClause, any_, bindparam, column, func, or_, select, table, text,
)
from sqlalchemy.engine import Connection

from addonhub.search import Clause, IndexEntry, Query, tokenize
from addonhub.search.ranking import RankedIndex, RankedMatches, Row

_RANKS = table("addon_search_ranks", column("addon_id"), column("users"), column("boost"), column("factor"))
# PostgreSQL refuses longer lexemes: a longer word is indexed and asked for as its first bytes.
_MAX_LEXEME_BYTES = 2046
_ANY_NAME = "name @@ CAST(:any_name AS tsquery)"
_TEXT_COLUMNS = {Clause.SUMMARY: "summary", Clause.DESCRIPTION: "description"}


class PostgresIndex(RankedIndex):
    """addonhub.search.SearchIndex over those tables."""

    NAME_WORDS_SQL = "SELECT word FROM ts_stat('SELECT name FROM addon_search')"

    def _write_text(self, connection: Connection, entries: list[IndexEntry], named_ids: list[int]) -> None:
        connection.execute(
            text("INSERT INTO addon_search (addon_id, name, summary, description) "
                 "VALUES (:id, CAST(:n AS tsvector), CAST(:s AS tsvector), CAST(:d AS tsvector))"),
            [{"id": entry.addon_id, "n": _positioned_vector(entry.names), "s": _vector(entry.summaries),
              "d": _vector(entry.descriptions)} for entry in entries],
        )

    def _forget_text(self, connection: Connection, ids: list[dict]) -> None:
        connection.execute(text("DELETE FROM addon_search WHERE addon_id = :id"), ids)

    def _matches(self, connection: Connection, query: Query, corrections: dict[str, tuple[list[str], list[str]]],
                 last_term_extends: bool) -> "_PostgresMatches":
        return _PostgresMatches(connection, query, corrections, last_term_extends)


class _PostgresMatches(RankedMatches):
    def __init__(self, connection: Connection, query: Query, corrections: dict[str, tuple[list[str], list[str]]],
                 last_term_extends: bool):
        super().__init__(connection, query, corrections, last_term_extends)
        words, prefix = self._any_name_terms()
        self._any_name = " | ".join([*map(_lexeme, words), *([_lexeme(prefix) + ":*"] if prefix else [])])
        self._every_term = " & ".join(map(_lexeme, query.terms))

    def _names_holding(self, words: Collection[str]) -> set[int]:
        return self._ids("name @@ CAST(:words AS tsquery)", words=" | ".join(map(_lexeme, words)))

    def _names_with_prefix(self, term: str) -> set[int]:
        return self._ids("name @@ CAST(:prefix AS tsquery)", prefix=_lexeme(term) + ":*")

    def _names_with_phrase(self, terms: tuple[str, ...]) -> set[int]:
        return self._ids("name @@ CAST(:phrase AS tsquery)", phrase=" <-> ".join(map(_lexeme, terms)))

    def _names_containing(self, parts: Collection[str]) -> set[int]:
        # One LIKE each, ORed, so that each reads the trigram index (an ANY over an array would
        # not). The parts are tokenize()'s terms run together: no LIKE wildcard is among them.
        names = table("addon_search_names", column("addon_id"), column("compact"))
        return set(self._connection.execute(select(names.c.addon_id).where(
            or_(*(names.c.compact.like(f"%{part}%") for part in parts)))).scalars())

    def _text_among(self, clause: Clause, part_only: set[int]) -> set[int]:
        # One query: PostgreSQL combines the text column's GIN index with the name one's (and the
        # primary key, for the part-only ids).
        return self._ids(f"{_holds_every_term(clause)} AND ({_ANY_NAME} OR addon_id = ANY(:part_only))",
                         every_term=self._every_term, any_name=self._any_name, part_only=sorted(part_only))

    def _name_match_rows(self, part_only: set[int], candidates: Select | None) -> list[Row]:
        matching = self._matching(f"{_ANY_NAME} OR addon_id = ANY(:part_only)",
                                  any_name=self._any_name, part_only=sorted(part_only))
        return self._connection.execute(self._ranked(matching, candidates)).all()

    def _text_only_count(self, candidates: Select | None) -> int:
        matching = self._matching(f"({_holds_every_term(Clause.SUMMARY)} OR {_holds_every_term(Clause.DESCRIPTION)}) "
                                  f"AND NOT {_ANY_NAME}", every_term=self._every_term, any_name=self._any_name)
        if candidates is None:
            statement = select(func.count()).select_from(matching.columns(column("addon_id")).subquery())
        else:
            (addon_id,) = candidates.selected_columns
            statement = candidates.where(addon_id.in_(matching)).with_only_columns(func.count())
        return self._connection.execute(statement).scalar_one()

    def _text_group_rows(self, group: tuple[Clause, ...], candidates: Select | None, limit: int,
                         min_factor: float) -> list[Row]:
        conditions = [_holds_every_term(clause) if clause in group else f"NOT {_holds_every_term(clause)}"
                      for clause in _TEXT_COLUMNS]
        matching = self._matching(" AND ".join([*conditions, f"NOT {_ANY_NAME}"]),
                                  every_term=self._every_term, any_name=self._any_name)
        statement = self._ranked(matching, candidates).where(_RANKS.c.factor >= min_factor).order_by(
            _RANKS.c.factor.desc(), _RANKS.c.users.desc(), _RANKS.c.addon_id).limit(limit)
        return self._connection.execute(statement).all()

    def _text_clauses(self, addon_id: int) -> list[Clause]:
        held = self._connection.execute(
            text(f"SELECT {_holds_every_term(Clause.SUMMARY)}, {_holds_every_term(Clause.DESCRIPTION)} "
                 "FROM addon_search WHERE addon_id = :id"), {"every_term": self._every_term, "id": addon_id}).first()
        return [clause for clause, holds in zip(_TEXT_COLUMNS, held or ()) if holds]

    def _condition(self, addon_id: ColumnElement[int], name_ids: list[int]) -> ColumnElement[bool]:
        return or_(
            addon_id == any_(bindparam("ids", name_ids, type_=ARRAY(BigInteger), unique=True)),
            addon_id.in_(self._matching(
                f"{_holds_every_term(Clause.SUMMARY)} OR {_holds_every_term(Clause.DESCRIPTION)}",
                every_term=self._every_term)),
        )

    def _ranked(self, matching: TextClause, candidates: Select | None) -> Select:
        """(id, daily users, factor) of the candidates among the matching ids. The candidates'
        own query drives, joined to the rank rows; without candidates, the rank rows alone."""
        columns = (_RANKS.c.addon_id, _RANKS.c.users, _RANKS.c.factor)
        if candidates is None:
            return select(*columns).where(_RANKS.c.addon_id.in_(matching))
        (addon_id,) = candidates.selected_columns
        return (candidates.join(_RANKS, _RANKS.c.addon_id == addon_id).where(addon_id.in_(matching))
                .with_only_columns(*columns))

    def _matching(self, condition: str, **values) -> TextClause:
        """The ids of the indexed add-ons meeting `condition` (SQL over addon_search's columns
        with a :placeholder for each of `values`), its parameters unique to it, so that it
        combines with the catalogue's statements."""
        return text(f"SELECT addon_id FROM addon_search WHERE {condition}").bindparams(*(
            bindparam(name, value, unique=True, **({"type_": ARRAY(BigInteger)} if isinstance(value, list) else {}))
            for name, value in values.items()))

    def _ids(self, condition: str, **values) -> set[int]:
        return set(self._connection.execute(self._matching(condition, **values)).scalars())


def _holds_every_term(clause: Clause) -> str:
    return f"{_TEXT_COLUMNS[clause]} @@ CAST(:every_term AS tsquery)"


def _lexeme(term: str) -> str:
    """The term as a quoted lexeme of tsvector and tsquery input (read as it is: no configuration
    normalizes it)."""
    clipped = term.encode()[:_MAX_LEXEME_BYTES].decode(errors="ignore")
    return "'" + clipped.replace("\\", "\\\\").replace("'", "''") + "'"


def _vector(texts: list[str]) -> str:
    """A tsvector literal of the texts' terms, without positions."""
    return " ".join(dict.fromkeys(_lexeme(term) for value in texts for term in tokenize(value)))


def _positioned_vector(texts: list[str]) -> str:
    """A tsvector literal of the texts' terms with their positions, numbered on from one text to
    the next (PostgreSQL caps them at 16383, and keeps 256 of one lexeme)."""
    positions: dict[str, list[str]] = {}
    for position, term in enumerate((term for value in texts for term in tokenize(value)), start=1):
        positions.setdefault(_lexeme(term), []).append(str(position))
    return " ".join(f"{lexeme}:{','.join(places)}" for lexeme, places in positions.items())
