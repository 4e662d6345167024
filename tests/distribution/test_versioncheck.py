"""VersionCheck, answered as AMO's update service (versions/update.py and its test_update.py)
answers: which version an install of a listed add-on is offered, for which application version."""

import pytest

from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon
from addonhub.published_urls import VERSIONCHECK_PATH
from tests.factories import addon_record, version_record

FIREFOX = "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}"
ANDROID = "{aa3c5121-dab2-40e2-81ca-7ea25febc110}"
GUID = "checked@example.org"


def _version(number: str, file_id: int, minimum: str = "57.0", maximum: str = "*", **overrides) -> dict:
    record = version_record(number, id=file_id - 1000, compatibility={"firefox": {"min": minimum, "max": maximum}},
                            **overrides)
    record["files"][0].update(id=file_id, hash=f"sha256:{file_id:064x}", **overrides.pop("file", {}))
    return record


@pytest.fixture
def catalogue(load, with_bytes):
    """A listed add-on at 1.0 (Firefox 57 and later); tests add versions with versions(...)."""
    def catalogue(*versions: dict, **addon) -> None:
        load(addon_record("checked", guid=GUID, current_version=_version("1.0", 5001, release_notes={}),
                          versions=list(versions), **addon))
        with_bytes(5001, *(v["files"][0]["id"] for v in versions))
    return catalogue


def check(client, **params):
    query = {"reqVersion": "2", "id": GUID, "version": "1.0", "appID": FIREFOX, "appVersion": "119.0", **params}
    response = client.get(VERSIONCHECK_PATH, params={k: v for k, v in query.items() if v is not None})
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "max-age=3600"
    assert response.headers["etag"] and response.headers["content-length"]
    return response


def offered(client, **params) -> str | None:
    response = check(client, **params)
    assert response.status_code == 200
    [update] = response.json()["addons"][params.get("id", GUID)]["updates"] or [None]
    return update and update["version"]


def test_the_newest_compatible_version_is_offered_with_links_a_browser_can_use(client, catalogue):
    catalogue(_version("1.1", 5002, "58.0", release_notes={"en-US": "Faster."}))
    response = check(client)
    assert response.json() == {"addons": {GUID: {"updates": [{
        "version": "1.1",
        "update_link": "http://store.test/downloads/file/5002/addon-5002.xpi",
        "applications": {"gecko": {"strict_min_version": "58.0"}},
        "update_hash": f"sha256:{5002:064x}",
        "update_info_url": "http://store.test/updates/release-notes/checked@example.org/1.1?lang=%APP_LOCALE%",
    }]}}}
    download = client.get(response.json()["addons"][GUID]["updates"][0]["update_link"])
    assert download.status_code == 200 and download.content == b"package 5002"
    notes = client.get(response.json()["addons"][GUID]["updates"][0]["update_info_url"].replace("%APP_LOCALE%", "en-US"))
    assert notes.status_code == 200 and "Faster." in notes.text and notes.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("missing", ["appID", "appVersion", "id"])
def test_a_missing_parameter_is_400_with_an_empty_object(client, catalogue, missing):
    catalogue()
    response = check(client, **{missing: None})
    assert response.status_code == 400 and response.json() == {}


@pytest.mark.parametrize("params", [{"appID": "garbag2鎈"}, {"appID": "{}" * 300}, {"appVersion": ""}])
def test_an_unknown_application_or_empty_version_is_400(client, catalogue, params):
    catalogue()
    response = check(client, **params)
    assert response.status_code == 400 and response.json() == {}


@pytest.mark.parametrize("guid", ["unknowné鎈", "x" * 5000, "%00", "' OR 1=1 --"])
def test_unknown_addons_are_an_empty_object(client, catalogue, guid):
    catalogue()
    response = check(client, id=guid)
    assert response.status_code == 200 and response.json() == {}


@pytest.mark.parametrize("change", [{"status": "disabled"}, {"status": "deleted"}, {"is_disabled": True}])
def test_disabled_and_deleted_addons_are_an_empty_object(client, store, catalogue, change):
    catalogue()
    with store.db.session() as session:
        addon = session.query(Addon).filter_by(guid=GUID).one()
        for name, value in change.items():
            setattr(addon, name, value)
        reindex(session, addon)
    assert check(client).json() == {}


