"""The store's public URL as a request sees it, for the absolute links every dialect returns."""

from starlette.requests import Request


def base_url(request: Request) -> str:
    """The configured public URL, or else the one the request came in on."""
    configured = request.app.state.store.settings.base_url
    if configured:
        return configured.rstrip("/")
    host = request.headers.get("host") or "{}:{}".format(*(request.scope.get("server") or ("localhost", 80)))
    return f"{request.scope['scheme']}://{host}"
