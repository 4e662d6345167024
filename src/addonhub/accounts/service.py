"""Creating accounts and recognising them from their tokens."""

import hashlib
import re
import secrets
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from addonhub.accounts.models import ROLES, AccessToken, User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# What every way of signing in answers for an account an admin disabled (accounts.administration).
ACCOUNT_DISABLED = "This account has been disabled by the store's administrators."


class AccountError(ValueError):
    pass


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def revoke_active(session: Session, credential_model, user: User) -> int:
    """Revokes the user's active credential of this kind (AMO key, Edge credentials): it stops
    working at once, and its row stays so that its public part is never handed out again.
    Returns how many were revoked (0 or 1)."""
    result = session.execute(
        update(credential_model)
        .where(credential_model.user_id == user.id, credential_model.is_active)
        .values(is_active=False, revoked=datetime.now(timezone.utc).replace(tzinfo=None))
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    return result.rowcount


def create_user(session: Session, email: str, role: str = "developer", username: str | None = None) -> User:
    if not _EMAIL.match(email):
        raise AccountError(f"'{email}' is not an e-mail address")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"an account with e-mail {email} already exists")
    username = username or _free_username(session, email.split("@")[0])
    user = User(email=email, username=username, role=role)
    session.add(user)
    session.flush()
    return user


def _free_username(session: Session, wanted: str) -> str:
    base = re.sub(r"[^\w.+-]", "-", wanted) or "user"
    candidate, suffix = base, 1
    while session.scalar(select(User.id).where(User.username == candidate)) is not None:
        suffix += 1
        candidate = f"{base}{suffix}"
    return candidate


def issue_token(session: Session, user: User) -> str:
    """A new bearer token for the user; only its digest is kept, so it is shown once."""
    token = secrets.token_urlsafe(32)
    session.add(AccessToken(user_id=user.id, token_sha256=_digest(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    return session.scalar(
        select(User).join(AccessToken).where(AccessToken.token_sha256 == _digest(token))
    )


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))
