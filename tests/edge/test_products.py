"""Products: made with `addonhub products create`, listed to their owner by `GET /v1/products`."""

import json
import re
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient

from addonhub.api.app import create_app
from addonhub.config import Settings
from addonhub.store import Store
from tests.factories import addon_record
from tests.test_cli import run

GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CHROMIUM_ID = r"[a-p]{32}"


def create_account(data_dir, email: str = "dev@example.org") -> dict:
    return json.loads(run("users", "create", "--data-dir", str(data_dir), "--email", email, "--json").stdout)


def api_key_headers(account: dict) -> dict:
    return {"Authorization": f"ApiKey {account['edge']['api_key']}", "X-ClientID": account["edge"]["client_id"]}


def serve_store(data_dir) -> TestClient:
    return TestClient(create_app(Store(Settings(data_dir=data_dir))), base_url="http://store.test")


def today() -> str:
    now = datetime.now(timezone.utc)
    return f"{now.month}/{now.day}/{now.year}"


@pytest.mark.cli
def test_products_create_prints_the_product_id_which_the_owner_then_lists(tmp_path):
    account = create_account(tmp_path)
    output = run("products", "create", "--data-dir", str(tmp_path), "--owner", "dev@example.org",
                 "--name", "Tab Tamer").stdout
    product_id = output.strip()
    assert re.fullmatch(GUID, product_id)

    response = serve_store(tmp_path).get("/v1/products", headers=api_key_headers(account))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    [listed] = response.json()
    assert re.fullmatch(CHROMIUM_ID, listed.pop("chromiumId"))  # the store's key, made with the product
    assert listed == {"id": product_id, "name": "Tab Tamer", "status": "In Draft", "lastUpdatedDate": today()}


@pytest.mark.cli
def test_products_create_json_and_the_add_on_behind_it(tmp_path):
    account = create_account(tmp_path)
    product = json.loads(run("products", "create", "--data-dir", str(tmp_path), "--owner", "dev@example.org",
                             "--name", "  Tab Tamer  ", "--json").stdout)
    assert set(product) == {"id", "name", "addon_id", "guid", "chromium_id"}
    assert re.fullmatch(CHROMIUM_ID, product["chromium_id"])
    assert re.fullmatch(GUID, product["id"]) and product["name"] == "Tab Tamer"
    assert re.fullmatch("{" + GUID + "}", product["guid"]) and isinstance(product["addon_id"], int)

    client = serve_store(tmp_path)
    # Not public until a version is approved: hidden from everyone but its owner.
    detail = f"/api/v4/addons/addon/{product['addon_id']}/"
    assert client.get(detail).status_code == 401
    assert client.get("/api/v4/addons/search/?q=tamer").json()["count"] == 0
    addon = client.get(detail, headers={"Authorization": f"Bearer {account['token']}"}).json()
    assert addon["guid"] == product["guid"] and addon["type"] == "extension" and addon["status"] == "incomplete"
    assert addon["chromium_id"] == product["chromium_id"]
    assert addon["name"] == {"en-US": "Tab Tamer"} and addon["current_version"] is None
    assert [author["username"] for author in addon["authors"]] == [account["username"]]
    assert client.get(f"/api/v4/addons/addon/{addon['slug']}/",
                      headers={"Authorization": f"Bearer {account['token']}"}).json()["id"] == product["addon_id"]


@pytest.mark.cli
def test_each_product_gets_its_own_ids(tmp_path):
    create_account(tmp_path)
    products = [json.loads(run("products", "create", "--data-dir", str(tmp_path), "--owner", "dev@example.org",
                               "--name", "Same name", "--json").stdout) for _ in range(2)]
    for field in ("id", "addon_id", "guid", "chromium_id"):
        assert products[0][field] != products[1][field]


@pytest.mark.cli
def test_products_create_errors(tmp_path):
    account = create_account(tmp_path)
    for args, message in [
        (["--owner", "nobody@example.org", "--name", "X"], "no account with e-mail nobody@example.org"),
        (["--owner", "dev@example.org", "--name", ""], "a product needs a name"),
        (["--owner", "dev@example.org", "--name", "   "], "a product needs a name"),
    ]:
        result = run("products", "create", "--data-dir", str(tmp_path), *args, "--json", check=False)
        assert result.returncode == 1 and message in result.stderr and result.stdout == "", args
    assert serve_store(tmp_path).get("/v1/products", headers=api_key_headers(account)).json() == []


@pytest.mark.cli
def test_products_create_requires_owner_and_name(tmp_path):
    result = run("products", "create", "--data-dir", str(tmp_path), "--name", "X", check=False)
    assert result.returncode == 2 and "--owner" in result.stderr


def test_the_list_holds_only_the_callers_products(client, developer, product, get_token):
    alice, bob = developer("alice@example.org"), developer("bob@example.org")
    alices = [product(alice, "Alice One"), product(alice, "Alice Two")]
    bobs = [product(bob, "Bob One")]
    assert [p["id"] for p in client.get("/v1/products", headers=alice.api_key_headers).json()] == alices
    assert [p["name"] for p in client.get("/v1/products", headers=alice.api_key_headers).json()] == \
        ["Alice One", "Alice Two"]
    assert [p["id"] for p in client.get("/api/v1/products", headers=bearer(get_token(bob))).json()] == bobs
    assert client.get("/v1/products", headers=developer("carol@example.org").api_key_headers).json() == []


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_catalogue_add_ons_are_products_with_a_status(client, developer, product, load):
    owner = developer()
    draft = product(owner, "New one")
    authors = [{"username": owner.username}]
    load(addon_record("listed-ext", authors=authors, name={"en-US": "Listed", "de": "Gelistet"},
                      created="2020-01-01T00:00:00Z", last_updated="2021-07-19T10:00:00Z"),
         addon_record("pending-ext", authors=authors, status="nominated"),
         addon_record("a-theme", authors=authors, type="persona", categories={}),
         addon_record("gone", authors=authors, status="deleted"),
         addon_record("a-dictionary", authors=authors, type="dictionary", categories={}),
         addon_record("someone-elses", authors=[{"username": "someone"}]))
    listed = {p["name"]: p for p in client.get("/v1/products", headers=owner.api_key_headers).json()}
    assert set(listed) == {"New one", "Listed", "Pending Ext", "A Theme"}
    assert listed["New one"]["id"] == draft and listed["New one"]["status"] == "In Draft"
    assert listed["Listed"]["status"] == "In the Store"
    assert listed["Listed"]["lastUpdatedDate"] == "7/19/2021"  # its latest release
    assert listed["Pending Ext"]["status"] == "In Draft"
    assert listed["A Theme"]["status"] == "In the Store"
    for entry in listed.values():
        assert set(entry) == {"id", "name", "status", "lastUpdatedDate"}
        assert re.fullmatch(GUID, entry["id"])
        assert re.fullmatch(r"(1[0-2]|[1-9])/(3[01]|[12][0-9]|[1-9])/20[0-9]{2}", entry["lastUpdatedDate"])
