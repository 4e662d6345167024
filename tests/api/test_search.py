"""GET /api/{v3,v4}/addons/search/: filters, sorts, ranking, pagination, errors."""

import pytest

from tests.factories import addon_record, slugs, version_record


@pytest.fixture
def catalogue(load):
    load(
        addon_record("tab-manager", name={"en-US": "Tab Manager"}, average_daily_users=50, weekly_downloads=900,
                     tags=["tabs", "productivity"], categories={"firefox": ["tabs"]},
                     created="2020-01-01T00:00:00Z", last_updated="2025-06-01T00:00:00Z", hotness=0.1,
                     ratings={"average": 3.0, "bayesian_average": 3.0, "count": 4, "text_count": 1}),
        addon_record("tab-manager-plus", name={"en-US": "Tab Manager Plus", "fr": "Gestionnaire d'onglets"},
                     average_daily_users=5000, weekly_downloads=100, tags=["tabs"],
                     categories={"firefox": ["tabs"], "android": ["tabs"]},
                     current_version=version_record(compatibility={"firefox": {"min": "91.0", "max": "*"},
                                                                   "android": {"min": "120.0", "max": "*"}}),
                     created="2021-01-01T00:00:00Z", last_updated="2024-01-01T00:00:00Z", hotness=0.5,
                     ratings={"average": 4.5, "bayesian_average": 4.4, "count": 40, "text_count": 3}),
        addon_record("manager-for-tabs", name={"en-US": "Manager Tab"}, average_daily_users=10, weekly_downloads=50,
                     summary={"en-US": "Organise windows"}, created="2022-01-01T00:00:00Z"),
        addon_record("window-sorter", name={"en-US": "Window Sorter"}, summary={"en-US": "Sorts every tab manager window"},
                     average_daily_users=1_000_000, weekly_downloads=5, created="2023-01-01T00:00:00Z",
                     authors=[{"username": "alice"}, {"username": "bob"}], tags=["productivity"]),
        addon_record("dark-theme", type="persona", name={"en-US": "Dark Theme"}, categories={"firefox": ["solid"]},
                     description={"en-US": "A dark look for your tab manager"}, average_daily_users=20, weekly_downloads=20,
                     authors=[{"username": "bob"}]),
        addon_record("old-tool", name={"en-US": "Old Tool"},
                     current_version=version_record(compatibility={"firefox": {"min": "45.0", "max": "56.*"}},
                                                    files=[{"id": 990001, "status": "public", "platform": "windows"}])),
        addon_record("hidden-tab-manager", status="nominated", name={"en-US": "Tab Manager Hidden"}),
        addon_record("disabled-tab-manager", is_disabled=True, name={"en-US": "Tab Manager Disabled"}),
        addon_record("unlisted-tab-manager", name={"en-US": "Tab Manager Unlisted"},
                     current_version=None, versions=[version_record(channel="unlisted")]),
        addon_record("featured-one", name={"en-US": "Featured One"}, is_featured=True,
                     featured_for=[{"app": "firefox", "locale": None}]),
        addon_record("featured-fr", name={"en-US": "Featured French"}, is_featured=True,
                     featured_for=[{"app": "firefox", "locale": "fr"}]),
        addon_record("featured-android", name={"en-US": "Featured Android"}, is_featured=True,
                     featured_for=[{"app": "android", "locale": None}], created="2025-05-05T00:00:00Z",
                     current_version=version_record(compatibility={"android": {"min": "120.0", "max": "*"}})),
    )


@pytest.mark.parametrize("api", ["v3", "v4"])
def test_both_versions_serve_search_with_the_pagination_envelope(client, catalogue, api):
    response = client.get(f"/api/{api}/addons/search/", params={"page_size": 2})
    body = response.json()
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert set(body) == {"count", "next", "previous", "page_size", "page_count", "results"}
    assert body["count"] == 9
    assert body["page_size"] == 2 and body["page_count"] == 5
    assert body["previous"] is None
    assert body["next"] == f"http://store.test/api/{api}/addons/search/?page_size=2&page=2"


def test_pagination_follows_next_and_keeps_the_query(client, catalogue):
    url, seen = "/api/v4/addons/search/?q=tab&sort=users&page_size=1", []
    while url:
        body = client.get(url).json()
        seen += [addon["slug"] for addon in body["results"]]
        assert body["next"] is None or "q=tab" in body["next"] and "sort=users" in body["next"]
        url = body["next"]
    assert seen == slugs(client.get("/api/v4/addons/search/", params={"q": "tab", "sort": "users"}))
    last = client.get("/api/v4/addons/search/", params={"q": "tab", "page_size": 1, "page": 2}).json()
    assert last["previous"] == "http://store.test/api/v4/addons/search/?q=tab&page_size=1"


def test_search_excludes_what_is_not_public_and_listed(client, catalogue):
    found = slugs(client.get("/api/v4/addons/search/", params={"q": "tab manager"}))
    assert "tab-manager" in found
    for hidden in ("hidden-tab-manager", "disabled-tab-manager", "unlisted-tab-manager"):
        assert hidden not in found


