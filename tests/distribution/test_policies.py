"""Enterprise policies: `addonhub policy chromium|firefox` and the same JSON for admins over HTTP."""

import json

import pytest
from sqlalchemy import select

from addonhub.catalog.models import Addon, File
from addonhub.cli import main
from addonhub.distribution.chromium import ChromiumPackage, create_key
from addonhub.distribution.links import current_link_key
from addonhub.published_urls import versioncheck_url
from tests.factories import addon_record, version_record
from tests.packages.builders import extension, manifest

BASE = "http://store.test"
STORE_UPDATES = f"{BASE}/updates/firefox/unlisted@example.org"


# Policies are made by the addonhub command, reading the store's database as its operator's does.
pytestmark = pytest.mark.usefixtures("cli_database")


@pytest.fixture
def catalogue(store, load, tmp_path):
    """Add-ons with packages as publishing leaves them: a public Chromium extension and a disabled
    one (CRX files, keys), a listed Firefox add-on without an update URL, an unlisted one whose
    manifest names the store's, and an unlisted one that names none."""
    unlisted = {"status": "incomplete", "current_version": None}
    load(addon_record("chromium-app"), addon_record("chromium-off", is_disabled=True),
         addon_record("listed"),
         addon_record("unlisted", **unlisted, versions=[version_record("2.0", channel="unlisted")]),
         addon_record("no-updates", **unlisted, versions=[version_record("1.0", channel="unlisted")]))
    ids = {}
    with store.db.session() as session:
        for addon in session.scalars(select(Addon)):
            ids[addon.slug] = addon
            file = addon.versions[0].files[0]
            if addon.slug.startswith("chromium"):
                file.filename, file.storage_key = "app.crx", f"files/{file.id}/k/app.crx"
                store.blobs.put_chunks(file.storage_key, iter([b"Cr24 a CRX"]))
                session.add(ChromiumPackage(file_id=file.id, crx_id=create_key(session, store.key_cipher, addon)))
                continue
            gecko = {"id": addon.guid, **({"update_url": STORE_UPDATES} if addon.slug == "unlisted" else {})}
            path = extension(tmp_path / f"{addon.slug}.xpi", manifest(browser_specific_settings={"gecko": gecko}))
            file.filename, file.storage_key = f"{addon.slug}.xpi", f"files/{file.id}/k/{addon.slug}.xpi"
            store.blobs.put_file(file.storage_key, path)
        crx_ids = {slug: addon.chromium_id for slug, addon in ids.items()}
    return crx_ids


def _policy(store, capsys, *args) -> tuple[int, dict | None, str]:
    code = main(["policy", *args, "--data-dir", str(store.settings.data_dir)])
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else None, err


def test_chromium_policy_installs_every_crx_from_the_store_and_blocks_disabled_ones(store, catalogue, capsys):
    code, policy, _ = _policy(store, capsys, "chromium", "--base-url", BASE + "/")
    assert code == 0
    assert policy == {
        "ExtensionSettings": {
            catalogue["chromium-app"]: {"installation_mode": "force_installed",
                                        "update_url": f"{BASE}/updates/chromium", "override_update_url": True},
            catalogue["chromium-off"]: {"installation_mode": "blocked"},
        },
        "ExtensionInstallSources": [f"{BASE}/*"],
    }
    code, policy, _ = _policy(store, capsys, "chromium", "--base-url", BASE, "--addon", "chromium-app",
                              "--mode", "normal_installed")
    assert code == 0 and list(policy["ExtensionSettings"]) == [catalogue["chromium-app"]]
    assert policy["ExtensionSettings"][catalogue["chromium-app"]]["installation_mode"] == "normal_installed"


