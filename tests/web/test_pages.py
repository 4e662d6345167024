"""The storefront's pages, read as a visitor reads them: what they show, where their links lead,
what their buttons download, and what they never show."""

import re
from html import unescape

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, File
from addonhub.web.languages import TRANSLATIONS_DIR
from tests.factories import addon_record, version_record
from tests.web.conftest import log_in_as


def text_of(response) -> str:
    """The page as a visitor reads it: tags gone, entities decoded, white space collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def links_of(response) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a [^>]*href="([^"]+)"', response.text)]


@pytest.fixture
def catalogue(load, account):
    account("owner@example.org", username="owner")
    load(
        addon_record("tab-tamer", name={"en-US": "Tab Tamer", "de": "Tab-Bändiger"},
                     summary={"en-US": "Tames your tabs.", "de": "Bändigt Ihre Tabs."},
                     description={"en-US": "<p>Many <b>tabs</b>.</p><script>alert('x')</script>"},
                     authors=[{"username": "owner", "name": "Olga Owner"}], categories={"firefox": ["tabs"]},
                     tags=["tabs"], average_daily_users=5000, homepage={"en-US": "https://tabs.example/"},
                     current_version=version_record("2.0", release_notes={"en-US": "Faster tamer."})),
        addon_record("night-sky", type="persona", name={"en-US": "Night Sky"}, categories={"firefox": ["nature"]},
                     average_daily_users=300),
        addon_record("hostile", name={"en-US": "<script>alert(1)</script>Hostile"},
                     description={"en-US": '<a href="javascript:alert(2)">click</a><img src=x onerror=alert(3)>'},
                     homepage={"en-US": "javascript:alert(4)"}, average_daily_users=10),
        addon_record("secret-draft", name={"en-US": "Secret Draft"}, status="nominated",
                     authors=[{"username": "owner", "name": "Olga Owner"}], average_daily_users=99999),
        addon_record("deutsch-dict", type="dictionary", name={"en-US": "German Dictionary"}, target_locale="de",
                     categories={"firefox": ["general"]}),
    )


def give_bytes(store, slug: str, filename: str, content: bytes) -> str:
    """Gives the add-on's current file bytes in the blob store, as a signed file has, and returns
    its download path."""
    with store.db.session() as session:
        addon = session.query(Addon).filter_by(slug=slug).one()
        file = session.get(File, addon.current_version.files[0].id)
        file.filename, file.storage_key = filename, f"files/{file.id}/test/{filename}"
        store.blobs.put_chunks(file.storage_key, iter([content]))
        reindex(session, addon)
        session.commit()
        return f"/downloads/file/{file.id}/{filename}"


def test_home_shows_public_addons_by_shelf_type_and_category(client, catalogue):
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    text = text_of(response)
    for expected in ("Most popular", "Top rated", "Recently updated", "Tab Tamer", "Night Sky",
                     "Extensions (2)", "Themes (1)", "Dictionaries (1)", "Privacy & Security"):
        assert expected in text
    assert "Secret Draft" not in text
    assert "/addon/tab-tamer/" in links_of(response)
    assert "/extensions/category/tabs/" in links_of(response)


def test_search_filters_sorts_and_keeps_what_was_typed(client, catalogue):
    text = text_of(client.get("/search/?q=tamer"))
    assert "Tab Tamer" in text and "Night Sky" not in text and "1 add-on found" in text
    assert "Night Sky" in text_of(client.get("/search/?type=persona"))
    assert "Tab Tamer" not in text_of(client.get("/search/?type=persona"))
    assert "Tab Tamer" in text_of(client.get("/search/?tag=tabs"))
    assert "Tab Tamer" in text_of(client.get("/search/?author=owner"))
    by_name = text_of(client.get("/search/?sort=name"))
    assert by_name.index("Night Sky") < by_name.index("Tab Tamer")
    assert "Secret Draft" not in text_of(client.get("/search/?q=secret"))

    bad = client.get("/search/?q=tamer&sort=sideways")
    assert bad.status_code == 400
    assert 'Invalid "sort" parameter.' in text_of(bad)
    assert 'value="tamer"' in bad.text
    assert client.get("/search/?q=" + "x" * 500).status_code == 400
    assert client.get("/search/?q=%F0%9F%A6%8A%00\u202e").status_code == 200


def test_the_search_form_as_a_browser_sends_it_filters_on_what_was_chosen(client, catalogue):
    """Fields left at "Any..." arrive empty; a category without an application is Firefox's."""
    form = {"q": "", "app": "", "type": "extension", "category": "tabs", "tag": "", "author": "", "sort": "name"}
    response = client.get("/search/", params=form)
    assert response.status_code == 200, text_of(response)
    text = text_of(response)
    assert "Tab Tamer" in text and "1 add-on found" in text and "Hostile" not in text
    assert '<option value="firefox" selected>' in response.text
    everything = client.get("/search/", params={**form, "type": "", "category": ""})
    assert everything.status_code == 200 and "Night Sky" in text_of(everything)


