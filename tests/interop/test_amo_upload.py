"""amo-upload (npm; its signAddon() library, the CLI is broken), an AMO v5 client, against a live store.

It only adds versions to an add-on that exists: GET addon/{id}/versions/{version}/ (404: new), upload and
poll, POST addon/{id}/versions/ with JSON, optional PATCH with the source, then it polls the version until
file.status is "public" and downloads file.url. For a version that exists it uploads nothing and just
downloads the signed file again.
"""

import httpx
import pytest

from tests.interop.clients import amo_auth_header, amo_upload, web_ext_sign
from tests.interop.packages import ADDON_ID, manifest, source_dir, xpi
from tests.packages.builders import package


@pytest.fixture
def store(live_store_factory):
    return live_store_factory()


@pytest.fixture
def user(store, tmp_path):
    """A developer whose add-on ADDON_ID has a signed unlisted 1.0, submitted with web-ext."""
    user = store.create_user("dev@example.org")
    first = web_ext_sign(store.base_url, user, source_dir(tmp_path / "src", manifest(version="1.0")), tmp_path / "first")
    assert first.returncode == 0, first.stdout + first.stderr
    return user


def test_an_unlisted_new_version_is_signed_and_downloaded(store, user, tmp_path):
    package_path = xpi(tmp_path / "addon-1.1.xpi", manifest(version="1.1"))
    code = package(tmp_path / "source.zip", {"src/background.js": "console.log('interop');\n"})
    run = amo_upload(store.base_url, user, ADDON_ID, "1.1", package_path, tmp_path / "signed",
                     sourceFile=str(code), approvalNotes="Built with make.", releaseNotes={"en-US": "Fixes."})
    assert run.returncode == 0 and run.result["success"], run.result | {"log": run.log}
    assert "Starting createVersion" in run.log and "Finished updateSource" in run.log
    store.cli("verify", run.result["path"], "--id", ADDON_ID)
    version = httpx.get(f"{store.base_url}/api/v5/addons/addon/{ADDON_ID}/versions/1.1/", headers=amo_auth_header(user))
    assert version.json()["approval_notes"] == "Built with make."
    assert version.json()["release_notes"] == {"en-US": "Fixes."}
    assert version.json()["source"].startswith(store.base_url)


def test_running_again_for_the_same_version_only_downloads_it_again(store, user, tmp_path):
    package_path = xpi(tmp_path / "addon-1.1.xpi", manifest(version="1.1"))
    first = amo_upload(store.base_url, user, ADDON_ID, "1.1", package_path, tmp_path / "first")
    assert first.returncode == 0, first.result | {"log": first.log}

    again = amo_upload(store.base_url, user, ADDON_ID, "1.1", package_path, tmp_path / "again")
    assert again.returncode == 0, again.result | {"log": again.log}
    assert "uploadFile" not in again.log and "No update found, skipping patchVersion" in again.log
    with open(first.result["path"], "rb") as signed, open(again.result["path"], "rb") as downloaded:
        assert signed.read() == downloaded.read()
    store.cli("verify", again.result["path"], "--id", ADDON_ID)


def test_it_cannot_create_an_addon(store, tmp_path):
    user = store.create_user("dev@example.org")
    package_path = xpi(tmp_path / "new.xpi", manifest(addon_id="new@example.org"))
    run = amo_upload(store.base_url, user, "new@example.org", "1.0", package_path, tmp_path / "signed")
    assert run.returncode == 1, run.result | {"log": run.log}
    assert run.result["status"] == 404 and run.result["url"].endswith("/addon/new@example.org/versions/")
