"""Update manifests and links for self-distributed add-ons: an unlisted add-on signed through the
signing API (as web-ext signs it), with the keyed update URL `addonhub links show` gives, is found,
downloaded and updated by a browser holding only that URL, and by nobody else."""

import hashlib
import json

import pytest

from addonhub.catalog.constants import FileStatus
from addonhub.catalog.models import Addon, File, Version
from addonhub.cli import main
from addonhub.published_urls import firefox_update_url, latest_xpi_url
from tests.factories import addon_record, version_record
from tests.submissions.test_signing_api import put

GUID = "selfhosted@example.org"


@pytest.fixture
def links(store, capsys, cli_database):
    """`addonhub links show|rotate GUID --json` on the test store, as its operator runs it."""
    def links(action: str = "show", guid: str = GUID) -> dict:
        assert main(["links", action, guid, "--data-dir", str(store.settings.data_dir),
                     "--base-url", "http://store.test", "--json"]) == 0
        return json.loads(capsys.readouterr().out)
    return links


@pytest.fixture
def publish(client, developer, xpi, run_jobs, links):
    """Signs an unlisted version whose manifest names the keyed update URL; returns its bytes."""
    _, headers = developer

    def publish(version: str, update_url: str | None = None) -> None:
        gecko = {"id": GUID, "update_url": update_url or links()["update_url"], "strict_min_version": "115.0"}
        response = put(client, headers, xpi(version, GUID, browser_specific_settings={"gecko": gecko}), guid=GUID)
        assert response.status_code in (201, 202), response.text
        run_jobs()
    return publish


def test_links_are_keyed_and_known_before_the_addon_exists(links, publish, client):
    before = links()
    assert before["update_url"] == firefox_update_url("http://store.test", GUID, before["key"])
    assert before["install_url"] == latest_xpi_url("http://store.test", GUID, before["key"])
    publish("1.0")
    assert links() == before


def test_a_keyed_manifest_offers_every_signed_version_and_its_files_download_with_the_key(client, links, publish):
    publish("1.0")
    publish("1.1")
    key = links()["key"]
    response = client.get(links()["update_url"])
    assert response.status_code == 200 and response.headers["cache-control"] == "max-age=3600"
    updates = response.json()["addons"][GUID]["updates"]
    assert [update["version"] for update in updates] == ["1.1", "1.0"]
    for update in updates:
        assert update["update_link"].startswith("http://store.test/downloads/file/")
        assert update["update_link"].endswith(f"?key={key}")
        assert update["applications"] == {"gecko": {"strict_min_version": "115.0"}}
        download = client.get(update["update_link"])
        assert download.status_code == 200
        assert update["update_hash"] == "sha256:" + hashlib.sha256(download.content).hexdigest()
        assert download.headers["content-type"] == "application/x-xpinstall"
        # Without the key, or with a wrong one, the file stays its developer's.
        assert client.get(update["update_link"].split("?")[0]).status_code == 401
        assert client.get(update["update_link"].split("?")[0], params={"key": "wrong"}).status_code == 401


def test_without_the_key_the_addon_is_unknown(client, links, publish):
    publish("1.0")
    for params in ({}, {"key": "wrong"}, {"key": links()["key"][:-1]}, {"key": "é" * 30}):
        response = client.get(f"/updates/firefox/{GUID}", params=params)
        assert response.status_code == 200 and response.json() == {"addons": {}}
        assert client.get(f"/downloads/latest/{GUID}/addon.xpi", params=params).status_code == 404
    assert client.get("/updates/firefox/unknown@example.org").json() == {"addons": {}}


def test_the_latest_link_serves_the_newest_signed_version_and_answers_head(client, links, publish, developer):
    publish("1.0")
    install_url = links()["install_url"]
    first = client.get(install_url)
    assert first.status_code == 200 and first.headers["content-type"] == "application/x-xpinstall"
    publish("1.1")
    second = client.get(install_url)
    assert second.content != first.content
    manifest_updates = client.get(links()["update_url"]).json()["addons"][GUID]["updates"]
    assert second.headers["x-target-digest"] == manifest_updates[0]["update_hash"]
    head = client.head(install_url)
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == str(len(second.content))