def test_search_pages_through_results(client, load):
    load(*[addon_record(f"addon-{n}", average_daily_users=n) for n in range(25)])
    first = client.get("/search/")
    assert "Page 1 of 2" in text_of(first)
    next_page = next(link for link in links_of(first) if "page=2" in link)
    second = client.get(next_page)
    assert "Page 2 of 2" in text_of(second) and "Addon 0" in text_of(second)
    assert client.get("/search/?page=3").status_code == 404


def test_addon_page_shows_what_a_visitor_needs(client, catalogue):
    response = client.get("/addon/tab-tamer/")
    assert response.status_code == 200
    text = text_of(response)
    for expected in ("Tab Tamer", "Olga Owner", "Tames your tabs.", "Many tabs", "Faster tamer.",
                     "Version 2.0", "1.2 KB", "Firefox 91.0 and later", "MIT License", "Rated 4 out of 5",
                     "10 ratings", "Tabs"):
        assert expected in text, expected
    assert "<script>alert('x')" not in response.text
    links = links_of(response)
    leaving = {client.get(link, follow_redirects=False).headers["location"]
               for link in links if link.startswith("/outgoing/")}
    assert leaving == {"https://tabs.example/", "https://opensource.org/licenses/MIT"}
    assert "/user/" + re.search(r'/user/(\d+)/', response.text).group(1) + "/" in links
    assert "/addon/tab-tamer/versions/" in links
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_install_buttons_download_the_real_files(client, store, catalogue):
    assert "No package of this version" in text_of(client.get("/addon/tab-tamer/"))
    xpi = give_bytes(store, "tab-tamer", "tab_tamer-2.0.xpi", b"PK signed xpi bytes")
    page = client.get("/addon/tab-tamer/")
    assert f'href="{xpi}" type="application/x-xpinstall"' in page.text
    assert "Add to Firefox" in text_of(page)
    download = client.get(xpi)
    assert download.content == b"PK signed xpi bytes"
    assert download.headers["content-type"] == "application/x-xpinstall"

    crx = give_bytes(store, "night-sky", "night_sky-1.0.crx", b"Cr24 bytes")
    page = client.get("/addon/night-sky/")
    assert f'href="{crx}"' in page.text and "Add to Chromium" in text_of(page)
    assert client.get(crx).content == b"Cr24 bytes"


def test_hostile_content_is_inert(client, catalogue):
    for path in ("/addon/hostile/", "/search/?q=hostile", "/"):
        response = client.get(path)
        assert "<script>alert(1)" not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;Hostile" in response.text
        assert "javascript:" not in response.text
        assert "onerror" not in response.text


def test_non_public_addons_never_appear(client, catalogue, store, account):
    page = client.get("/addon/secret-draft/")
    assert page.status_code == 404 and "Page not found" in text_of(page)
    assert client.get("/addon/secret-draft/versions/").status_code == 404
    for path in ("/", "/search/?q=secret", "/search/?author=owner", "/extensions/"):
        assert "Secret Draft" not in text_of(client.get(path)), path
    stranger, _ = account("stranger@example.org")
    log_in_as(client, store, stranger)
    assert client.get("/addon/secret-draft/").status_code == 404
    with store.db.session() as session:
        owner = session.query(Addon).filter_by(slug="secret-draft").one().authors[0].user_id
    log_in_as(client, store, owner)
    own = client.get("/addon/secret-draft/")
    assert own.status_code == 200 and "This add-on is not public" in text_of(own)


