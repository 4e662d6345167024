"""Compat overrides in the reviewer console: admins mark versions of an add-on incompatible with
versions of an application, and remove the marks; Firefox's update check (normal mode) and the
AMO API's /addons/compat-override/ follow at once. `addonhub compat-overrides` does the same."""

import json
import re

import pytest

from addonhub.activity.service import LogFilter, entries
from tests.distribution.conftest import with_bytes  # noqa: F401 (a fixture)
from tests.distribution.test_versioncheck import GUID, _version, catalogue, offered  # noqa: F401 (a fixture)
from tests.test_cli import run
from tests.web.test_console_featured import store_with_tab_tamer
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_pages import text_of
from tests.web.test_reviewer_admin import admin  # noqa: F401 (a fixture)

OVERRIDES = "/reviewers/admin/compat-overrides"
API = "/api/v4/addons/compat-override/"


@pytest.fixture
def versions(catalogue):  # noqa: F811 (the fixture imported above)
    """checked@example.org at 1.0, 1.1 and 1.2, each for Firefox 58 and later."""
    catalogue(_version("1.1", 5002, "58.0"), _version("1.2", 5003, "58.0"))


def add(client, **fields):
    token = csrf_of(client.get(OVERRIDES))
    return client.post(OVERRIDES, data={"csrf_token": token, **fields}, follow_redirects=False)


def remove(client, override_id, position):
    token = csrf_of(client.get(OVERRIDES))
    return client.post(f"{OVERRIDES}/{override_id}/remove", data={"csrf_token": token, "range": str(position)},
                       follow_redirects=False)


def remove_forms(client) -> list[tuple[str, str]]:
    return re.findall(r'action="/reviewers/admin/compat-overrides/(\d+)/remove">\s*<input type="hidden" '
                      r'name="csrf_token" value="[^"]+">\s*<input type="hidden" name="range" value="(\d+)">',
                      client.get(OVERRIDES).text)


def test_an_override_made_in_the_console_rules_versions_out_of_update_checks_at_once(client, store, admin, versions):
    assert offered(client, compatMode="normal") == "1.2"
    log_in_as(client, store, admin)
    assert "No compat override." in text_of(client.get(OVERRIDES))
    response = add(client, addon="checked", addon_min="1.2", addon_max="1.2", application="firefox",
                   app_min="110.0", app_max="")
    assert response.status_code == 303 and response.headers["location"] == f"{OVERRIDES}?done=1"
    page = text_of(client.get(response.headers["location"]))
    assert "Saved." in page and GUID in page and "1.2 – 1.2" in page and "Firefox 110.0 – *" in page

    assert offered(client, compatMode="normal") == "1.1"
    assert offered(client, compatMode="normal", appVersion="100.0") == "1.2"
    assert offered(client) == "1.2"  # strict mode, the default, does not read overrides (AMO neither)
    answer = client.get(API, params={"guid": GUID}).json()
    assert answer["count"] == 1 and answer["results"][0]["version_ranges"] == [{
        "addon_min_version": "1.2", "addon_max_version": "1.2",
        "applications": [{"name": "Firefox", "id": 1, "guid": "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}",
                          "min_version": "110.0", "max_version": "*"}]}]
    assert answer["results"][0]["addon_id"] is not None

    # A second range for the same add-on joins its override; removing both removes the override.
    assert add(client, addon=GUID, addon_min="1.1", addon_max="1.1", application="firefox",
               app_min="119.0", app_max="119.*").status_code == 303
    assert offered(client, compatMode="normal") == "1.0"
    [(override_id, first), (_, second)] = remove_forms(client)
    assert (first, second) == ("0", "1")
    assert remove(client, override_id, 0).status_code == 303
    assert offered(client, compatMode="normal") == "1.2"
    assert remove(client, override_id, 0).status_code == 303
    assert offered(client, compatMode="normal") == "1.2"
    assert client.get(API).json()["count"] == 0
    assert "No compat override." in text_of(client.get(OVERRIDES))
    with store.db.session() as session:
        logged = [(e.action, e.addon_guid, e.user_name) for e in entries(session, LogFilter())
                  if e.action.startswith("compat_override_")]
    assert logged == [("compat_override_removed", GUID, "ada"), ("compat_override_removed", GUID, "ada"),
                      ("compat_override_added", GUID, "ada"), ("compat_override_added", GUID, "ada")]