def test_firefox_policy_sets_only_the_preferences_its_add_ons_need(store, catalogue, capsys):
    code, policy, err = _policy(store, capsys, "firefox", "--base-url", BASE)
    assert code == 0
    key = store.secret_key
    with store.db.session() as session:
        unlisted_key = current_link_key(session, key, "unlisted@example.org")
        no_updates_key = current_link_key(session, key, "no-updates@example.org")
    settings = policy["policies"]["ExtensionSettings"]
    assert settings == {
        "listed@example.org": {"installation_mode": "force_installed",
                               "install_url": f"{BASE}/downloads/latest/listed@example.org/addon.xpi"},
        "unlisted@example.org": {"installation_mode": "force_installed",
                                 "install_url": f"{BASE}/downloads/latest/unlisted@example.org/addon.xpi?key={unlisted_key}"},
        "no-updates@example.org": {
            "installation_mode": "force_installed",
            "install_url": f"{BASE}/downloads/latest/no-updates@example.org/addon.xpi?key={no_updates_key}"},
    }
    assert policy["policies"]["InstallAddonsPermission"] == {"Allow": [BASE]}
    # The listed add-on has no update URL: VersionCheck and the guid search move to the store.
    locked = {"Status": "locked"}
    assert policy["policies"]["Preferences"] == {
        "xpinstall.signatures.required": {"Value": False, **locked},
        "extensions.checkUpdateSecurity": {"Value": False, **locked},
        "extensions.update.url": {"Value": versioncheck_url(BASE), **locked},
        "extensions.update.background.url": {"Value": versioncheck_url(BASE), **locked},
        "extensions.getAddons.get.url": {"Value": f"{BASE}/api/v4/addons/search/?guid=%IDS%&lang=%LOCALE%", **locked},
    }
    assert "Certificates" not in policy["policies"]
    assert "no-updates@example.org is not listed and its package names no update URL" in err

    # Over HTTPS, with the store's update URL in the manifest: no preference but the signatures one.
    code, policy, err = _policy(store, capsys, "firefox", "--base-url", "https://store.test", "--addon",
                                "unlisted@example.org", "--certificate", "/etc/ssl/store-ca.pem", "--mode", "allowed")
    assert code == 0 and err == ""
    assert policy["policies"]["ExtensionSettings"] == {"unlisted@example.org": {"installation_mode": "allowed"}}
    assert policy["policies"]["Preferences"] == {"xpinstall.signatures.required": {"Value": False, **locked}}
    assert policy["policies"]["Certificates"] == {"Install": ["/etc/ssl/store-ca.pem"]}


def test_policies_name_what_is_wrong_with_a_request(store, catalogue, capsys):
    code, _, err = _policy(store, capsys, "firefox", "--base-url", BASE, "--addon", "nobody@example.org")
    assert code == 1 and "No add-on 'nobody@example.org' in the store." in err
    code, _, err = _policy(store, capsys, "chromium", "--base-url", BASE, "--addon", "listed")
    assert code == 1 and "listed@example.org has no public Chromium package (CRX)" in err
    code, _, err = _policy(store, capsys, "firefox", "--base-url", BASE, "--addon", "chromium-app")
    assert code == 1 and "has no public Firefox package (XPI)" in err
    code, _, err = _policy(store, capsys, "chromium", "--base-url", BASE, "--mode", "removed")
    assert code == 1 and "'removed' is not an installation mode" in err
    code, _, err = _policy(store, capsys, "chromium", "--base-url", "store.test")
    assert code == 1 and "is not the store's public URL" in err
    code, _, err = _policy(store, capsys, "chromium")
    assert code == 2 and "give --base-url" in err


def test_admins_get_the_same_policies_over_http(store, catalogue, client, account, capsys):
    _, admin = account("admin@example.org", "admin")
    _, reviewer = account("reviewer@example.org", "reviewer")
    answer = client.get("/api/v5/addonhub/policies/chromium", headers=admin)
    assert answer.status_code == 200
    assert answer.json() == _policy(store, capsys, "chromium", "--base-url", BASE)[1]
    firefox = client.get("/api/v5/addonhub/policies/firefox?addon=listed&addon=unlisted&mode=normal_installed",
                         headers=admin).json()
    assert [entry["installation_mode"] for entry in firefox["policies"]["ExtensionSettings"].values()] == \
        ["normal_installed"] * 2
    assert client.get("/api/v5/addonhub/policies/chromium").status_code == 401
    assert client.get("/api/v5/addonhub/policies/chromium", headers=reviewer).status_code == 403
    assert client.get("/api/v5/addonhub/policies/safari", headers=admin).status_code == 404
    unknown = client.get("/api/v5/addonhub/policies/firefox?addon=nobody", headers=admin)
    assert unknown.status_code == 404 and unknown.json() == {"addon": ["No add-on 'nobody' in the store."]}
    bad_mode = client.get("/api/v5/addonhub/policies/firefox?mode=blocked", headers=admin)
    assert bad_mode.status_code == 400 and "mode" in bad_mode.json()


def test_a_file_without_bytes_is_not_a_package(store, catalogue, capsys):
    with store.db.session() as session:
        for file in session.scalars(select(File).where(File.filename.like("%.xpi"))):
            file.storage_key = None
    code, policy, _ = _policy(store, capsys, "firefox", "--base-url", BASE)
    assert code == 0 and policy["policies"]["ExtensionSettings"] == {}