def test_ids_are_looked_up_in_any_case_and_answered_as_asked(client, catalogue):
    catalogue()
    assert offered(client, id=GUID.upper()) == "1.0"


def test_an_application_version_below_every_minimum_gets_no_update(client, catalogue):
    catalogue()
    assert check(client, appVersion="56.0").json() == {"addons": {GUID: {"updates": []}}}


def test_an_older_version_is_offered_to_an_older_browser(client, catalogue):
    catalogue(_version("1.1", 5002, "58.0"))
    assert offered(client, appVersion="57.0") == "1.0"
    assert offered(client, appVersion="garbage") is None  # the lowest version of all, as AMO's version_int


def test_versions_for_another_application_only_are_not_offered(client, catalogue):
    android_only = _version("1.1", 5002)
    android_only["compatibility"] = {"android": {"min": "119.0", "max": "*"}}
    catalogue(android_only)
    assert offered(client) == "1.0"
    assert offered(client, appID=ANDROID) == "1.1"


@pytest.mark.parametrize("file_status", ["unreviewed", "disabled"])
def test_versions_not_public_are_not_offered(client, catalogue, file_status):
    catalogue(_version("1.1", 5002, file={"status": file_status}))
    assert offered(client) == "1.0"


def test_unlisted_and_deleted_versions_are_not_offered(client, catalogue):
    catalogue(_version("1.1", 5002, channel="unlisted"), _version("1.2", 5003, is_deleted=True))
    assert offered(client) == "1.0"


def test_a_version_the_store_holds_no_file_for_is_not_offered(client, load, with_bytes):
    load(addon_record("checked", guid=GUID, current_version=_version("1.0", 5001),
                      versions=[_version("1.1", 5002)]))
    with_bytes(5001)
    assert offered(client) == "1.0"


def test_strict_compatibility_bounds_versions_in_strict_and_normal_mode_but_not_ignore(client, catalogue):
    catalogue(_version("1.1", 5002, "58.0", "58.*", is_strict_compatibility_enabled=True))
    assert offered(client) == "1.0"
    assert offered(client, compatMode="normal") == "1.0"
    assert offered(client, compatMode="ignore") == "1.1"
    response = check(client, appVersion="58.0")
    assert response.json()["addons"][GUID]["updates"][0]["applications"] == {
        "gecko": {"strict_min_version": "58.0", "strict_max_version": "58.*"}}


def test_a_maximum_binds_in_strict_mode_only_without_strict_compatibility(client, catalogue):
    catalogue(_version("1.1", 5002, "58.0", "100.*"))
    assert offered(client) == "1.0"  # strict, the default: 119 is past 1.1's maximum
    assert offered(client, compatMode="normal") == "1.1"
    assert offered(client, compatMode="ignore") == "1.1"


def test_compat_overrides_rule_versions_out_in_normal_mode(client, catalogue, load):
    catalogue(_version("1.1", 5002, "58.0"), _version("1.2", 5003, "58.0"))
    load(compat_overrides=[{"addon_guid": GUID, "version_ranges": [{
        "addon_min_version": "1.2", "addon_max_version": "1.2",
        "applications": [{"name": "Firefox", "min_version": "110.0", "max_version": "*"}]}]}])
    assert offered(client, compatMode="normal") == "1.1"
    assert offered(client, compatMode="normal", appVersion="100.0") == "1.2"
    assert offered(client, compatMode="normal", appID=ANDROID) is None  # no Android bounds at all
    assert offered(client, compatMode="ignore") == "1.2"


def test_a_cache_holding_the_current_answer_gets_304(client, catalogue):
    catalogue()
    etag = check(client).headers["etag"]
    query = {"id": GUID, "appID": FIREFOX, "appVersion": "119.0"}
    revalidated = client.get(VERSIONCHECK_PATH, params=query, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304 and revalidated.content == b"" and revalidated.headers["etag"] == etag
    assert client.get(VERSIONCHECK_PATH, params=query, headers={"If-None-Match": '"other"'}).status_code == 200
