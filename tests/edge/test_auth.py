"""Who may call the Edge dialect: OAuth access tokens (v1) and API keys with a client id (v1.1);
every other request is a 401 in the Edge error shape."""

import time

import jwt
import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from addonhub.accounts.edge_credentials import active_credential
from addonhub.accounts.edge_tokens import AUDIENCE, ISSUER, _signing_key, issue_access_token
from addonhub.accounts.keys import issue_key
from addonhub.accounts.models import User
from addonhub.api.app import create_app
from addonhub.api.edge.auth import edge_caller
from addonhub.api.responses import JSONResponse


def edge_401(response) -> str:
    """The message of a 401 in the Edge error shape (and checks the shape)."""
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"id", "message", "errorCode", "errors"}
    assert body["errorCode"] == "Unauthorized" and body["errors"] == [] and body["id"]
    assert response.headers["www-authenticate"]
    return body["message"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/v1/products", "/api/v1/products", "/v1/products/"])
def test_bearer_token_and_api_key_both_list_the_callers_products(client, developer, product, get_token, path):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    for headers in (bearer(get_token(owner)), owner.api_key_headers):
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        assert [p["id"] for p in response.json()] == [product_id]


@pytest.mark.parametrize("scheme,client_id_header", [("bearer", None), ("BEARER", None), ("apikey", "x-clientid"),
                                                      ("APIKEY", "X-CLIENTID"), ("ApiKey", "X-ClientId")])
def test_scheme_and_header_names_in_any_case(client, developer, get_token, scheme, client_id_header):
    owner = developer()
    if client_id_header:
        headers = {"Authorization": f"{scheme} {owner.edge.api_key}", client_id_header: owner.edge.client_id}
    else:
        headers = {"Authorization": f"{scheme} {get_token(owner)}"}
    assert client.get("/v1/products", headers=headers).status_code == 200


def test_no_credentials(client):
    response = client.get("/v1/products")
    assert "Authorization: Bearer" in edge_401(response)
    assert "Bearer realm=" in response.headers["www-authenticate"]
    assert "ApiKey realm=" in response.headers["www-authenticate"]
    edge_401(client.get("/v1/products", headers={"Authorization": "   "}))


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "JWT abc", "Token abc", "Bearer", "Bearer a b", "ApiKey",
                                    "ApiKey a b", "Bearer \u00e9t\u00e9", "ApiKey \u00e9t\u00e9"])
def test_malformed_authorization(client, developer, header):
    owner = developer()
    edge_401(client.get("/v1/products", headers={"Authorization": header.encode("utf-8"),
                                                 "X-ClientID": owner.edge.client_id.encode()}))


def test_an_expired_token(client, store, developer):
    owner = developer()
    with store.db.session() as session:
        token = issue_access_token(store.secret_key, active_credential(session, owner.edge.client_id),
                                   now=time.time() - 3600)
    response = client.get("/v1/products", headers=bearer(token))
    assert "expired" in edge_401(response)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_a_token_that_is_about_to_expire_still_works(client, store, developer):
    owner = developer()
    with store.db.session() as session:
        token = issue_access_token(store.secret_key, active_credential(session, owner.edge.client_id),
                                   now=time.time() - 3590)
    assert client.get("/v1/products", headers=bearer(token)).status_code == 200


def test_tampered_and_foreign_tokens(client, store, developer, get_token):
    owner, other = developer(), developer("other@example.org")
    token = get_token(owner)
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(time.time())
    own_claims = {**claims, "sub": str(other.id), "cid": other.edge.client_id}
    forged = [
        f"{header}.{payload}.{signature[:-4]}AAAA",
        "not-a-token",
        # The other account's identity, signed with a key the store does not use.
        jwt.encode(own_claims, b"a guessed key, long enough for HS256", algorithm="HS256"),
        # Signed with the store's secret key itself rather than the key derived for tokens.
        jwt.encode(own_claims, store.secret_key, algorithm="HS256"),
        # Unsigned.
        jwt.encode(own_claims, None, algorithm="none"),
        # The right key but made for something else, or by someone else.
        jwt.encode({**claims, "aud": "something-else"}, _signing_key(store.secret_key), algorithm="HS256"),
        jwt.encode({**claims, "iss": "elsewhere"}, _signing_key(store.secret_key), algorithm="HS256"),
        # A subject that does not own the credentials named.
        jwt.encode({**claims, "sub": str(other.id)}, _signing_key(store.secret_key), algorithm="HS256"),
        # Claims missing or of the wrong type.
        jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": str(owner.id), "iat": now, "exp": now + 60},
                   _signing_key(store.secret_key), algorithm="HS256"),
        jwt.encode({**claims, "cid": 12}, _signing_key(store.secret_key), algorithm="HS256"),
        jwt.encode({**claims, "cid": [owner.edge.client_id]}, _signing_key(store.secret_key), algorithm="HS256"),
    ]
    for token in forged:
        edge_401(client.get("/v1/products", headers=bearer(token)))


