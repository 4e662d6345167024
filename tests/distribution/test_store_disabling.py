"""Disabling an add-on or a version store-wide (submissions.administration), seen as its callers see
it: API v4 search and detail, the storefront, downloads, Firefox's update service and Chromium's.
Enabling brings it all back."""

import pytest
from sqlalchemy import select

from addonhub.accounts.models import User
from addonhub.activity.models import ActivityEntry
from addonhub.catalog.constants import FileStatus
from addonhub.catalog.models import Addon, File, Version
from addonhub.refusals import Refused
from addonhub.submissions.administration import disable_addon, disable_version, enable_addon, enable_version
from addonhub.submissions.review import reject
from tests.distribution.test_chromium_updates import UNKNOWN_ID, apps, x
from tests.distribution.test_chromium_updates import check as chromium_check
from tests.distribution.test_versioncheck import GUID, _version, catalogue, check, offered  # noqa: F401  (a fixture)

OLD_FILE, NEW_FILE = 5001, 5002


@pytest.fixture
def listed(catalogue):
    """checked@example.org, listed, at 1.1 (file 5002) with 1.0 (file 5001) before it."""
    catalogue(_version("1.1", NEW_FILE))


def _act(store, change, what: str, by: int | None = None, reason: str | None = "Malware.") -> None:
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.guid == GUID))
        target = addon if what == "addon" else next(v for v in addon.versions if v.version == what)
        change(session, target, session.get(User, by) if by else None, reason)


def _download(client, file_id: int) -> int:
    return client.get(f"/downloads/file/{file_id}/addon-{file_id}.xpi").status_code


def _searched(client) -> list[str]:
    return [result["guid"] for result in client.get("/api/v4/addons/search/", params={"q": "checked"}).json()["results"]]


def test_a_disabled_addon_leaves_listings_downloads_and_updates_until_enabled(client, store, listed):
    assert _searched(client) == [GUID] and "/addon/checked" in client.get("/search", params={"q": "checked"}).text
    _act(store, disable_addon, "addon")
    assert _searched(client) == []
    assert "/addon/checked" not in client.get("/search", params={"q": "checked"}).text
    # As AMO answers anonymous callers for an add-on disabled by the store (its
    # test_disabled_by_admin_anonymous): 401, saying so.
    detail = client.get("/api/v4/addons/addon/checked/")
    assert detail.status_code == 401
    assert (detail.json()["is_disabled_by_mozilla"], detail.json()["is_disabled_by_developer"]) == (True, False)
    assert client.get("/addon/checked").status_code == 404
    assert _download(client, NEW_FILE) == 401 and _download(client, OLD_FILE) == 401
    # AMO's update service answers an add-on it does not offer with an empty object.
    assert check(client, version="0.9").json() == {}

    _act(store, enable_addon, "addon", reason="Cleared.")
    assert _searched(client) == [GUID]
    assert client.get("/api/v4/addons/addon/checked/").json()["status"] == "public"
    assert _download(client, NEW_FILE) == 200 and offered(client, version="0.9") == "1.1"
    with store.db.session() as session:
        log = session.scalars(select(ActivityEntry.action).order_by(ActivityEntry.id)).all()
    assert log[-2:] == ["addon_disabled", "addon_enabled"]


def test_a_disabled_version_leaves_downloads_and_updates_and_the_previous_one_is_current(client, store, listed):
    _act(store, disable_version, "1.1")
    detail = client.get("/api/v4/addons/addon/checked/").json()
    assert detail["current_version"]["version"] == "1.0"
    assert _download(client, NEW_FILE) == 401 and _download(client, OLD_FILE) == 200
    assert offered(client, version="0.9") == "1.0" and _searched(client) == [GUID]

    _act(store, enable_version, "1.1", reason="Fixed.")
    assert client.get("/api/v4/addons/addon/checked/").json()["current_version"]["version"] == "1.1"
    assert _download(client, NEW_FILE) == 200 and offered(client, version="0.9") == "1.1"


def test_nonsense_is_refused_and_changes_nothing(store, account, listed):
    reviewer, _ = account("reviewer@example.org", role="reviewer")
    with pytest.raises(Refused, match="Only administrators"):
        _act(store, disable_addon, "addon", by=reviewer)
    with pytest.raises(Refused, match="reason is required"):
        _act(store, disable_addon, "addon", reason="  ")
    with pytest.raises(Refused, match="not disabled by the store"):
        _act(store, enable_addon, "addon")
    with pytest.raises(Refused, match="not disabled by the store"):
        _act(store, enable_version, "1.1")
    _act(store, disable_addon, "addon")
    with pytest.raises(Refused, match="already disabled"):
        _act(store, disable_addon, "addon")
    with store.db.session() as session:
        assert session.scalars(select(ActivityEntry.action)).all() == ["addon_disabled"]


def test_enabling_restores_each_file_s_own_status_and_never_a_rejected_one(store, account, listed):
    admin, _ = account("admin@example.org", role="admin")
    with store.db.session() as session:
        session.get(File, OLD_FILE).status = FileStatus.UNREVIEWED
        session.commit()
    _act(store, disable_version, "1.0", by=admin)
    _act(store, enable_version, "1.0", by=admin)
    with store.db.session() as session:
        assert session.get(File, OLD_FILE).status == FileStatus.UNREVIEWED
        version = session.scalar(select(Version).where(Version.version == "1.1"))
        version.reviewed = None
        session.flush()
        reject(session, version, None, "Uses eval.")
        session.commit()
    with pytest.raises(Refused, match="no file left to disable"):
        _act(store, disable_version, "1.1", by=admin)
    with pytest.raises(Refused, match="not disabled by the store"):
        _act(store, enable_version, "1.1", by=admin)


def test_chromium_stops_being_offered_a_disabled_addon_or_version(client, store, new_product, release):
    product = new_product()
    release(product, "1.0.0")
    release(product, "1.1.0")
    assert apps(chromium_check(client, x(product.chromium_id)))[product.chromium_id]["version"] == "1.1.0"

    def change(action, target: str = "addon", reason: str = "Malware.") -> dict:
        with store.db.session() as session:
            addon = session.get(Addon, product.addon_id)
            action(session, addon if target == "addon" else next(v for v in addon.versions if v.version == target),
                   None, reason)
        return apps(chromium_check(client, x(product.chromium_id), x(UNKNOWN_ID)))[product.chromium_id]

    assert change(disable_version, "1.1.0")["version"] == "1.0.0"
    assert change(disable_addon) == {"status": "noupdate"}
    assert change(enable_addon)["version"] == "1.0.0"
    assert change(enable_version, "1.1.0")["version"] == "1.1.0"
