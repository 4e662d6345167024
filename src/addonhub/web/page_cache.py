"""Storefront pages, and the catalogue API's searches, as anonymous visitors see them, answered
from memory.

A page for a visitor without a session is the same for everyone asking for the same URL in the
same languages on the same day (the random sort's order is the day's), and it changes only when
the catalogue does. So is a page of search results of the API: it is made of the ids the index
ranks and the stored documents, both written only by reindex(). Every change a page can show
raises the catalogue's revision in its own transaction (catalog.indexing.mark_changed), so an
entry made at revision r is true exactly while the revision is still r: each request reads the
revision (one primary-key read) and a stale entry is never answered, whichever process made the
change. On SQLite that read is in-process and made on the event loop; on PostgreSQL it is a round
trip, made in a thread and shared by the requests that arrived together (SharedReads). Rendering
a page takes from a few milliseconds (an add-on) to over a hundred (the home page's shelves and
counts); answering it from here, a small part of one. When several visitors miss the same page at
once, the others wait for the first one's rendering instead of repeating it.

It sits just outside RequestMetrics, inside the middlewares that normalise the path: a hit is
still counted, timed and logged under its route, and carries its request id. Anything that is not
a plain anonymous GET of a cached path goes straight to the app, and only complete 200 answers
that set no cookie but the language one are kept.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cachetools import LRUCache
from starlette.requests import Request

from addonhub.api.metrics import record_request, route_template
from addonhub.catalog.indexing import catalogue_revision
from addonhub.web.languages import LANG_COOKIE, Languages, visitor_languages
from addonhub.web.sessions import SESSION_COOKIE

# A page larger than this is answered but not kept: no page of the store comes near it, and one
# odd answer must not push hundreds of pages out.
_MAX_PAGE_BYTES = 1024 * 1024
# What an entry costs beyond its body (the key, the headers, the objects), for the memory bound.
_ENTRY_OVERHEAD = 1024
_KEPT_COOKIE = LANG_COOKIE.encode() + b"="

# Scheme and host (absolute links follow the request's unless the store's URL is configured), the
# path as sent (pagination links repeat it), the query, the languages and the day (the `random`
# sort's order changes daily).
PageKey = tuple[str, bytes, bytes, bytes, Languages, int]


@dataclass(frozen=True)
class _Page:
    revision: int
    route: str
    headers: list[tuple[bytes, bytes]]
    body: bytes


class AnonymousPageCache:
    def __init__(self, app, database, is_cached_path: Callable[[str], bool], max_bytes: int):
        self.app = app
        self._engine = database.engine
        self._is_cached_path = is_cached_path
        self._pages: LRUCache[PageKey, _Page] = LRUCache(maxsize=max_bytes,
                                                         getsizeof=lambda page: len(page.body) + _ENTRY_OVERHEAD)
        self._rendering: dict[PageKey, asyncio.Event] = {}
        self._shared_reads = (None if self._engine.dialect.name == "sqlite"
                              else SharedReads(lambda: catalogue_revision(self._engine)))

    async def __call__(self, scope, receive, send):
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rendering = self._rendering.get(key)
        if rendering is not None:
            await rendering.wait()
        revision = await self._revision()
        page = self._pages.get(key)
        if page is not None and page.revision == revision:
            await _replay(page, send)
            record_request(scope, page.route, 200, time.perf_counter() - started)
            return
        await self._render(key, revision, scope, receive, send)

    def _key(self, scope) -> PageKey | None:
        """What an anonymous page depends on, or None for a request that must reach the app: not a
        GET of a cached path, or from a visitor who has a session (signed in, or with a form's
        token) or sends credentials."""
        if (scope["type"] != "http" or scope["method"] != "GET" or not self._pages.maxsize
                or not self._is_cached_path(scope["path"])):
            return None
        request = Request(scope)
        if SESSION_COOKIE in request.cookies or "authorization" in request.headers:
            return None
        return (scope["scheme"], request.headers.get("host", "").encode(), scope.get("raw_path") or scope["path"].encode(),
                scope["query_string"], visitor_languages(request), date.today().toordinal())

    async def _revision(self) -> int:
        if self._shared_reads is None:
            # SQLite's read is in-process and costs less than a hop to a thread: on the event loop.
            return catalogue_revision(self._engine)
        return await self._shared_reads.value()

    async def _render(self, key: PageKey, revision: int, scope, receive, send) -> None:
        """The app's answer, passed on as it comes and kept when it is the same for everyone. The
        revision was read before rendering: a change committed meanwhile leaves the page marked
        older than it is, so it is rendered again next time rather than kept stale."""
        leader = key not in self._rendering
        if leader:
            self._rendering[key] = asyncio.Event()
        start: dict = {}
        body: list[bytes] = []

        async def passing_on(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    start["complete"] = True
            await send(message)

        try:
            await self.app(scope, receive, passing_on)
        finally:
            if leader:
                self._rendering.pop(key).set()
        page = _Page(revision, route_template(scope), list(start.get("headers", ())), b"".join(body))
        if start.get("status") == 200 and start.get("complete") and _is_for_everyone(page):
            self._pages[key] = page


class SharedReads:
    """A value read off the event loop (a round trip to a database server), each read shared by
    all the requests that asked for it before it started. A request is answered by a read that
    began after it asked, so it never gets a value older than its own arrival; but the requests
    that a busy loop runs together share one read and one hop to a thread, instead of each waiting
    its own round trip with the loop stopped."""

    def __init__(self, read: Callable[[], Any]):
        self._read = read
        self._next: asyncio.Task | None = None

    async def value(self) -> Any:
        loop = asyncio.get_running_loop()
        reading = self._next
        if reading is None or reading.get_loop() is not loop:
            reading = self._next = loop.create_task(self._read_when_started())
        # Shielded: a request that goes away does not cancel the read the others wait for.
        return await asyncio.shield(reading)

    async def _read_when_started(self) -> Any:
        # The task's first step runs after the requests that were ready with it: they have joined,
        # and whoever asks from now on needs a read that starts after them.
        if self._next is asyncio.current_task():
            self._next = None
        return await asyncio.get_running_loop().run_in_executor(None, self._read)


def _is_for_everyone(page: _Page) -> bool:
    if len(page.body) > _MAX_PAGE_BYTES:
        return False
    for name, value in page.headers:
        name = name.lower()
        if name == b"set-cookie" and not value.startswith(_KEPT_COOKIE):
            return False
        if name == b"cache-control" and (b"private" in value or b"no-store" in value):
            return False
    return True


async def _replay(page: _Page, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": page.headers})
    await send({"type": "http.response.body", "body": page.body})
