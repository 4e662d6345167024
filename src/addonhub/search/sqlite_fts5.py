"""The search index in SQLite FTS5, the only module that writes FTS5 expressions.

Tables (migrations 0001, 0002, 0006): `addon_search`, the FTS5 table of names, summaries and
descriptions (rowid = add-on id, prefix indexes of 2 and 3 characters); `addon_search_names`,
every name as its space-joined terms, for exact names; `addon_search_ranks`, daily users in a
narrow table, so that ranking thousands of matches reads a few pages; `addon_search_vocab`, the
indexed terms (fts5vocab), for typo corrections; `addon_search_generation`, a counter every
write bumps, so that each process knows when its cached vocabulary is stale.
"""

import threading
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, TextClause, bindparam, func, text
from sqlalchemy.engine import Connection

from addonhub.search import Tier, tokenize, typo_corrections

# The ids of a tier's matches, "{}" standing for the one parameter (its FTS5 expression or
# exact terms), so that the same SQL serves the driver (?) and SQLAlchemy (:name).
_MATCHING = "SELECT rowid FROM addon_search WHERE addon_search MATCH {}"
_EXACT_NAME = "SELECT addon_id FROM addon_search_names WHERE tokens = {}"


class SqliteFts5Index:
    """addonhub.search.SearchIndex over those tables."""

    def __init__(self):
        self._vocabulary = _NameVocabulary()

    def index_addon(self, connection: Connection, addon_id: int, names: list[str], summaries: list[str],
                    descriptions: list[str], daily_users: int) -> None:
        self.remove_addon(connection, addon_id)
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
            {"id": addon_id, "n": "\n".join(names), "s": "\n".join(summaries), "d": "\n".join(descriptions)},
        )

    def remove_addon(self, connection: Connection, addon_id: int) -> None:
        connection.execute(text("DELETE FROM addon_search WHERE rowid = :id"), {"id": addon_id})
        connection.execute(text("DELETE FROM addon_search_names WHERE addon_id = :id"), {"id": addon_id})
        connection.execute(text("DELETE FROM addon_search_ranks WHERE addon_id = :id"), {"id": addon_id})
        # Tells every process that its cached vocabulary is stale.
        connection.execute(text("UPDATE addon_search_generation SET value = value + 1"))

    def match(self, connection: Connection, terms: Sequence[str]) -> "_Fts5Matches":
        by_prefix = self._vocabulary.by_prefix(connection)
        with_typos = [[term, *typo_corrections(term, by_prefix.get(term[:2], set()))] for term in terms]
        return _Fts5Matches(connection, terms, with_typos)


class _Fts5Matches:
    def __init__(self, connection: Connection, terms: Sequence[str], with_typos: list[list[str]]):
        self._connection = connection
        exact_terms = [[term] for term in terms]
        name = _every_term("name", with_typos, prefix_last=True)
        summary = _every_term("summary", exact_terms)
        description = _every_term("description", exact_terms)
        # Each tier (None: any) as the SQL of its ids and that SQL's parameter.
        self._sources: dict[Tier | None, tuple[str, str]] = {
            Tier.EXACT_NAME: (_EXACT_NAME, " ".join(terms)),
            Tier.NAME_PHRASE: (_MATCHING, _phrase("name", terms)),
            Tier.NAME_WORDS: (_MATCHING, _every_term("name", exact_terms)),
            Tier.NAME_PREFIX: (_MATCHING, _every_term("name", exact_terms, prefix_last=True)),
            Tier.NAME_TYPOS: (_MATCHING, name),
            Tier.SUMMARY_ONLY: (_MATCHING, f"({summary}) NOT ({name})"),
            Tier.DESCRIPTION_ONLY: (_MATCHING, f"({description}) NOT ({summary}) NOT ({name})"),
            None: (_MATCHING, f"({name}) OR ({summary}) OR ({description})"),
        }

    def ids(self, tier: Tier) -> set[int]:
        sql, parameter = self._sources[tier]
        return {addon_id for (addon_id,) in self._fetch(sql.format("?"), parameter)}

    def rows(self, tier: Tier, candidates: Select | None = None) -> list[tuple[int, int]]:
        if candidates is not None:
            return self._connection.execute(self._narrowed(tier, candidates)).all()
        sql, parameter = self._sources[tier]
        return self._fetch(f"SELECT addon_id, users FROM addon_search_ranks WHERE addon_id IN ({sql.format('?')})",
                           parameter)

    def page(self, tier: Tier, offset: int, limit: int, candidates: Select | None = None) -> list[int]:
        if candidates is not None:
            addon_id, users = candidates.selected_columns
            return list(self._connection.execute(
                self._narrowed(tier, candidates).with_only_columns(addon_id)
                .order_by(users.desc(), addon_id).offset(offset).limit(limit)
            ).scalars())
        sql, parameter = self._sources[tier]
        rows = self._fetch(
            f"SELECT addon_id FROM addon_search_ranks WHERE addon_id IN ({sql.format('?')}) "
            "ORDER BY users DESC, addon_id LIMIT ? OFFSET ?", parameter, limit, offset,
        )
        return [addon_id for (addon_id,) in rows]

    def count(self, tier: Tier | None = None, candidates: Select | None = None) -> int:
        if candidates is not None:
            return self._connection.execute(
                self._narrowed(tier, candidates).with_only_columns(func.count())).scalar_one()
        sql, parameter = self._sources[tier]
        return self._fetch(f"SELECT count(*) FROM ({sql.format('?')})", parameter)[0][0]

    def condition(self, addon_id: ColumnElement[int]) -> ColumnElement[bool]:
        return addon_id.in_(self._subquery(None))

    def _fetch(self, sql: str, *parameters) -> list[tuple]:
        # Sets of thousands of ids: the driver's own fetch is several times faster than Result rows.
        return self._connection.connection.driver_connection.execute(sql, parameters).fetchall()

    def _subquery(self, tier: Tier | None) -> TextClause:
        sql, parameter = self._sources[tier]
        # Unique, so that one statement can hold several of them.
        return text(sql.format(":match")).bindparams(bindparam("match", parameter, unique=True))

    def _narrowed(self, tier: Tier | None, candidates: Select) -> Select:
        addon_id, _ = candidates.selected_columns
        return candidates.where(addon_id.in_(self._subquery(tier)))


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _phrase(column: str, terms: Sequence[str]) -> str:
    return f'{column} : "' + " ".join(term.replace('"', '""') for term in terms) + '"'


def _every_term(column: str, alternatives: list[list[str]], prefix_last: bool = False) -> str:
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

    def by_prefix(self, connection: Connection) -> dict[str, set[str]]:
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
            return cached[1]
