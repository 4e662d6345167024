"""`addonhub migrate-store`: an embedded store that signed add-ons and ran Edge operations, moved
into PostgreSQL and SeaweedFS, then served from there to the real clients; a move interrupted
between batches and resumed; and the refusals."""

import hashlib
import json
import subprocess
import sys

import httpx
import pytest

from addonhub.config import Settings
from addonhub.store_migration import MigrationError, migrate_store
from tests.interop.clients import amo_auth_header, web_ext_sign
from tests.interop.edge_accounts import NAME, api_key_headers, edge_account
from tests.interop.packages import ADDON_ID, manifest, source_dir, xpi
from tests.interop.test_edge_clients import REPO, client_environment

pytestmark = pytest.mark.cli


def _embedded_store_with_content(live_store_factory, tmp_path):
    """A stopped embedded store: an add-on signed through the signing API, an Edge product uploaded
    and published through edge-addons-api, approved and rated by another account; returns it, its account and the signed file's status."""
    store = live_store_factory()
    account, product = edge_account(store)
    package = xpi(tmp_path / "first.xpi", manifest(version="1.0"))
    put = httpx.put(f"{store.base_url}/api/v4/addons/{ADDON_ID}/versions/1.0/", headers=amo_auth_header(account),
                    files={"upload": ("addon.xpi", package.read_bytes(), "application/x-xpinstall")})
    assert put.status_code == 201, put.text
    from tests.interop.test_edge_clients import wait_for
    file = wait_for(lambda: next((f for f in httpx.get(put.json()["url"], headers=amo_auth_header(account))
                                  .json()["files"] if f["signed"]), None))
    from tests.packages.builders import chromium_extension
    options = {"base_url": store.base_url, "product_id": product["id"], "client_id": account["edge"]["client_id"],
               "api_key": account["edge"]["api_key"], "package": str(chromium_extension(tmp_path / "edge.zip",
                                                                                         "1.0.0", NAME)),
               "notes": "Built by CI."}
    edge = subprocess.run([sys.executable, "-m", "tests.interop.edge_addons_api_run", json.dumps(options)], cwd=REPO,
                          env=client_environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=180)
    assert edge.returncode == 0, edge.stderr
    store.cli("review", "approve", product["guid"], "1.0.0")
    listed = httpx.get(f"{store.base_url}/api/v4/addons/addon/{product['guid']}/").json()
    rater = store.create_user("rater@example.org")
    rating = httpx.post(f"{store.base_url}/api/v4/ratings/rating/", headers=amo_auth_header(rater), json={
        "addon": listed["id"], "version": listed["current_version"]["id"], "score": 4, "body": "Tames tabs"})
    assert rating.status_code == 201, rating.text
    file["content"] = httpx.get(file["download_url"], headers=amo_auth_header(account)).content
    store.stop()
    return store, account, file


def _destination(postgres_server, s3_server, store) -> dict:
    return {"ADDONHUB_DATABASE_URL": postgres_server.url(postgres_server.create_database()),
            "ADDONHUB_BLOB_URL": s3_server.blob_url(),
            "ADDONHUB_ENCRYPTION_KEY": (store.data_dir / "api_key_encryption_key").read_text().strip()}


def _migrate(store, destination: dict, check: bool = True):
    """The command as an operator runs it, the scale-out store's key in its environment."""
    store.env["ADDONHUB_ENCRYPTION_KEY"] = destination["ADDONHUB_ENCRYPTION_KEY"]
    try:
        return _run_migrate(store, destination, check)
    finally:
        del store.env["ADDONHUB_ENCRYPTION_KEY"]


def _run_migrate(store, destination: dict, check: bool):
    return store.cli("migrate-store", "--from", str(store.data_dir), "--to-database",
                     destination["ADDONHUB_DATABASE_URL"], "--to-blobs", destination["ADDONHUB_BLOB_URL"],
                     check=check, timeout=300)


