"""Access tokens of the Edge Add-ons API (v1): what the OAuth token endpoint hands out for a client
id and secret, and what `Authorization: Bearer` carries back.

They are JWTs signed by the store (HS256), not random strings kept in the database: checking one
costs no write, and nothing piles up to be cleaned after a token expires an hour later. They can
still be cut off early: each names the credential set it was obtained with (`cid`), which must
still be active, so rotating the credentials ends their tokens at once; replacing the store's
secret key ends every token.

The signing key is derived from the store's secret key for this one purpose, so that no other use
of that secret (it also signs outgoing links) can ever produce a valid token signature. `aud`
says what the token is for, so that no other JWT the store might sign later is taken for one.
"""

import hashlib
import hmac
import time

import jwt
from sqlalchemy.orm import Session

from addonhub.accounts.edge_credentials import active_credential
from addonhub.accounts.models import EdgeCredential, User
from addonhub.accounts.service import ACCOUNT_DISABLED

ALGORITHM = "HS256"
LIFETIME = 3599  # seconds, the `expires_in` Microsoft's token endpoint answers
ISSUER = "addonhub"
AUDIENCE = "addonhub:edge-publish-api"
_KEY_PURPOSE = b"addonhub edge publish API access tokens v1"


class InvalidAccessToken(Exception):
    """The token is not one the store issued, has expired, or its credentials were revoked;
    the message says which, for the caller."""


def issue_access_token(secret_key: bytes, credential: EdgeCredential, now: float | None = None) -> str:
    issued_at = int(time.time() if now is None else now)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(credential.user_id),
        "cid": credential.client_id,
        "iat": issued_at,
        "exp": issued_at + LIFETIME,
    }
    return jwt.encode(claims, _signing_key(secret_key), algorithm=ALGORITHM)


def user_for_access_token(session: Session, secret_key: bytes, token: str) -> User:
    """The user the token was issued to, or InvalidAccessToken."""
    try:
        claims = jwt.decode(
            token, _signing_key(secret_key), algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
            options={"require": ["iss", "aud", "sub", "cid", "iat", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidAccessToken("The access token has expired; get a new one from the token endpoint.") from None
    except jwt.InvalidTokenError:
        raise InvalidAccessToken("The access token is not valid.") from None
    credential = active_credential(session, claims["cid"])
    if credential is None or str(credential.user_id) != claims["sub"]:
        raise InvalidAccessToken("The credentials this access token was obtained with have been revoked.")
    if credential.user.is_disabled:
        raise InvalidAccessToken(ACCOUNT_DISABLED)
    return credential.user


def _signing_key(secret_key: bytes) -> bytes:
    return hmac.new(secret_key, _KEY_PURPOSE, hashlib.sha256).digest()
