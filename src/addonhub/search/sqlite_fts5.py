"""The search index in SQLite FTS5, the only module that writes FTS5 expressions; how it ranks is
addonhub.search.ranking's, shared with every backend.

Tables (migrations 0001, 0002, 0006, 0021): `addon_search`, the FTS5 table of names, summaries and
descriptions (rowid = add-on id, prefix indexes of 2 and 3 characters); `addon_search_parts`, an
FTS5 trigram index over the run-together names of `addon_search_names` (external content: its
rowids are the names' ids), which finds a string inside them; and ranking's shared `addon_search_names`,
`addon_search_ranks` and `addon_search_generation`.

Each clause is one FTS query that returns ids; ranking scores them.
"""

from collections.abc import Collection

import numpy as np
from sqlalchemy import column, table
from sqlalchemy.engine import Connection

from addonhub.db import execute_driver_sql, insert_rows
from addonhub.search import Clause, IndexEntry, Query
from addonhub.search.ranking import IndexSnapshot, RankedIndex, RankedMatches, of_addons

_TEXT = table("addon_search", column("rowid"), column("name"), column("summary"), column("description"))
_MATCHING = "SELECT rowid AS addon_id FROM addon_search WHERE addon_search MATCH {}"
_PARTS = ("SELECT addon_id FROM addon_search_names WHERE id IN "
          "(SELECT rowid FROM addon_search_parts WHERE addon_search_parts MATCH {})")


class SqliteFts5Index(RankedIndex):
    """addonhub.search.SearchIndex over those tables."""


    def _write_text(self, connection: Connection, entries: list[IndexEntry], named_ids: list[int]) -> None:
        if named_ids:
            execute_driver_sql(connection, "INSERT INTO addon_search_parts (rowid, compact) SELECT id, compact "
                               f"FROM addon_search_names WHERE addon_id IN ({', '.join('?' * len(named_ids))})", tuple(named_ids))
        insert_rows(connection, _TEXT, [
            {"rowid": entry.addon_id, "name": "\n".join(entry.names), "summary": "\n".join(entry.summaries),
             "description": "\n".join(entry.descriptions)} for entry in entries])

    def _forget_text(self, connection: Connection, addon_ids: list[int]) -> None:
        connection.execute(of_addons("DELETE FROM addon_search WHERE rowid IN :ids"), {"ids": addon_ids})
        # An external-content index forgets a row given the values it indexed.
        connection.execute(of_addons(
            "INSERT INTO addon_search_parts (addon_search_parts, rowid, compact) "
            "SELECT 'delete', id, compact FROM addon_search_names WHERE addon_id IN :ids"), {"ids": addon_ids})

    def _matches(self, connection: Connection, snapshot: IndexSnapshot, query: Query,
                 corrections: dict[str, tuple[list[str], list[str]]], last_term_extends: bool) -> "_Fts5Matches":
        return _Fts5Matches(connection, snapshot, query, corrections, last_term_extends)


class _Fts5Matches(RankedMatches):
    def _names_holding(self, words: Collection[str]) -> np.ndarray:
        return self._ids(_MATCHING, "name : (" + " OR ".join(map(_quote, words)) + ")")

    def _names_with_prefix(self, term: str) -> np.ndarray:
        return self._ids(_MATCHING, f"name : {_quote(term)} *")

    def _names_with_phrase(self, terms: tuple[str, ...]) -> np.ndarray:
        return self._ids(_MATCHING, 'name : "' + " ".join(term.replace('"', '""') for term in terms) + '"')

    def _names_containing(self, parts: Collection[str]) -> np.ndarray:
        return self._ids(_PARTS, " OR ".join(map(_quote, parts)))

    def _texts_holding(self, clause: Clause) -> np.ndarray:
        column_name = "summary" if clause is Clause.SUMMARY else "description"
        return self._ids(_MATCHING, f"{column_name} : (" + " AND ".join(map(_quote, self._query.terms)) + ")")

    def _ids(self, source: str, parameter: str) -> np.ndarray:
        # Tens of thousands of ids for a common word: one string of them, parsed by numpy, comes
        # several times faster than as rows.
        (listed,) = self._connection.connection.driver_connection.execute(
            f"SELECT group_concat(ids.addon_id) FROM ({source.format('?')}) AS ids", (parameter,)).fetchone()
        return np.fromstring(listed or "", dtype=np.int64, sep=",")


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
