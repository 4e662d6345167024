"""A developer manages an add-on in a real browser: disables and enables its version, adds a
co-author, is told the last owner cannot leave, reads the activity log and the deletion's
confirmation; a reviewer reads the store's log for it. Every page passes axe-core."""

import httpx
import pytest

from tests.storefront.catalogue import publish_listed
from tests.storefront.test_decisions import PASSWORD, _with_password
from tests.storefront.visitor import SCREENSHOTS, blocking, visit

pytestmark = pytest.mark.browser

LINE_COUNTER = {
    "guid": "line-counter@example.org",
    "slug": "line-counter",
    "name": {"en-US": "Line Counter"},
    "summary": {"en-US": "Counts the lines you write."},
    "description": {"en-US": "Line Counter counts the lines you write in a day."},
    "categories": {"firefox": ["productivity"]},
    "tags": [],
}


def test_a_developer_disables_a_version_adds_an_author_and_reads_the_log(storefront, refusing_proxy, tmp_path):
    developer = _with_password(storefront, "lines@example.org", "developer", tmp_path)
    storefront.create_user("co-lines@example.org")
    _with_password(storefront, "log-reader@example.org", "reviewer", tmp_path)
    publish_listed(storefront, developer, LINE_COUNTER, tmp_path)

    seen = visit("manage", storefront, refusing_proxy, tmp_path, screenshots=str(SCREENSHOTS),
                 email="lines@example.org", password=PASSWORD, addonName="Line Counter", version="1.0",
                 coauthor="co-lines@example.org", ownName=developer["username"], guid=LINE_COUNTER["guid"],
                 reviewerEmail="log-reader@example.org")

    assert seen["statusHeading"] == "Status and versions of Line Counter"
    assert seen["disabled"] == "Disabled: it has left the catalogue, downloads and update checks."
    assert seen["disabledRows"][0].startswith("1.0 Listed Disabled by you Enable 1.0")
    assert seen["enabled"] == "Enabled again."
    assert [row.split(" ")[:3] for row in seen["authorRows"]] == [
        [developer["username"], "lines@example.org", "Owner"], ["co-lines", "co-lines@example.org", "Developer"]]
    assert seen["lastOwner"] == "This was not saved: An add-on needs at least one owner: make another author an owner first."
    assert any("version_disabled_by_developer 1.0" in line for line in seen["activity"])
    assert any("author_added" in line for line in seen["activity"])
    assert seen["deleteHeading"] == "Delete version 1.0 of Line Counter"
    assert any(" author_added lines " in row for row in seen["logRows"]), seen["logRows"]
    for name in ("status", "disabled", "authors", "lastOwner", "activity", "delete", "log"):
        assert blocking(seen[f"{name}Violations"]) == [], name
    # Enabled again: the add-on is public with its version.
    assert httpx.get(f"{storefront.base_url}/api/v5/addons/addon/line-counter/").json()["current_version"]["version"] == "1.0"
