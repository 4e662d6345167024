"""The OAuth token endpoint: the client credentials grant as Microsoft's answers it, and RFC 6749's
errors."""

import base64
from urllib.parse import quote

import pytest

from tests.edge.conftest import SHIPPED_SCOPE, SPEC_SCOPE


def form(developer, **overrides) -> dict:
    fields = {"client_id": developer.edge.client_id, "client_secret": developer.edge.client_secret,
              "grant_type": "client_credentials", "scope": SHIPPED_SCOPE}
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


@pytest.mark.parametrize("path", ["/oauth2/v2.0/token", "/5b0c6c4a-1111-2222-3333-444455556666/oauth2/v2.0/token",
                                  "/common/oauth2/v2.0/token", "/oauth2/v2.0/token/"])
@pytest.mark.parametrize("scope", [SHIPPED_SCOPE, SPEC_SCOPE, "http://127.0.0.1:8123/.default"])
def test_a_token_for_the_client_credentials(client, developer, path, scope):
    owner = developer()
    response = client.post(path, data=form(owner, scope=scope))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599
    assert body["access_token"].startswith("eyJ")
    products = client.get("/v1/products", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert products.status_code == 200 and products.json() == []


def test_the_specs_curl_sample_body_is_accepted(client, developer):
    owner = developer()
    # curl -d joins the fields with & in the order given, and sends this Content-Type.
    body = (f"client_id={owner.edge.client_id}&scope={SPEC_SCOPE}&client_secret={owner.edge.client_secret}"
            "&grant_type=client_credentials")
    response = client.post("/tenant/oauth2/v2.0/token", content=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"


def test_the_specs_braced_placeholders_are_accepted(client, developer):
    """The usage guide writes `-d "client_id={$Client_ID}"`: run in a shell, the braces stay."""
    owner = developer()
    response = client.post("/tenant/oauth2/v2.0/token", data=form(
        owner, client_id="{" + owner.edge.client_id + "}", client_secret="{" + owner.edge.client_secret + "}"))
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"
    wrong = client.post("/tenant/oauth2/v2.0/token", data=form(owner, client_secret="{wrong}"))
    assert wrong.status_code == 401


def test_http_basic_client_authentication(client, developer):
    owner = developer()
    basic = base64.b64encode(f"{quote(owner.edge.client_id)}:{quote(owner.edge.client_secret)}".encode()).decode()
    response = client.post("/oauth2/v2.0/token", data={"grant_type": "client_credentials", "scope": SHIPPED_SCOPE},
                           headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"

    wrong = base64.b64encode(f"{owner.edge.client_id}:nope".encode()).decode()
    refused = client.post("/oauth2/v2.0/token", data={"grant_type": "client_credentials", "scope": SHIPPED_SCOPE},
                          headers={"Authorization": f"Basic {wrong}"})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert refused.headers["www-authenticate"].startswith("Basic ")


def test_each_account_gets_its_own_token(client, developer, get_token):
    owner, other = developer(), developer("other@example.org")
    assert get_token(owner) != get_token(other)


def oauth_error(response, status: int, error: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "error_description"} and body["error"] == error
    assert body["error_description"]
    return body["error_description"]


@pytest.mark.parametrize("overrides,error,status", [
    ({"grant_type": None}, "invalid_request", 400),
    ({"grant_type": ""}, "invalid_request", 400),
    ({"grant_type": "password"}, "unsupported_grant_type", 400),
    ({"grant_type": "authorization_code"}, "unsupported_grant_type", 400),
    ({"scope": None}, "invalid_request", 400),
    ({"scope": "https://api.addons.microsoftedge.microsoft.com/products.read"}, "invalid_scope", 400),
    ({"scope": "/.default"}, "invalid_scope", 400),
    ({"scope": f"{SHIPPED_SCOPE} openid"}, "invalid_scope", 400),
    ({"client_id": None}, "invalid_request", 400),
    ({"client_secret": None}, "invalid_client", 401),
    ({"client_secret": "not-the-secret"}, "invalid_client", 401),
    ({"client_id": "00000000-0000-4000-8000-000000000000"}, "invalid_client", 401),
    ({"client_id": "'; DROP TABLE users; --"}, "invalid_client", 401),
])
def test_oauth_errors(client, developer, overrides, error, status):
    owner = developer()
    response = client.post("/tenant/oauth2/v2.0/token", data=form(owner, **overrides))
    oauth_error(response, status, error)
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic realm=")


def test_the_api_key_is_not_a_client_secret(client, developer):
    owner = developer()
    response = client.post("/oauth2/v2.0/token", data=form(owner, client_secret=owner.edge.api_key))
    assert "not valid" in oauth_error(response, 401, "invalid_client")


def test_another_accounts_secret_does_not_work(client, developer):
    owner, other = developer(), developer("other@example.org")
    response = client.post("/oauth2/v2.0/token", data=form(owner, client_secret=other.edge.client_secret))
    oauth_error(response, 401, "invalid_client")


@pytest.mark.parametrize("content_type", [None, "application/json", "multipart/form-data; boundary=x", "text/plain"])
def test_a_body_that_is_not_a_form(client, developer, content_type):
    owner = developer()
    headers = {"Content-Type": content_type} if content_type else {}
    body = "&".join(f"{name}={value}" for name, value in form(owner).items())
    response = client.post("/oauth2/v2.0/token", content=body, headers=headers)
    assert "x-www-form-urlencoded" in oauth_error(response, 400, "invalid_request")


def test_a_form_with_a_charset_is_accepted(client, developer):
    owner = developer()
    body = "&".join(f"{name}={quote(value, safe='')}" for name, value in form(owner).items())
    response = client.post("/oauth2/v2.0/token", content=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    assert response.status_code == 200


@pytest.mark.parametrize("body", [
    b"grant_type=client_credentials&grant_type=client_credentials&scope=x/.default&client_id=a&client_secret=b",
    b"\xff\xfe\x00garbage",
    b"a=1&" * 100,  # too many fields
    b"a=1&" * 5000,  # too large
])
def test_malformed_forms(client, body):
    response = client.post("/oauth2/v2.0/token", content=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    oauth_error(response, 400, "invalid_request")


def test_both_body_and_basic_secrets_are_refused(client, developer):
    owner = developer()
    basic = base64.b64encode(f"{owner.edge.client_id}:{owner.edge.client_secret}".encode()).decode()
    response = client.post("/oauth2/v2.0/token", data=form(owner), headers={"Authorization": f"Basic {basic}"})
    assert "not both" in oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize("basic", ["!!!not-base64", base64.b64encode(b"no-colon").decode(),
                                   base64.b64encode(b"\xff\xfe:x").decode()])
def test_broken_basic_credentials(client, basic):
    response = client.post("/oauth2/v2.0/token", data={"grant_type": "client_credentials", "scope": SHIPPED_SCOPE},
                           headers={"Authorization": f"Basic {basic}"})
    oauth_error(response, 401, "invalid_client")


def test_only_post_is_served(client):
    assert client.get("/oauth2/v2.0/token").status_code == 405