def test_an_override_may_name_an_addon_the_store_does_not_host(client, store, admin):
    log_in_as(client, store, admin)
    assert add(client, addon="{5d6c3b6a-0e8f-4b1f-9c1e-2a7c7c6f1d55}", application="android",
               app_max="120.*").status_code == 303
    [result] = client.get(API).json()["results"]
    assert result["addon_id"] is None and result["addon_guid"] == "{5d6c3b6a-0e8f-4b1f-9c1e-2a7c7c6f1d55}"
    [span] = result["version_ranges"]
    assert (span["addon_min_version"], span["addon_max_version"]) == ("0", "*")
    assert span["applications"][0]["name"] == "Firefox for Android"
    assert (span["applications"][0]["min_version"], span["applications"][0]["max_version"]) == ("0", "120.*")


@pytest.mark.parametrize("fields,status,message", [
    ({"addon": "no such thing"}, 400, "Name an add-on of this store"),
    ({"addon": ""}, 400, "Name an add-on of this store"),
    ({"addon": "x@" + "y" * 300}, 400, "Name an add-on of this store"),
    ({"addon": "x@\x00y"}, 400, "Name an add-on of this store"),
    ({"addon": "checked", "application": "mosaic"}, 400, "The application is one of firefox, android"),
    ({"addon": "checked", "addon_min": "one"}, 400, '"one" is not a version such as 1.2, 115.0 or 128.*.'),
    ({"addon": "checked", "app_max": "9" * 100}, 400, "is not a version such as"),
    ({"addon": "checked", "app_min": "<b>1</b>"}, 400, '"<b>1</b>" is not a version'),
])
def test_bad_ranges_are_refused_on_the_page_and_nothing_is_kept(client, store, admin, versions, fields, status,
                                                                message):
    log_in_as(client, store, admin)
    response = add(client, **{"application": "firefox", **fields})
    assert response.status_code == status and message in text_of(response)
    assert "<b>" not in response.text  # what was typed is escaped
    assert client.get(API).json()["count"] == 0


def test_a_range_added_twice_or_removed_twice_is_refused(client, store, admin, versions):
    log_in_as(client, store, admin)
    assert add(client, addon="checked", application="firefox", app_min="110.0").status_code == 303
    again = add(client, addon="checked", application="firefox", app_min="110.0")
    assert again.status_code == 409 and f"{GUID} already has this range." in text_of(again)
    [(override_id, _)] = remove_forms(client)
    for position in ("5", "x", ""):
        gone = remove(client, override_id, position)
        assert gone.status_code == 404 and "not there any more" in text_of(gone)
    assert remove(client, "nope", 0).status_code == 404
    assert client.get(API).json()["count"] == 1


@pytest.mark.cli
def test_the_operator_keeps_overrides_from_the_command_line(tmp_path):
    data_dir = store_with_tab_tamer(tmp_path)
    added = run("compat-overrides", "add", "--data-dir", data_dir, "tab-tamer", "--addon-max", "2.*",
                "--app-min", "128.0").stdout.strip()
    assert added == "tab-tamer@example.org  1  versions 0 to 2.*  incompatible with Firefox 128.0 to *"
    [override] = json.loads(run("compat-overrides", "list", "--data-dir", data_dir, "--json").stdout)
    assert override["addon_guid"] == "tab-tamer@example.org" and override["name"] == "Tab Tamer"
    refused = run("compat-overrides", "add", "--data-dir", data_dir, "tab-tamer", "--app", "mosaic", check=False)
    assert refused.returncode == 1 and "The application is one of" in refused.stderr
    assert "not there any more" in run("compat-overrides", "remove", "--data-dir", data_dir, "tab-tamer@example.org",
                                       "2", check=False).stderr
    assert run("compat-overrides", "remove", "--data-dir", data_dir, "tab-tamer@example.org", "1").stdout.strip() == \
        "Removed range 1 of tab-tamer@example.org."
    assert run("compat-overrides", "list", "--data-dir", data_dir).stdout.strip() == "No compat override."
