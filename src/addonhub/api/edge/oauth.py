"""The OAuth 2.0 token endpoint of the Edge publish API (v1): the client credentials grant.

Clients post to Microsoft's `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`, so the
store answers at `/{tenant}/oauth2/v2.0/token` for any tenant, and at `/oauth2/v2.0/token`. The
request is a form (`client_id`, `client_secret`, `grant_type=client_credentials`, `scope`); the
client may instead authenticate with HTTP Basic, which RFC 6749 (§2.3.1) says servers must accept.
The scope must end in `/.default`, as Microsoft's does: the reference's
`https://addons.edge.microsoft.com/.default`, the shipped `https://api.addons.microsoftedge.microsoft.com/.default`,
and whatever a client builds from its base URL when pointed at this store.

Errors are RFC 6749 §5.2's: `{"error", "error_description"}`, 400, or 401 for `invalid_client`.
"""

import base64
import binascii
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from addonhub.accounts.edge_credentials import credential_for_client_secret
from addonhub.accounts.edge_tokens import LIFETIME, issue_access_token
from addonhub.accounts.service import ACCOUNT_DISABLED
from addonhub.api.edge.errors import REALM
from addonhub.api.openapi import OAUTH, OAUTH_FORM, answers, request_body, returns
from addonhub.api.responses import APIError, JSONResponse
from addonhub.api.uploads import BodyLimits, UploadRejected, read_small_body

FORM_TYPE = "application/x-www-form-urlencoded"
GRANT_TYPE = "client_credentials"
SCOPE_SUFFIX = "/.default"
MAX_FORM_BYTES = 16 * 1024  # a token request is a few hundred bytes
MAX_FORM_FIELDS = 32
# RFC 6749 §5.1: token responses must not be cached; the same holds for its errors.
NO_CACHE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
BASIC_CHALLENGE = f'Basic realm="{REALM}"'

router = APIRouter(tags=["edge"])
TOKEN = {"type": "object", "required": ["token_type", "expires_in", "access_token"],
         "properties": {"token_type": {"type": "string"}, "expires_in": {"type": "integer"},
                        "access_token": {"type": "string"}}}
_DOCS = {"responses": answers(returns(TOKEN), OAUTH, 400, 401), "openapi_extra": request_body(OAUTH_FORM, required=True)}


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status_code: int = 400):
        super().__init__(description)
        self.error, self.description, self.status_code = error, description, status_code

    def as_api_error(self) -> APIError:
        headers = dict(NO_CACHE)
        if self.status_code == 401:
            headers["WWW-Authenticate"] = BASIC_CHALLENGE
        return APIError(self.status_code, {"error": self.error, "error_description": self.description}, headers)


@router.post("/oauth2/v2.0/token", summary="Get an access token (client credentials grant)", **_DOCS)
async def token(request: Request) -> JSONResponse:
    try:
        form = _parse_form(request.headers.get("content-type"), await _read_body(request))
        _check_grant(form)
        client_id, client_secret = _client_credentials(request.headers.get("authorization"), form)
        access_token = await run_in_threadpool(_issue, request, client_id, client_secret)
    except OAuthError as failure:
        raise failure.as_api_error() from None
    return JSONResponse({"token_type": "Bearer", "expires_in": LIFETIME, "access_token": access_token},
                        headers=NO_CACHE)


@router.post("/{tenant}/oauth2/v2.0/token", summary="Get an access token (client credentials grant)", **_DOCS)
async def tenant_token(request: Request, tenant: str) -> JSONResponse:
    """The same for any tenant: the store is one."""
    return await token(request)


async def _read_body(request: Request) -> bytes:
    limits = BodyLimits.for_small_body(request.app.state.store.settings, MAX_FORM_BYTES)
    try:
        return await read_small_body(request, limits)
    except UploadRejected as rejected:
        raise OAuthError("invalid_request", rejected.message) from None


def _parse_form(content_type: str | None, body: bytes) -> dict[str, str]:
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        raise OAuthError("invalid_request", f"The request body must be sent as {FORM_TYPE}.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("invalid_request", "The request body is not a valid form.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise OAuthError("invalid_request", f"The parameter '{name[:64]}' is repeated.")
        form[name] = value
    return form


def _check_grant(form: dict[str, str]) -> None:
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "The request body must contain the parameter 'grant_type'.")
    if grant_type != GRANT_TYPE:
        raise OAuthError("unsupported_grant_type", f"Only the '{GRANT_TYPE}' grant type is supported.")
    scope = form.get("scope")
    if not scope:
        raise OAuthError("invalid_request", "The request body must contain the parameter 'scope'.")
    scopes = scope.split()
    if not scopes or not all(s.endswith(SCOPE_SUFFIX) and len(s) > len(SCOPE_SUFFIX) for s in scopes):
        raise OAuthError("invalid_scope", f"The scope must be a resource followed by '{SCOPE_SUFFIX}', such as "
                         "'https://api.addons.microsoftedge.microsoft.com/.default'.")


def _client_credentials(authorization: str | None, form: dict[str, str]) -> tuple[str, str]:
    """The client id and secret, from the form or from HTTP Basic, but not from both."""
    client_id, client_secret = _unbraced(form.get("client_id")), _unbraced(form.get("client_secret"))
    if authorization:
        scheme, _, encoded = authorization.strip().partition(" ")
        if scheme.lower() == "basic":
            if client_secret is not None:
                raise OAuthError("invalid_request", "Send the client secret either in the body or with HTTP Basic, "
                                 "not both.")
            basic_id, client_secret = _basic_credentials(encoded.strip())
            if client_id is not None and client_id != basic_id:
                raise OAuthError("invalid_request", "The client_id in the body is not the one of HTTP Basic.")
            client_id = basic_id
    if not client_id:
        raise OAuthError("invalid_request", "The request body must contain the parameter 'client_id'.")
    if not client_secret:
        raise OAuthError("invalid_client", "The request must contain the parameter 'client_secret'.", 401)
    return client_id, client_secret


def _unbraced(value: str | None) -> str | None:
    """The value without one pair of braces around it. The usage guide's curl sample sends
    `-d "client_id={$Client_ID}"` (and the secret alike), which a shell expands to the value in
    braces. Neither a client id (a GUID) nor a secret (URL-safe base64) contains braces, so a pair
    around one can only be that spelling."""
    if value is not None and len(value) > 2 and value.startswith("{") and value.endswith("}"):
        return value[1:-1]
    return value


def _basic_credentials(encoded: str) -> tuple[str, str]:
    # RFC 6749 §2.3.1: the id and secret are form-encoded, then joined with ':' and base64-encoded.
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise OAuthError("invalid_client", "The HTTP Basic credentials are not valid base64 of 'id:secret'.",
                         401) from None
    client_id, separator, client_secret = decoded.partition(":")
    if not separator:
        raise OAuthError("invalid_client", "The HTTP Basic credentials are not 'id:secret'.", 401)
    return unquote_plus(client_id), unquote_plus(client_secret)


def _issue(request: Request, client_id: str, client_secret: str) -> str:
    store = request.app.state.store
    with store.db.session() as session:
        credential = credential_for_client_secret(session, client_id, client_secret)
        if credential is None:
            raise OAuthError("invalid_client", "The client id or the client secret is not valid.", 401)
        if credential.user.is_disabled:
            raise OAuthError("invalid_client", ACCOUNT_DISABLED, 401)
        return issue_access_token(store.secret_key, credential)