def test_relevance_puts_exact_name_then_phrase_then_words_then_summary_then_description(client, catalogue):
    found = slugs(client.get("/api/v4/addons/search/", params={"q": "tab manager"}))
    # The exact name wins over a phrase match with 100x the users; a summary match of the most
    # used add-on of all still ranks below every name match.
    assert found == ["tab-manager", "tab-manager-plus", "manager-for-tabs", "window-sorter", "dark-theme"]


def test_prefix_and_typo_matches(client, catalogue):
    assert slugs(client.get("/api/v4/addons/search/", params={"q": "window sor"})) == ["window-sorter"]
    assert slugs(client.get("/api/v4/addons/search/", params={"q": "windw sorter"})) == ["window-sorter"]
    assert slugs(client.get("/api/v4/addons/search/", params={"q": "xyzzy"})) == []


def test_popularity_orders_matches_of_the_same_kind(client, catalogue):
    # Both names contain "tab" as a word: the one with 100x the daily users comes first.
    assert slugs(client.get("/api/v4/addons/search/", params={"q": "tab"}))[:2] == ["tab-manager-plus", "tab-manager"]


def test_odd_queries_never_fail(client, catalogue):
    for q in ["", "   ", "!!!", "\u202e\u0000", "한국어 확장 프로그램 검색어", "a" * 100, '"tab" OR *', "NEAR(tab)", "tab*", "-tab"]:
        response = client.get("/api/v4/addons/search/", params={"q": q})
        assert response.status_code == 200, (q, response.text)
    response = client.get("/api/v4/addons/search/", params={"q": "x" * 10_000})
    assert response.status_code == 400
    assert response.json() == {"q": ["Maximum query length exceeded."]}


# v3's documentation (the spec) says weekly downloads; v4's and AMO's code say recommended,users.
@pytest.mark.parametrize("api,first", [("v3", ["tab-manager", "tab-manager-plus"]),
                                       ("v4", ["window-sorter", "tab-manager-plus"])])
def test_default_sort_without_q_is_downloads_in_v3_and_recommended_then_users_in_v4(client, catalogue, api, first):
    assert slugs(client.get(f"/api/{api}/addons/search/"))[:2] == first


@pytest.mark.parametrize("sort,first", [
    ("users", "window-sorter"), ("downloads", "tab-manager"), ("created", "featured-android"),
    ("updated", "tab-manager"), ("rating", "tab-manager-plus"), ("hotness", "tab-manager-plus"),
    ("name", "dark-theme"),
])
def test_each_sort(client, catalogue, sort, first):
    assert slugs(client.get("/api/v4/addons/search/", params={"sort": sort}))[0] == first


def test_combined_sorts_break_ties_with_the_second(client, load):
    load(addon_record("a-old", weekly_downloads=7, created="2020-01-01T00:00:00Z"),
         addon_record("b-new", weekly_downloads=7, created="2024-01-01T00:00:00Z"),
         addon_record("c-most", weekly_downloads=8, created="2019-01-01T00:00:00Z"))
    assert slugs(client.get("/api/v4/addons/search/", params={"sort": "downloads,created"})) == ["c-most", "b-new", "a-old"]


def test_random_sort_only_alone_with_featured_and_without_q(client, catalogue):
    found = slugs(client.get("/api/v4/addons/search/", params={"sort": "random", "featured": "true"}))
    assert sorted(found) == ["featured-android", "featured-fr", "featured-one"]
    for params in ({"sort": "random"}, {"sort": "random", "featured": "true", "q": "x"},
                   {"sort": "random,users", "featured": "true"}):
        response = client.get("/api/v4/addons/search/", params=params)
        assert response.status_code == 400 and "sort" in response.json()


def test_unknown_sort_is_a_field_error(client, catalogue):
    response = client.get("/api/v4/addons/search/", params={"sort": "nope"})
    assert response.status_code == 400
    assert response.json() == {"sort": ['Invalid "sort" parameter.']}


def test_filter_by_type_app_and_appversion(client, catalogue):
    assert slugs(client.get("/api/v4/addons/search/", params={"type": "persona"})) == ["dark-theme"]
    assert set(slugs(client.get("/api/v4/addons/search/", params={"type": "persona,extension", "q": "dark"}))) == {"dark-theme"}
    android = slugs(client.get("/api/v4/addons/search/", params={"app": "android"}))
    assert sorted(android) == ["featured-android", "tab-manager-plus"]
    old = slugs(client.get("/api/v4/addons/search/", params={"app": "firefox", "appversion": "52.0"}))
    assert old == ["old-tool"]
    assert "old-tool" not in slugs(client.get("/api/v4/addons/search/", params={"app": "firefox", "appversion": "57.0"}))


def test_appversion_needs_app(client, catalogue):
    response = client.get("/api/v4/addons/search/", params={"appversion": "57.0"})
    assert response.status_code == 400 and "appversion" in response.json()
    response = client.get("/api/v4/addons/search/", params={"app": "firefox", "appversion": "banana"})
    assert response.json() == {"appversion": ['Invalid "appversion" parameter.']}


