"""Firefox ESR installs and updates add-ons from the store as an organisation deploys them, with
the policy `addonhub policy firefox` prints: an unlisted add-on that carries the store's update
URL (its link key included) in its manifest, over http and over https with update security on
(the store's certificate trusted through the policy); and a listed add-on with no update URL,
which Firefox keeps up to date through the store's VersionCheck as it would through AMO's.
What Firefox installed is read from the profile's extensions.json."""

import json

import pytest

from tests.browsers.firefox import Firefox
from tests.browsers.publishing import web_ext_publish
from tests.certificates import make_test_certificates
from tests.interop.packages import source_dir
from tests.packages.builders import manifest

GUID = "deployed@example.org"
SIGNED_BY_AN_UNKNOWN_SIGNER = -1  # AddonManager.SIGNEDSTATE_UNKNOWN: the store's CA, not Mozilla's


def firefox_manifest(version: str, update_url: str | None = None) -> dict:
    gecko = {"id": GUID, **({"update_url": update_url} if update_url else {})}
    return manifest(version=version, name="Deployed", browser_specific_settings={"gecko": gecko},
                    background={"scripts": ["background.js"]})


def update_url(store, guid: str) -> str:
    """The update URL `addonhub links show` gives a developer for the add-on's manifest."""
    return json.loads(store.cli("links", "show", guid, "--base-url", store.base_url, "--json").stdout)["update_url"]


def firefox_policy(store, guid: str, *extra: str) -> dict:
    return json.loads(store.cli("policy", "firefox", "--data-dir", str(store.data_dir), "--base-url", store.base_url,
                                "--addon", guid, *extra).stdout)


def assert_installed_from_the_store(addon: dict, store) -> None:
    assert addon["sourceURI"].startswith(store.base_url + "/")
    assert addon["signedState"] == SIGNED_BY_AN_UNKNOWN_SIGNER
    assert not addon["appDisabled"]


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_an_unlisted_addon_with_the_stores_update_url_is_installed_by_policy_then_updated(
        live_store_factory, policies, launch, tmp_path, secure):
    tls = make_test_certificates(tmp_path / "tls") if secure else None
    store = live_store_factory(tls=tls)
    account = store.create_user("dev@example.org")
    manifest_update_url = update_url(store, GUID)
    assert manifest_update_url.startswith(store.base_url + "/")
    source = source_dir(tmp_path / "src", firefox_manifest("1.0", manifest_update_url))
    web_ext_publish(store, account, source, tmp_path / "signed-1.0", GUID, "1.0", "unlisted")
    policy = firefox_policy(store, GUID, *(["--certificate", str(tls.ca)] if secure else []))
    if secure:  # Firefox checks that updates come over https, from a server it trusts
        assert "extensions.checkUpdateSecurity" not in policy["policies"].get("Preferences", {})
    policies.firefox(policy)

    browser = launch(Firefox)
    assert_installed_from_the_store(browser.wait_for_version(GUID, "1.0"), store)

    source_dir(source, firefox_manifest("1.1", manifest_update_url))
    web_ext_publish(store, account, source, tmp_path / "signed-1.1", GUID, "1.1", "unlisted")
    assert_installed_from_the_store(browser.wait_for_version(GUID, "1.1"), store)


def test_a_listed_addon_without_an_update_url_is_installed_then_updated_through_versioncheck(
        live_store_factory, policies, launch, tmp_path):
    store = live_store_factory()
    account = store.create_user("dev@example.org")
    source = source_dir(tmp_path / "src", firefox_manifest("1.0"))
    web_ext_publish(store, account, source, tmp_path / "signed-1.0", GUID, "1.0", "listed")
    policies.firefox(firefox_policy(store, GUID))

    browser = launch(Firefox)
    assert_installed_from_the_store(browser.wait_for_version(GUID, "1.0"), store)

    source_dir(source, firefox_manifest("1.1"))
    web_ext_publish(store, account, source, tmp_path / "signed-1.1", GUID, "1.1", "listed")
    assert_installed_from_the_store(browser.wait_for_version(GUID, "1.1"), store)
