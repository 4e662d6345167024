"""Full-text search infrastructure: SQLite FTS5 over add-on names, summaries and descriptions.

The catalogue decides what a query means and how results rank (addonhub.catalog.search); this
module only keeps the index and answers "which rows match these terms, in which column".
"""

import re
import threading
import unicodedata

import nh3
from rapidfuzz.distance import Levenshtein
from sqlalchemy import text
from sqlalchemy.engine import Connection

_TOKEN = re.compile(r"[^\W_]+")


def tokenize(value: str) -> list[str]:
    """Splits text the way the index's unicode61 tokenizer does: lowercased, without diacritics."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _TOKEN.findall(stripped)


def plain_text(html: str) -> str:
    return nh3.clean(html, tags=set())


def index_addon(connection: Connection, addon_id: int, names: list[str], summaries: list[str],
                descriptions: list[str], daily_users: int) -> None:
    remove_addon(connection, addon_id)
    connection.execute(text("INSERT INTO addon_search_ranks (addon_id, users) VALUES (:id, :users)"),
                       {"id": addon_id, "users": daily_users})
    exact_names = {" ".join(tokenize(name)) for name in names} - {""}
    if exact_names:
        connection.execute(
            text("INSERT INTO addon_search_names (addon_id, tokens) VALUES (:id, :tokens)"),
            [{"id": addon_id, "tokens": tokens} for tokens in exact_names],
        )
    connection.execute(
        text("INSERT INTO addon_search (rowid, name, summary, description) VALUES (:id, :n, :s, :d)"),
        {
            "id": addon_id,
            "n": "\n".join(names),
            "s": "\n".join(summaries),
            "d": "\n".join(plain_text(d) for d in descriptions),
        },
    )


def remove_addon(connection: Connection, addon_id: int) -> None:
    connection.execute(text("DELETE FROM addon_search WHERE rowid = :id"), {"id": addon_id})
    connection.execute(text("DELETE FROM addon_search_names WHERE addon_id = :id"), {"id": addon_id})
    connection.execute(text("DELETE FROM addon_search_ranks WHERE addon_id = :id"), {"id": addon_id})
    # Tells every process that its cached vocabulary is stale.
    connection.execute(text("UPDATE addon_search_generation SET value = value + 1"))


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def exact_name_ids(connection: Connection, terms: list[str]) -> set[int]:
    return set(connection.execute(
        text("SELECT addon_id FROM addon_search_names WHERE tokens = :t"), {"t": " ".join(terms)}
    ).scalars())


def _raw(connection: Connection):
    # Sets of thousands of ids: the driver's own fetch is several times faster than Result rows.
    return connection.connection.driver_connection


def matching_ids(connection: Connection, expression: str) -> set[int]:
    rows = _raw(connection).execute("SELECT rowid FROM addon_search WHERE addon_search MATCH ?", (expression,))
    return {rowid for (rowid,) in rows.fetchall()}


def ranked_matches(connection: Connection, expression: str) -> list[tuple[int, int]]:
    """(add-on id, daily users) of every row matching the expression."""
    return _raw(connection).execute(
        "SELECT addon_id, users FROM addon_search_ranks WHERE addon_id IN "
        "(SELECT rowid FROM addon_search WHERE addon_search MATCH ?)", (expression,)
    ).fetchall()


def most_used_matching(connection: Connection, expression: str, offset: int, limit: int) -> list[int]:
    rows = _raw(connection).execute(
        "SELECT addon_id FROM addon_search_ranks WHERE addon_id IN "
        "(SELECT rowid FROM addon_search WHERE addon_search MATCH ?) ORDER BY users DESC, addon_id LIMIT ? OFFSET ?",
        (expression, limit, offset),
    )
    return [rowid for (rowid,) in rows.fetchall()]


def count_matching(connection: Connection, expression: str) -> int:
    return _raw(connection).execute(
        "SELECT count(*) FROM addon_search WHERE addon_search MATCH ?", (expression,)
    ).fetchone()[0]


def matches(expression_parameter: str):
    """A subquery of the rowids (add-on ids) matching the FTS expression bound to the parameter."""
    return text(f"SELECT rowid FROM addon_search WHERE addon_search MATCH :{expression_parameter}")


def phrase_expression(column: str, terms: list[str]) -> str:
    return f'{column} : "' + " ".join(term.replace('"', '""') for term in terms) + '"'


def match_expression(column: str, alternatives: list[list[str]], prefix_last: bool = False) -> str:
    """An FTS5 expression matching rows whose `column` holds, for every query term, one of its
    alternatives (the term itself and its typo corrections); the last term may be a prefix."""
    clauses = []
    for position, options in enumerate(alternatives):
        quoted = [_quote(option) for option in options]
        if prefix_last and position == len(alternatives) - 1:
            quoted[0] += " *"
        clauses.append("(" + " OR ".join(quoted) + ")")
    return f"{column} : (" + " AND ".join(clauses) + ")"


class _NameVocabulary:
    """The distinct terms of the name column, grouped by their first two letters, cached per
    database until the index's generation changes (every process that writes to it bumps it)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[int, dict[str, set[str]]]] = {}

    def terms_starting(self, connection: Connection, prefix: str) -> set[str]:
        database = str(connection.engine.url)
        generation = connection.execute(text("SELECT value FROM addon_search_generation")).scalar_one()
        with self._lock:
            cached = self._cache.get(database)
            if cached is None or cached[0] != generation:
                by_prefix: dict[str, set[str]] = {}
                for (term,) in connection.execute(
                    text("SELECT term FROM addon_search_vocab WHERE col = 'name'")
                ):
                    by_prefix.setdefault(term[:2], set()).add(term)
                cached = self._cache[database] = (generation, by_prefix)
            return cached[1].get(prefix, set())


_vocabulary = _NameVocabulary()


def allowed_typos(term: str) -> int:
    # Elasticsearch's "AUTO" fuzziness: none up to 2 characters, 1 up to 5, then 2.
    return 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2


def typo_corrections(connection: Connection, term: str) -> list[str]:
    """For a term no name contains, the indexed name terms within the allowed edit distance,
    sharing its first two letters (as AMO's fuzzy query does with prefix_length 2). A term
    that names do contain is taken as meant: correcting it would only add noise."""
    limit = allowed_typos(term)
    known = _vocabulary.terms_starting(connection, term[:2])
    if not limit or term in known:
        return []
    return sorted(
        candidate for candidate in known
        if abs(len(candidate) - len(term)) <= limit
        and Levenshtein.distance(term, candidate, score_cutoff=limit) <= limit
    )
