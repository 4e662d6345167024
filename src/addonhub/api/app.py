"""The ASGI application: every dialect's routes, plus what they share (errors, CORS, slashes)."""

import asyncio
import logging
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse

from addonhub.api import downloads, edge, health, images, metrics, policies, updates_chromium, updates_firefox
from addonhub.api.absolute_form import AbsoluteFormTarget
from addonhub.api.amo import abuse, catalog, ratings, reviewers, signing, submission
from addonhub.api.amo.rendering import is_signed_outgoing
from addonhub.api.openapi import without_validation_422
from addonhub.api.request_ids import RequestIds
from addonhub.api.responses import APIError, JSONResponse
from addonhub.api.update_checks import UpdateChecksFirst
from addonhub.published_urls import CHROMIUM_UPDATE_PATH, VERSIONCHECK_PATH
from addonhub.rate_limits import ThrottleUnavailable
from addonhub.store import Store
from addonhub.web import (
    abuse_reports, console_admin, developer_addons, developer_hub, developer_listing, developer_submissions, pages, reviewer,
    reviews,
)
from addonhub.web.accounts import add_account_pages
from addonhub.web.page_cache import AnonymousPageCache

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
log = logging.getLogger(__name__)
_STATUS_DETAILS = {404: "Not found.", 405: "Method not allowed."}


