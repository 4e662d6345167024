"""One add-on managed from the developer hub by its authors: its authors (owners only, never
without an owner), disabling, enabling and deleting its versions and itself (gone from the API,
downloads and update checks, as an admin's disabling is; a developer never enables what the store
disabled), and its activity log. Nobody else reaches any of these pages or forms."""

import re
from html import unescape

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from addonhub.accounts import keys
from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.catalog.models import Addon, Version
from addonhub.edge.products import FAILED, product_status
from addonhub.published_urls import VERSIONCHECK_PATH
from addonhub.refusals import Refused
from addonhub.submissions import administration
from addonhub.submissions.versions import guid_for_new_addon
from addonhub.web import developer_addons
from addonhub.web.forms import CheckedForm
from tests.submissions.conftest import developer, jwt_headers  # noqa: F401 (fixtures)
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_pages import text_of
from tests.web.test_reviewer import package, submitted  # noqa: F401 (fixtures)

GUID = "test@example.org"
SLUG = "test-extension"
FIREFOX = "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}"


@pytest.fixture
def ids(store, submitted):  # noqa: F811 (fixture)
    """The add-on's id and its versions' ids by version string (1.0 unlisted, 1.1 public, 2.0 in review)."""
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.guid == GUID))
        return addon.id, {version.version: version.id for version in addon.versions}


@pytest.fixture
def stranger(account):
    return account("olga@example.org", username="olga")[0]


def post(client, page: str, action: str, **fields):
    """Sends a form of `page` as a browser does: with the CSRF token the page carries."""
    token = csrf_of(client.get(page))
    return client.post(action, data={"csrf_token": token, **fields}, follow_redirects=False)


def table_rows(page) -> list[list[str]]:
    """The cells of each row of the page's table body, as text."""
    body = re.search(r"<tbody>(.*?)</tbody>", page.text, re.S).group(1)
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def offered(client) -> list[str]:
    """What Firefox's update check offers an install of 1.0 of the listed add-on."""
    answer = client.get(VERSIONCHECK_PATH, params={"reqVersion": "2", "id": GUID, "version": "1.0",
                                                   "appID": FIREFOX, "appVersion": "128.0"})
    assert answer.status_code == 200
    return [update["version"] for update in answer.json().get("addons", {}).get(GUID, {}).get("updates", [])]


def listed_versions(client) -> list[str]:
    answer = client.get(f"/api/v4/addons/addon/{GUID}/versions/")
    return [version["version"] for version in answer.json()["results"]] if answer.status_code == 200 else []


def test_every_post_checks_the_csrf_token(client, store, developer, ids):  # noqa: F811
    posts = [route for route in developer_addons.router.routes if isinstance(route, APIRoute) and "POST" in route.methods]
    assert len(posts) == 6 and all(any(isinstance(dependency.call, CheckedForm)
                                       for dependency in route.dependant.dependencies) for route in posts)
    addon_id, versions = ids
    log_in_as(client, store, developer[0])
    base = f"/developers/addon/{SLUG}"
    for action, fields in ((f"{base}/status", {"target": "addon", "change": "disable"}),
                           (f"{base}/versions/{versions['1.1']}/delete", {}), (f"{base}/delete", {"slug": "test"}),
                           (f"{base}/authors", {"email": "olga@example.org"}),
                           (f"{base}/authors/{developer[0]}/change", {"role": "developer"}),
                           (f"{base}/authors/{developer[0]}/remove", {})):
        refused = client.post(action, data={"csrf_token": "forged", **fields})
        assert refused.status_code == 403 and "This form was not sent" in text_of(refused), action
    with store.db.session() as session:
        addon = session.get(Addon, addon_id)
        assert not addon.is_disabled and not addon.is_deleted and len(addon.authors) == 1
        assert not session.get(Version, versions["1.1"]).is_deleted


