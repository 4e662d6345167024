"""The listed catalogue as each process keeps it between two changes: the listed add-ons' ids,
which of them each filter keeps, and their order by each sort.

A filter stays what catalog.listing_search writes, a condition on the catalogue's own tables; it
is run once per catalogue revision, on first use, instead of once per search, and kept as a mask.
A search then combines its filters' masks, and pages a sort's order through them, with numpy: a
listing of 100,000 add-ons reads no row. The cost moves to the first search after each change
(a query per filter and per sort used, tens of milliseconds at 100,000 add-ons), and every
process learns of a change the way the page cache does, by the revision that reindex() raises
(db.CommittedSnapshots).
"""

import threading

import numpy as np
from cachetools import LRUCache
from sqlalchemy import ColumnElement, UnaryExpression, func, select
from sqlalchemy.engine import Connection

from addonhub.catalog.indexing import CURRENT_REVISION
from addonhub.catalog.models import AddonDocument
from addonhub.db import CommittedSnapshots, joined_columns

# Bounds on what one revision keeps: at 100,000 add-ons a mask is 100 kB and an order 800 kB.
_MAX_MASKS = 256
_MAX_ORDERS = 32


class ListingSnapshot:
    """One catalogue revision's listed add-ons: `ids`, ascending, and masks and orders over them
    (positions in `ids`), made on first use."""

    def __init__(self, connection: Connection, revision: int):
        self.revision = revision
        self.ids = np.sort(_ids(joined_columns(connection, _listed(AddonDocument.addon_id))[0]))
        self._lock = threading.Lock()
        self._masks: LRUCache = LRUCache(_MAX_MASKS)
        self._orders: LRUCache = LRUCache(_MAX_ORDERS)

    def kept(self, connection: Connection, conditions: list[ColumnElement[bool]]) -> np.ndarray | None:
        """Which listed add-ons meet every condition, as a mask over `ids`; None for no conditions."""
        kept = None
        for condition in conditions:
            mask = self._made(self._masks, _key(connection, condition), lambda: self._mask(connection, condition))
            kept = mask if kept is None else kept & mask
        return kept

    def among(self, kept: np.ndarray | None, addon_ids: np.ndarray) -> np.ndarray:
        """`kept` narrowed to the add-ons in `addon_ids` (ascending)."""
        positions = np.searchsorted(self.ids, addon_ids)
        found = positions < len(self.ids)
        found[found] = self.ids[positions[found]] == addon_ids[found]
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[positions[found]] = True
        return mask if kept is None else kept & mask

    def page(self, connection: Connection, key: str, sort: list[UnaryExpression], kept: np.ndarray | None,
             offset: int, limit: int) -> tuple[int, list[int]]:
        """How many add-ons `kept` holds, and the ids of one page of them ordered by `sort`
        (ORDER BY columns, known by `key`)."""
        order = self._made(self._orders, key, lambda: self._order(connection, sort))
        if kept is not None:
            order = order[kept[order]]
        return len(order), self.ids[order[offset:offset + limit]].tolist()

    def _made(self, cache: LRUCache, key, make):
        with self._lock:
            found = cache.get(key)
        if found is None:
            found = make()
            with self._lock:
                cache[key] = found
        return found

    def _mask(self, connection: Connection, condition: ColumnElement[bool]) -> np.ndarray:
        return self.among(None, _ids(joined_columns(connection, _listed(AddonDocument.addon_id).where(condition))[0]))

    def _order(self, connection: Connection, sort: list[UnaryExpression]) -> np.ndarray:
        # Each id with its place in the order: an aggregate keeps no order, so the places say it.
        ids, places = map(_ids, joined_columns(connection, _listed(
            AddonDocument.addon_id, func.row_number().over(order_by=sort))))
        return np.searchsorted(self.ids, ids[np.argsort(places)])


_snapshots = CommittedSnapshots(CURRENT_REVISION, ListingSnapshot)


def listing_snapshot(connection: Connection) -> ListingSnapshot:
    """The snapshot of the catalogue revision the connection sees."""
    return _snapshots.get(connection)


def _listed(*columns):
    return select(*columns).where(AddonDocument.is_listed.is_(True))


def _ids(joined: str) -> np.ndarray:
    return np.fromstring(joined, dtype=np.int64, sep=" ")


def _key(connection: Connection, condition: ColumnElement[bool]) -> str:
    """The condition as SQL with its values written in: what tells two filters apart."""
    return str(condition.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
