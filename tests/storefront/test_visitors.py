"""A visitor in a real browser (Debian's headless Chromium, driven by Playwright) finds an add-on,
reads its page in German and downloads its signed XPI; hostile texts stay inert."""

import hashlib
from pathlib import Path

import httpx
import pytest

from tests.storefront.catalogue import HOSTILE, TAB_TIDY
from tests.storefront.visitor import SCREENSHOTS, blocking, visit

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390  # CSS pixels, a common phone's


def _page_types(storefront) -> dict[str, str]:
    """A path of each type of page, from what the store holds: a demo add-on with ratings,
    versions and a privacy policy, its author's pages; the published add-on, with its signed XPI,
    in German."""
    demo = httpx.get(f"{storefront.base_url}/api/v5/addons/addon/privacy-shield/").json()
    author = demo["authors"][0]["url"].removeprefix(storefront.base_url)
    return {
        "home": "/", "search": "/search/?q=tab", "extensions": "/extensions/",
        "category": "/extensions/category/tabs/", "addon": "/addon/privacy-shield/",
        "addon-de": f"/addon/{TAB_TIDY['slug']}/?lang=de", "versions": "/addon/privacy-shield/versions/",
        "reviews": f"/addon/{TAB_TIDY['slug']}/reviews/",
        "privacy-policy": "/addon/privacy-shield/privacy/", "language-tools": "/language-tools/",
        "profile": author, "developer": author.replace("/user/", "/developer/"),
        "log-in": "/login/", "sign-up": "/signup/", "not-found": "/no-such-page/",
    }


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


def test_hostile_texts_are_shown_inert_wherever_the_visitor_meets_them(storefront, refusing_proxy, tmp_path):
    addon_page = f"/addon/{HOSTILE['slug']}/"
    seen = visit("hostile", storefront, refusing_proxy, tmp_path, linkText="Click me",
                 pages=[addon_page, "/search/?q=hostile", f"/addon/{HOSTILE['slug']}/versions/"])

    for page in seen["pages"]:
        assert page["pwned"] is None, page
        assert page["scripts"] == 0 and page["handlers"] == [], page
        assert not [link for link in page["links"] if link.strip().lower().startswith("javascript:")], page
        assert page["overflowing"] == [], page
    # The name's markup is shown as the text it is; the description keeps its harmless parts.
    on_addon_page = seen["pages"][0]["mainText"]
    assert "<script>window.pwned='name'</script>Hostile" in on_addon_page
    assert "Looks harmless." in on_addon_page and "Click me" in on_addon_page and "bold" in on_addon_page
    assert "Hostile" in seen["pages"][1]["mainText"]
    # Following the script link leads nowhere that runs it.
    assert not (seen["linkHref"] or "").lower().startswith("javascript:")
    assert seen["afterClickPwned"] is None and seen["dialogs"] == []


def test_every_page_type_passes_axe_without_a_serious_or_critical_violation(storefront, refusing_proxy, tmp_path):
    """axe-core's every rule on each type of page; each is photographed for docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_types = _page_types(storefront)
    seen = visit("audit", storefront, refusing_proxy, tmp_path, screenshots=str(SCREENSHOTS),
                 pages=[{"name": name, "path": path} for name, path in page_types.items()]
                 + [{"name": f"{name}-phone", "path": page_types[name], "width": PHONE_WIDTH} for name in ("home", "addon-de")])

    assert [page["name"] for page in seen["pages"]] == [*page_types, "home-phone", "addon-de-phone"]
    for page in seen["pages"]:
        assert page["status"] == (404 if page["name"] == "not-found" else 200), page
        assert page["title"].endswith("– addonhub"), page
        assert blocking(page["violations"]) == [], page["path"]
