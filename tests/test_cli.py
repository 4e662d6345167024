"""The addonhub command, run as a user runs it, and a real server on 127.0.0.1."""

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.factories import addon_record
from tests.processes import free_port

pytestmark = pytest.mark.cli

ADDONHUB = str(Path(sys.executable).with_name("addonhub"))


def run(*args, env=None, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([ADDONHUB, *args], capture_output=True, text=True, timeout=120,
                            env={**os.environ, **(env or {})})
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def serve(tmp_path):
    processes = []

    def serve(data_dir: Path, *extra, verify=True) -> str:
        """The server's URL once it answers; https when given --tls-cert (`verify`: httpx's, e.g. the test CA)."""
        port = free_port()
        # A file, not a pipe nobody reads: the server logs every request.
        with open(tmp_path / f"serve-{port}.log", "w") as log:
            process = subprocess.Popen([ADDONHUB, "serve", "--data-dir", str(data_dir), "--port", str(port), *extra],
                                       stdout=log, stderr=subprocess.STDOUT, text=True)
        processes.append(process)
        url = f"{'https' if '--tls-cert' in extra else 'http'}://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/__heartbeat__", verify=verify).status_code == 200:
                    return url
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not come up: {(tmp_path / f'serve-{port}.log').read_text()}")

    yield serve
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_users_create_prints_the_account_as_json(tmp_path):
    result = run("users", "create", "--data-dir", str(tmp_path), "--email", "rev@example.org", "--role", "reviewer", "--json")
    account = json.loads(result.stdout)
    assert account["email"] == "rev@example.org" and account["role"] == "reviewer" and isinstance(account["id"], int)
    again = run("users", "create", "--data-dir", str(tmp_path), "--email", "rev@example.org", check=False)
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = run("users", "create", "--data-dir", str(tmp_path), "--email", "not-an-address", check=False)
    assert bad.returncode == 1 and "not an e-mail address" in bad.stderr


def test_demo_then_serve_a_store_with_every_type(tmp_path, serve):
    data = tmp_path / "fresh" / "data"
    assert "Loaded the demo catalogue" in run("demo", "--data-dir", str(data)).stdout
    assert "already has add-ons" in run("demo", "--data-dir", str(data)).stdout
    url = serve(data)
    body = httpx.get(f"{url}/api/v4/addons/search/?page_size=50").json()
    assert body["count"] >= 36
    assert body["next"].startswith(f"{url}/api/v4/addons/search/")
    types = {httpx.get(f"{url}/api/v4/addons/search/?type={t}").json()["count"] > 0
             for t in ("extension", "persona", "dictionary", "language", "search")}
    assert types == {True}
    assert httpx.get(f"{url}/api/v3/addons/featured/?app=firefox").json()["results"]
    assert httpx.get(f"{url}/api/v4/addons/replacement-addon/").json()["count"] > 0
    assert httpx.get(f"{url}/api/v3/addons/compat-override/").json()["count"] > 0
    languages = {lang for addon in body["results"] for lang in addon["name"]}
    assert len(languages) >= 4

    # The demo's accounts, kept privately, can use the submission and publish APIs.
    accounts_file = data / "demo-accounts.json"
    assert oct(accounts_file.stat().st_mode & 0o777) == "0o600"
    accounts = json.loads(accounts_file.read_text())
    developer = {"Authorization": f"Bearer {accounts['developer']['token']}"}
    assert httpx.get(f"{url}/api/v5/addons/upload/{'0' * 32}/", headers=developer).status_code == 404
    reviewer = {"Authorization": f"Bearer {accounts['reviewer']['token']}"}
    assert httpx.get(f"{url}/api/v5/reviewers/queue/", headers=reviewer).json()["count"] == 0
    edge = {"Authorization": f"ApiKey {accounts['developer']['edge']['api_key']}",
            "X-ClientID": accounts["developer"]["edge"]["client_id"]}
    [product] = httpx.get(f"{url}/v1/products", headers=edge).json()
    assert (product["id"], product["status"]) == (accounts["edge_product_id"], "In the Store")


def test_serve_with_base_url_and_settings_from_the_environment(tmp_path, serve):
    run("import", str(_write(tmp_path / "one.json", [addon_record("envy")])), env={"ADDONHUB_DATA_DIR": str(tmp_path / "d")})
    url = serve(tmp_path / "d", "--base-url", "https://store.example.org")
    assert httpx.get(f"{url}/api/v4/addons/addon/envy/").json()["url"] == "https://store.example.org/addon/envy/"


