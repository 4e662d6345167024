"""Featured, autocomplete, language tools, replacements, compat overrides, recommendations."""

import pytest

from tests.factories import addon_record, slugs, version_record


@pytest.fixture
def catalogue(load):
    load(
        addon_record("feat-ext", is_featured=True, featured_for=[{"app": "firefox", "locale": None}],
                     categories={"firefox": ["tabs"]}),
        addon_record("feat-theme", type="persona", is_featured=True, categories={"firefox": ["nature"]},
                     featured_for=[{"app": "firefox", "locale": "de"}]),
        addon_record("feat-android", is_featured=True, featured_for=[{"app": "android", "locale": None}],
                     current_version=version_record(compatibility={"android": {"min": "120.0", "max": "*"}})),
        addon_record("not-featured"),
        addon_record("dict-fr", type="dictionary", target_locale="fr", name={"en-US": "French", "fr": "Français"},
                     categories={"firefox": ["general"]},
                     current_version=version_record(compatibility={"firefox": {"min": "57.0", "max": "*"}})),
        addon_record("dict-en-gb-ise", type="dictionary", target_locale="en-GB", locale_disambiguation="-ise spelling",
                     categories={"firefox": ["general"]}),
        addon_record("langpack-fr", type="language", target_locale="fr", categories={"firefox": ["general"]},
                     current_version=version_record("128.0", id=88128, created="2024-07-01T00:00:00Z",
                                                    compatibility={"firefox": {"min": "128.0", "max": "128.*"}}),
                     versions=[version_record("115.0", id=88115, created="2023-07-01T00:00:00Z",
                                              compatibility={"firefox": {"min": "115.0", "max": "115.*"}})]),
        addon_record("hidden-dict", type="dictionary", status="nominated", categories={"firefox": ["general"]}),
        addon_record("privacy-guard", name={"en-US": "Privacy Guard"}, categories={"firefox": ["privacy-security"]},
                     tags=["privacy", "security"], authors=[{"username": "pat"}], average_daily_users=10),
        addon_record("tracker-block", categories={"firefox": ["privacy-security"]}, tags=["privacy"],
                     average_daily_users=1000),
        addon_record("cookie-cleaner", categories={"firefox": ["privacy-security"]}, average_daily_users=50),
        addon_record("by-pat", authors=[{"username": "pat"}], tags=["security"]),
        addon_record("unrelated", categories={"firefox": ["shopping"]}, average_daily_users=10_000_000),
        addon_record("loner", categories={"android": ["games-entertainment"]}, authors=[{"username": "solo"}]),
        replacement_addons=[
            {"guid": "legacy@example.net", "replacement": ["feat-ext@example.org", "hidden-dict@example.org", "ghost@x"]},
            {"guid": "legacy2@example.net", "replacement": []},
        ],
        compat_overrides=[{
            "addon_guid": "feat-ext@example.org", "name": "Breaks tabs",
            "version_ranges": [{"addon_min_version": "0", "addon_max_version": "1.*",
                                "applications": [{"name": "Firefox", "min_version": "60.0", "max_version": "*"}]}],
        }, {"addon_guid": "gone@example.org", "name": "Old", "version_ranges": []}],
    )


def test_featured_needs_a_valid_app(client, catalogue):
    for query in ("", "?app=netscape", "?app=firefox&type=plugin", "?app=firefox&type=extension&category=nope"):
        response = client.get(f"/api/v3/addons/featured/{query}")
        assert response.status_code == 400
        assert response.json() == {"detail": "Invalid app, category and/or type parameter(s)."}


def test_featured_by_app_type_lang_and_category(client, catalogue):
    assert sorted(slugs(client.get("/api/v3/addons/featured/?app=firefox"))) == ["feat-ext", "feat-theme"]
    assert slugs(client.get("/api/v4/addons/featured/?app=firefox&lang=fr")) == ["feat-ext"]
    assert slugs(client.get("/api/v3/addons/featured/?app=firefox&type=persona")) == ["feat-theme"]
    assert slugs(client.get("/api/v3/addons/featured/?app=android")) == ["feat-android"]
    assert slugs(client.get("/api/v3/addons/featured/?app=firefox&type=extension&category=tabs")) == ["feat-ext"]
    assert len(slugs(client.get("/api/v3/addons/featured/?app=firefox&page_size=1"))) == 1
    body = client.get("/api/v3/addons/featured/?app=firefox").json()
    assert set(body) == {"results"}


def test_autocomplete_returns_at_most_ten_with_few_fields(client, load):
    load(*[addon_record(f"auto-{n}", name={"en-US": f"Autocomplete Thing {n}"}) for n in range(12)])
    body = client.get("/api/v4/addons/autocomplete/?q=autocomplete&page_size=50").json()
    assert set(body) == {"results"}
    assert len(body["results"]) == 10
    assert set(body["results"][0]) == {"id", "icon_url", "name", "url", "type", "is_featured", "promoted"}
    assert client.get("/api/v4/addons/autocomplete/?q=autocomplete&lang=en-US").json()["results"][0]["name"].startswith(
        "Autocomplete Thing")
    assert client.get("/api/v4/addons/autocomplete/?q=zzzz").json() == {"results": []}
    assert client.get("/api/v4/addons/autocomplete/?q=x&app=netscape").status_code == 400


