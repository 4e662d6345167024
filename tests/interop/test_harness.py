"""The interop harness itself: a live store that starts, answers, keeps its data across a kill -9."""

import json

import httpx
import pytest

from tests.interop.clients import amo_auth_header

# Detail checks the caller before looking the add-on up: 401 for a bad key, then 404 for no such add-on.
DETAIL = "/api/v4/addons/addon/no-such-addon/"


def test_the_store_answers_its_heartbeat_on_its_port(live_store):
    response = httpx.get(f"{live_store.base_url}/__heartbeat__")
    assert response.status_code == 200 and response.json() == {
        "status": "ok", "checks": {"database": "ok", "blobs": "ok", "jobs": "ok", "rate_limits": "ok"}, "details": {}}
    assert live_store.base_url == f"http://127.0.0.1:{live_store.port}"
    assert (live_store.data_dir / "addonhub.sqlite3").exists()


def test_create_user_returns_amo_credentials(live_store):
    user = live_store.create_user("dev@example.org")
    assert user["email"] == "dev@example.org" and user["role"] == "developer"
    assert user["amo"]["jwt_issuer"].startswith(f"user:{user['id']}:")
    assert len(user["amo"]["jwt_secret"]) == 64


def test_a_killed_store_restarts_on_the_same_port_with_its_data(live_store):
    user = live_store.create_user("dev@example.org", role="reviewer")
    live_store.kill()
    assert not live_store.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{live_store.base_url}/__heartbeat__")

    live_store.start()
    # The account and its API key (secret encrypted under the data directory's key file) survived.
    response = httpx.get(live_store.base_url + DETAIL, headers=amo_auth_header(user))
    assert response.status_code == 404, response.text
    forged = {"jwt_issuer": user["amo"]["jwt_issuer"], "jwt_secret": "0" * 64}
    assert httpx.get(live_store.base_url + DETAIL, headers=amo_auth_header(forged)).status_code == 401
    rotated = live_store.cli("keys", "rotate", "--email", "dev@example.org", "--json")
    assert json.loads(rotated.stdout)["id"] == user["id"]
