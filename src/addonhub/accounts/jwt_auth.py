"""Recognising a developer from a JWT signed with their API key, as addons.mozilla.org does.

The checks, their order and the messages follow AMO (`olympia.api.jwt_auth.jwt_decode_handler`
and `JWTKeyAuthentication`), because the tools developers already use were written against them:

1. decode without verifying, to read `iss` and find that issuer's active key;
2. decode again, verifying: HS256 only, `exp` and `iat` required, `exp` checked with 5 s of leeway,
   `iat` no more than 5 s in the future;
3. `exp - iat` at most 300 s (one more second is let through: web-ext reads the clock once for
   `iat` and again for `exp`, so across a second boundary its 300 s tokens say 301; AMO refuses
   those now and then); no `orig_iat` (API-key tokens are not refreshable).

`jti` is not checked beyond its type, and a token may be used any number of times while it is
valid: AMO never checks it either, and clients reuse tokens. `nbf` and `aud` are ignored.
Every failure is an AuthenticationFailed carrying AMO's exact text.
"""

import calendar
import time
from collections.abc import Callable

import jwt
from sqlalchemy.orm import Session

from addonhub.accounts.keys import KeyCipher, active_key, key_secret
from addonhub.accounts.models import APIKey, User
from addonhub.accounts.service import ACCOUNT_DISABLED

ALGORITHM = "HS256"
LEEWAY = 5  # seconds, for exp and iat (AMO's JWT_LEEWAY)
MAX_LIFETIME = 5 * 60  # seconds between iat and exp (AMO's MAX_APIKEY_JWT_AUTH_TOKEN_LIFETIME)
CLOCK_READ_TOLERANCE = 1  # seconds: see 3. above

NO_CREDENTIALS = "Invalid Authorization header. No credentials provided."
CONTAINS_SPACES = "Invalid Authorization header. Credentials string should not contain spaces."
ISSUER_MISSING = "JWT iss (issuer) claim is missing."
UNKNOWN_ISSUER = "Unknown JWT iss (issuer)."
INVALID_ISSUED_AT = ("JWT iat (issued at time) is invalid. Make sure your system clock is synchronized "
                     "with something like TLSdate.")
LIFETIME_TOO_LONG = "JWT exp (expiration) is too long."
EXPIRED = "Signature has expired."
DECODING_ERROR = "Error decoding signature."
INVALID_TOKEN = "Invalid JWT Token."
WRONG_TYPE = "Wrong type for one or more keys in payload"
REFRESHABLE = "API key based tokens are not refreshable, don't include `orig_iat` in their payload."
INVALID_KEY = "Invalid API Key."


class AuthenticationFailed(Exception):
    """The credentials were given but are not valid; detail is the message for the caller."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


KeyLookup = Callable[[Session, str], APIKey | None]


def token_from_credentials(words: list[bytes]) -> bytes:
    """The token among the words after `JWT` in an Authorization header (split on whitespace):
    there must be exactly one."""
    if not words:
        raise AuthenticationFailed(NO_CREDENTIALS)
    if len(words) > 1:
        raise AuthenticationFailed(CONTAINS_SPACES)
    return words[0]


def authenticate(session: Session, cipher: KeyCipher, token: str | bytes,
                 lookup: KeyLookup = active_key) -> User:
    """The user whose active API key signed this token, or AuthenticationFailed."""
    try:
        payload = decode(session, cipher, token, lookup)
    except AuthenticationFailed:
        raise
    except TypeError:
        raise AuthenticationFailed(WRONG_TYPE) from None
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed(EXPIRED) from None
    except jwt.DecodeError:
        raise AuthenticationFailed(DECODING_ERROR) from None
    except jwt.InvalidTokenError:
        raise AuthenticationFailed(INVALID_TOKEN) from None
    return _user_for(session, payload, lookup)


def decode(session: Session, cipher: KeyCipher, token: str | bytes, lookup: KeyLookup = active_key) -> dict:
    """The token's verified claims. Raises AuthenticationFailed for the failures AMO words itself,
    and PyJWT's errors (or TypeError) for the rest, which authenticate() words."""
    unverified = jwt.decode(token, options={"verify_signature": False})
    if "iss" not in unverified:
        raise AuthenticationFailed(ISSUER_MISSING)
    key = lookup(session, unverified["iss"])
    if key is None:
        raise AuthenticationFailed(UNKNOWN_ISSUER)

    try:
        now = calendar.timegm(time.gmtime())
        payload = jwt.decode(
            token,
            key_secret(cipher, key).encode("utf-8"),
            algorithms=[ALGORITHM],
            leeway=LEEWAY,
            options={"verify_signature": True, "verify_exp": True, "verify_iat": True, "verify_nbf": False,
                     "verify_aud": False, "require": ["exp", "iat"]},
        )
        # PyJWT checks that iat is a number (and, in recent versions, not in the future); AMO
        # checks the future itself, against the same leeway.
        if int(payload["iat"]) > now + LEEWAY:
            raise jwt.InvalidIssuedAtError("Issued At claim (iat) cannot be in the future.")
    except jwt.MissingRequiredClaimError as error:
        raise AuthenticationFailed(f"Invalid JWT: {error}.") from None
    except (jwt.ImmatureSignatureError, jwt.InvalidIssuedAtError):
        raise AuthenticationFailed(INVALID_ISSUED_AT) from None

    if payload["exp"] - payload["iat"] > MAX_LIFETIME + CLOCK_READ_TOLERANCE:  # TypeError for claims of the wrong type
        raise AuthenticationFailed(LIFETIME_TOO_LONG)
    return payload


def _user_for(session: Session, payload: dict, lookup: KeyLookup) -> User:
    if "orig_iat" in payload:
        raise AuthenticationFailed(REFRESHABLE)
    # Looked up again, as AMO does: the key may have been revoked since the token was decoded.
    key = lookup(session, payload["iss"])
    if key is None:
        raise AuthenticationFailed(INVALID_KEY)
    if key.user.is_disabled:
        raise AuthenticationFailed(ACCOUNT_DISABLED)
    return key.user