def test_another_developer_finds_none_of_the_pages_and_changes_nothing(client, store, stranger, ids):
    addon_id, versions = ids
    base = f"/developers/addon/{SLUG}"
    client.cookies.clear()
    assert client.get(f"{base}/status/", follow_redirects=False).headers["location"] == f"/login?next={base}/status"
    log_in_as(client, store, stranger)
    pages = [f"{base}/status/", f"{base}/authors/", f"{base}/activity/", f"{base}/delete/",
             f"{base}/versions/{versions['1.1']}/delete/", "/developers/addon/no-such-addon/status/"]
    assert [client.get(page).status_code for page in pages] == [404] * len(pages)
    token = csrf_of(client.get("/developers/addons/"))
    for action, fields in ((f"{base}/status", {"target": "addon", "change": "disable"}),
                           (f"{base}/status", {"target": str(versions["1.1"]), "change": "disable"}),
                           (f"{base}/versions/{versions['1.1']}/delete", {}),
                           (f"{base}/delete", {"slug": "test-extension"}),
                           (f"{base}/authors", {"email": "olga@example.org", "role": "owner"}),
                           (f"{base}/authors/{stranger}/change", {"role": "owner"}),
                           (f"{base}/authors/{stranger}/remove", {})):
        assert client.post(action, data={"csrf_token": token, **fields}).status_code == 404, action
    assert listed_versions(client) == ["1.1"] and offered(client) == ["1.1"]
    with store.db.session() as session:
        assert [link.user_id for link in session.get(Addon, addon_id).authors] != [stranger]
        assert len(session.get(Addon, addon_id).authors) == 1


def test_owners_add_change_and_remove_authors_but_never_the_last_owner(client, store, developer, stranger, ids):  # noqa: F811
    addon_id, _ = ids
    page = f"/developers/addon/{SLUG}/authors/"
    log_in_as(client, store, developer[0])
    assert f'href="{page}"' in client.get("/developers/addons/").text
    shown = text_of(client.get(page))
    assert "dev@example.org Owner Yes" in shown and "Add an author" in shown

    unknown = post(client, page, page.rstrip("/"), email="nobody@example.org", role="developer")
    assert unknown.status_code == 404 and "No account has this e-mail address" in text_of(unknown)
    assert 'value="nobody@example.org"' in unknown.text
    added = post(client, page, page.rstrip("/"), email="Olga@Example.org", role="developer", listed="1")
    assert added.status_code == 303
    shown = text_of(client.get(added.headers["location"]))
    assert "The authors are saved." in shown and "olga@example.org Developer Yes" in shown
    assert [author["username"] for author in client.get(f"/api/v4/addons/addon/{GUID}/").json()["authors"]] \
        == ["dev", "olga"]
    again = post(client, page, page.rstrip("/"), email="olga@example.org")
    assert again.status_code == 409 and "already an author" in text_of(again)

    last = post(client, page, f"/developers/addon/{SLUG}/authors/{developer[0]}/remove")
    assert last.status_code == 409 and "An add-on needs at least one owner" in text_of(last)
    demoted = post(client, page, f"/developers/addon/{SLUG}/authors/{developer[0]}/change", role="developer")
    assert demoted.status_code == 409 and "An add-on needs at least one owner" in text_of(demoted)
    # Olga, unlisted, becomes an owner; then the first owner may leave.
    assert post(client, page, f"/developers/addon/{SLUG}/authors/{stranger}/change",
                role="owner").status_code == 303
    assert "olga@example.org Owner No" in text_of(client.get(page))
    assert [author["username"] for author in client.get(f"/api/v4/addons/addon/{GUID}/").json()["authors"]] == ["dev"]
    assert post(client, page, f"/developers/addon/{SLUG}/authors/{developer[0]}/remove").status_code == 303
    assert client.get(page).status_code == 404  # no longer theirs
    with store.db.session() as session:
        addon = session.get(Addon, addon_id)
        assert [(link.user_id, link.role, link.listed) for link in addon.authors] == [(stranger, "owner", False)]
        logged = [entry.action for entry in activity.entries(session, activity.LogFilter(addon=addon))]
    assert logged[:3] == [activity.AUTHOR_REMOVED, activity.AUTHOR_CHANGED, activity.AUTHOR_ADDED]


