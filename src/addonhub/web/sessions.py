"""Web sessions: a signed cookie (Starlette's SessionMiddleware, itsdangerous underneath) that
holds who is signed in and the session's CSRF token, nothing else.

The cookie is HttpOnly and SameSite=Lax, Secure when the store is served over HTTPS, and signed
with a key derived from the store's secret_key (so it is not the key outgoing links are signed
with). A session also carries a fingerprint of the account's password hash: setting a new
password ends every session opened with the old one, which a signed cookie cannot otherwise be.
"""

import hashlib
import hmac
import secrets

from sqlalchemy.orm import Session as DatabaseSession
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request

from addonhub.accounts.models import User
from addonhub.config import Settings

SESSION_COOKIE = "addonhub_session"
_USER, _FINGERPRINT, _NAME, _REVIEWS, _CSRF = "user_id", "auth", "name", "reviews", "csrf"


def _derived_key(secret_key: bytes, purpose: str) -> bytes:
    return hmac.new(secret_key, purpose.encode(), hashlib.sha256).digest()


def add_session_middleware(app, settings: Settings, secret_key: bytes) -> None:
    served_over_https = settings.tls_cert is not None or (settings.base_url or "").startswith("https://")
    app.add_middleware(SessionMiddleware, secret_key=_derived_key(secret_key, "web-session").hex(),
                       session_cookie=SESSION_COOKIE, max_age=int(settings.session_days * 86400),
                       same_site="lax", https_only=served_over_https)


def _fingerprint(request: Request, user: User) -> str:
    key = _derived_key(request.app.state.store.secret_key, "web-session-password")
    return hmac.new(key, f"{user.id}:{user.password_hash}".encode(), hashlib.sha256).hexdigest()[:32]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made with the session when it has none (a first visit to a form,
    or a session that expired)."""
    token = request.session.get(_CSRF)
    if not isinstance(token, str):
        token = request.session[_CSRF] = secrets.token_urlsafe(32)
    return token


def expected_csrf_token(request: Request) -> str | None:
    """The token a POST must carry: the session's, or None when the session has none."""
    token = request.session.get(_CSRF)
    return token if isinstance(token, str) else None


def start_session(request: Request, user: User) -> None:
    """Signs the user in: a new session (new CSRF token too, so nothing from before log-in carries over)."""
    request.session.clear()
    request.session.update({_USER: user.id, _FINGERPRINT: _fingerprint(request, user),
                            _NAME: user.display_name or user.username, _REVIEWS: user.is_reviewer,
                            _CSRF: secrets.token_urlsafe(32)})


def end_session(request: Request) -> None:
    """Logs out: the cookie is cleared (SessionMiddleware sends an expired one)."""
    request.session.clear()


def signed_in_user(request: Request, session: DatabaseSession) -> User | None:
    """The account the session belongs to, checked against the database: None once the account is
    gone, disabled or its password has changed since log-in. Anything that acts as the user asks this."""
    user_id = request.session.get(_USER)
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or user.password_hash is None or user.is_disabled:
        return None
    if not hmac.compare_digest(request.session.get(_FINGERPRINT, ""), _fingerprint(request, user)):
        return None
    return user


def session_account(request: Request) -> dict | None:
    """Who the cookie says is signed in ({"id", "name", "reviews"}: whether they had a reviewer's
    role at log-in), without a database read: enough for a page header, whose console link a role
    changed since then leaves until the next log-in. Acting as the user needs signed_in_user."""
    user_id = request.session.get(_USER)
    if not isinstance(user_id, int):
        return None
    return {"id": user_id, "name": request.session.get(_NAME) or str(user_id),
            "reviews": request.session.get(_REVIEWS) is True}