def test_bad_app_and_type(client, catalogue):
    assert client.get("/api/v4/addons/search/", params={"app": "netscape"}).json() == {"app": ['Invalid "app" parameter.']}
    assert client.get("/api/v4/addons/search/", params={"type": "plugin"}).json() == {"type": ['Invalid "type" parameter.']}


def test_category_needs_app_and_type(client, catalogue):
    with_both = slugs(client.get("/api/v4/addons/search/", params={"category": "tabs", "app": "firefox", "type": "extension"}))
    assert sorted(with_both) == ["tab-manager", "tab-manager-plus"]
    # Without app and type the category is ignored, as the spec says.
    assert len(slugs(client.get("/api/v4/addons/search/", params={"category": "tabs"}))) == 9
    response = client.get("/api/v4/addons/search/", params={"category": "nope", "app": "firefox", "type": "extension"})
    assert response.json() == {"category": ['Invalid "category" parameter.']}


def test_tags_must_all_match(client, catalogue):
    assert sorted(slugs(client.get("/api/v4/addons/search/", params={"tag": "tabs"}))) == ["tab-manager", "tab-manager-plus"]
    assert slugs(client.get("/api/v4/addons/search/", params={"tag": "tabs,productivity"})) == ["tab-manager"]


def test_author_lists_match_any(client, catalogue):
    assert sorted(slugs(client.get("/api/v4/addons/search/", params={"author": "bob"}))) == ["dark-theme", "window-sorter"]
    assert sorted(slugs(client.get("/api/v4/addons/search/", params={"author": "alice,nobody"}))) == ["window-sorter"]


def test_guid_lists_and_exclude_addons(client, catalogue):
    found = slugs(client.get("/api/v4/addons/search/", params={"guid": "Tab-Manager@example.org,dark-theme@example.org,bad"}))
    assert sorted(found) == ["dark-theme", "tab-manager"]
    everything = slugs(client.get("/api/v4/addons/search/"))
    dark_id = client.get("/api/v4/addons/addon/dark-theme/").json()["id"]
    kept = slugs(client.get("/api/v4/addons/search/", params={"exclude_addons": f"tab-manager,{dark_id}"}))
    assert sorted(kept) == sorted(set(everything) - {"tab-manager", "dark-theme"})


def test_platform_filter(client, catalogue):
    assert "old-tool" in slugs(client.get("/api/v4/addons/search/", params={"platform": "windows"}))
    assert "old-tool" not in slugs(client.get("/api/v4/addons/search/", params={"platform": "linux"}))
    assert client.get("/api/v4/addons/search/", params={"platform": "beos"}).status_code == 400


def test_featured_with_app_and_lang_rules(client, catalogue):
    assert sorted(slugs(client.get("/api/v4/addons/search/", params={"featured": "true"}))) == [
        "featured-android", "featured-fr", "featured-one"]
    # Without lang, placements for every language count; with it, that language's and global ones.
    assert sorted(slugs(client.get("/api/v4/addons/search/", params={"featured": "true", "app": "firefox"}))) == [
        "featured-fr", "featured-one"]
    assert sorted(slugs(client.get("/api/v4/addons/search/", params={"featured": "true", "app": "firefox", "lang": "fr"}))) == [
        "featured-fr", "featured-one"]
    assert slugs(client.get("/api/v4/addons/search/", params={"featured": "true", "app": "firefox", "lang": "de"})) == [
        "featured-one"]
    assert slugs(client.get("/api/v4/addons/search/", params={"featured": "true", "app": "android"})) == ["featured-android"]
    assert client.get("/api/v4/addons/search/", params={"featured": "false"}).status_code == 400


def test_lang_returns_strings_and_falls_back_to_the_default_locale(client, catalogue):
    results = client.get("/api/v4/addons/search/", params={"q": "tab manager plus", "lang": "fr"}).json()["results"]
    assert results[0]["name"] == "Gestionnaire d'onglets"
    assert results[0]["summary"] == "The tab-manager-plus add-on."
    assert client.get("/api/v4/addons/search/", params={"q": "tab manager plus"}).json()["results"][0]["name"] == {
        "en-US": "Tab Manager Plus", "fr": "Gestionnaire d'onglets"}


def test_search_results_leave_out_license_release_notes_and_pictures(client, catalogue):
    addon = client.get("/api/v4/addons/search/", params={"q": "tab manager"}).json()["results"][0]
    assert "license" not in addon["current_version"] and "release_notes" not in addon["current_version"]
    assert "picture_url" not in addon["authors"][0]


@pytest.mark.parametrize("page_size", ["0", "51", "-1", "abc", "1.5"])
def test_page_size_outside_1_to_50_is_a_field_error(client, catalogue, page_size):
    response = client.get("/api/v4/addons/search/", params={"page_size": page_size})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


@pytest.mark.parametrize("page", ["0", "99", "x"])
def test_invalid_pages_are_404(client, catalogue, page):
    response = client.get("/api/v4/addons/search/", params={"page": page})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}