def test_a_developer_who_is_not_an_owner_may_not_change_authors_or_delete(client, store, developer, stranger, ids):  # noqa: F811
    addon_id, _ = ids
    page = f"/developers/addon/{SLUG}/authors/"
    log_in_as(client, store, developer[0])
    assert post(client, page, page.rstrip("/"), email="olga@example.org", role="developer").status_code == 303
    log_in_as(client, store, stranger)
    shown = text_of(client.get(page))
    assert "Only the add-on's owners change its authors." in shown and "Add an author" not in shown
    refused = post(client, page, f"/developers/addon/{SLUG}/authors/{developer[0]}/remove")
    assert refused.status_code == 403 and "Only the add-on's owners may do this." in text_of(refused)
    promoted = post(client, page, f"/developers/addon/{SLUG}/authors/{stranger}/change", role="owner")
    assert promoted.status_code == 403
    deletion = f"/developers/addon/{SLUG}/delete/"
    assert "Only the add-on's owners may delete it." in text_of(client.get(deletion))
    assert post(client, deletion, deletion.rstrip("/"), slug=SLUG).status_code == 403
    with store.db.session() as session:
        addon = session.get(Addon, addon_id)
        assert not addon.is_deleted and [link.role for link in addon.authors] == ["owner", "developer"]


def test_a_disabled_version_leaves_the_api_and_update_checks_until_enabled(client, store, developer, ids):  # noqa: F811
    addon_id, versions = ids
    page = f"/developers/addon/{SLUG}/status/"
    log_in_as(client, store, developer[0])
    assert offered(client) == ["1.1"] and listed_versions(client) == ["1.1"]
    disabled = post(client, page, page.rstrip("/"), target=str(versions["1.1"]), change="disable")
    assert disabled.status_code == 303
    shown = text_of(client.get(disabled.headers["location"]))
    assert "Disabled: it has left the catalogue" in shown and "1.1 Listed Disabled by you Enable 1.1" in shown
    assert "Disabled by you" in text_of(client.get("/developers/addons/"))  # the version's state there too
    client.cookies.clear()
    assert offered(client) == [] and listed_versions(client) == []
    log_in_as(client, store, developer[0])
    assert post(client, page, page.rstrip("/"), target=str(versions["1.1"]), change="enable").status_code == 303
    client.cookies.clear()
    assert offered(client) == ["1.1"] and listed_versions(client) == ["1.1"]


def test_a_version_the_store_disabled_stays_disabled_for_its_developer(client, store, developer, ids):  # noqa: F811
    addon_id, versions = ids
    with store.db.session() as session:
        administration.disable_version(session, session.get(Version, versions["1.1"]), None, "Malware.")
    page = f"/developers/addon/{SLUG}/status/"
    log_in_as(client, store, developer[0])
    shown = text_of(client.get(page))
    assert "1.1 Listed Disabled by the store" in shown and "Enable 1.1" not in shown
    refused = post(client, page, page.rstrip("/"), target=str(versions["1.1"]), change="enable")
    assert refused.status_code == 403 and "was disabled by the store" in text_of(refused)
    assert offered(client) == []


def test_the_developer_disables_and_enables_the_whole_addon(client, store, developer, ids):  # noqa: F811
    addon_id, _ = ids
    page = f"/developers/addon/{SLUG}/status/"
    log_in_as(client, store, developer[0])
    assert post(client, page, page.rstrip("/"), target="addon", change="disable").status_code == 303
    assert "Disabled by you" in text_of(client.get("/developers/addons/"))
    client.cookies.clear()
    assert offered(client) == [] and client.get(f"/api/v4/addons/addon/{GUID}/").status_code == 401
    assert client.get("/addon/test-extension/").status_code == 404
    log_in_as(client, store, developer[0])
    again = post(client, page, page.rstrip("/"), target="addon", change="disable")
    assert again.status_code == 409 and "already disabled" in text_of(again)
    assert post(client, page, page.rstrip("/"), target="addon", change="enable").status_code == 303
    client.cookies.clear()
    assert offered(client) == ["1.1"]


