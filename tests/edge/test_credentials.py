"""Edge credentials: handed out by `users create`, replaced by `keys rotate --edge`, and kept so that
a copy of the database reveals none of their secrets."""

import base64
import json
import re

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from fastapi.testclient import TestClient
from sqlalchemy import text

from addonhub.api.app import create_app
from addonhub.config import Settings
from addonhub.db import MIGRATIONS_DIR, make_engine
from addonhub.store import Store
from tests.edge.conftest import SHIPPED_SCOPE
from tests.test_cli import run

pytestmark = pytest.mark.cli


def serve_store(data_dir) -> TestClient:
    return TestClient(create_app(Store(Settings(data_dir=data_dir))), base_url="http://store.test")


def token_response(client: TestClient, edge: dict):
    return client.post("/oauth2/v2.0/token", data={
        "client_id": edge["client_id"], "client_secret": edge["client_secret"],
        "grant_type": "client_credentials", "scope": SHIPPED_SCOPE})


def api_key_headers(edge: dict) -> dict:
    return {"Authorization": f"ApiKey {edge['api_key']}", "X-ClientID": edge["client_id"]}


def create_account(data_dir, email: str = "dev@example.org") -> dict:
    return json.loads(run("users", "create", "--data-dir", str(data_dir), "--email", email, "--json").stdout)


def test_users_create_prints_edge_credentials_beside_the_amo_key_and_both_work(tmp_path):
    account = create_account(tmp_path)
    assert set(account) == {"id", "email", "username", "role", "token", "amo", "edge"}
    assert set(account["amo"]) == {"jwt_issuer", "jwt_secret"}
    edge = account["edge"]
    assert set(edge) == {"client_id", "client_secret", "api_key"}
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", edge["client_id"])
    assert len({edge["client_secret"], edge["api_key"]}) == 2
    for secret in (edge["client_secret"], edge["api_key"]):
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)  # 256 bits, safe in a header and in a form

    client = serve_store(tmp_path)
    assert token_response(client, edge).status_code == 200
    assert client.get("/v1/products", headers=api_key_headers(edge)).json() == []


def test_users_create_without_json_shows_the_edge_credentials(tmp_path):
    output = run("users", "create", "--data-dir", str(tmp_path), "--email", "dev@example.org").stdout
    line = next(line for line in output.splitlines() if line.startswith("Edge API credentials"))
    client_id, client_secret, api_key = line.split(": ", 1)[1].split()
    client = serve_store(tmp_path)
    edge = {"client_id": client_id, "client_secret": client_secret, "api_key": api_key}
    assert token_response(client, edge).status_code == 200
    assert client.get("/v1/products", headers=api_key_headers(edge)).status_code == 200


def test_every_account_gets_its_own_credentials(tmp_path):
    accounts = [create_account(tmp_path, f"dev{n}@example.org")["edge"] for n in range(2)]
    values = [value for edge in accounts for value in edge.values()]
    assert len(set(values)) == len(values)


def database_bytes(data_dir) -> bytes:
    """Every byte a copy of the database would hold: the file and its WAL."""
    return b"".join(path.read_bytes() for path in sorted(data_dir.glob("addonhub.sqlite3*")))


def secret_forms(secret: str) -> list[bytes]:
    raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    forms = [secret.encode(), secret.encode("utf-16-le"), raw, raw.hex().encode(), raw.hex().upper().encode(),
             base64.b64encode(raw), base64.b64encode(raw).rstrip(b"="), base64.b32encode(raw)]
    # Any 12-character run, in case only a part leaked.
    forms += [secret[i:i + 12].encode() for i in range(0, len(secret) - 12, 6)]
    return forms


def test_the_database_file_holds_no_edge_secret_in_any_form(tmp_path):
    accounts = [create_account(tmp_path, f"dev{n}@example.org") for n in range(2)]
    rotated = json.loads(run("keys", "rotate", "--edge", "--data-dir", str(tmp_path), "--email", "dev0@example.org",
                             "--json").stdout)
    store = Store(Settings(data_dir=tmp_path))
    for checkpointed in (False, True):
        if checkpointed:
            with store.db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        data = database_bytes(tmp_path)
        for edge in [account["edge"] for account in accounts] + [rotated["edge"]]:
            assert edge["client_id"].encode() in data  # the search does look in the right place
            for secret in (edge["client_secret"], edge["api_key"]):
                for form in secret_forms(secret):
                    assert form not in data, form