def test_language_tools_need_an_app(client, catalogue):
    for query in ("", "?app=nope"):
        response = client.get(f"/api/v4/addons/language-tools/{query}")
        assert response.status_code == 400
        assert response.json() == {"detail": "Invalid or missing app parameter."}


def test_language_tools_lists_dictionaries_and_language_packs(client, catalogue):
    results = client.get("/api/v4/addons/language-tools/?app=firefox").json()["results"]
    by_slug = {r["slug"]: r for r in results}
    assert set(by_slug) == {"dict-fr", "dict-en-gb-ise", "langpack-fr"}
    assert by_slug["dict-en-gb-ise"]["locale_disambiguation"] == "-ise spelling"
    assert by_slug["dict-fr"]["target_locale"] == "fr"
    assert set(by_slug["dict-fr"]) == {"id", "default_locale", "guid", "locale_disambiguation", "name", "slug",
                                       "target_locale", "type", "url"}
    assert by_slug["dict-fr"]["url"] == "http://store.test/addon/dict-fr/"
    french = client.get("/api/v4/addons/language-tools/?app=firefox&lang=fr&type=dictionary").json()["results"]
    assert {r["name"] for r in french} >= {"Français"}


def test_language_tools_with_appversion_give_the_compatible_version(client, catalogue):
    results = client.get("/api/v4/addons/language-tools/?app=firefox&type=language&appversion=115.0.2").json()["results"]
    assert [(r["slug"], r["current_compatible_version"]["version"]) for r in results] == [("langpack-fr", "115.0")]
    assert set(results[0]["current_compatible_version"]) == {"id", "files", "reviewed", "version"}
    assert client.get("/api/v4/addons/language-tools/?app=firefox&type=language&appversion=130.0").json() == {"results": []}
    response = client.get("/api/v4/addons/language-tools/?app=firefox&appversion=128.0")
    assert response.status_code == 400 and "type" in response.json()


def test_replacements_keep_only_listed_addons(client, catalogue):
    body = client.get("/api/v4/addons/replacement-addon/").json()
    assert body["count"] == 2
    assert body["results"] == [
        {"guid": "legacy@example.net", "replacement": ["feat-ext@example.org"]},
        {"guid": "legacy2@example.net", "replacement": []},
    ]
    assert client.get("/api/v4/addons/replacement-addon/?page_size=1").json()["next"].endswith("page_size=1&page=2")


def test_compat_overrides(client, catalogue):
    body = client.get("/api/v3/addons/compat-override/").json()
    assert body["count"] == 2
    only = client.get("/api/v3/addons/compat-override/?guid=feat-ext@example.org,other").json()["results"]
    feat_id = client.get("/api/v4/addons/addon/feat-ext/").json()["id"]
    assert only == [{
        "addon_id": feat_id, "addon_guid": "feat-ext@example.org", "name": "Breaks tabs",
        "version_ranges": [{"addon_min_version": "0", "addon_max_version": "1.*", "applications": [{
            "name": "Firefox", "id": 1, "guid": "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}",
            "min_version": "60.0", "max_version": "*"}]}],
    }]
    gone = client.get("/api/v4/addons/compat-override/?guid=gone@example.org").json()["results"]
    assert gone[0]["addon_id"] is None


def test_recommendations_share_categories_tags_and_authors(client, catalogue):
    body = client.get("/api/v4/addons/recommendations/?guid=privacy-guard@example.org&recommended=true").json()
    assert body["outcome"] == "recommended" and body["fallback_reason"] is None
    found = [a["slug"] for a in body["results"]]
    assert found[0] == "tracker-block"  # category + tag, and the most used of those
    assert set(found) == {"tracker-block", "cookie-cleaner", "by-pat"}
    assert "unrelated" not in found and "privacy-guard" not in found
    assert body["count"] == 3 and len(body["results"]) <= 4


def test_recommendations_fall_back_to_the_curated_list(client, catalogue):
    for guid in ("nobody@nowhere", "loner@example.org"):
        body = client.get(f"/api/v4/addons/recommendations/?guid={guid}&recommended=true").json()
        assert body["outcome"] == "recommended_fallback" and body["fallback_reason"] == "no_results"
        assert {a["slug"] for a in body["results"]} <= {"feat-ext", "feat-theme", "feat-android"}
        assert body["results"]
    curated = client.get("/api/v4/addons/recommendations/?guid=privacy-guard@example.org&recommended=false").json()
    assert curated["outcome"] == "curated" and curated["fallback_reason"] is None
    assert {a["slug"] for a in curated["results"]} == {"feat-ext", "feat-theme", "feat-android"}