def _write(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_import_accepts_lists_pages_and_objects_and_updates_in_place(tmp_path, serve):
    data = str(tmp_path / "d")
    first = addon_record("imported", id=4242, name="Plain string name")
    run("import", "--data-dir", data, str(_write(tmp_path / "list.json", [first])))
    run("import", "--data-dir", data, str(_write(tmp_path / "page.json", {
        "count": 1, "next": None, "previous": None, "results": [addon_record("paged")]})))
    changed = dict(first, name={"en-US": "New name", "de": "Neuer Name"}, average_daily_users=7)
    result = run("import", "--data-dir", data, str(_write(tmp_path / "object.json", {
        "addons": [changed], "replacement_addons": [{"guid": "old@x", "replacement": ["imported@example.org"]}],
        "compat_overrides": [{"addon_guid": "imported@example.org", "name": "n", "version_ranges": []}]})))
    assert "Imported 1 add-ons, 1 replacements, 1 compat overrides." in result.stdout
    url = serve(tmp_path / "d")
    addon = httpx.get(f"{url}/api/v4/addons/addon/4242/").json()
    assert addon["name"] == {"en-US": "New name", "de": "Neuer Name"} and addon["average_daily_users"] == 7
    assert httpx.get(f"{url}/api/v4/addons/search/").json()["count"] == 2
    assert httpx.get(f"{url}/api/v4/addons/search/?q=new name").json()["results"][0]["id"] == 4242


def test_import_shows_its_progress_on_a_terminal_only(tmp_path):
    catalogue = str(_write(tmp_path / "many.json", [addon_record(f"many-{n}") for n in range(3)]))
    piped = run("import", "--data-dir", str(tmp_path / "piped"), catalogue)
    assert piped.stderr == "" and "Imported 3 add-ons" in piped.stdout
    controller, terminal = os.openpty()
    try:
        result = subprocess.run([ADDONHUB, "import", "--data-dir", str(tmp_path / "tty"), catalogue],
                                stderr=terminal, stdout=subprocess.PIPE, text=True, timeout=120)
        os.close(terminal)
        shown = b""
        with contextlib.suppress(OSError):  # Linux reports the closed end as EIO
            while chunk := os.read(controller, 4096):
                shown += chunk
    finally:
        os.close(controller)
    assert result.returncode == 0 and "Imported 3 add-ons" in result.stdout
    assert "Importing add-ons: 100%" in shown.decode()


@pytest.mark.parametrize("broken,message", [
    ({"type": "plugin"}, "field 'type'"),
    ({"average_daily_users": "many"}, "field 'average_daily_users'"),
    ({"categories": {"firefox": ["not-a-category"]}}, "field 'categories.firefox'"),
    ({"current_version": {"version": "1.0", "compatibility": {"firefox": {"min": "banana"}}}},
     "field 'current_version.compatibility.firefox.min'"),
    ({"authors": [{"name": "no username"}]}, "field 'authors[0].username'"),
    ({"created": "yesterday"}, "field 'created'"),
    ({"slug": None}, "field 'slug'"),
])
def test_a_bad_record_names_record_and_field_and_nothing_is_imported(tmp_path, broken, message):
    data = str(tmp_path / "d")
    records = [addon_record("good-one"), {**addon_record("bad-one", id=777), **broken}]
    result = run("import", "--data-dir", data, str(_write(tmp_path / "bad.json", records)), check=False)
    assert result.returncode == 1
    assert "add-on #2 (id 777, guid 'bad-one@example.org')" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
    from addonhub.catalog.models import Addon
    from addonhub.config import Settings
    from addonhub.store import Store
    with Store(Settings(data_dir=Path(data))).db.session() as session:
        assert session.query(Addon).count() == 0


def test_promoted_puts_an_imported_add_on_in_a_group_and_refuses_unknown_ones(tmp_path):
    data = str(tmp_path / "d")
    run("import", "--data-dir", data, str(_write(tmp_path / "one.json", [addon_record("picked")])))
    result = run("promoted", "set", "picked", "recommended", "--app", "android", "--data-dir", data)
    assert result.stdout == "picked  picked@example.org  recommended (android)\n"
    assert json.loads(run("promoted", "list", "--json", "--data-dir", data).stdout)[0]["promoted"] == [
        {"category": "recommended", "apps": ["android"]}]
    refused = run("promoted", "set", "picked", "verified", "--data-dir", data, check=False)
    assert refused.returncode == 1 and refused.stderr.startswith('addonhub: Unknown promoted group "verified"')
    assert "Traceback" not in refused.stderr


def test_import_reports_unreadable_files(tmp_path):
    (tmp_path / "broken.json").write_text("{nope")
    result = run("import", "--data-dir", str(tmp_path / "d"), str(tmp_path / "broken.json"), check=False)
    assert result.returncode == 1 and "cannot read" in result.stderr
