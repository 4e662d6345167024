"""Promoted groups over the AMO API: the detail object's `promoted` in each version, the
`promoted` filter, the `recommended` sort, random order with promoted, autocomplete."""

import pytest

from tests.factories import addon_record, slugs, version_record

BOTH = ["firefox", "android"]


def for_both():
    return version_record(compatibility={"firefox": {"min": "91.0", "max": "*"}, "android": {"min": "120.0", "max": "*"}})


@pytest.fixture
def catalogue(load):
    load(
        addon_record("rec-small", id=6001, average_daily_users=10, promoted={"category": "recommended", "apps": BOTH},
                     current_version=for_both()),
        addon_record("rec-firefox", average_daily_users=20, promoted=[{"category": "recommended", "apps": ["firefox"]}]),
        addon_record("by-firefox", average_daily_users=30, promoted={"category": "line", "apps": ["android"]},
                     current_version=for_both()),
        addon_record("notable-one", average_daily_users=40, promoted=[{"category": "notable", "apps": BOTH},
                                                                      {"category": "spotlight", "apps": ["firefox"]}]),
        addon_record("popular", average_daily_users=5000, weekly_downloads=1),
        addon_record("downloaded", average_daily_users=1, weekly_downloads=9000),
        addon_record("hidden-rec", status="nominated", promoted={"category": "recommended", "apps": BOTH}),
    )


@pytest.mark.parametrize("api", ["v3", "v4"])
def test_v3_and_v4_detail_name_one_group_or_null(client, catalogue, api):
    assert client.get(f"/api/{api}/addons/addon/rec-small/").json()["promoted"] == {"category": "recommended", "apps": BOTH}
    # The first of its groups in AMO's order: spotlight (id 5) before notable (7).
    assert client.get(f"/api/{api}/addons/addon/notable-one/").json()["promoted"] == {
        "category": "spotlight", "apps": ["firefox"]}
    assert client.get(f"/api/{api}/addons/addon/popular/").json()["promoted"] is None


def test_v5_detail_lists_every_group(client, catalogue):
    assert client.get("/api/v5/addons/addon/notable-one/").json()["promoted"] == [
        {"category": "spotlight", "apps": ["firefox"]}, {"category": "notable", "apps": BOTH}]
    assert client.get("/api/v5/addons/addon/popular/").json()["promoted"] == []


def test_search_results_carry_promoted(client, catalogue):
    results = client.get("/api/v4/addons/search/", params={"promoted": "line"}).json()["results"]
    assert [addon["promoted"] for addon in results] == [{"category": "line", "apps": ["android"]}]


@pytest.mark.parametrize("promoted,found", [
    ("recommended", {"rec-small", "rec-firefox"}),
    ("line,notable", {"by-firefox", "notable-one"}),
    ("spotlight", {"notable-one"}),
    ("badged", {"rec-small", "rec-firefox", "by-firefox"}),
    ("strategic", set()),
])
def test_the_promoted_filter_takes_any_of_the_groups(client, catalogue, promoted, found):
    assert set(slugs(client.get("/api/v4/addons/search/", params={"promoted": promoted}))) == found


def test_with_app_the_promotion_must_be_approved_for_it(client, catalogue, load):
    # Runs on Android and is promoted, but only for Firefox: not an Android promotion.
    load(addon_record("rec-firefox-only", promoted={"category": "recommended", "apps": ["firefox"]},
                      current_version=for_both()))
    android = slugs(client.get("/api/v4/addons/search/", params={"promoted": "badged", "app": "android"}))
    assert set(android) == {"rec-small", "by-firefox"}
    firefox = slugs(client.get("/api/v4/addons/search/", params={"promoted": "recommended", "app": "firefox"}))
    assert set(firefox) == {"rec-small", "rec-firefox", "rec-firefox-only"}


@pytest.mark.parametrize("promoted", ["sponsored", "recommended,nope", "Recommended"])
def test_an_unknown_group_is_a_400_in_amos_shape(client, catalogue, promoted):
    response = client.get("/api/v4/addons/search/", params={"promoted": promoted})
    assert response.status_code == 400
    assert response.json() == {"promoted": ['Invalid "promoted" parameter.']}


def test_the_recommended_sort_puts_the_recommended_group_first(client, catalogue):
    by_users = slugs(client.get("/api/v4/addons/search/", params={"sort": "recommended,users"}))
    assert by_users == ["rec-firefox", "rec-small", "popular", "notable-one", "by-firefox", "downloaded"]
    by_downloads = slugs(client.get("/api/v4/addons/search/", params={"sort": "recommended,downloads"}))
    # Equal downloads between the two: the larger id (rec-small's 6001) first, as every sort breaks ties.
    assert by_downloads[:3] == ["rec-small", "rec-firefox", "downloaded"]


def test_v4_orders_by_recommended_then_users_without_q_or_sort(client, catalogue):
    assert slugs(client.get("/api/v4/addons/search/"))[:3] == ["rec-firefox", "rec-small", "popular"]
    # "recommended" alone means nothing: the default applies.
    assert slugs(client.get("/api/v4/addons/search/", params={"sort": "recommended"}))[:3] == [
        "rec-firefox", "rec-small", "popular"]
    # v3's documented default is weekly downloads.
    assert slugs(client.get("/api/v3/addons/search/"))[0] == "downloaded"


def test_recommended_beside_relevance_is_dropped(client, load):
    load(addon_record("tab-keeper", name={"en-US": "Tab Keeper"}, average_daily_users=900),
         addon_record("tab-keeper-rec", name={"en-US": "Keeper of Tab"}, average_daily_users=5,
                      promoted={"category": "recommended", "apps": BOTH}))
    relevance = slugs(client.get("/api/v4/addons/search/", params={"q": "tab keeper", "sort": "relevance"}))
    assert slugs(client.get("/api/v4/addons/search/", params={"q": "tab keeper", "sort": "recommended,relevance"})) \
        == relevance
    assert relevance[0] == "tab-keeper"


def test_random_order_is_allowed_with_promoted_as_with_featured(client, catalogue):
    found = slugs(client.get("/api/v4/addons/search/", params={"sort": "random", "promoted": "badged"}))
    assert sorted(found) == ["by-firefox", "rec-firefox", "rec-small"]
    refused = client.get("/api/v4/addons/search/", params={"sort": "random"})
    assert refused.status_code == 400
    assert refused.json() == {"sort": ['The "sort" parameter "random" can only be specified when the "featured" or '
                                       '"promoted" parameter is also present, and the "q" parameter absent.']}
    combined = client.get("/api/v4/addons/search/", params={"sort": "random,users", "promoted": "line"})
    assert combined.json() == {"sort": ['The "random" "sort" parameter can not be combined.']}


def test_autocomplete_results_carry_promoted(client, load):
    load(addon_record("seek-rec", name={"en-US": "Seeker Pro"}, promoted={"category": "recommended", "apps": BOTH},
                      current_version=version_record()),
         addon_record("seek-plain", name={"en-US": "Seeker"}))
    results = client.get("/api/v4/addons/autocomplete/", params={"q": "seeker"}).json()["results"]
    assert {addon["url"].rsplit("/", 2)[1]: addon["promoted"] for addon in results} == {
        "seek-rec": {"category": "recommended", "apps": BOTH}, "seek-plain": None}
