"""What the OpenAPI document says about answers and request bodies, declared once for every router.

The handlers build their responses themselves (JSONResponse, FileResponse, empty Responses) and
read their bodies raw, so FastAPI can infer neither: each route names here what it answers, in
its dialect's error shapes (AMO `{"detail"}`, the signing API's `{"error"}`, v5's field-keyed
errors, Edge's status-like objects, OAuth's `{"error", "error_description"}`), and what it reads.
Fuzzers (tests/api/test_fuzz.py) and client generators take the document at its word.
"""

from collections.abc import Mapping

from fastapi import FastAPI

OBJECT = {"type": "object"}
STRING = {"type": "string"}
BINARY = {"type": "string", "format": "binary"}
NULLABLE_URL = {"type": ["string", "null"]}

_RESULTS = {"results": {"type": "array", "items": OBJECT}}
RESULTS = {"type": "object", "required": ["results"], "properties": _RESULTS}
COUNTED = {"type": "object", "required": ["count", "results"], "properties": {"count": {"type": "integer"}, **_RESULTS}}
# AMO's paginated envelope (api/amo/pagination.py).
PAGINATED = {
    "type": "object",
    "required": ["count", "next", "previous", "results"],
    "properties": {**COUNTED["properties"], "next": NULLABLE_URL, "previous": NULLABLE_URL},
}

DETAIL = {"type": "object", "required": ["detail"], "properties": {"detail": STRING}}
# A message list per field, or an object of them for a nested field (`version`, `custom_license`).
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {"anyOf": [{"type": "array", "items": STRING}, OBJECT]},
}
# A 400 of AMO's APIs: one message for the request, or messages by field.
BAD_REQUEST = {"anyOf": [DETAIL, FIELD_ERRORS]}
SIGNING_ERROR = {"type": "object", "required": ["error"], "properties": {"error": STRING}}
EDGE_ERROR = {
    "type": "object",
    "required": ["id", "message", "errorCode", "errors"],
    "properties": {"id": STRING, "message": STRING, "errorCode": STRING, "errors": {"type": "array"}},
}
OAUTH_ERROR = {
    "type": "object",
    "required": ["error", "error_description"],
    "properties": {"error": STRING, "error_description": STRING},
}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _header(description: str) -> dict:
    return {"description": description, "required": True, "schema": STRING}


CHALLENGE = {"WWW-Authenticate": _header("The scheme to authenticate with (RFC 7235).")}
RETRY_AFTER = {"Retry-After": _header("Seconds to wait before submitting again.")}


def _answer(description: str, schema: dict, headers: dict | None = None) -> dict:
    return {"description": description, "content": json_content(schema), **({"headers": headers} if headers else {})}


def _errors(schema: dict, bad_request: dict) -> dict[int, dict]:
    """The error answers of a dialect whose errors are all `schema` (400s `bad_request`)."""
    return {
        400: _answer("The request is invalid.", bad_request),
        401: _answer("No valid credentials.", schema, CHALLENGE),
        403: _answer("The caller may not do this.", schema),
        404: _answer("Not found, or not the caller's to know of.", schema),
        408: _answer("The request body stalled.", schema),
        409: _answer("It conflicts with what the store has.", schema),
        413: _answer("The request body is larger than the store's limit.", schema),
        429: _answer("Too many submissions: wait and try again.", schema, RETRY_AFTER),
    }


AMO = _errors(DETAIL, BAD_REQUEST)
# The signing API answers `{"error"}`, but its credentials and throttle are AMO's shared ones.
SIGNING = {**_errors(SIGNING_ERROR, SIGNING_ERROR), 401: AMO[401], 429: AMO[429]}
EDGE = _errors(EDGE_ERROR, EDGE_ERROR)
OAUTH = {
    400: _answer("RFC 6749 §5.2: invalid_request, unsupported_grant_type, invalid_scope.", OAUTH_ERROR),
    401: _answer("RFC 6749 §5.2: invalid_client.", OAUTH_ERROR, CHALLENGE),
}


