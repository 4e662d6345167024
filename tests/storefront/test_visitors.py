"""A visitor in a real browser (Debian's headless Chromium, driven by Playwright) finds an add-on,
reads its page in German and downloads its signed XPI; hostile texts stay inert."""

import hashlib
from pathlib import Path

import httpx
import pytest

from tests.storefront.catalogue import HOSTILE, TAB_TIDY
from tests.storefront.visitor import visit

pytestmark = pytest.mark.browser


def test_a_visitor_searches_filters_opens_an_addon_switches_language_and_downloads_the_signed_xpi(
        storefront, refusing_proxy, tmp_path):
    seen = visit("browse", storefront, refusing_proxy, tmp_path, downloads=str(tmp_path), query="tab",
                 filters={"Type": "Extensions", "Category": "Tabs", "Sort by": "Name"}, open="Tab Tidy", language="de")

    assert "Tab Tidy" in seen["suggestions"]
    assert seen["searchHeading"] == "Search results for “tab”"
    assert "Tab Tidy" in seen["searchResults"]
    assert seen["searchCount"].endswith("add-ons found")
    # The filters narrowed the results to Firefox extensions in Tabs, by name: what the API answers.
    assert "type=extension" in seen["filteredUrl"] and "category=tabs" in seen["filteredUrl"]
    assert "sort=name" in seen["filteredUrl"]
    assert "Tab Tidy" in seen["filteredResults"]
    assert set(seen["filteredResults"]) < set(seen["searchResults"])
    api = httpx.get(f"{storefront.base_url}/api/v4/addons/search/", params={
        "q": "tab", "type": "extension", "category": "tabs", "app": "firefox", "sort": "name", "lang": "en-US"}).json()
    assert seen["filteredResults"] == [addon["name"] for addon in api["results"]]

    assert seen["addonUrl"].endswith("/addon/tab-tidy/")
    assert seen["addonHeading"] == "Tab Tidy"
    # German: the interface's strings and the add-on's own texts.
    assert seen["translatedLang"] == "de"
    assert seen["translatedHeading"] == "Tab-Ordner"
    assert seen["installLabel"].startswith("Zu Firefox hinzufügen")
    assert seen["installNote"].startswith("Signiertes XPI")

    # The file the button gave is the signed one the API offers, and the store's signature holds.
    file = storefront.published[TAB_TIDY["slug"]]["current_version"]["file"]
    downloaded = Path(seen["downloadPath"])
    assert seen["downloadName"].endswith(".xpi")
    assert "sha256:" + hashlib.sha256(downloaded.read_bytes()).hexdigest() == file["hash"]
    storefront.cli("verify", str(downloaded), "--id", TAB_TIDY["guid"])
