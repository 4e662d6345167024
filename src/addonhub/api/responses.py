"""JSON responses shared by every dialect: orjson, and exactly "application/json"."""

import orjson
from starlette.responses import Response


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content) -> bytes:
        return orjson.dumps(content)


class APIError(Exception):
    """An error answer in the AMO shape: {"detail": ...} plus any extra fields, or a field map."""

    def __init__(self, status_code: int, body: dict, headers: dict | None = None):
        self.status_code, self.body, self.headers = status_code, body, headers or {}


def field_error(field: str, message: str) -> APIError:
    return APIError(400, {field: [message]})


def not_found() -> APIError:
    return APIError(404, {"detail": "Not found."})