# Starlette's `{operation_id:path}` is `.*`, which takes no line break: an id with one finds no
# route, and the app's own 404 answers.
EDGE_OPERATION_NOT_FOUND = {404: _answer("No such operation.", {"anyOf": [EDGE_ERROR, DETAIL]})}


def returns(schema: dict, *statuses: int) -> dict[int, dict]:
    """Success answers with a JSON body (200 unless statuses are given)."""
    return {status: {"content": json_content(schema)} for status in statuses or (200,)}


def file_download(*media_types: str) -> dict[int, dict]:
    """Routes answering files, or no body, say response_class=Response: FastAPI then declares no
    JSON body of its own beside what is declared here."""
    return {200: {"description": "The file.", "content": {media_type: {"schema": BINARY} for media_type in media_types}}}


# Edge's uploads and publishes: no body, no Content-Type (api/edge/submissions.py).
ACCEPTED_OPERATION = {202: {"description": "Accepted: poll the operation named by Location.",
                            "headers": {"Location": _header("The operation's id (v1.1) or path (v1).")}}}
METRICS_TEXT = {200: {"description": "Prometheus' text format.", "content": {"text/plain": {"schema": STRING}}}}


def answers(success: dict[int, dict], dialect: Mapping[int, dict], *error_statuses: int) -> dict[int, dict]:
    """A route's `responses=`: its successes, and those of its dialect's errors that it gives."""
    return {**success, **{status: dialect[status] for status in error_statuses}}


def request_body(content: dict, required: bool = False) -> dict:
    """For a route's `openapi_extra`: handlers read their bodies raw, so FastAPI sees none."""
    return {"requestBody": {"required": required, "content": content}}


def _form(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, **({"required": required} if required else {})}


CHANNEL = {"type": "string", "enum": ["listed", "unlisted"]}
UPLOAD_FORM = {"multipart/form-data": {"schema": _form({"upload": BINARY, "channel": CHANNEL}, ["upload"])}}
# The signing API's POST names the version in the form; its PUT in the URL.
SIGNING_FORM = {"multipart/form-data": {"schema": _form({"upload": BINARY, "channel": CHANNEL, "version": STRING},
                                                        ["upload"])}}
# v5 add-on and version bodies: JSON, a plain form, or multipart with a `source` file.
V5_BODY = {**json_content(OBJECT), "application/x-www-form-urlencoded": {"schema": OBJECT},
           "multipart/form-data": {"schema": _form({"source": BINARY})}}
REVIEW_NOTES = json_content(_form({"notes": STRING}))
EDGE_PACKAGE = {"application/zip": {"schema": BINARY}}
# The notes for certification, in each of the spellings clients send (api/edge/notes.py).
EDGE_NOTES = {**json_content(_form({"notes": STRING})), "text/plain": {"schema": STRING},
              "application/x-www-form-urlencoded": {"schema": _form({"notes": STRING})}}
OAUTH_FORM = {"application/x-www-form-urlencoded": {"schema": _form(
    {"grant_type": {"type": "string", "enum": ["client_credentials"]}, "client_id": STRING,
     "client_secret": STRING, "scope": STRING},
    ["grant_type", "scope"],
)}}


def without_validation_422(app: FastAPI) -> None:
    """Drops the 422 FastAPI declares for every route with parameters: the app answers 400 for
    a RequestValidationError (api/app.py), and the routes declare their 400s themselves."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = generate()  # cached by FastAPI in app.openapi_schema, edited in place
            for operations in document["paths"].values():
                for operation in operations.values():
                    operation["responses"].pop("422", None)
            schemas = document.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            if "components" in document and not schemas:
                document["components"].pop("schemas", None)
                if not document["components"]:
                    del document["components"]
        return app.openapi_schema

    app.openapi = openapi
