"""Forms of the web dialect: bodies read with limits, and the CSRF check every POST passes.

CSRF: a synchronizer token, bound to the session (web.sessions.csrf_token), in a hidden
`csrf_token` field of every form, compared in constant time on every POST. A library was
considered: starlette-csrf checks a header only (a form without JavaScript cannot send one), and
asgi-csrf is a double-submit cookie of its own that re-buffers every request body of the whole
app, APIs included, and answers failures with its own page. The session already holds a secret
per visitor, so the check is the few lines below, on the web routes only.

Every POST route of the web dialect takes its fields from `CheckedForm` (tests/web check that),
so none can forget the check. A rejected token is a 403 page; a form may instead ask to be shown
again (`reshow`) with what was typed and a fresh token, so that a session that expired while the
visitor typed costs them one click.
"""

import hmac
from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from addonhub.web.sessions import csrf_token, expected_csrf_token
from addonhub.web.wording import N_

CSRF_FIELD = "csrf_token"
# A form of this store is a few fields of text; a review is the longest. Past this, refused unread.
MAX_FORM_BYTES = 256 * 1024
MAX_FORM_FIELDS = 50

Fields = dict[str, str]
Reshow = Callable[[Request, Fields, str], Response]


class FormRejected(Exception):
    """A body no form of ours sends: too large, too many fields, not a form."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code, self.message = status_code, message


class CSRFRejected(Exception):
    """A POST without the session's token: from another site, or a session that has expired."""

    # Marked for translation: forms that show it again word it in the visitor's language.
    message = N_("This form was not sent: the page had expired (or it came from another site). "
                 "Check it and send it again.")

    def __init__(self, fields: Fields, reshow: Reshow | None):
        super().__init__(self.message)
        self.fields, self.reshow = fields, reshow


async def read_form(request: Request) -> Fields:
    """The fields of a URL-encoded form, first value of each name; undecodable bytes become
    U+FFFD rather than an error, so that the page can say what is wrong with the text."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not content_type and not request.headers.get("content-length", "").strip("0"):
        return {}  # a form without fields, as some clients send one
    if content_type != "application/x-www-form-urlencoded":
        raise FormRejected(415, "This address takes forms sent by a browser.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormRejected(413, "This form is larger than any this store takes.")
    try:
        pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True,
                          errors="replace", max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise FormRejected(400, "This form has more fields than any this store takes.") from None
    fields: Fields = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


class CheckedForm:
    """A route dependency: the POSTed form, once its CSRF token is the session's."""

    def __init__(self, reshow: Reshow | None = None):
        self.reshow = reshow

    async def __call__(self, request: Request) -> Fields:
        fields = await read_form(request)
        if not csrf_matches(request, fields.pop(CSRF_FIELD, "")):
            raise CSRFRejected(fields, self.reshow)
        return fields


def csrf_matches(request: Request, sent: str) -> bool:
    """Whether a form sent the session's token (CheckedForm's check; a multipart form, whose body
    CheckedForm does not read, is checked with it once its body is in)."""
    expected = expected_csrf_token(request)
    return expected is not None and hmac.compare_digest(sent.encode(), expected.encode())


def hidden_csrf_field(request: Request) -> str:
    """The hidden input every form carries (templates call csrf_field())."""
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf_token(request)}">'


THROTTLED = N_("You have written a lot in a short time: try again in %(minutes)s min.")


class Throttled(Exception):
    """A form's write that its throttle scope refused (the API's, with the API's key), raised
    inside the write's transaction so that nothing of it is kept."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait

    def words(self) -> tuple[str, dict]:
        """What the form says about it, in whole minutes."""
        return THROTTLED, {"minutes": -(-self.wait // 60)}
