"""Featured placements in the reviewer console: admins feature an add-on for an application, in
one language or all, and remove it; the API's featured filter and the home page's shelf follow
at once. `addonhub featured` does the same for the operator."""

import json
import re

import pytest

from addonhub.activity.service import LogFilter, entries
from tests.factories import addon_record, slugs
from tests.test_cli import _write, run
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_pages import text_of
from tests.web.test_reviewer_admin import admin  # noqa: F401 (a fixture)

FEATURED = "/reviewers/admin/featured"


@pytest.fixture
def catalogue(load):
    load(addon_record("tab-tamer", name={"en-US": "Tab Tamer"}), addon_record("night-owl", name={"en-US": "Night Owl"}))


def featured_slugs(client, **params) -> list[str]:
    return sorted(slugs(client.get("/api/v4/addons/search/", params={"featured": "true", **params})))


def shelf(client, lang: str = "en-US") -> str:
    """The home page's featured shelf, as text."""
    page = text_of(client.get("/", params={"lang": lang}))
    heading = "Featured add-ons" if lang == "en-US" else "Empfohlene Add-ons"
    return page.split(heading, 1)[1].split("Most popular" if lang == "en-US" else "Am beliebtesten", 1)[0] \
        if heading in page else ""


def add(client, **fields):
    token = csrf_of(client.get(FEATURED))
    return client.post(FEATURED, data={"csrf_token": token, **fields}, follow_redirects=False)


def remove(client, placement_id: int):
    token = csrf_of(client.get(FEATURED))
    return client.post(f"{FEATURED}/{placement_id}/remove", data={"csrf_token": token}, follow_redirects=False)


def placement_ids(client) -> list[int]:
    return [int(number) for number in re.findall(r'action="/reviewers/admin/featured/(\d+)/remove"',
                                                 client.get(FEATURED).text)]


def test_a_featured_addon_enters_the_featured_filter_and_the_home_page_at_once(client, store, admin, catalogue):
    log_in_as(client, store, admin)
    assert "No add-on is featured." in text_of(client.get(FEATURED))
    assert featured_slugs(client) == [] and "Tab Tamer" not in shelf(client)

    response = add(client, addon="tab-tamer", application="firefox", locale="")
    assert response.status_code == 303 and response.headers["location"] == f"{FEATURED}?done=1"
    page = text_of(client.get(response.headers["location"]))
    assert "Saved." in page and "Tab Tamer" in page and "every language" in page
    assert featured_slugs(client, app="firefox") == ["tab-tamer"]
    assert featured_slugs(client, app="android") == []
    assert client.get("/api/v4/addons/addon/tab-tamer/").json()["is_featured"] is True
    client.cookies.clear()
    assert "Tab Tamer" in shelf(client)

    log_in_as(client, store, admin)
    assert add(client, addon="night-owl@example.org", application="firefox", locale="de").status_code == 303
    assert featured_slugs(client, lang="de") == ["night-owl", "tab-tamer"]
    assert featured_slugs(client, lang="fr") == ["tab-tamer"]

    [first, second] = placement_ids(client)
    assert remove(client, first).status_code == 303
    assert featured_slugs(client) == ["night-owl"]
    client.cookies.clear()
    assert "Tab Tamer" not in shelf(client) and "Night Owl" in shelf(client, "de")
    with store.db.session() as session:
        logged = [(e.action, e.addon_guid, e.details) for e in entries(session, LogFilter())
                  if e.action.startswith("featured_")]
    assert logged == [("featured_removed", "tab-tamer@example.org", {"application": "firefox", "locale": None}),
                      ("featured_added", "night-owl@example.org", {"application": "firefox", "locale": "de"}),
                      ("featured_added", "tab-tamer@example.org", {"application": "firefox", "locale": None})]


@pytest.mark.parametrize("fields,status,message", [
    ({"addon": "nothing-here", "application": "firefox"}, 404, 'No add-on "nothing-here" is known to this store.'),
    ({"addon": "", "application": "firefox"}, 404, "is known to this store"),
    ({"addon": "tab\x00tamer", "application": "firefox"}, 404, "is known to this store"),
    ({"addon": "tab-tamer", "application": "netscape"}, 400, "The application is one of firefox, android"),
    ({"addon": "tab-tamer", "application": "firefox", "locale": "<script>"}, 400, "is not a locale such as de"),
    ({"addon": "tab-tamer", "application": "firefox", "locale": "x" * 5000}, 400, "is not a locale"),
])
def test_bad_placements_are_refused_on_the_page_with_what_was_typed(client, store, admin, catalogue, fields, status,
                                                                    message):
    log_in_as(client, store, admin)
    response = add(client, **fields)
    assert response.status_code == status and message in text_of(response)
    assert f'value="{fields["addon"]}"' in response.text
    assert featured_slugs(client) == []


def test_a_placement_made_twice_or_removed_twice_is_refused(client, store, admin, catalogue):
    log_in_as(client, store, admin)
    assert add(client, addon="tab-tamer", application="firefox", locale="de").status_code == 303
    again = add(client, addon="tab-tamer", application="firefox", locale="DE")
    assert again.status_code == 409 and "tab-tamer is already featured for firefox in DE." in text_of(again)
    [placement] = placement_ids(client)
    assert remove(client, placement).status_code == 303
    gone = remove(client, placement)
    assert gone.status_code == 404 and "This placement is not there any more." in text_of(gone)
    assert remove(client, "x").status_code == 404  # type: ignore[arg-type]


def store_with_tab_tamer(tmp_path) -> str:
    """A store's data directory, made by the CLI, holding the add-on tab-tamer as an import makes it."""
    run("import", "--data-dir", str(tmp_path), str(_write(tmp_path / "catalogue.json",
                                                          {"addons": [addon_record("tab-tamer")]})))
    return str(tmp_path)


@pytest.mark.cli
def test_the_operator_features_addons_from_the_command_line(tmp_path):
    data_dir = store_with_tab_tamer(tmp_path)
    added = run("featured", "add", "--data-dir", data_dir, "tab-tamer", "android", "--locale", "pt-BR").stdout
    assert added.split()[1:] == ["tab-tamer", "android", "pt-BR"]
    [listed] = json.loads(run("featured", "list", "--data-dir", data_dir, "--json").stdout)
    assert listed["addon"]["slug"] == "tab-tamer" and (listed["app"], listed["locale"]) == ("android", "pt-BR")
    refused = run("featured", "add", "--data-dir", data_dir, "tab-tamer", "mosaic", check=False)
    assert refused.returncode == 1 and "The application is one of" in refused.stderr
    assert "Removed: " in run("featured", "remove", "--data-dir", data_dir, str(listed["id"])).stdout
    assert run("featured", "list", "--data-dir", data_dir).stdout.strip() == "No add-on is featured."
