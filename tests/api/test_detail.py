"""Add-on detail, versions, version detail and eula_policy: lookup, visibility, translations."""

import pytest

from tests.factories import addon_record, version_record


@pytest.fixture
def catalogue(load, owner):
    load(
        addon_record("public-one", id=5001, guid="public-one@example.org",
                     name={"en-US": "Public One", "fr": "Public Un", "pt-BR": "Público Um"},
                     homepage={"en-US": "https://example.com/home"}, support_url="https://example.com/help",
                     contributions_url="https://donate.example.com/me",
                     description={"en-US": 'Read <a href="https://docs.example.com/x">the docs</a><script>x()</script>'},
                     eula={"en-US": "Be nice."}, privacy_policy={"en-US": "No data.", "de": "Keine Daten."},
                     authors=[{"username": "owner"}],
                     current_version=version_record("2.0", id=7002, created="2025-02-01T00:00:00Z"),
                     versions=[
                         version_record("1.0", id=7001, created="2024-01-01T00:00:00Z"),
                         version_record("1.5-unlisted", id=7003, channel="unlisted", created="2024-06-01T00:00:00Z"),
                         version_record("0.9", id=7004, is_deleted=True, created="2023-01-01T00:00:00Z"),
                         version_record("1.9", id=7005, created="2025-01-01T00:00:00Z",
                                        files=[{"id": 9905, "status": "disabled"}]),
                     ]),
        addon_record("uuid-guid", guid="{5ddc919c-97fd-4598-8be8-7977ebeac118}"),
        addon_record("short-guid", guid="@short"),
        addon_record("nominated-one", status="nominated", authors=[{"username": "owner"}]),
        addon_record("disabled-by-dev", is_disabled=True),
        addon_record("disabled-by-store", status="disabled"),
        addon_record("unlisted-only", current_version=None, versions=[version_record("3.0", channel="unlisted")],
                     authors=[{"username": "owner"}]),
        addon_record("deleted-one", status="deleted"),
    )


@pytest.mark.parametrize("identifier", [
    "5001", "public-one", "public-one@example.org", "PUBLIC-ONE@EXAMPLE.ORG", "public-one%40example.org",
])
@pytest.mark.parametrize("api", ["v3", "v4"])
def test_detail_by_id_slug_or_guid(client, catalogue, identifier, api):
    response = client.get(f"/api/{api}/addons/addon/{identifier}/")
    assert response.status_code == 200
    assert response.json()["slug"] == "public-one"


@pytest.mark.parametrize("identifier", [
    "{5ddc919c-97fd-4598-8be8-7977ebeac118}", "%7B5ddc919c-97fd-4598-8be8-7977ebeac118%7D",
    "5ddc919c-97fd-4598-8be8-7977ebeac118", "5DDC919C-97FD-4598-8BE8-7977EBEAC118",
])
def test_uuid_guids_raw_encoded_and_braceless(client, catalogue, identifier):
    assert client.get(f"/api/v4/addons/addon/{identifier}").json()["slug"] == "uuid-guid"


def test_short_guid(client, catalogue):
    assert client.get("/api/v4/addons/addon/@short/").json()["slug"] == "short-guid"


def test_detail_object_has_the_spec_fields(client, catalogue):
    addon = client.get("/api/v4/addons/addon/public-one/").json()
    for field in ("id", "authors", "average_daily_users", "categories", "contributions_url", "current_version",
                  "default_locale", "description", "developer_comments", "edit_url", "guid", "has_eula",
                  "has_privacy_policy", "homepage", "icon_url", "icons", "is_disabled", "is_experimental",
                  "is_featured", "is_source_public", "name", "last_updated", "previews", "ratings", "ratings_url",
                  "requires_payment", "review_url", "slug", "status", "summary", "support_email", "support_url",
                  "tags", "type", "url", "versions_url", "weekly_downloads"):
        assert field in addon, field
    assert addon["url"] == "http://store.test/addon/public-one/"
    assert addon["current_version"]["version"] == "2.0"
    assert "text" not in addon["current_version"]["license"]
    assert addon["current_version"]["license"]["name"] == {"en-US": "MIT License"}
    assert addon["authors"][0]["picture_url"].startswith("http://store.test/")
    assert addon["has_eula"] is True and addon["has_privacy_policy"] is True
    assert addon["ratings"] == {"average": 4.0, "bayesian_average": 3.9, "count": 10, "text_count": 5}
    assert "latest_unlisted_version" not in addon
    assert client.get(addon["icon_url"]).status_code == 200


