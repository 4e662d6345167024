"""Error answers of the Edge dialect.

The reference gives error statuses (400, 401, 404, 408, 429, 500) but no body for them. The body
here is shaped like the status objects the shipped API answers, which clients already read:
`{"id", "message", "errorCode", "errors"}`, `id` naming this one answer.
"""

import uuid

from addonhub.api.responses import APIError

UNAUTHORIZED = "Unauthorized"
REALM = "Microsoft Edge Add-ons API (addonhub)"


def edge_error(status_code: int, error_code: str, message: str, headers: dict | None = None) -> APIError:
    body = {"id": str(uuid.uuid4()), "message": message, "errorCode": error_code, "errors": []}
    return APIError(status_code, body, headers)


def unauthorized(message: str, challenge: str) -> APIError:
    """A 401 with the challenge (RFC 7235) for the scheme the client should use."""
    return edge_error(401, UNAUTHORIZED, message, {"WWW-Authenticate": challenge})


# errorCode of the other error answers: the HTTP reason phrase, as for 401s.
BAD_REQUEST = "BadRequest"
NOT_FOUND = "NotFound"
REQUEST_TIMEOUT = "RequestTimeout"
TOO_MANY_REQUESTS = "TooManyRequests"
# The reference's id for a package over the size limit.


def not_found(message: str) -> APIError:
    return edge_error(404, NOT_FOUND, message)


def too_many_requests(wait: int) -> APIError:
    # The number of seconds comes first in the message: a client (web-ext-deploy) reads it from there.
    return edge_error(429, TOO_MANY_REQUESTS, f"Wait {wait} seconds: too many submissions were sent.",
                      {"Retry-After": str(wait)})
