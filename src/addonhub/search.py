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
                descriptions: list[str]) -> None:
    remove_addon(connection, addon_id)
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
    # Tells every process that its cached vocabulary is stale.
    connection.execute(text("UPDATE addon_search_generation SET value = value + 1"))


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


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
        self._cache: dict[str, tuple[int, dict[str, list[str]]]] = {}

    def terms_starting(self, connection: Connection, prefix: str) -> list[str]:
        database = str(connection.engine.url)
        generation = connection.execute(text("SELECT value FROM addon_search_generation")).scalar_one()
        with self._lock:
            cached = self._cache.get(database)
            if cached is None or cached[0] != generation:
                by_prefix: dict[str, list[str]] = {}
                for (term,) in connection.execute(
                    text("SELECT term FROM addon_search_vocab WHERE col = 'name'")
                ):
                    by_prefix.setdefault(term[:2], []).append(term)
                cached = self._cache[database] = (generation, by_prefix)
            return cached[1].get(prefix, [])


_vocabulary = _NameVocabulary()


def allowed_typos(term: str) -> int:
    # Elasticsearch's "AUTO" fuzziness: none up to 2 characters, 1 up to 5, then 2.
    return 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2


def typo_corrections(connection: Connection, term: str) -> list[str]:
    """Indexed name terms within the allowed edit distance of `term`, sharing its first two
    letters (as AMO's fuzzy query does with prefix_length 2)."""
    limit = allowed_typos(term)
    if not limit:
        return []
    return [
        candidate for candidate in _vocabulary.terms_starting(connection, term[:2])
        if candidate != term and abs(len(candidate) - len(term)) <= limit
        and Levenshtein.distance(term, candidate, score_cutoff=limit) <= limit
    ]