class OptionalTrailingSlash:
    """Serves every route with and without its trailing slash (clients differ) by routing on the
    path without it; raw_path keeps what the client sent, for the links we build from it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and len(scope["path"]) > 1 and scope["path"].endswith("/"):
            scope = dict(scope, path=scope["path"].rstrip("/") or "/")
        await self.app(scope, receive, send)


def _flush_update_checks(store: Store) -> None:
    try:
        store.update_checks.flush(store.db)
    except Exception:  # a busy database must not stop the server; the counts wait for the next flush
        log.exception("could not write the counted update checks")


async def _flush_update_checks_periodically(store: Store) -> None:
    while True:
        await asyncio.sleep(store.settings.usage_flush_seconds)
        await to_thread.run_sync(_flush_update_checks, store)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    store = app.state.store
    to_thread.current_default_thread_limiter().total_tokens = store.settings.request_threads
    flusher = asyncio.create_task(_flush_update_checks_periodically(store))
    try:
        yield
    finally:
        flusher.cancel()
        await to_thread.run_sync(_flush_update_checks, store)  # what was counted since the last flush


# Machine routes the API document leaves out: a miss under them is answered in JSON too.
_UNDOCUMENTED_MACHINE_SEGMENTS = frozenset({"static", "images", "outgoing", "__lbheartbeat__", "__heartbeat__", "__version__"})


def _machine_segments(app: FastAPI) -> frozenset[str]:
    """The first path segment of every machine route (/api, /downloads, /updates, /v1...): a miss
    under one of them is a machine's, answered in JSON; any other path is a person's. Read from
    the API document, once it is complete (FastAPI keeps included routers unflattened), leaving out
    templated segments (Edge's /{tenant}/oauth2/...)."""
    documented = {path.split("/")[1] for path in app.openapi()["paths"]}
    return frozenset(segment for segment in documented if not segment.startswith("{")) | _UNDOCUMENTED_MACHINE_SEGMENTS


def _is_page_path(path: str, machine_prefixes: frozenset[str]) -> bool:
    return path.split("/")[1] not in machine_prefixes


# The catalogue API's searches (routed without their trailing slash): made only of the index's
# ranking and the stored documents, like the pages they are kept beside (web.page_cache).
_CACHED_API_PATHS = frozenset(f"/api/{version}/addons/{endpoint}" for version in ("v3", "v4")
                              for endpoint in ("search", "autocomplete"))


def create_app(store: Store) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="addonhub",
        summary="A self-hosted browser add-on store: the addons.mozilla.org catalogue API.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        default_response_class=JSONResponse,
        # OptionalTrailingSlash routes every path without its slash: a redirect to add one back
        # would loop.
        redirect_slashes=False,
    )
    app.state.store = store
    app.state.metrics_registry = metrics.store_registry(store)
    machine_segments = cache(lambda: _machine_segments(app))

    @app.exception_handler(APIError)
    async def api_error(_request: Request, error: APIError):
        return JSONResponse(error.body, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        if error.status_code == 404 and _is_page_path(request.url.path, machine_segments()):
            return pages.not_found_page(request)
        detail = _STATUS_DETAILS.get(error.status_code, error.detail)
        return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError):
        fields: dict[str, list[str]] = {}
        for problem in error.errors():
            location = [str(part) for part in problem.get("loc", ()) if part not in ("query", "path", "body")]
            fields.setdefault(".".join(location) or "non_field_errors", []).append(problem.get("msg", "Invalid value."))
        return JSONResponse(fields, status_code=400)

    @app.exception_handler(StaleDataError)
    async def concurrent_change(_request: Request, _error: StaleDataError):
        # Another request changed the add-on between this one's read and its write.
        return JSONResponse({"detail": "A concurrent request changed this add-on; check it and try again."},
                            status_code=409)

    @app.exception_handler(ThrottleUnavailable)
    async def throttle_unavailable(_request: Request, error: ThrottleUnavailable):
        # Redis is down: limited requests wait for it rather than pass uncounted (the rest still work).
        log.error("%s", error)
        return JSONResponse({"detail": "Service temporarily unavailable; try again shortly."},
                            status_code=503, headers={"Retry-After": "30"})

    @app.exception_handler(Exception)
    async def unexpected_error(_request: Request, _error: Exception):
        return JSONResponse({"detail": "Internal Server Error"}, status_code=500)

    @app.get("/outgoing/{signature}/{url:path}", include_in_schema=False)
    def outgoing(request: Request, signature: str, url: str):
        """Follows a link wrapped by ?wrap_outgoing_links, if the store signed it."""
        # Routing saw the path without its trailing slash (OptionalTrailingSlash), but the signed
        # link may end in one (https://example.com/): the path as sent has the link as signed.
        raw_path = (request.scope.get("raw_path") or b"").decode("latin-1").split("/", 3)
        if len(raw_path) == 4 and raw_path[1] == "outgoing":
            url = unquote(raw_path[3])
        if urlsplit(url).scheme not in ("http", "https") or not is_signed_outgoing(store.secret_key, signature, url):
            return JSONResponse({"detail": "Not found."}, status_code=404)
        return RedirectResponse(url, status_code=302)

    for version in ("v3", "v4"):
        app.include_router(catalog.router, prefix=f"/api/{version}")
        app.include_router(signing.router, prefix=f"/api/{version}")
    for version in ("v4", "v5"):
        app.include_router(ratings.router, prefix=f"/api/{version}")
        app.include_router(abuse.router, prefix=f"/api/{version}")
    app.include_router(reviewers.router, prefix="/api/v5")
    app.include_router(submission.router, prefix="/api/v5")
    app.include_router(downloads.router)
    app.include_router(images.router)
    app.include_router(updates_firefox.router)
    app.include_router(updates_chromium.router)
    app.include_router(policies.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(edge.router)
    add_account_pages(app, store)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Before the pages: /addon/<id>/reviews/ would otherwise be read as an add-on's text page.
    app.include_router(reviews.router)
    app.include_router(abuse_reports.router)
    app.include_router(developer_hub.router)
    app.include_router(developer_submissions.router)
    app.include_router(developer_addons.router)
    app.include_router(developer_listing.router)
    app.include_router(reviewer.router)
    app.include_router(console_admin.router)
    app.include_router(pages.router)
    without_validation_422(app)

    # Innermost, so that it sees the route the router chose for the path the client meant.
    app.add_middleware(metrics.RequestMetrics)
    app.add_middleware(AnonymousPageCache, database=store.db, max_bytes=store.settings.page_cache_mb * 2**20,
                       is_cached_path=lambda path: path in _CACHED_API_PATHS or _is_page_path(path, machine_segments()))
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                       expose_headers=["*"])
    app.add_middleware(OptionalTrailingSlash)
    # Added last, so it runs first: the path must be a path before anything reads it.
    app.add_middleware(AbsoluteFormTarget)
    # Outermost but for update checks: every answer, even one a middleware gives, carries the
    # request's id.
    app.add_middleware(RequestIds)
    app.add_middleware(UpdateChecksFirst, endpoints={CHROMIUM_UPDATE_PATH: updates_chromium.chromium_update_check,
                                                     VERSIONCHECK_PATH: updates_firefox.versioncheck})
    return app
