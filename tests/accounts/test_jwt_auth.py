"""accounts.jwt_auth without HTTP: the rows of AMO's table that no request can reach."""

import time

import jwt
import pytest

from addonhub.accounts import jwt_auth
from addonhub.accounts.keys import active_key, issue_key
from addonhub.accounts.service import create_user


@pytest.fixture
def developer(store):
    with store.db.session() as session:
        user = create_user(session, "dev@example.org")
        credentials = issue_key(session, store.key_cipher, user)
        return user.id, credentials


def make_token(credentials, **extra) -> str:
    now = int(time.time())
    return jwt.encode({"iss": credentials.issuer, "iat": now, "exp": now + 60, **extra}, credentials.secret,
                      algorithm="HS256")


def test_a_valid_token_gives_its_user(store, developer):
    user_id, credentials = developer
    with store.db.session() as session:
        assert jwt_auth.authenticate(session, store.key_cipher, make_token(credentials)).id == user_id
        assert jwt_auth.authenticate(session, store.key_cipher, make_token(credentials).encode()).id == user_id


def test_a_key_revoked_between_the_two_steps(store, developer):
    """AMO looks the key up again after decoding; a key gone by then is 'Invalid API Key.'."""
    _, credentials = developer
    calls = []

    def lookup(session, issuer):
        calls.append(issuer)
        return active_key(session, issuer) if len(calls) == 1 else None

    with store.db.session() as session:
        with pytest.raises(jwt_auth.AuthenticationFailed) as failure:
            jwt_auth.authenticate(session, store.key_cipher, make_token(credentials), lookup=lookup)
    assert failure.value.detail == "Invalid API Key."
    assert calls == [credentials.issuer, credentials.issuer]


@pytest.mark.parametrize("words, detail", [
    ([], "Invalid Authorization header. No credentials provided."),
    ([b"a", b"b"], "Invalid Authorization header. Credentials string should not contain spaces."),
])
def test_the_header_words(words, detail):
    with pytest.raises(jwt_auth.AuthenticationFailed) as failure:
        jwt_auth.token_from_credentials(words)
    assert failure.value.detail == detail
    assert jwt_auth.token_from_credentials([b"t.o.k"]) == b"t.o.k"


def test_the_limits_are_amos():
    assert (jwt_auth.ALGORITHM, jwt_auth.LEEWAY, jwt_auth.MAX_LIFETIME) == ("HS256", 5, 300)
