"""Who may create an account on the web, and how: the store's sign-up mode, invitations, and
logging in with an e-mail address and password.

Modes (Settings.signup): "open", anyone may sign up (an invitation still works); "invite", only
with an invitation for one's address; "closed", nobody on the web (`addonhub users create` still
makes accounts). Addresses are compared without regard to case, as people type them.
"""

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from addonhub.accounts.models import Invitation, User
from addonhub.accounts.passwords import MAX_LENGTH, check_new_password, password_matches, set_password
from addonhub.accounts.service import ACCOUNT_DISABLED, create_user
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, Refused

SIGNUP_MODES = ("open", "invite", "closed")
# RFC 5321's limit on a forward path; the column is as long.
MAX_EMAIL_LENGTH = 254
MAX_DISPLAY_NAME_LENGTH = 255
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalized_email(email: str) -> str:
    """The address as stored and compared: trimmed, NFC, checked for shape and length."""
    email = unicodedata.normalize("NFC", email.strip())
    if len(email) > MAX_EMAIL_LENGTH:
        raise Refused(INVALID, f"An e-mail address has at most {MAX_EMAIL_LENGTH} characters.", "email")
    if not _EMAIL.match(email) or any(unicodedata.category(c).startswith("C") for c in email):
        raise Refused(INVALID, "Enter an e-mail address such as name@example.org.", "email")
    return email


def _display_name(name: str) -> str | None:
    """A display name as shown on pages: NFC, without control or format characters (which could
    reorder or hide text around it), trimmed; None when nothing is left."""
    name = "".join(c for c in unicodedata.normalize("NFC", name) if not unicodedata.category(c).startswith("C"))
    name = name.strip()
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise Refused(INVALID, f"A name has at most {MAX_DISPLAY_NAME_LENGTH} characters.", "display_name")
    return name or None


def user_with_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def invite(session: Session, mode: str, email: str, valid_for: timedelta) -> str:
    """A new invitation for `email`; returns its token, which only the sign-up link carries."""
    if mode == "closed":
        raise Refused(FORBIDDEN, "Sign-up is closed (ADDONHUB_SIGNUP=closed): an invitation could not be used.")
    email = normalized_email(email)
    if user_with_email(session, email) is not None:
        raise Refused(CONFLICT, f"{email} already has an account: give it a password with "
                                "`addonhub users set-password` instead.", "email")
    token = secrets.token_urlsafe(32)
    session.add(Invitation(email=email, token_sha256=_digest(token), expires=_now() + valid_for))
    session.flush()
    return token


def pending_invitation(session: Session, token: str) -> Invitation | None:
    """The unused, unexpired invitation the token opens, if any."""
    if not token or len(token) > 100:
        return None
    return session.scalar(select(Invitation).where(
        Invitation.token_sha256 == _digest(token), Invitation.used.is_(None), Invitation.expires > _now()))


@dataclass(frozen=True)
class SignUp:
    email: str
    password: str
    display_name: str = ""
    invitation_token: str | None = None


def sign_up(session: Session, mode: str, request: SignUp) -> User:
    """Creates the account the form asks for, if the mode allows it; an invitation is used up in
    the same transaction, so two sign-ups racing with one token make one account."""
    if mode == "closed":
        raise Refused(FORBIDDEN, "This store does not take sign-ups; ask its administrators for an account.")
    email = normalized_email(request.email)
    invitation = pending_invitation(session, request.invitation_token) if request.invitation_token else None
    if request.invitation_token and invitation is None:
        raise Refused(FORBIDDEN, "This invitation has expired or has been used; ask for a new one.")
    if mode == "invite" and invitation is None:
        raise Refused(FORBIDDEN, "This store takes sign-ups by invitation only.")
    if invitation is not None and invitation.email.lower() != email.lower():
        raise Refused(INVALID, f"This invitation is for {invitation.email}.", "email")
    display_name = _display_name(request.display_name)
    check_new_password(request.password)
    if user_with_email(session, email) is not None:
        raise Refused(CONFLICT, "An account with this e-mail address exists: log in instead.", "email")
    user = create_user(session, email)
    user.display_name = display_name
    set_password(user, request.password)
    if invitation is not None:
        used = session.execute(update(Invitation).where(Invitation.id == invitation.id, Invitation.used.is_(None))
                               .values(used=_now(), user_id=user.id)).rowcount
        if not used:
            raise Refused(FORBIDDEN, "This invitation has expired or has been used; ask for a new one.")
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The account these credentials open, or None (the same answer whether the address is
    unknown, has no password yet or the password is wrong, and as slow). The right password of a
    disabled account is refused, saying so: only its holder learns it."""
    if len(password) > MAX_LENGTH:
        return None  # no password this long was ever accepted: not worth hashing megabytes
    user = user_with_email(session, email.strip()) if len(email) <= MAX_EMAIL_LENGTH else None
    if not password_matches(user, password):
        return None
    if user.is_disabled:
        raise Refused(FORBIDDEN, ACCOUNT_DISABLED)
    return user