def test_a_version_in_review_is_never_offered(client, store, links, publish):
    publish("1.0")
    publish("1.1")
    with store.db.session() as session:
        newest = max(session.query(File).all(), key=lambda file: file.id)
        newest.status, newest_id = FileStatus.UNREVIEWED, newest.id
        filename = newest.filename
    updates = client.get(links()["update_url"]).json()["addons"][GUID]["updates"]
    assert [update["version"] for update in updates] == ["1.0"]
    assert client.get(f"/downloads/file/{newest_id}/{filename}", params={"key": links()["key"]}).status_code == 401


def test_rotating_the_key_revokes_every_link(client, links, publish):
    publish("1.0")
    old = links()
    download = client.get(old["update_url"]).json()["addons"][GUID]["updates"][0]["update_link"]
    new = links("rotate")
    assert new["key"] != old["key"]
    assert client.get(old["update_url"]).json() == {"addons": {}}
    assert client.get(old["install_url"]).status_code == 404
    assert client.get(download).status_code == 401
    assert client.get(new["update_url"]).json()["addons"][GUID]["updates"][0]["version"] == "1.0"
    assert client.get(new["install_url"]).status_code == 200


def test_release_notes_are_a_page_for_keyed_callers_only(client, store, links, publish):
    publish("1.0")
    with store.db.session() as session:
        session.query(Version).one().release_notes = {"en-US": "First <release>.\nWith notes.", "fr": "Première."}
    update = client.get(links()["update_url"]).json()["addons"][GUID]["updates"][0]
    url = update["update_info_url"]
    assert url.startswith(f"http://store.test/updates/release-notes/{GUID}/1.0?key=") and url.endswith("%APP_LOCALE%")
    page = client.get(url.replace("%APP_LOCALE%", "fr"))
    assert page.status_code == 200 and "Première." in page.text
    english = client.get(url.replace("%APP_LOCALE%", "de")).text
    assert "First &lt;release&gt;.\nWith notes." in english
    assert client.get(f"/updates/release-notes/{GUID}/1.0?lang=en-US").status_code == 404


def test_a_listed_addon_needs_no_key(client, load, with_bytes, links):
    record = addon_record("listed", guid="listed@example.org", current_version=version_record("2.0"))
    load(record)
    with_bytes(record["current_version"]["files"][0]["id"])
    shown = links(guid="listed@example.org")
    assert shown["key"] is None and "key=" not in shown["update_url"]
    updates = client.get(shown["update_url"]).json()["addons"]["listed@example.org"]["updates"]
    assert [update["version"] for update in updates] == ["2.0"] and "key=" not in updates[0]["update_link"]
    assert client.get(shown["install_url"]).status_code == 200


def test_links_refuse_what_is_no_addon_id(store, capsys):
    assert main(["links", "show", "not an id", "--data-dir", str(store.settings.data_dir)]) == 2
    assert "is not an add-on id" in capsys.readouterr().err


@pytest.mark.parametrize("update_url,valid", [("http://store.test/updates/firefox/" + GUID, True),
                                              ("http://elsewhere.test/updates/firefox/" + GUID, False)])
def test_a_listed_submission_may_name_the_stores_update_url_only(client, store, developer, xpi, publish, update_url,
                                                                  valid, run_jobs):
    store.settings.base_url = "http://store.test"
    publish("1.0")  # new add-ons start unlisted; the next version is asked for listed
    _, headers = developer
    gecko = {"id": GUID, "update_url": update_url}
    response = put(client, headers, xpi("2.0", GUID, browser_specific_settings={"gecko": gecko}), guid=GUID,
                   channel="listed")
    assert response.status_code == 202, response.text
    run_jobs()
    status = client.get(response.json()["url"], headers=headers).json()
    assert status["valid"] is valid
    errors = [m["id"][-1] for m in status["validation_results"]["messages"] if m["type"] == "error"]
    assert errors == ([] if valid else ["MANIFEST_UPDATE_URL"])


def test_firefox_is_never_offered_a_chromium_package(client, store, new_product, release):
    product = new_product()
    release(product, "1.0.0")
    with store.db.session() as session:
        guid = session.get(Addon, product.addon_id).guid
    manifest = client.get(firefox_update_url("http://store.test", guid))
    assert manifest.status_code == 200 and manifest.json()["addons"][guid]["updates"] == []
    assert client.get(latest_xpi_url("http://store.test", guid)).status_code == 404