def test_keys_rotate_edge_replaces_the_credentials_and_ends_their_access_tokens(tmp_path):
    account = create_account(tmp_path)
    client = serve_store(tmp_path)
    old_token = token_response(client, account["edge"]).json()["access_token"]
    assert client.get("/v1/products", headers={"Authorization": f"Bearer {old_token}"}).status_code == 200

    rotated = json.loads(run("keys", "rotate", "--edge", "--data-dir", str(tmp_path), "--email", "dev@example.org",
                             "--json").stdout)
    assert rotated["id"] == account["id"] and rotated["email"] == "dev@example.org"
    assert set(rotated) == {"id", "email", "edge"}
    assert all(rotated["edge"][name] != account["edge"][name] for name in ("client_id", "client_secret", "api_key"))

    old_bearer = client.get("/v1/products", headers={"Authorization": f"Bearer {old_token}"})
    assert old_bearer.status_code == 401
    assert old_bearer.json()["message"] == "The credentials this access token was obtained with have been revoked."
    assert client.get("/v1/products", headers=api_key_headers(account["edge"])).status_code == 401
    assert token_response(client, account["edge"]).json()["error"] == "invalid_client"

    assert token_response(client, rotated["edge"]).status_code == 200
    assert client.get("/v1/products", headers=api_key_headers(rotated["edge"])).status_code == 200


def test_keys_rotate_without_edge_leaves_the_edge_credentials_alone(tmp_path):
    account = create_account(tmp_path)
    rotated = json.loads(run("keys", "rotate", "--data-dir", str(tmp_path), "--email", "dev@example.org",
                             "--json").stdout)
    assert set(rotated) == {"id", "email", "amo"}
    assert serve_store(tmp_path).get("/v1/products", headers=api_key_headers(account["edge"])).status_code == 200


def test_keys_rotate_edge_for_an_unknown_account(tmp_path):
    result = run("keys", "rotate", "--edge", "--data-dir", str(tmp_path), "--email", "nobody@example.org",
                 check=False)
    assert result.returncode == 1 and "no account with e-mail nobody@example.org" in result.stderr
    assert result.stdout == ""


def test_keys_rotate_edge_without_json_shows_the_new_credentials(tmp_path):
    create_account(tmp_path)
    output = run("keys", "rotate", "--edge", "--data-dir", str(tmp_path), "--email", "dev@example.org").stdout
    client_id, _secret, api_key = output.strip().rsplit(": ", 1)[1].split()
    headers = {"Authorization": f"ApiKey {api_key}", "X-ClientID": client_id}
    assert serve_store(tmp_path).get("/v1/products", headers=headers).status_code == 200


def test_a_deleted_account_takes_its_credentials_with_it(tmp_path):
    account = create_account(tmp_path)
    store = Store(Settings(data_dir=tmp_path))
    with store.db.session() as session:
        session.execute(text("DELETE FROM users WHERE id = :id"), {"id": account["id"]})
    with store.db.session() as session:
        assert session.execute(text("SELECT count(*) FROM edge_credentials")).scalar_one() == 0
    assert serve_store(tmp_path).get("/v1/products", headers=api_key_headers(account["edge"])).status_code == 401


def test_an_older_store_is_upgraded_and_its_accounts_can_get_credentials(tmp_path):
    """A store from before Edge credentials (revision 0007) opens, migrates, and rotates some in."""
    settings = Settings(data_dir=tmp_path / "old")
    settings.prepare_data_dir()
    engine = make_engine(settings.effective_database_url)
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        connection.execute(text("INSERT INTO users (email, username, role) VALUES ('old@example.org', 'old', 'developer')"))
    engine.dispose()

    Store(settings)  # migrates
    rotated = json.loads(run("keys", "rotate", "--edge", "--data-dir", str(settings.data_dir), "--email",
                             "old@example.org", "--json").stdout)
    assert serve_store(settings.data_dir).get("/v1/products", headers=api_key_headers(rotated["edge"])).json() == []

    store = Store(settings)
    with store.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
        tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "edge_credentials" not in tables
        command.upgrade(config, "head")
