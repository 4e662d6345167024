"""AMO API keys: issuing, rotating, revoking and looking them up, and keeping their secrets.

A key is an issuer (`user:<user id>:<n>`, as AMO makes them) and a secret of 64 hex characters
that the developer's tools use, as its UTF-8 bytes, to sign HS256 JWTs. The server must know the
secret to check those signatures, so it cannot keep only a digest: the secret is encrypted
(Fernet) with a key kept outside the database (in the data directory, or in the configuration of
a shared store: store_secrets.py), so that a copy of the database alone reveals no secret.
"""

import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from addonhub.accounts.models import APIKey, User
from addonhub.accounts.service import AccountError, revoke_active
from addonhub.activity import service as activity
from addonhub.private_files import read_or_create

KEY_FILE = "api_key_encryption_key"
SECRET_BYTES = 32  # 64 hex characters, as AMO's generate_secret
ISSUER_NUMBERS = 1000  # AMO's random suffix is 0..999


class KeyCipherError(RuntimeError):
    """A stored secret cannot be decrypted: the store's encryption key is not the one it was
    encrypted with (replaced or lost). Rotating the account's key issues a readable one."""


class KeyCipher:
    """Encrypts and decrypts API key secrets with the store's key file (Fernet: AES-128-CBC and
    HMAC-SHA256)."""

    def __init__(self, key: bytes):
        self._fernet = Fernet(key)

    @classmethod
    def open(cls, data_dir: Path) -> "KeyCipher":
        """The cipher of the store in data_dir, its key file (0600) created on first use."""
        return cls(read_or_create(Path(data_dir) / KEY_FILE, Fernet.generate_key))

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError) as error:
            raise KeyCipherError(
                f"an API key secret cannot be decrypted with the store's encryption key ({KEY_FILE}); "
                "rotate the account's key (addonhub keys rotate)") from error


@dataclass(frozen=True)
class Credentials:
    """An issued key as its owner sees it, once: the JWT issuer and the plain secret."""

    issuer: str
    secret: str

    def as_amo_json(self) -> dict:
        return {"jwt_issuer": self.issuer, "jwt_secret": self.secret}


def issue_key(session: Session, cipher: KeyCipher, user: User) -> Credentials:
    """A first key for the user; an account that already has an active key rotates it instead."""
    if active_key_for_user(session, user) is not None:
        raise AccountError(f"{user.email or user.username} already has an active API key; rotate it instead")
    credentials = _new_key(session, cipher, user)
    activity.record(session, activity.API_KEY_CREATED, user, details={"issuer": credentials.issuer})
    return credentials


def rotate_key(session: Session, cipher: KeyCipher, user: User) -> Credentials:
    """Revokes the user's active key, if any, and issues a new one."""
    revoked = revoke_active(session, APIKey, user)
    credentials = _new_key(session, cipher, user)
    activity.record(session, activity.API_KEY_ROTATED if revoked else activity.API_KEY_CREATED, user,
                    details={"issuer": credentials.issuer})
    return credentials


def revoke_keys(session: Session, user: User) -> int:
    """Revokes the user's active key; JWTs signed with it stop working at once. Returns how many
    keys were revoked (0 or 1)."""
    revoked = revoke_active(session, APIKey, user)
    if revoked:
        activity.record(session, activity.API_KEY_REVOKED, user)
    return revoked


def active_key(session: Session, issuer: str) -> APIKey | None:
    """The active key with this issuer (a JWT's `iss`), or None if unknown or revoked."""
    if not isinstance(issuer, str):
        return None
    return session.scalar(
        select(APIKey).options(joinedload(APIKey.user)).where(APIKey.issuer == issuer, APIKey.is_active))


def active_key_for_user(session: Session, user: User) -> APIKey | None:
    return session.scalar(select(APIKey).where(APIKey.user_id == user.id, APIKey.is_active))


def key_secret(cipher: KeyCipher, key: APIKey) -> str:
    """The plain secret of a stored key, to check JWT signatures with."""
    return cipher.decrypt(key.secret_encrypted)


def _new_key(session: Session, cipher: KeyCipher, user: User) -> Credentials:
    issuer = f"user:{user.id}:{_free_issuer_number(session, user)}"
    secret = secrets.token_hex(SECRET_BYTES)
    session.add(APIKey(user_id=user.id, issuer=issuer, secret_encrypted=cipher.encrypt(secret), is_active=True))
    session.flush()
    return Credentials(issuer=issuer, secret=secret)


def _free_issuer_number(session: Session, user: User) -> int:
    """A random number in 0..999 that none of the user's keys, revoked ones included, has used
    (an issuer is never reused); past 1000 keys, the next number up."""
    prefix = f"user:{user.id}:"
    used = {
        int(issuer[len(prefix):])
        for issuer in session.scalars(select(APIKey.issuer).where(APIKey.user_id == user.id))
        if issuer.startswith(prefix) and issuer[len(prefix):].isdigit()
    }
    free = sorted(set(range(ISSUER_NUMBERS)) - used)
    return random.SystemRandom().choice(free) if free else max(used) + 1
