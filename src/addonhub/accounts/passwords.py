"""Passwords: argon2id hashes (argon2-cffi, its RFC 9106 defaults), the rules a new password
must meet, and checks that take as long whether or not the account exists."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from addonhub.accounts.models import User
from addonhub.refusals import INVALID, Refused

# NIST SP 800-63B: at least 8 characters, and long passphrases allowed. The upper bound only keeps
# one request from making the hasher read megabytes.
MIN_LENGTH = 8
MAX_LENGTH = 1024

_hasher = PasswordHasher()


def check_new_password(password: str, field: str = "password") -> None:
    """Refuses a password no account should get; the message says what to change."""
    if len(password) < MIN_LENGTH:
        raise Refused(INVALID, f"Use at least {MIN_LENGTH} characters.", field)
    if len(password) > MAX_LENGTH:
        raise Refused(INVALID, f"Use at most {MAX_LENGTH} characters.", field)
    if "\x00" in password:
        raise Refused(INVALID, "A password cannot contain a NUL character.", field)


def set_password(user: User, password: str) -> None:
    """Checks the password and stores its hash: the account can log in on the web from now on."""
    check_new_password(password)
    user.password_hash = _hasher.hash(password)


@cache
def _absent_account_hash() -> str:
    """A hash to verify against when there is no account, so that answering takes as long as for
    a real one and response times do not tell which addresses have accounts."""
    return _hasher.hash("no account has this password")


def password_matches(user: User | None, password: str) -> bool:
    """Whether the password is the user's. A hash made with weaker parameters than today's is
    replaced by a new one (the caller commits it)."""
    stored = user.password_hash if user is not None else None
    try:
        _hasher.verify(stored or _absent_account_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    if stored is None:
        return False
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
    return True
