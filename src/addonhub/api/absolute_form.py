"""Requests whose target is a whole URL (`POST https://host/v1/products/... HTTP/1.1`).

Clients that can only be pointed at the store through `HTTPS_PROXY` send their requests to it in
this absolute form (RFC 9112 §3.2.2), which a server must accept. uvicorn's h11 parser hands the
whole URL to the app as the path (its httptools parser keeps only the path), so routing would
find nothing: this middleware keeps the path and drops the scheme and host, in `path` and
`raw_path` alike. The host the client meant is in its Host header, as in any request.
"""

import re

_SCHEME_AND_HOST = r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*"
_TEXT = re.compile(_SCHEME_AND_HOST)
_BYTES = re.compile(_SCHEME_AND_HOST.encode("ascii"))


class AbsoluteFormTarget:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and not scope["path"].startswith("/"):
            scope = origin_form(scope)
        await self.app(scope, receive, send)


def origin_form(scope: dict) -> dict:
    """The scope with an absolute-form path reduced to its path ("/" when the URL has none);
    any other scope unchanged."""
    path = _TEXT.sub("", scope["path"], count=1)
    if path == scope["path"]:
        return scope
    changed = dict(scope, path=path or "/")
    raw_path = scope.get("raw_path")
    if raw_path is not None:
        changed["raw_path"] = _BYTES.sub(b"", raw_path, count=1) or b"/"
    return changed
