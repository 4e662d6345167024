"""The Edge publish API as real clients drive it, against a live store on 127.0.0.1: edge-addons-api
(PyPI, the v1.1 contract), the usage guide's own curl samples (v1), and a restart in the middle of
an upload. Each ends with the product In Review, then In the Store after a reviewer's approval,
and findable in the AMO catalogue's search."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.interop.clients import PROXY_VARIABLES
from tests.interop.edge_accounts import NAME, api_key_headers, edge_account
from tests.packages.builders import chromium_extension

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CURL_SAMPLES = HERE / "edge_curl_samples.sh"


def client_environment() -> dict[str, str]:
    """No proxy settings: every request goes straight to 127.0.0.1."""
    env = {key: value for key, value in os.environ.items() if key.lower() not in PROXY_VARIABLES}
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    return env


def bearer_headers(store, account: dict) -> dict:
    response = httpx.post(f"{store.base_url}/tenant/oauth2/v2.0/token", data={
        "client_id": account["edge"]["client_id"], "client_secret": account["edge"]["client_secret"],
        "grant_type": "client_credentials", "scope": "https://api.addons.microsoftedge.microsoft.com/.default"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def product_statuses(store, headers: dict) -> list[str]:
    response = httpx.get(f"{store.base_url}/v1/products", headers=headers)
    assert response.status_code == 200, response.text
    return [product["status"] for product in response.json()]


def approve_and_find(store, product: dict, headers: dict, version: str = "1.0.0") -> None:
    """A reviewer approves with `addonhub review approve`; the product is then In the Store and
    its version is the current one in the catalogue's search."""
    store.cli("review", "approve", product["guid"], version)
    assert product_statuses(store, headers) == ["In the Store"]
    search = httpx.get(f"{store.base_url}/api/v4/addons/search/", params={"q": NAME}).json()
    assert [(addon["guid"], addon["current_version"]["version"]) for addon in search["results"]] == [
        (product["guid"], version)]


def wait_for(check, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        assert time.monotonic() < deadline, "timed out"
        time.sleep(interval)


def publish_with_edge_addons_api(store, account: dict, product: dict, package: Path) -> None:
    """edge-addons-api uploads and publishes the package; its publish status has Edge's fields and says Succeeded."""
    options = {"base_url": store.base_url, "product_id": product["id"], "client_id": account["edge"]["client_id"],
               "api_key": account["edge"]["api_key"], "package": str(package), "notes": "Built by CI."}
    run = subprocess.run([sys.executable, "-m", "tests.interop.edge_addons_api_run", json.dumps(options)], cwd=REPO,
                         env=client_environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert "publish_status" in result, result
    status = result["publish_status"]
    assert set(status) == {"id", "createdTime", "lastUpdatedTime", "status", "message", "errorCode", "errors"}
    assert (status["id"], status["status"], status["errorCode"]) == (result["publish_operation"], "Succeeded", "")


def test_edge_addons_api_uploads_publishes_and_reads_the_publish_status(live_store_factory, tmp_path):
    store = live_store_factory()
    account, product = edge_account(store)
    publish_with_edge_addons_api(store, account, product, chromium_extension(tmp_path / "tab-tamer.zip", "1.0.0", NAME))
    headers = api_key_headers(account)
    assert product_statuses(store, headers) == ["In Review"]
    approve_and_find(store, product, headers)


def publish_with_curl_samples(store, account: dict, product: dict, package: Path) -> None:
    """The usage guide's curl samples upload and publish the package, ending IN-REVIEW."""
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("the samples need bash and curl")
    env = {**client_environment(), "LOGIN_HOST": store.base_url, "API_HOST": store.base_url,
           "tenant": "5b0c6c4a-1111-2222-3333-444455556666", "Client_ID": account["edge"]["client_id"],
           "Client_Secret": account["edge"]["client_secret"], "productID": product["id"], "FILE_NAME": str(package)}
    run = subprocess.run(["bash", str(CURL_SAMPLES)], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=180)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert '"status":"SUCCESS"' in run.stdout and '"status":"IN-REVIEW"' in run.stdout


def test_the_usage_guides_curl_samples(live_store_factory, tmp_path):
    store = live_store_factory()
    account, product = edge_account(store)
    publish_with_curl_samples(store, account, product, chromium_extension(tmp_path / "tab-tamer.zip", "1.0.0", NAME))
    headers = bearer_headers(store, account)
    assert product_statuses(store, headers) == ["In Review"]
    # The sample's form field reaches the reviewer as the notes for certification.
    [entry] = json.loads(store.cli("review", "list", "--json").stdout)
    assert (entry["addon"]["guid"], entry["approval_notes"]) == (product["guid"], "text value")
    approve_and_find(store, product, headers)


def test_a_restart_in_the_middle_of_an_upload_operation_loses_nothing(live_store_factory, tmp_path):
    store = live_store_factory(env={"ADDONHUB_WORKERS": "0"})  # nothing validates before the crash
    account, product = edge_account(store)
    headers = api_key_headers(account)
    base = f"{store.base_url}/v1/products/{product['id']}/submissions"
    package = chromium_extension(tmp_path / "tab-tamer.zip", "1.0.0", NAME).read_bytes()
    response = httpx.post(f"{base}/draft/package", headers={**headers, "Content-Type": "application/zip"},
                          content=package)
    assert response.status_code == 202, response.text
    operation = response.headers["location"]
    assert httpx.get(f"{base}/draft/package/operations/{operation}", headers=headers).json()["status"] == "InProgress"

    store.kill()
    store.env["ADDONHUB_WORKERS"] = "1"
    store.start()

    def upload_done():
        status = httpx.get(f"{base}/draft/package/operations/{operation}", headers=headers).json()
        return status if status["status"] != "InProgress" else None
    assert wait_for(upload_done)["status"] == "Succeeded"

    response = httpx.post(base, headers=headers, json={"notes": "After the restart."})
    assert response.status_code == 202, response.text
    published = response.headers["location"]

    def publish_done():
        status = httpx.get(f"{base}/operations/{published}", headers=headers).json()
        return status if status["status"] != "InProgress" else None
    assert wait_for(publish_done)["status"] == "Succeeded"
    assert product_statuses(store, headers) == ["In Review"]
    approve_and_find(store, product, headers)