def test_deleting_a_version_and_then_the_addon_asks_first_and_keeps_the_id(client, store, developer, ids):  # noqa: F811
    addon_id, versions = ids
    log_in_as(client, store, developer[0])
    confirm = f"/developers/addon/{SLUG}/versions/{versions['1.1']}/delete/"
    assert "can never be used again" in text_of(client.get(confirm))
    deleted = post(client, confirm, confirm.rstrip("/"))
    assert deleted.status_code == 303 and "The version is deleted." in text_of(client.get(deleted.headers["location"]))
    assert client.get(confirm).status_code == 404
    client.cookies.clear()
    assert offered(client) == [] and listed_versions(client) == []

    log_in_as(client, store, developer[0])
    confirm = f"/developers/addon/{SLUG}/delete/"
    wrong = post(client, confirm, confirm.rstrip("/"), slug="something-else")
    assert wrong.status_code == 400 and "type its slug exactly" in text_of(wrong)
    assert post(client, confirm, confirm.rstrip("/"), slug=SLUG).headers["location"] == "/developers/addons/"
    assert "Test Extension" not in text_of(client.get("/developers/addons/"))
    assert client.get(f"/developers/addon/{SLUG}/status/").status_code == 404
    with store.db.session() as session:
        assert session.get(Addon, addon_id).is_deleted
        with pytest.raises(Refused, match="Duplicate add-on ID"):
            guid_for_new_addon(session, GUID, None, url_may_stand_in=False)
        logged = [entry.action for entry in activity.entries(session, activity.LogFilter(addon=session.get(Addon, addon_id)))]
    assert logged[:2] == [activity.ADDON_DELETED, activity.VERSION_DELETED]


def test_the_activity_page_shows_the_addons_log_to_its_authors(client, store, developer, ids):  # noqa: F811
    addon_id, versions = ids
    page = f"/developers/addon/{SLUG}/status/"
    log_in_as(client, store, developer[0])
    post(client, page, page.rstrip("/"), target=str(versions["1.1"]), change="disable")
    log = client.get(f"/developers/addon/{SLUG}/activity/")
    shown = text_of(log)
    assert log.status_code == 200 and f'href="/developers/addon/{SLUG}/activity/"' in client.get("/developers/addons/").text
    assert "version_disabled_by_developer 1.1 — dev" in shown
    assert "approved 1.1" in shown and "version_created 2.0 — dev" in shown
    assert shown.index("version_disabled_by_developer") < shown.index("approved 1.1")


def test_reviewers_read_the_stores_log_filtered_by_addon_and_action(client, store, account, developer, ids):  # noqa: F811
    addon_id, versions = ids
    page = f"/developers/addon/{SLUG}/status/"
    log_in_as(client, store, developer[0])
    post(client, page, page.rstrip("/"), target=str(versions["1.1"]), change="disable")
    assert client.get("/reviewers/log").status_code == 403
    log_in_as(client, store, account("rita@example.org", role="reviewer", username="rita")[0])
    assert 'href="/reviewers/log"' in client.get("/reviewers/").text
    whole = text_of(client.get("/reviewers/log"))
    assert f"version_disabled_by_developer dev {GUID} 1.1" in whole and f"approved the store {GUID} 1.1" in whole
    narrowed = text_of(client.get("/reviewers/log", params={"addon": str(addon_id), "action": "approved"}))
    assert f"approved the store {GUID} 1.1" in narrowed and "version_disabled_by_developer dev" not in narrowed
    unknown = client.get("/reviewers/log", params={"addon": "nothing@example.org"})
    assert unknown.status_code == 400 and "No add-on nothing@example.org is known to this store." in text_of(unknown)
    with store.db.session() as session:
        expected = [entry.action for entry in activity.entries(session, activity.LogFilter(limit=200))]
    assert [action for action in expected if action in whole] == expected


