"""Chromium installs and updates an extension from the store as an organisation deploys it: a
product published through the Edge API and approved, force-installed by the policy `addonhub
policy chromium` prints, and updated to the next approved version when it checks for updates
(what the extensions page's Update button does; on its own it checks at start and every 5 h)."""

import json

from tests.browsers.chromium import Chromium
from tests.browsers.publishing import edge_publish
from tests.interop.edge_accounts import NAME, edge_account
from tests.packages.builders import chromium_extension


def test_a_product_published_through_the_edge_api_is_force_installed_then_updated(
        live_store_factory, policies, launch, tmp_path):
    store = live_store_factory()
    account, product = edge_account(store)
    extension_id = product["chromium_id"]
    edge_publish(store, account, product, chromium_extension(tmp_path / "1.0.0.zip", "1.0.0", NAME), "1.0.0")
    policy = json.loads(store.cli("policy", "chromium", "--data-dir", str(store.data_dir),
                                  "--base-url", store.base_url, "--addon", product["id"]).stdout)
    policies.chromium(policy)

    browser = launch(Chromium)
    installed = browser.wait_for_version(extension_id, "1.0.0")
    assert installed["name"] == NAME
    assert installed["controlledInfo"]["text"] == "Installed by enterprise policy."
    assert installed["state"] == "ENABLED"

    edge_publish(store, account, product, chromium_extension(tmp_path / "1.0.1.zip", "1.0.1", NAME), "1.0.1")
    browser.check_for_updates()
    updated = browser.wait_for_version(extension_id, "1.0.1")
    assert updated["state"] == "ENABLED"
