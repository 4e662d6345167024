"""sign-addon (npm), the AMO v3/v4 signing API client, against a live store: the PUT flow (with an
id) and the POST flow (without), each ending with a signed file that `addonhub verify` accepts."""

import pytest

from tests.interop.clients import sign_addon
from tests.interop.packages import ADDON_ID, manifest, xpi


@pytest.fixture
def store(live_store_factory):
    return live_store_factory()


def verified(store, path, addon_id):
    result = store.cli("verify", str(path), "--data-dir", str(store.data_dir), "--id", addon_id, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return True


@pytest.mark.parametrize("api", ["v3", "v4"])
def test_the_put_flow_signs_a_new_addon_then_a_new_version(store, tmp_path, api):
    user = store.create_user("dev@example.org")
    for version in ("1.0", "1.1"):
        package = xpi(tmp_path / f"addon-{version}.xpi", manifest(version=version))
        run = sign_addon(store.base_url, user, package, version, tmp_path / f"signed-{version}", addon_id=ADDON_ID, api=api)
        assert run.returncode == 0 and run.result["success"], run.log
        assert run.result["id"] == ADDON_ID
        [signed] = run.result["downloadedFiles"]
        assert verified(store, signed, ADDON_ID)


def test_the_post_flow_gets_an_id_from_the_store(store, tmp_path):
    user = store.create_user("dev@example.org")
    package = xpi(tmp_path / "addon.xpi", manifest(addon_id=None))
    run = sign_addon(store.base_url, user, package, "1.0", tmp_path / "signed")
    assert run.returncode == 0 and run.result["success"], run.log
    addon_id = run.result["id"]
    assert addon_id.startswith("{") and addon_id.endswith("}")
    [signed] = run.result["downloadedFiles"]
    assert verified(store, signed, addon_id)


def test_a_duplicate_version_fails_the_client_with_amos_message(store, tmp_path):
    user = store.create_user("dev@example.org")
    package = xpi(tmp_path / "addon.xpi", manifest())
    assert sign_addon(store.base_url, user, package, "1.0", tmp_path / "first", addon_id=ADDON_ID).returncode == 0
    again = sign_addon(store.base_url, user, package, "1.0", tmp_path / "second", addon_id=ADDON_ID)
    assert again.returncode == 1 and not again.result["success"]
    assert "Version already exists. Latest version is: 1.0." in again.log + again.stdout


def test_a_listed_version_is_not_auto_signed(store, tmp_path):
    user = store.create_user("dev@example.org")
    first = xpi(tmp_path / "addon-1.0.xpi", manifest(version="1.0"))
    assert sign_addon(store.base_url, user, first, "1.0", tmp_path / "first", addon_id=ADDON_ID).returncode == 0
    listed = xpi(tmp_path / "addon-2.0.xpi", manifest(version="2.0"))
    run = sign_addon(store.base_url, user, listed, "2.0", tmp_path / "second", addon_id=ADDON_ID, channel="listed")
    assert run.returncode == 1 and run.result["errorCode"] == "ADDON_NOT_AUTO_SIGNED", run.log
    queue = store.cli("review", "list", "--json")
    assert '"version": "2.0"' in queue.stdout
