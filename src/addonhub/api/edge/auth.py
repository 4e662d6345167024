"""Who is calling the Edge dialect, and which of its two contracts they speak.

- `Authorization: Bearer <access token>` from the OAuth token endpoint: v1, the 2021 reference's
  contract (statuses such as `IN-PROGRESS`, `Location` as a path).
- `Authorization: ApiKey <API key>` with `X-ClientID: <client id>` (the header name in any case):
  v1.1, the contract of the API as shipped and of every current client.

The scheme word is read in any case. Every failure is a 401 in the Edge error shape with a
challenge naming the scheme to use; the caller is never anonymous.
"""

from enum import StrEnum
from typing import NamedTuple

from sqlalchemy.orm import Session
from starlette.requests import Request

from addonhub.accounts.edge_credentials import user_for_api_key
from addonhub.accounts.edge_tokens import InvalidAccessToken, user_for_access_token
from addonhub.accounts.models import User
from addonhub.accounts.service import ACCOUNT_DISABLED
from addonhub.api.edge.errors import REALM, unauthorized

BEARER_CHALLENGE = f'Bearer realm="{REALM}"'
INVALID_TOKEN_CHALLENGE = f'Bearer realm="{REALM}", error="invalid_token"'
API_KEY_CHALLENGE = f'ApiKey realm="{REALM}"'

NO_CREDENTIALS = ("Authentication is required: send `Authorization: Bearer <access token>`, or "
                  "`Authorization: ApiKey <API key>` with `X-ClientID: <client id>`.")
NO_ACCESS_TOKEN = "The Authorization header holds no access token, or more than one word after Bearer."
NO_API_KEY = "The Authorization header holds no API key, or more than one word after ApiKey."
NO_CLIENT_ID = "An API key must come with the X-ClientID header."
WRONG_API_KEY = "The API key or the client id is not valid."


class Dialect(StrEnum):
    V1 = "v1"
    V1_1 = "v1.1"


class EdgeCaller(NamedTuple):
    user: User
    dialect: Dialect


def edge_caller(request: Request, session: Session) -> EdgeCaller:
    """The account behind the request's credentials and the dialect they imply, or a 401 APIError."""
    words = (request.headers.get("authorization") or "").split()
    if not words:
        raise unauthorized(NO_CREDENTIALS, f"{BEARER_CHALLENGE}, {API_KEY_CHALLENGE}")
    scheme, credentials = words[0].lower(), words[1:]
    if scheme == "bearer":
        return EdgeCaller(_token_user(request, session, credentials), Dialect.V1)
    if scheme == "apikey":
        return EdgeCaller(_api_key_user(request, session, credentials), Dialect.V1_1)
    raise unauthorized(f"The authorization scheme {words[0][:32]!r} is not supported: use Bearer or ApiKey.",
                       f"{BEARER_CHALLENGE}, {API_KEY_CHALLENGE}")


def _token_user(request: Request, session: Session, credentials: list[str]) -> User:
    if len(credentials) != 1:
        raise unauthorized(NO_ACCESS_TOKEN, BEARER_CHALLENGE)
    try:
        return user_for_access_token(session, request.app.state.store.secret_key, credentials[0])
    except InvalidAccessToken as failure:
        raise unauthorized(str(failure), INVALID_TOKEN_CHALLENGE) from None


def _api_key_user(request: Request, session: Session, credentials: list[str]) -> User:
    if len(credentials) != 1:
        raise unauthorized(NO_API_KEY, API_KEY_CHALLENGE)
    client_id = (request.headers.get("x-clientid") or "").strip()
    if not client_id:
        raise unauthorized(NO_CLIENT_ID, API_KEY_CHALLENGE)
    user = user_for_api_key(session, client_id, credentials[0])
    if user is None:
        raise unauthorized(WRONG_API_KEY, API_KEY_CHALLENGE)
    if user.is_disabled:
        raise unauthorized(ACCOUNT_DISABLED, API_KEY_CHALLENGE)
    return user
