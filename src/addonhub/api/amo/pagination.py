"""AMO's pagination envelope, with absolute next/previous links that keep the other parameters."""

import math
from urllib.parse import urlencode

from starlette.requests import Request

from addonhub.api.responses import APIError


def page_url(request: Request, base_url: str, page: int) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    if page > 1:
        params.append(("page", str(page)))
    query = urlencode(params)
    path = (request.scope.get("raw_path") or request.url.path.encode()).decode()
    return f"{base_url}{path}" + (f"?{query}" if query else "")


def envelope(request: Request, base_url: str, page: int, page_size: int, count: int, results: list) -> dict:
    page_count = max(1, math.ceil(count / page_size))
    if page > page_count:
        raise APIError(404, {"detail": "Invalid page."})
    return {
        "page_size": page_size,
        "page_count": page_count,
        "count": count,
        "next": page_url(request, base_url, page + 1) if page < page_count else None,
        "previous": page_url(request, base_url, page - 1) if page > 1 else None,
        "results": results,
    }
