"""Edge Add-ons API credentials: issuing, rotating, revoking, and checking them.

A developer's set is a client id (a GUID, as Partner Center makes them; it names the set and is
not secret), a client secret (for the OAuth client credentials grant of the v1 API) and an API key
(sent with the client id by the v1.1 API). The server only ever compares what a client sends with
what it issued, so it keeps a SHA-256 digest of each secret and never the secret itself: a copy of
the database reveals no credential, and the owner sees the secrets once, when they are made.

A plain SHA-256 is enough, with no salt and no slow hash (bcrypt, scrypt, Argon2): those exist to
make guessing low-entropy, human-chosen passwords expensive. These secrets are 256 random bits
from the system's CSPRNG; finding one from its digest means searching 2^256 values, which no
amount of hashing speed brings within reach, and identical secrets (which salts would hide) never
happen. A slow hash would only make every API request slower and hand attackers a cheap way to
load the server.
"""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from addonhub.accounts.models import EdgeCredential, User
from addonhub.accounts.service import AccountError, revoke_active
from addonhub.activity import service as activity

SECRET_BYTES = 32  # 256 bits, for the client secret and the API key alike


@dataclass(frozen=True)
class EdgeCredentials:
    """An issued set as its owner sees it, once: the client id and the plain secrets."""

    client_id: str
    client_secret: str
    api_key: str

    def as_json(self) -> dict:
        return {"client_id": self.client_id, "client_secret": self.client_secret, "api_key": self.api_key}


def issue_edge_credentials(session: Session, user: User) -> EdgeCredentials:
    """A first set for the user; an account that already has an active set rotates it instead."""
    if active_credential_for_user(session, user) is not None:
        raise AccountError(f"{user.email or user.username} already has Edge API credentials; rotate them instead")
    credentials = _new_credentials(session, user)
    activity.record(session, activity.EDGE_CREDENTIALS_CREATED, user, details={"client_id": credentials.client_id})
    return credentials


def rotate_edge_credentials(session: Session, user: User) -> EdgeCredentials:
    """Revokes the user's active set, if any, and issues a new one. Access tokens obtained with the
    old client secret stop working too (accounts.edge_tokens checks the set is still active)."""
    revoked = revoke_active(session, EdgeCredential, user)
    credentials = _new_credentials(session, user)
    activity.record(session, activity.EDGE_CREDENTIALS_ROTATED if revoked else activity.EDGE_CREDENTIALS_CREATED,
                    user, details={"client_id": credentials.client_id})
    return credentials


def revoke_edge_credentials(session: Session, user: User) -> int:
    """Revokes the user's active set; returns how many were revoked (0 or 1)."""
    revoked = revoke_active(session, EdgeCredential, user)
    if revoked:
        activity.record(session, activity.EDGE_CREDENTIALS_REVOKED, user)
    return revoked


def active_credential(session: Session, client_id: object) -> EdgeCredential | None:
    """The active set with this client id, or None if unknown, revoked or not a string."""
    if not isinstance(client_id, str) or not client_id:
        return None
    return session.scalar(
        select(EdgeCredential).options(joinedload(EdgeCredential.user))
        .where(EdgeCredential.client_id == client_id, EdgeCredential.is_active)
    )


def active_credential_for_user(session: Session, user: User) -> EdgeCredential | None:
    return session.scalar(select(EdgeCredential).where(EdgeCredential.user_id == user.id, EdgeCredential.is_active))


def credential_for_client_secret(session: Session, client_id: object, client_secret: object) -> EdgeCredential | None:
    """The active set this client id and secret belong to, or None if either is wrong."""
    credential = active_credential(session, client_id)
    if credential is None or not _matches(client_secret, credential.client_secret_sha256):
        return None
    return credential


def user_for_api_key(session: Session, client_id: object, api_key: object) -> User | None:
    """The owner of the active set with this client id and API key, or None if either is wrong."""
    credential = active_credential(session, client_id)
    if credential is None or not _matches(api_key, credential.api_key_sha256):
        return None
    return credential.user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _matches(secret: object, stored_digest: str) -> bool:
    # compare_digest: the time taken does not tell how much of the digest matched.
    return isinstance(secret, str) and hmac.compare_digest(_digest(secret), stored_digest)


def _new_credentials(session: Session, user: User) -> EdgeCredentials:
    issued = EdgeCredentials(
        client_id=str(uuid.uuid4()),
        client_secret=secrets.token_urlsafe(SECRET_BYTES),
        api_key=secrets.token_urlsafe(SECRET_BYTES),
    )
    session.add(EdgeCredential(
        user_id=user.id, client_id=issued.client_id, client_secret_sha256=_digest(issued.client_secret),
        api_key_sha256=_digest(issued.api_key), is_active=True,
    ))
    session.flush()
    return issued
