"""Update checks answered ahead of the rest of the app.

Every installed add-on asks for updates (Chromium at start and every five hours, Firefox daily),
so these two paths carry most of a store's requests, each one indexed query and a few hundred
bytes. Routing them through FastAPI's route table and every middleware (CORS, request ids,
trailing slashes, a log line) cost several times the answer itself: this dispatcher hands the
exact paths straight to their endpoints and everything else to the app. They stay counted
(usage figures, and /metrics by path), but get no log line each: a store's log would be little
but update checks. The endpoints stay declared in their routers, for the API document.
"""

import logging
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from addonhub.api.metrics import REQUESTS, REQUEST_SECONDS
from addonhub.api.responses import APIError, JSONResponse

log = logging.getLogger(__name__)
Endpoint = Callable[[Request], Awaitable[Response]]


class UpdateChecksFirst:
    def __init__(self, app, endpoints: dict[str, Endpoint]):
        self.app = app
        self.endpoints = endpoints

    async def __call__(self, scope, receive, send):
        endpoint = self.endpoints.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        response = await _answer(endpoint, Request(scope, receive))
        await response(scope, receive, send)
        REQUESTS.labels("GET", scope["path"], str(response.status_code)).inc()
        REQUEST_SECONDS.labels("GET", scope["path"]).observe(time.perf_counter() - started)


async def _answer(endpoint: Endpoint, request: Request) -> Response:
    """The endpoint's answer; its refusals (a 400 for a malformed check) and failures in the API's
    JSON shape, as the app's own handlers would word them."""
    try:
        return await endpoint(request)
    except APIError as error:
        return JSONResponse(error.body, status_code=error.status_code, headers=error.headers)
    except Exception:
        log.exception("update check %s failed", request.url.path)
        return JSONResponse({"detail": "Internal Server Error"}, status_code=500)
