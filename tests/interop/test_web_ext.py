"""web-ext sign (npm), the AMO v5 submission API client, against a live store: a new add-on and a
new version of it (unlisted, signed and downloaded), one without an id, and a listed version that
web-ext leaves waiting (--approval-timeout 0) until a reviewer approves it; every downloaded file
passes `addonhub verify`."""

import httpx
import pytest

from tests.interop.clients import amo_auth_header, web_ext_sign
from tests.interop.packages import ADDON_ID, manifest, source_dir
from tests.packages.builders import package


@pytest.fixture
def store(live_store_factory):
    return live_store_factory()


def signed_file(artifacts, store, addon_id):
    [signed] = list(artifacts.glob("*.xpi"))
    store.cli("verify", str(signed), "--id", addon_id)
    return signed


def test_a_new_addon_then_a_new_version_unlisted(store, tmp_path):
    # Two runs in a row, with the store's default limits: AMO's own refuse the second.
    user = store.create_user("dev@example.org")
    source = source_dir(tmp_path / "src", manifest(version="1.0"))
    first = web_ext_sign(store.base_url, user, source, tmp_path / "first")
    assert first.returncode == 0, first.stdout + first.stderr
    signed_file(tmp_path / "first", store, ADDON_ID)

    source_dir(source, manifest(version="1.1"))
    code = package(tmp_path / "source.zip", {"src/background.js": "console.log('interop');\n"})
    second = web_ext_sign(store.base_url, user, source, tmp_path / "second", upload_source_code=code)
    assert second.returncode == 0, second.stdout + second.stderr
    signed_file(tmp_path / "second", store, ADDON_ID)
    versions = httpx.get(f"{store.base_url}/api/v5/addons/addon/{ADDON_ID}/versions/v1.1/", headers=amo_auth_header(user))
    assert versions.json()["file"]["status"] == "public"
    assert versions.json()["source"].startswith(store.base_url)


def test_an_addon_without_an_id_gets_one_from_the_store(store, tmp_path):
    user = store.create_user("dev@example.org")
    source = source_dir(tmp_path / "src", manifest(addon_id=None))
    run = web_ext_sign(store.base_url, user, source, tmp_path / "artifacts")
    assert run.returncode == 0, run.stdout + run.stderr
    # web-ext keeps the id the store gave it, after a comment line.
    addon_id = (source / ".web-extension-id").read_text().strip().splitlines()[-1]
    assert addon_id.startswith("{")
    signed_file(tmp_path / "artifacts", store, addon_id)


def test_a_listed_version_waits_for_review_then_is_approved_and_downloaded(store, tmp_path):
    user = store.create_user("dev@example.org")
    source = source_dir(tmp_path / "src", manifest(version="1.0"))
    run = web_ext_sign(store.base_url, user, source, tmp_path / "artifacts", channel="listed", approval_timeout=0)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not list((tmp_path / "artifacts").glob("*.xpi"))  # nothing to download yet
    headers = amo_auth_header(user)
    version = httpx.get(f"{store.base_url}/api/v5/addons/addon/{ADDON_ID}/versions/1.0/", headers=headers).json()
    assert version["file"]["status"] == "unreviewed"

    store.cli("review", "approve", ADDON_ID, "1.0", "--notes", "Fine.")
    version = httpx.get(f"{store.base_url}/api/v5/addons/addon/{ADDON_ID}/versions/1.0/", headers=headers).json()
    assert version["file"]["status"] == "public"
    download = httpx.get(version["file"]["url"])  # public now: no credentials needed
    assert download.status_code == 200
    signed = tmp_path / "listed.xpi"
    signed.write_bytes(download.content)
    store.cli("verify", str(signed), "--id", ADDON_ID)
    search = httpx.get(f"{store.base_url}/api/v4/addons/search/", params={"q": "Test Extension"}).json()
    assert [result["guid"] for result in search["results"]] == [ADDON_ID]
