"""`Authorization: JWT <token>` on the catalogue, as addons.mozilla.org answers it: every failure
of its table (docs: AMO reference 2.3) with its exact text, the lifetime and leeway limits, and
what real clients do (lower-case "jwt", reused tokens and jti)."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from addonhub.accounts.keys import issue_key, rotate_key
from addonhub.accounts.models import User
from tests.factories import addon_record, version_record

CHALLENGE = 'JWT realm="Access to addons.mozilla.org external API"'
NON_PUBLIC = "/api/v4/addons/addon/nominated-one/"


@pytest.fixture
def catalogue(load, owner):
    load(
        addon_record("public-one", authors=[{"username": "owner"}],
                     versions=[version_record("1.5-unlisted", channel="unlisted")]),
        addon_record("nominated-one", status="nominated", authors=[{"username": "owner"}]),
        addon_record("unlisted-only", current_version=None, versions=[version_record("3.0", channel="unlisted")],
                     authors=[{"username": "owner"}]),
        addon_record("someone-elses", status="nominated", authors=[{"username": "other"}]),
    )


def new_key(store, user_id: int, rotate: bool = False):
    with store.db.session() as session:
        user = session.get(User, user_id)
        return (rotate_key if rotate else issue_key)(session, store.key_cipher, user)


@pytest.fixture
def key(store, owner, catalogue):
    return new_key(store, owner[0])


def sign(claims: dict, secret: str, algorithm: str = "HS256", **headers) -> str:
    """Signs claims exactly as given (PyJWT's JWS layer: no claim checks, any types)."""
    return jwt.PyJWS().encode(json.dumps(claims).encode(), secret, algorithm=algorithm, headers=headers or None)


def claims(key, iat_offset: float = 0, lifetime: float = 60, **extra) -> dict:
    now = int(time.time()) + iat_offset
    return {"iss": key.issuer, "iat": now, "exp": now + lifetime, **extra}


def token(key, **options) -> str:
    return sign(claims(key, **options), key.secret)


def get(client, token_or_header: str, path: str = NON_PUBLIC, scheme: str | None = "JWT"):
    value = f"{scheme} {token_or_header}" if scheme else token_or_header
    return client.get(path, headers={"Authorization": value})


def assert_refused(response, detail: str):
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": detail}
    assert response.headers["www-authenticate"] == CHALLENGE
    assert response.headers["content-type"] == "application/json"


def test_the_owner_sees_a_non_public_addon_with_a_jwt(client, key):
    assert client.get(NON_PUBLIC).status_code == 401
    response = get(client, token(key))
    assert response.status_code == 200 and response.json()["slug"] == "nominated-one"
    assert get(client, token(key), "/api/v3/addons/addon/unlisted-only/").status_code == 200


def test_owners_see_their_unlisted_versions(client, key):
    response = get(client, token(key), "/api/v4/addons/addon/public-one/")
    assert response.json()["latest_unlisted_version"]["version"] == "1.5-unlisted"
    response = get(client, token(key), "/api/v4/addons/addon/public-one/versions/?filter=all_with_unlisted")
    assert response.status_code == 200
    assert "1.5-unlisted" in [v["version"] for v in response.json()["results"]]


def test_a_valid_jwt_gives_no_rights_over_other_peoples_addons(client, key):
    response = get(client, token(key), "/api/v4/addons/addon/someone-elses/")
    assert response.status_code == 403


@pytest.mark.parametrize("word", ["JWT", "jwt", "Jwt"])
def test_the_word_jwt_in_any_case(client, key, word):
    assert get(client, token(key), scheme=word).status_code == 200


def test_extra_whitespace_around_the_token_is_allowed(client, key):
    assert get(client, f"JWT   {token(key)}  ", scheme=None).status_code == 200
    assert get(client, f"JWT\t{token(key)}", scheme=None).status_code == 200


def test_a_token_and_its_jti_may_be_used_again(client, key):
    reused = token(key, jti="same-nonce")
    assert [get(client, reused).status_code for _ in range(3)] == [200, 200, 200]
    assert get(client, token(key, jti="same-nonce", iat_offset=-1)).status_code == 200
    assert get(client, token(key)).status_code == 200  # jti is optional


def test_a_token_without_typ_header_is_accepted(client, key):
    raw = jwt.PyJWS().encode(json.dumps(claims(key)).encode(), key.secret, algorithm="HS256",
                             headers={"typ": None})
    header = json.loads(jwt.utils.base64url_decode(raw.split(".")[0]))
    assert "typ" not in header or header["typ"] is None
    assert get(client, raw).status_code == 200


# 301 passes: web-ext's 300 s tokens read 301 when its two clock reads straddle a second.
@pytest.mark.parametrize("lifetime, status", [(300, 200), (301, 200), (302, 401), (1, 200)])
def test_exp_minus_iat_is_at_most_300_seconds(client, key, lifetime, status):
    response = get(client, token(key, lifetime=lifetime))
    assert response.status_code == status
    if status == 401:
        assert_refused(response, "JWT exp (expiration) is too long.")


def test_expired_tokens_get_5_seconds_of_leeway(client, key):
    assert get(client, token(key, iat_offset=-62, lifetime=60)).status_code == 200  # expired 2 s ago
    assert_refused(get(client, token(key, iat_offset=-70, lifetime=60)), "Signature has expired.")
    assert_refused(get(client, token(key, iat_offset=-400, lifetime=300)), "Signature has expired.")


def test_iat_may_be_up_to_5_seconds_in_the_future(client, key):
    assert get(client, token(key, iat_offset=2)).status_code == 200
    message = ("JWT iat (issued at time) is invalid. Make sure your system clock is synchronized with "
               "something like TLSdate.")
    assert_refused(get(client, token(key, iat_offset=15)), message)  # AMO's test: leeway + 10 s


def test_alg_none_is_refused(client, key):
    unsigned = jwt.PyJWS().encode(json.dumps(claims(key)).encode(), None, algorithm="none")
    assert_refused(get(client, unsigned), "Invalid JWT Token.")


def test_rs256_is_refused(client, key):
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_refused(get(client, sign(claims(key), private_key, algorithm="RS256")), "Invalid JWT Token.")


def test_other_hmac_algorithms_are_refused_even_with_the_right_secret(client, key):
    assert_refused(get(client, sign(claims(key), key.secret, algorithm="HS512")), "Invalid JWT Token.")


# Every row of AMO's table of JWT errors (reference 2.3), as (name, function of the key giving the
# Authorization header, detail). The user rows (deleted account, developer agreement) have no
# equivalent here: accounts are not soft-deleted and there is no agreement to accept.
ISSUED_AT = ("JWT iat (issued at time) is invalid. Make sure your system clock is synchronized with "
             "something like TLSdate.")
ROWS = [
    ("no token", lambda key: "JWT", "Invalid Authorization header. No credentials provided."),
    ("only spaces after JWT", lambda key: "JWT    ", "Invalid Authorization header. No credentials provided."),
    ("spaces in the token", lambda key: f"JWT {token(key)} extra",
     "Invalid Authorization header. Credentials string should not contain spaces."),
    ("token split by a space", lambda key: "JWT " + token(key).replace(".", ". ", 1),
     "Invalid Authorization header. Credentials string should not contain spaces."),
    ("no iss", lambda key: "JWT " + sign({k: v for k, v in claims(key).items() if k != "iss"}, key.secret),
     "JWT iss (issuer) claim is missing."),
    ("unknown iss", lambda key: "JWT " + sign(claims(key) | {"iss": "user:999999:1"}, key.secret),
     "Unknown JWT iss (issuer)."),
    ("iss of the wrong type", lambda key: "JWT " + sign(claims(key) | {"iss": 12345}, key.secret),
     "Unknown JWT iss (issuer)."),
    ("null iss", lambda key: "JWT " + sign(claims(key) | {"iss": None}, key.secret), "Unknown JWT iss (issuer)."),
    ("no iat", lambda key: "JWT " + sign({k: v for k, v in claims(key).items() if k != "iat"}, key.secret),
     'Invalid JWT: Token is missing the "iat" claim.'),
    ("null iat", lambda key: "JWT " + sign(claims(key) | {"iat": None}, key.secret),
     'Invalid JWT: Token is missing the "iat" claim.'),
    ("no exp", lambda key: "JWT " + sign({k: v for k, v in claims(key).items() if k != "exp"}, key.secret),
     'Invalid JWT: Token is missing the "exp" claim.'),
    ("iat in the future", lambda key: "JWT " + token(key, iat_offset=60), ISSUED_AT),
    ("iat not a number", lambda key: "JWT " + sign(claims(key) | {"iat": "yesterday"}, key.secret), ISSUED_AT),
    ("iat a list", lambda key: "JWT " + sign(claims(key) | {"iat": [1]}, key.secret), ISSUED_AT),
    ("exp - iat > 300", lambda key: "JWT " + token(key, lifetime=3600), "JWT exp (expiration) is too long."),
    ("expired", lambda key: "JWT " + token(key, iat_offset=-100, lifetime=60), "Signature has expired."),
    ("bad signature", lambda key: "JWT " + sign(claims(key), "0" * 64), "Error decoding signature."),
    ("signed with the secret's bytes", lambda key: "JWT " + sign(claims(key), bytes.fromhex(key.secret)),
     "Error decoding signature."),
    ("garbage", lambda key: "JWT nope", "Error decoding signature."),
    ("not enough segments", lambda key: "JWT " + token(key).rsplit(".", 1)[0], "Error decoding signature."),
    ("header not base64", lambda key: "JWT " + "!!!." + token(key).split(".", 1)[1], "Error decoding signature."),
    ("payload not an object", lambda key: "JWT " + jwt.PyJWS().encode(b"[1, 2]", key.secret, algorithm="HS256"),
     "Error decoding signature."),
    ("exp not a number", lambda key: "JWT " + sign(claims(key) | {"exp": "tomorrow"}, key.secret),
     "Error decoding signature."),
    ("no alg", lambda key: "JWT " + _without_alg(key), "Invalid JWT Token."),
    ("jti not a string", lambda key: "JWT " + sign(claims(key) | {"jti": 42}, key.secret), "Invalid JWT Token."),
    ("kid not a string", lambda key: "JWT " + _with_header(key, {"alg": "HS256", "kid": 7}), "Invalid JWT Token."),
    ("exp as a numeric string", lambda key: "JWT " + sign(claims(key) | {"exp": str(claims(key)["exp"])}, key.secret),
     "Wrong type for one or more keys in payload"),
    ("iat as a numeric string", lambda key: "JWT " + sign(claims(key) | {"iat": str(claims(key)["iat"])}, key.secret),
     "Wrong type for one or more keys in payload"),
    ("orig_iat", lambda key: "JWT " + token(key, orig_iat=int(time.time())),
     "API key based tokens are not refreshable, don't include `orig_iat` in their payload."),
]


def _with_header(key, header: dict) -> str:
    """A token with this JOSE header, correctly signed with the key's secret."""
    signing_input = b".".join(jwt.utils.base64url_encode(json.dumps(part).encode()) for part in (header, claims(key)))
    signature = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(signing_input,
                                                                                       key.secret.encode())
    return (signing_input + b"." + jwt.utils.base64url_encode(signature)).decode()


def _without_alg(key) -> str:
    return _with_header(key, {"typ": "JWT"})


@pytest.mark.parametrize("build, detail", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_amo_error_table(client, key, build, detail):
    assert_refused(get(client, build(key), scheme=None), detail)


@pytest.mark.parametrize("token_bytes", ["Ǎhw".encode(), "é.é.é".encode("latin-1"), b"\xff\xfe.\x80.\x81"])
def test_non_ascii_tokens(client, key, token_bytes):
    response = client.get(NON_PUBLIC, headers={"Authorization": b"JWT " + token_bytes})
    assert_refused(response, "Error decoding signature.")


def test_a_revoked_key_stops_working_at_once(client, store, key, owner):
    old = token(key)
    assert get(client, old).status_code == 200
    new = new_key(store, owner[0], rotate=True)
    assert_refused(get(client, old), "Unknown JWT iss (issuer).")
    assert_refused(get(client, token(key)), "Unknown JWT iss (issuer).")
    assert get(client, token(new)).status_code == 200
    # The old issuer with the new secret is no way around it either.
    assert_refused(get(client, sign(claims(key), new.secret)), "Unknown JWT iss (issuer).")


def test_another_users_secret_does_not_sign_for_this_issuer(client, store, key):
    with store.db.session() as session:
        other_id = session.scalar(select(User.id).where(User.username == "other"))  # an imported author
    other = new_key(store, other_id)
    assert_refused(get(client, sign(claims(key), other.secret)), "Error decoding signature.")
    assert get(client, token(other), "/api/v4/addons/addon/someone-elses/").status_code == 200


def test_a_bad_jwt_is_refused_even_on_a_public_addon(client, key):
    assert_refused(get(client, "nope", "/api/v4/addons/addon/public-one/"), "Error decoding signature.")
    assert get(client, token(key), "/api/v4/addons/addon/public-one/").status_code == 200


def test_bearer_tokens_and_anonymous_reads_are_unchanged(client, key, owner):
    _, bearer = owner
    assert client.get(NON_PUBLIC, headers=bearer).status_code == 200
    response = client.get(NON_PUBLIC, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401 and response.json()["code"] == "ERROR_DECODING_SIGNATURE"
    assert response.headers["www-authenticate"] == 'Bearer realm="api"'
    assert client.get("/api/v4/addons/addon/public-one/").status_code == 200
    # Other schemes are not ours to judge: the catalogue reads anonymously.
    assert client.get(NON_PUBLIC, headers={"Authorization": "ApiKey whatever"}).status_code == 401
    assert client.get("/api/v4/addons/addon/public-one/", headers={"Authorization": "ApiKey x"}).status_code == 200