def test_other_store_credentials_are_not_access_tokens(client, store, developer, account):
    owner = developer()
    _, amo_bearer_headers = account("amo@example.org")
    edge_401(client.get("/v1/products", headers=amo_bearer_headers))
    with store.db.session() as session:
        amo = issue_key(session, store.key_cipher, session.get(User, owner.id))
    now = int(time.time())
    amo_jwt = jwt.encode({"iss": amo.issuer, "iat": now, "exp": now + 60}, amo.secret, algorithm="HS256")
    edge_401(client.get("/v1/products", headers=bearer(amo_jwt)))
    # Nor is the client secret, nor the API key, an access token.
    edge_401(client.get("/v1/products", headers=bearer(owner.edge.client_secret)))
    edge_401(client.get("/v1/products", headers=bearer(owner.edge.api_key)))


def test_an_edge_access_token_means_nothing_to_the_amo_catalogue(client, developer, get_token):
    owner = developer()
    response = client.get("/api/v4/addons/addon/anything/", headers=bearer(get_token(owner)))
    assert response.status_code == 401 and response.json()["detail"] == "Invalid token."


@pytest.mark.parametrize("change", ["no client id", "wrong key", "unknown client id", "other's client id",
                                    "client secret as key", "empty client id"])
def test_api_key_failures(client, developer, change):
    owner, other = developer(), developer("other@example.org")
    headers = dict(owner.api_key_headers)
    if change == "no client id":
        del headers["X-ClientID"]
    elif change == "wrong key":
        headers["Authorization"] = "ApiKey " + owner.edge.api_key[:-2] + "xx"
    elif change == "unknown client id":
        headers["X-ClientID"] = "00000000-0000-4000-8000-000000000000"
    elif change == "other's client id":
        headers["X-ClientID"] = other.edge.client_id
    elif change == "client secret as key":
        headers["Authorization"] = f"ApiKey {owner.edge.client_secret}"
    elif change == "empty client id":
        headers["X-ClientID"] = ""
    response = client.get("/v1/products", headers=headers)
    message = edge_401(response)
    assert response.headers["www-authenticate"].startswith("ApiKey realm=")
    if change in ("no client id", "empty client id"):
        assert message == "An API key must come with the X-ClientID header."
    else:
        assert message == "The API key or the client id is not valid."


def test_the_caller_and_dialect_as_later_endpoints_see_them(store, developer, get_token):
    """edge_caller() is what the upload and publish endpoints will call: it names the account and the
    contract (v1 for OAuth tokens, v1.1 for API keys)."""
    app = create_app(store)

    @app.get("/v1/whoami")
    def whoami(request: Request):
        with store.db.session() as session:
            user, dialect = edge_caller(request, session)
            return JSONResponse({"email": user.email, "dialect": dialect})

    client = TestClient(app, base_url="http://store.test")
    owner = developer()
    token = get_token(owner)
    assert client.get("/v1/whoami", headers=bearer(token)).json() == {"email": owner.email, "dialect": "v1"}
    assert client.get("/v1/whoami", headers=owner.api_key_headers).json() == {"email": owner.email, "dialect": "v1.1"}
    # Both headers: the Authorization scheme decides.
    both = {**owner.api_key_headers, **bearer(token)}
    assert client.get("/v1/whoami", headers=both).json()["dialect"] == "v1"
