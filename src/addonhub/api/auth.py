"""Who is calling: the account behind the Authorization header, if any.

- `JWT <token>` (the word in any case): a JWT signed with the account's AMO API key, checked by
  accounts.jwt_auth; failures are AMO's 401s, `{"detail": ...}` with a `JWT realm` challenge.
- `Bearer <token>`: the store's own API tokens.
- Anything else, or no header: anonymous.
"""

from sqlalchemy.orm import Session
from starlette.requests import Request

from addonhub.accounts import jwt_auth
from addonhub.accounts.models import User
from addonhub.accounts.service import ACCOUNT_DISABLED, user_for_token
from addonhub.catalog.models import Addon
from addonhub.api.responses import APIError

JWT_CHALLENGE = 'JWT realm="Access to addons.mozilla.org external API"'
BEARER_CHALLENGE = 'Bearer realm="api"'
NO_PERMISSION = "You do not have permission to perform this action."


def credentials_required(extra: dict | None = None) -> APIError:
    """AMO's 401 for a request that needs an account and came without credentials."""
    return APIError(401, {"detail": "Authentication credentials were not provided.", **(extra or {})},
                    {"WWW-Authenticate": JWT_CHALLENGE})


def permission_denied(user: User | None, addon: Addon | None = None) -> APIError:
    """AMO's answer to a caller who may not see something that exists: 401 to the anonymous, 403
    to others; about an add-on, with its disabled flags (which say why it is hidden)."""
    flags = {} if addon is None else {"is_disabled_by_developer": addon.is_disabled,
                                      "is_disabled_by_mozilla": addon.is_disabled_by_mozilla}
    if user is None:
        return credentials_required(flags)
    return APIError(403, {"detail": NO_PERMISSION, **flags})


def current_user(request: Request, session: Session) -> User | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    # Split as AMO splits it: the bytes the client sent (header values arrive decoded as
    # latin-1), on whitespace.
    words = header.encode("latin-1").split()
    if words and words[0].lower() == b"jwt":
        return _jwt_user(request, session, words[1:])
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        # Other schemes belong to other dialects (ApiKey); the catalogue reads anonymously.
        return None
    token = token.strip()
    if not token or " " in token:
        raise APIError(401, {"detail": "Invalid Authorization header.", "code": "ERROR_INVALID_HEADER"},
                       {"WWW-Authenticate": BEARER_CHALLENGE})
    user = user_for_token(session, token)
    if user is None:
        raise APIError(401, {"detail": "Invalid token.", "code": "ERROR_DECODING_SIGNATURE"},
                       {"WWW-Authenticate": BEARER_CHALLENGE})
    if user.is_disabled:
        raise APIError(401, {"detail": ACCOUNT_DISABLED}, {"WWW-Authenticate": BEARER_CHALLENGE})
    return user


def _jwt_user(request: Request, session: Session, credentials: list[bytes]) -> User:
    try:
        token = jwt_auth.token_from_credentials(credentials)
        return jwt_auth.authenticate(session, request.app.state.store.key_cipher, token)
    except jwt_auth.AuthenticationFailed as failure:
        raise APIError(401, {"detail": failure.detail}, {"WWW-Authenticate": JWT_CHALLENGE}) from None