def test_a_moved_store_serves_its_files_keys_and_the_clients(live_store_factory, postgres_server, s3_server,
                                                               tmp_path):
    source, account, file = _embedded_store_with_content(live_store_factory, tmp_path)
    destination = _destination(postgres_server, s3_server, source)

    moved = _migrate(source, destination)
    assert " copied and verified: " in moved.stdout, moved.stdout + moved.stderr
    assert moved.stderr == ""  # not a terminal: no progress
    assert " was already copied; verified: " in _migrate(source, destination).stdout

    copy = live_store_factory(destination)  # a new, empty data directory: everything is in PG and S3
    account_headers = amo_auth_header(account)  # a new token with the old account's key
    download = httpx.get(file["download_url"].replace(source.base_url, copy.base_url), headers=account_headers)
    assert download.status_code == 200, download.text
    assert download.content == file["content"]
    assert "sha256:" + hashlib.sha256(download.content).hexdigest() == file["hash"]
    products = httpx.get(f"{copy.base_url}/v1/products", headers=api_key_headers(account))
    assert products.status_code == 200, products.text
    assert {p["name"]: p["status"] for p in products.json()}[NAME] == "In the Store"
    listed = httpx.get(f"{copy.base_url}/api/v4/addons/search/", params={"q": NAME}).json()["results"]
    assert [(addon["name"]["en-US"], addon["ratings"]["count"]) for addon in listed] == [(NAME, 1)]  # the index rebuilt

    source_tree = source_dir(tmp_path / "src", manifest(version="1.1"))
    signed = web_ext_sign(copy.base_url, account, source_tree, tmp_path / "artifacts")
    assert signed.returncode == 0, signed.stdout + signed.stderr
    [new] = list((tmp_path / "artifacts").glob("*.xpi"))
    copy.cli("verify", str(new), "--id", ADDON_ID)
    # The copy signs with the old store's root: what browsers trust stays the same.
    assert copy.cli("signing", "export-root").stdout == source.cli("signing", "export-root").stdout


def test_an_interrupted_move_resumes_and_refusals_are_said_in_words(live_store_factory, postgres_server, s3_server,
                                                                    tmp_path, monkeypatch):
    source, _, _ = _embedded_store_with_content(live_store_factory, tmp_path)
    destination = _destination(postgres_server, s3_server, source)
    settings = Settings(database_url=destination["ADDONHUB_DATABASE_URL"], blob_url=destination["ADDONHUB_BLOB_URL"],
                        encryption_key=destination["ADDONHUB_ENCRYPTION_KEY"], data_dir=tmp_path / "scratch")
    monkeypatch.setattr("addonhub.store_migration.BATCH_ROWS", 1)

    class Interrupted(Exception):
        pass

    def interrupt(stage, done, total):
        if stage == "tables" and done >= total // 2:
            raise Interrupted
    with pytest.raises(Interrupted):
        migrate_store(source.data_dir, settings, interrupt)
    resumed = migrate_store(source.data_dir, settings)
    assert resumed.problems == [] and not resumed.already_complete
    assert all(count == copied for count, copied in resumed.rows.values())
    assert resumed.rows["files"][0] >= 1 and resumed.rows["edge_operations"][0] >= 1 and resumed.rows["ratings"][0] == 1

    other = live_store_factory()
    other.create_user("someone@example.org")
    other.stop()
    other_destination = {**destination,
                         "ADDONHUB_ENCRYPTION_KEY": (other.data_dir / "api_key_encryption_key").read_text().strip()}
    refused = _migrate(other, other_destination, check=False)
    assert refused.returncode == 1 and "the destination database holds another store" in refused.stderr
    assert "Traceback" not in refused.stderr

    wrong_key = _migrate(source, other_destination, check=False)
    assert wrong_key.returncode == 1 and "ADDONHUB_ENCRYPTION_KEY is not the key in" in wrong_key.stderr
    with pytest.raises(MigrationError, match="there is no store in"):
        migrate_store(tmp_path / "nothing", settings)