def test_translations_as_objects_or_one_string_with_lang(client, catalogue):
    assert client.get("/api/v4/addons/addon/public-one/").json()["name"] == {
        "en-US": "Public One", "fr": "Public Un", "pt-BR": "Público Um"}
    assert client.get("/api/v4/addons/addon/public-one/?lang=fr").json()["name"] == "Public Un"
    assert client.get("/api/v4/addons/addon/public-one/?lang=FR").json()["name"] == "Public Un"
    assert client.get("/api/v4/addons/addon/public-one/?lang=pt").json()["name"] == "Público Um"
    # No German name: the default locale's.
    assert client.get("/api/v4/addons/addon/public-one/?lang=de").json()["name"] == "Public One"
    assert client.get("/api/v4/addons/addon/public-one/?lang=de").json()["developer_comments"] is None


def test_outgoing_links_wrapped_on_request_and_in_html_always(client, catalogue):
    plain = client.get("/api/v4/addons/addon/public-one/").json()
    assert plain["homepage"] == {"en-US": "https://example.com/home"}
    assert plain["contributions_url"] == "https://donate.example.com/me"
    assert "<script>" not in plain["description"]["en-US"]
    assert 'href="http://store.test/outgoing/' in plain["description"]["en-US"]
    wrapped = client.get("/api/v4/addons/addon/public-one/?wrap_outgoing_links&lang=en-US").json()
    assert wrapped["homepage"].startswith("http://store.test/outgoing/")
    assert wrapped["support_url"].startswith("http://store.test/outgoing/")
    assert wrapped["contributions_url"].startswith("http://store.test/outgoing/")
    redirect = client.get(wrapped["homepage"], follow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["location"] == "https://example.com/home"
    forged = wrapped["homepage"].replace("example.com", "evil.example")
    assert client.get(forged, follow_redirects=False).status_code == 404


def test_outgoing_links_with_a_non_ascii_signature_are_not_found(client):
    for signature in ("é", "²" * 64, "ß" + "0" * 63):
        response = client.get(f"/outgoing/{signature}/https://example.com/", follow_redirects=False)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_base_url_setting_makes_links_absolute_on_it(tmp_path):
    from fastapi.testclient import TestClient

    from addonhub.api.app import create_app
    from addonhub.catalog.importer import import_catalogue
    from addonhub.config import Settings
    from addonhub.store import Store
    store = Store(Settings(data_dir=tmp_path / "s", base_url="https://addons.example.net/"))
    with store.db.session() as session:
        import_catalogue(session, [addon_record("based")])
    client = TestClient(create_app(store), base_url="http://127.0.0.1:9")
    assert client.get("/api/v4/addons/addon/based").json()["url"] == "https://addons.example.net/addon/based/"


@pytest.mark.parametrize("slug,developer,store_disabled", [
    ("nominated-one", False, False), ("disabled-by-dev", True, False), ("disabled-by-store", False, True),
    ("unlisted-only", False, False),
])
def test_non_public_addons_are_401_anonymous_and_403_to_others(client, catalogue, account, slug, developer, store_disabled):
    response = client.get(f"/api/v4/addons/addon/{slug}/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.",
                               "is_disabled_by_developer": developer, "is_disabled_by_mozilla": store_disabled}
    _, stranger = account("stranger@example.org")
    response = client.get(f"/api/v4/addons/addon/{slug}/", headers=stranger)
    assert response.status_code == 403
    assert response.json()["is_disabled_by_developer"] is developer
    assert response.json()["detail"] == "You do not have permission to perform this action."
    _, reviewer = account("reviewer@example.org", role="reviewer")
    assert client.get(f"/api/v4/addons/addon/{slug}/", headers=reviewer).status_code == 200


def test_owners_see_their_own_with_the_latest_unlisted_version(client, catalogue, owner):
    _, headers = owner
    for slug in ("nominated-one", "unlisted-only"):
        assert client.get(f"/api/v4/addons/addon/{slug}/", headers=headers).status_code == 200
    addon = client.get("/api/v4/addons/addon/public-one/", headers=headers).json()
    assert addon["latest_unlisted_version"]["version"] == "1.5-unlisted"


def test_deleted_addons_are_404_except_to_admins(client, catalogue, account):
    response = client.get("/api/v4/addons/addon/deleted-one/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    _, admin = account("admin@example.org", role="admin")
    assert client.get("/api/v4/addons/addon/deleted-one/", headers=admin).status_code == 200


def test_unknown_addon_and_bad_tokens(client, catalogue):
    assert client.get("/api/v4/addons/addon/nope/").json() == {"detail": "Not found."}
    assert client.get("/api/v4/addons/addon/99999999999999999999999/").status_code == 404
    response = client.get("/api/v4/addons/addon/public-one/", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401 and response.json()["code"] == "ERROR_DECODING_SIGNATURE"
    response = client.get("/api/v4/addons/addon/public-one/", headers={"Authorization": "Bearer "})
    assert response.status_code == 401 and response.json()["code"] == "ERROR_INVALID_HEADER"


def versions(client, query="", headers=None):
    response = client.get(f"/api/v4/addons/addon/public-one/versions/{query}", headers=headers)
    return response.status_code, [v["version"] for v in response.json().get("results", [])]


def test_version_list_filters_and_their_permissions(client, catalogue, owner, account):
    _, owner_headers = owner
    assert versions(client) == (200, ["2.0", "1.0"])
    assert versions(client, "?filter=all_without_unlisted") == (401, [])
    assert versions(client, "?filter=all_without_unlisted", owner_headers) == (200, ["2.0", "1.9", "1.0"])
    assert versions(client, "?filter=all_with_unlisted", owner_headers) == (200, ["2.0", "1.9", "1.5-unlisted", "1.0"])
    assert versions(client, "?filter=all_with_deleted", owner_headers) == (403, [])
    _, admin = account("admin@example.org", role="admin")
    assert versions(client, "?filter=all_with_deleted", admin) == (200, ["2.0", "1.9", "1.5-unlisted", "1.0", "0.9"])
    _, reviewer = account("reviewer@example.org", role="reviewer")
    assert versions(client, "?filter=all_with_unlisted", reviewer)[0] == 200
    response = client.get("/api/v4/addons/addon/public-one/versions/?filter=everything")
    assert response.status_code == 400 and list(response.json()) == ["filter"]


def test_version_list_is_paginated_and_translated(client, catalogue):
    body = client.get("/api/v4/addons/addon/public-one/versions/?page_size=1&lang=en-US").json()
    assert body["count"] == 2 and body["page_count"] == 2
    assert body["next"] == "http://store.test/api/v4/addons/addon/public-one/versions/?page_size=1&lang=en-US&page=2"
    assert body["results"][0]["release_notes"] == "Fixes"
    assert body["results"][0]["license"]["text"] == "Permission is hereby granted"


def test_version_detail_and_its_visibility(client, catalogue, owner):
    _, owner_headers = owner
    version = client.get("/api/v3/addons/addon/public-one/versions/7001/").json()
    assert version["version"] == "1.0" and version["channel"] == "listed"
    assert version["compatibility"] == {"firefox": {"min": "91.0", "max": "*"}}
    assert version["files"][0]["status"] == "public" and version["files"][0]["permissions"] == ["storage"]
    assert set(version) >= {"id", "channel", "compatibility", "edit_url", "files", "is_strict_compatibility_enabled",
                            "license", "release_notes", "reviewed", "version"}
    # An unlisted version stays unknown to all but the add-on's people, as its file does.
    assert client.get("/api/v4/addons/addon/public-one/versions/7003/").status_code == 404
    assert client.get("/api/v4/addons/addon/public-one/versions/7003/", headers=owner_headers).status_code == 200
    assert client.get("/api/v4/addons/addon/public-one/versions/7004/", headers=owner_headers).status_code == 404
    assert client.get("/api/v4/addons/addon/public-one/versions/424242/").status_code == 404
    assert client.get("/api/v4/addons/addon/short-guid/versions/7001/").status_code == 404


def test_eula_policy(client, catalogue):
    assert client.get("/api/v4/addons/addon/public-one/eula_policy/").json() == {
        "eula": {"en-US": "Be nice."}, "privacy_policy": {"en-US": "No data.", "de": "Keine Daten."}}
    assert client.get("/api/v3/addons/addon/public-one/eula_policy?lang=de").json() == {
        "eula": "Be nice.", "privacy_policy": "Keine Daten."}
    assert client.get("/api/v4/addons/addon/short-guid/eula_policy/").json() == {"eula": None, "privacy_policy": None}
    assert client.get("/api/v4/addons/addon/nominated-one/eula_policy/").status_code == 401
