"""Only ASCII digits make a number: "١٠٠١" (Arabic-Indic) is not add-on 1001, and "²" is no page.
str.isdigit() accepts both, and int() reads the first as 1001 and refuses the second."""

import pytest

from tests.factories import addon_record, slugs, version_record

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def arabic(number: int) -> str:
    return str(number).translate(ARABIC_INDIC)


@pytest.fixture
def catalogue(load, owner):
    load(addon_record("numbered", id=1001, authors=[{"username": "owner"}],
                      current_version=version_record("1.0", id=7001, files=[{"id": 9001, "status": "public"}])),
         addon_record("other-one", id=1002))


@pytest.mark.parametrize("api", ["v3", "v4"])
def test_an_addon_id_in_other_digits_is_not_that_addon(client, catalogue, api):
    assert client.get(f"/api/{api}/addons/addon/1001/").json()["slug"] == "numbered"
    for identifier in (arabic(1001), "1001²", "²"):
        response = client.get(f"/api/{api}/addons/addon/{identifier}/")
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), identifier


def test_a_version_id_in_other_digits_is_not_that_version(client, catalogue):
    assert client.get("/api/v4/addons/addon/numbered/versions/7001/").status_code == 200
    for identifier in (arabic(7001), "²"):
        assert client.get(f"/api/v4/addons/addon/numbered/versions/{identifier}/").status_code == 404


@pytest.mark.parametrize("path", ["/api/v4/file/{id}/numbered-1.0.xpi", "/downloads/file/{id}/numbered-1.0.xpi"])
def test_a_file_id_in_other_digits_is_not_found(client, catalogue, path):
    for identifier in (arabic(9001), "²"):
        response = client.get(path.format(id=identifier))
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), identifier


@pytest.mark.parametrize("value", ["²", arabic(2), "2²"])
def test_pages_in_other_digits_are_invalid(client, catalogue, value):
    response = client.get("/api/v4/addons/search/", params={"page": value})
    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})
    response = client.get("/api/v4/addons/search/", params={"page_size": value})
    assert (response.status_code, response.json()) == (400, {"page_size": ["Ensure this value is an integer between 1 and 50."]})
    assert client.get("/api/v4/addons/addon/numbered/versions/", params={"page": value}).status_code == 404


def test_page_numbers_in_ascii_still_count(client, catalogue):
    body = client.get("/api/v4/addons/search/", params={"page": " 2 ", "page_size": "1"}).json()
    assert body["count"] == 2 and len(body["results"]) == 1


def test_author_and_exclude_ids_in_other_digits_name_nobody(client, catalogue, owner):
    owner_id, _ = owner
    assert slugs(client.get("/api/v4/addons/search/", params={"author": str(owner_id)})) == ["numbered"]
    assert slugs(client.get("/api/v4/addons/search/", params={"author": arabic(owner_id)})) == []
    assert slugs(client.get("/api/v4/addons/search/", params={"exclude_addons": "1001"})) == ["other-one"]
    assert sorted(slugs(client.get("/api/v4/addons/search/", params={"exclude_addons": f"{arabic(1001)},²"}))) == [
        "numbered", "other-one"]