def test_admins_get_the_policy_snippet(client, store, catalogue, account):
    give_bytes(store, "tab-tamer", "tab_tamer-2.0.xpi", b"PK")
    assert "ExtensionSettings" not in client.get("/addon/tab-tamer/").text
    admin, _ = account("admin@example.org", role="admin")
    log_in_as(client, store, admin)
    page = client.get("/addon/tab-tamer/")
    assert "Deploy with an enterprise policy" in text_of(page)
    assert "ExtensionSettings" in page.text and "tab-tamer@example.org" in page.text


def test_not_found_pages_and_api_misses(client):
    page = client.get("/no/such/page/here")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in text_of(page)
    assert client.get("/addon/nothing/").status_code == 404
    assert client.get("/extensions/category/no-such/").status_code == 404
    assert client.get("/user/424242/").status_code == 404
    # Misses under a machine's paths (every API's, the update services') answer in the API's shape.
    for path in ("/api/v4/nothing/", "/v1/products/x/submissions/operations/a%0Ab", "/products/x/nothing",
                 "/updates/nothing", "/downloads/nothing", "/static/nothing.css"):
        assert client.get(path).json() == {"detail": "Not found."}, path


def test_language_follows_lang_accept_language_and_the_picker_cookie(client, catalogue):
    german = client.get("/addon/tab-tamer/?lang=de")
    text = text_of(german)
    assert "Tab-Bändiger" in text and "Bändigt Ihre Tabs." in text  # the content
    assert "Weitere Informationen" in text and "Zu Firefox" not in text  # the interface
    assert '<html lang="de">' in german.text
    assert german.cookies.get("lang") == "de"
    assert "Tab-Bändiger" in text_of(client.get("/search/?q=tab"))  # the choice is remembered
    client.cookies.clear()
    accepted = client.get("/addon/tab-tamer/", headers={"Accept-Language": "de-AT, en;q=0.5"})
    assert "Weitere Informationen" in text_of(accepted) and "Tab-Bändiger" in text_of(accepted)
    # French content falls back to the default locale, as the API's ?lang= does.
    french = client.get("/addon/tab-tamer/?lang=fr")
    assert "Tab Tamer" in text_of(french) and "More information" in text_of(french)
    client.cookies.clear()
    assert "More information" in text_of(client.get("/addon/tab-tamer/?lang=<script>"))
    assert "Tab Tamer" in text_of(client.get("/", headers={"Accept-Language": "x" * 5000}))


def test_every_url_of_the_api_leads_to_its_page(client, catalogue):
    detail = client.get("/api/v4/addons/addon/tab-tamer/").json()
    urls = [detail["url"], detail["versions_url"], detail["ratings_url"], *(a["url"] for a in detail["authors"])]
    urls += [r["url"] for r in client.get("/api/v4/addons/autocomplete/?q=tab").json()["results"]]
    urls += [r["url"] for r in client.get("/api/v4/addons/language-tools/?app=firefox").json()["results"]]
    for url in urls:
        response = client.get(url.removeprefix("http://store.test"))
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html"), url
    assert client.get("/de/firefox/addon/tab-tamer/", follow_redirects=False).headers["location"] == \
        "/addon/tab-tamer/?lang=de"


def test_version_history_category_author_and_language_tools_pages(client, catalogue):
    versions = text_of(client.get("/addon/tab-tamer/versions/"))
    assert "Tab Tamer – version history" in versions and "Version 2.0" in versions and "Faster tamer." in versions
    category = text_of(client.get("/extensions/category/tabs/"))
    assert "Tab Tamer" in category and "Hostile" not in category
    assert "Night Sky" in text_of(client.get("/themes/category/nature/"))
    author = text_of(client.get("/user/owner/"))
    assert "Add-ons by Olga Owner" in author and "Tab Tamer" in author and "Secret Draft" not in author
    tools = text_of(client.get("/language-tools/"))
    assert "German Dictionary" in tools and "German" in tools and "Dictionary" in tools
    assert "Wörterbuch" in text_of(client.get("/language-tools/?lang=de"))


def test_every_interface_string_has_a_german_translation():
    source = TRANSLATIONS_DIR.parent
    extracted = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(source, method_map=[("templates/**.html", "jinja2"), ("**.py", "python")],
                                                 options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
                                                 keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)})
    }
    with (TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
                  if m.id and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy}
    assert extracted and sorted(extracted - translated) == []
