"""The search index in PostgreSQL, the only module that writes tsquery expressions; how it ranks is
addonhub.search.ranking's, shared with every backend.

Tables (migration 0022): `addon_search`, one row per indexed add-on (addon_id the key) with its
names, summaries and descriptions each as a tsvector (GIN indexes on the three); pg_trgm's GIN
index on `addon_search_names.compact`, which finds a string inside run-together names; and
ranking's shared `addon_search_names`, `addon_search_ranks` and `addon_search_generation`. The
name vocabulary, for typo corrections, is ranking's (from `addon_search_names`).

The vectors are written as tsvector literals of tokenize()'s terms, not parsed by a text search
configuration: PostgreSQL then holds the terms the shared rules see, as SQLite's FTS5 does
(lowercased, diacritics removed in Python), and a query's terms are compared as they are. Names
keep their terms' positions, numbered across all of an add-on's names as FTS5 numbers them, for
phrases (`<->`); summaries and descriptions are only asked for every term (`&`), so they keep
none. Prefixes are `term:*`.
"""

import functools
from collections.abc import Collection
from itertools import chain

import numpy as np
from sqlalchemy import Text, cast, column, func, or_, select, table, text
from sqlalchemy.engine import Connection

from addonhub.db import insert_rows
from addonhub.search import Clause, IndexEntry, Query, tokenize
from addonhub.search.ranking import IndexSnapshot, RankedIndex, RankedMatches, of_addons

# PostgreSQL refuses longer lexemes: a longer word is indexed and asked for as its first bytes.
_MAX_LEXEME_BYTES = 2046
_SEARCH = table("addon_search", column("addon_id"), column("name"), column("summary"), column("description"))
_TEXT_COLUMNS = {Clause.SUMMARY: "summary", Clause.DESCRIPTION: "description"}


class PostgresIndex(RankedIndex):
    """addonhub.search.SearchIndex over those tables."""


    def _write_text(self, connection: Connection, entries: list[IndexEntry], named_ids: list[int]) -> None:
        # Columns of tsvector: the literals are read as their input, as a CAST reads them.
        insert_rows(connection, _SEARCH, [
            {"addon_id": entry.addon_id, "name": _positioned_vector(entry.names), "summary": _vector(entry.summaries),
             "description": _vector(entry.descriptions)} for entry in entries])

    def _forget_text(self, connection: Connection, addon_ids: list[int]) -> None:
        connection.execute(of_addons("DELETE FROM addon_search WHERE addon_id IN :ids"), {"ids": addon_ids})

    def _matches(self, connection: Connection, snapshot: IndexSnapshot, query: Query,
                 corrections: dict[str, tuple[list[str], list[str]]], last_term_extends: bool) -> "_PostgresMatches":
        return _PostgresMatches(connection, snapshot, query, corrections, last_term_extends)


class _PostgresMatches(RankedMatches):
    def _names_holding(self, words: Collection[str]) -> np.ndarray:
        return self._ids("name @@ CAST(:words AS tsquery)", words=" | ".join(map(_lexeme, words)))

    def _names_with_prefix(self, term: str) -> np.ndarray:
        return self._ids("name @@ CAST(:prefix AS tsquery)", prefix=_lexeme(term) + ":*")

    def _names_with_phrase(self, terms: tuple[str, ...]) -> np.ndarray:
        return self._ids("name @@ CAST(:phrase AS tsquery)", phrase=" <-> ".join(map(_lexeme, terms)))

    def _names_containing(self, parts: Collection[str]) -> np.ndarray:
        # One LIKE each, ORed, so that each reads the trigram index (an ANY over an array would
        # not). The parts are tokenize()'s terms run together: no LIKE wildcard is among them.
        names = table("addon_search_names", column("addon_id"), column("compact"))
        return _id_array(self._connection.execute(select(func.string_agg(cast(names.c.addon_id, Text), ",")).where(
            or_(*(names.c.compact.like(f"%{part}%") for part in parts)))).scalar())

    def _texts_holding(self, clause: Clause) -> np.ndarray:
        return self._ids(f"{_TEXT_COLUMNS[clause]} @@ CAST(:every_term AS tsquery)",
                         every_term=" & ".join(map(_lexeme, self._query.terms)))

    def _ids(self, condition: str, **values) -> np.ndarray:
        """The ids of the indexed add-ons meeting `condition` (SQL over addon_search's columns
        with a :placeholder for each of `values`)."""
        return _id_array(self._connection.execute(
            text(f"SELECT string_agg(addon_id::text, ',') FROM addon_search WHERE {condition}"), values).scalar())


def _id_array(listed: str | None) -> np.ndarray:
    """The ids of a comma-separated list (string_agg's: many times faster to fetch than rows)."""
    return np.fromstring(listed or "", dtype=np.int64, sep=",")


@functools.lru_cache(maxsize=2**16)  # a catalogue's vocabulary repeats: an import asks for each term many times
def _lexeme(term: str) -> str:
    """The term as a quoted lexeme of tsvector and tsquery input (read as it is: no configuration
    normalizes it)."""
    clipped = term.encode()[:_MAX_LEXEME_BYTES].decode(errors="ignore")
    return "'" + clipped.replace("\\", "\\\\").replace("'", "''") + "'"


def _vector(texts: list[str]) -> str:
    """A tsvector literal of the texts' terms, without positions."""
    return " ".join(map(_lexeme, dict.fromkeys(chain.from_iterable(map(tokenize, texts)))))


def _positioned_vector(texts: list[str]) -> str:
    """A tsvector literal of the texts' terms with their positions, numbered on from one text to
    the next (PostgreSQL caps them at 16383, and keeps 256 of one lexeme)."""
    positions: dict[str, list[str]] = {}
    for position, term in enumerate(chain.from_iterable(map(tokenize, texts)), start=1):
        positions.setdefault(term, []).append(str(position))
    return " ".join(f"{_lexeme(term)}:{','.join(places)}" for term, places in positions.items())