def test_my_activity_log_has_my_addons_entries_and_my_own_but_nobody_elses(client, store, developer, stranger, ids):  # noqa: F811
    with store.db.session() as session:
        keys.issue_key(session, store.key_cipher, session.get(User, stranger))
    log_in_as(client, store, developer[0])
    assert 'href="/developers/activity/"' in client.get("/developers/addons/").text
    rows = table_rows(client.get("/developers/activity/"))
    assert ["version_created", "dev", GUID, "2.0"] in [row[1:5] for row in rows]
    assert ["approved", "the store", GUID, "1.1"] in [row[1:5] for row in rows]
    assert ["api_key_created", "dev", "", ""] in [row[1:5] for row in rows]  # the fixture signed with a key
    assert all(row[2] != "olga" for row in rows)
    log_in_as(client, store, stranger)
    assert [row[1:3] for row in table_rows(client.get("/developers/activity/"))] == [["api_key_created", "olga"]]
    client.cookies.clear()
    assert client.get("/developers/activity/", follow_redirects=False).status_code == 303


def test_an_approved_version_disabled_afterwards_is_not_taken_for_a_rejected_one(client, store, developer, ids):  # noqa: F811
    addon_id, versions = ids
    log_in_as(client, store, developer[0])
    confirm = f"/developers/addon/{SLUG}/versions/{versions['2.0']}/delete/"
    assert post(client, confirm, confirm.rstrip("/")).status_code == 303
    page = f"/developers/addon/{SLUG}/status/"
    assert post(client, page, page.rstrip("/"), target=str(versions["1.1"]), change="disable").status_code == 303
    assert "Rejected" not in text_of(client.get("/developers/addons/"))
    with store.db.session() as session:
        # The Edge API's word for the add-on's latest listed version (approved, then disabled).
        assert product_status(session, session.get(Addon, addon_id)) != FAILED


def test_bad_input_gets_a_clear_answer_never_a_500(client, store, developer, ids):  # noqa: F811
    addon_id, versions = ids
    log_in_as(client, store, developer[0])
    base = f"/developers/addon/{SLUG}"
    token = csrf_of(client.get(f"{base}/status/"))
    for action, fields, status in ((f"{base}/status", {"target": "addon", "change": "explode"}, 400),
                                   (f"{base}/status", {"target": "%00", "change": "disable"}, 404),
                                   (f"{base}/status", {}, 400),
                                   (f"{base}/authors", {"email": ""}, 400),
                                   (f"{base}/authors", {"email": "olga@example.org", "role": "king"}, 400),
                                   (f"{base}/authors/x/change", {"role": "owner"}, 404),
                                   (f"{base}/authors/{developer[0]}/change", {"role": "<b>"}, 400),
                                   ("/developers/addon/1e9/delete", {"slug": "x"}, 404),
                                   (f"{base}/versions/-1/delete", {}, 404)):
        answer = client.post(action, data={"csrf_token": token, **fields})
        assert answer.status_code == status, (action, fields, answer.status_code)
        assert "Traceback" not in answer.text and "<b>" not in answer.text
    refused = client.post(f"{base}/status", content=b"{}", headers={"content-type": "application/json"})
    assert refused.status_code == 415
    for path in ("/developers/addon/%00/status/", "/developers/addon/-1/authors/", f"{base}/versions/abc/delete/"):
        assert client.get(path).status_code == 404, path
    with store.db.session() as session:
        assert [(link.user_id, link.role) for link in session.get(Addon, addon_id).authors] == [(developer[0], "owner")]
