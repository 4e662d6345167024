"""Who is calling: the account behind an `Authorization: Bearer <token>` header, if any."""

from sqlalchemy.orm import Session
from starlette.requests import Request

from addonhub.accounts.models import User
from addonhub.accounts.service import user_for_token
from addonhub.api.responses import APIError


def current_user(request: Request, session: Session) -> User | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        # Other schemes belong to other dialects (JWT, ApiKey); the catalogue reads anonymously.
        return None
    token = token.strip()
    if not token or " " in token:
        raise APIError(401, {"detail": "Invalid Authorization header.", "code": "ERROR_INVALID_HEADER"},
                       {"WWW-Authenticate": 'Bearer realm="api"'})
    user = user_for_token(session, token)
    if user is None:
        raise APIError(401, {"detail": "Invalid token.", "code": "ERROR_DECODING_SIGNATURE"},
                       {"WWW-Authenticate": 'Bearer realm="api"'})
    return user
