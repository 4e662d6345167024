"""`addonhub users create --json` hands out AMO credentials; `addonhub keys rotate` replaces them."""

import json
import time

import jwt
import pytest
from fastapi.testclient import TestClient

from addonhub.api.app import create_app
from addonhub.catalog.importer import import_catalogue
from addonhub.config import Settings
from addonhub.store import Store
from tests.factories import addon_record
from tests.test_cli import run

pytestmark = pytest.mark.cli


def jwt_header(amo: dict, lifetime: int = 300) -> dict:
    now = int(time.time())
    token = jwt.encode({"iss": amo["jwt_issuer"], "iat": now, "exp": now + lifetime}, amo["jwt_secret"],
                       algorithm="HS256")
    return {"Authorization": f"JWT {token}"}


def serve_store(data_dir) -> TestClient:
    return TestClient(create_app(Store(Settings(data_dir=data_dir))), base_url="http://store.test")


def test_users_create_prints_amo_credentials_that_authenticate(tmp_path):
    account = json.loads(run("users", "create", "--data-dir", str(tmp_path), "--email", "dev@example.org",
                             "--json").stdout)
    assert set(account) == {"id", "email", "username", "role", "token", "amo", "edge"}
    assert set(account["amo"]) == {"jwt_issuer", "jwt_secret"}
    assert account["amo"]["jwt_issuer"].startswith(f"user:{account['id']}:")
    assert len(account["amo"]["jwt_secret"]) == 64

    store = Store(Settings(data_dir=tmp_path))
    with store.db.session() as session:
        import_catalogue(session, {"addons": [addon_record("hidden", status="nominated",
                                                          authors=[{"username": account["username"]}])]})
    client = TestClient(create_app(store), base_url="http://store.test")
    assert client.get("/api/v4/addons/addon/hidden/").status_code == 401
    assert client.get("/api/v4/addons/addon/hidden/", headers=jwt_header(account["amo"])).status_code == 200


def test_users_create_without_json_shows_the_key(tmp_path):
    output = run("users", "create", "--data-dir", str(tmp_path), "--email", "dev@example.org").stdout
    assert "API token:" in output and "AMO API key" in output
    assert any(word.startswith("user:") for word in output.split())


def test_keys_rotate_invalidates_the_old_key(tmp_path):
    account = json.loads(run("users", "create", "--data-dir", str(tmp_path), "--email", "dev@example.org",
                             "--json").stdout)
    rotated = json.loads(run("keys", "rotate", "--data-dir", str(tmp_path), "--email", "dev@example.org",
                             "--json").stdout)
    assert rotated["id"] == account["id"] and rotated["email"] == "dev@example.org"
    assert set(rotated["amo"]) == {"jwt_issuer", "jwt_secret"}
    assert rotated["amo"]["jwt_issuer"] != account["amo"]["jwt_issuer"]
    assert rotated["amo"]["jwt_secret"] != account["amo"]["jwt_secret"]

    client = serve_store(tmp_path)
    old = client.get("/api/v4/addons/addon/anything/", headers=jwt_header(account["amo"]))
    assert old.status_code == 401 and old.json() == {"detail": "Unknown JWT iss (issuer)."}
    assert client.get("/api/v4/addons/addon/anything/", headers=jwt_header(rotated["amo"])).status_code == 404


def test_keys_rotate_for_an_unknown_account(tmp_path):
    result = run("keys", "rotate", "--data-dir", str(tmp_path), "--email", "nobody@example.org", "--json",
                 check=False)
    assert result.returncode == 1 and "no account with e-mail nobody@example.org" in result.stderr
    assert result.stdout == ""
