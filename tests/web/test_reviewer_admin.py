"""An add-on's administration page in the reviewer console: admins disable and enable the add-on
or a version there (CSRF-checked forms, with a reason); reviewers neither see it nor may post to it."""

import pytest
from sqlalchemy import select

from addonhub.catalog.models import Addon, Version
from tests.submissions.conftest import developer, jwt_headers  # noqa: F401 (fixtures)
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_pages import text_of
from tests.web.test_reviewer import package, reviewer, submitted  # noqa: F401 (fixtures)


@pytest.fixture
def admin(account):
    return account("ada@example.org", role="admin", username="ada")[0]


def _ids(store) -> tuple[int, int]:
    """The add-on's id and its public listed version 1.1's."""
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.guid == "test@example.org"))
        return addon.id, next(v.id for v in addon.versions if v.version == "1.1")


def post(client, addon_id: int, **fields):
    token = csrf_of(client.get(f"/reviewers/addon/{addon_id}/admin"))
    return client.post(f"/reviewers/addon/{addon_id}/admin", data={"csrf_token": token, **fields},
                       follow_redirects=False)


def test_an_admin_disables_and_enables_the_addon_and_a_version(client, store, admin, submitted):
    addon_id, version_id = _ids(store)
    log_in_as(client, store, admin)
    review = client.get(f"/reviewers/review/version/{submitted}")
    assert f'href="/reviewers/addon/{addon_id}/admin"' in review.text
    page = client.get(f"/reviewers/addon/{addon_id}/admin")
    assert page.status_code == 200 and "Disable the add-on" in text_of(page) and "Disable 1.1" in text_of(page)

    response = post(client, addon_id, target="addon", change="disable", reason="Malware.")
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "status: disabled" in text_of(page) and "Enable the add-on" in text_of(page)
    assert "addon_disabled — ada: Malware." in text_of(page)
    client.cookies.clear()
    assert client.get("/api/v4/addons/addon/test@example.org/").status_code == 401
    log_in_as(client, store, admin)
    assert post(client, addon_id, target="addon", change="enable", reason="Cleared.").status_code == 303

    assert post(client, addon_id, target=str(version_id), change="disable", reason="Bad build.").status_code == 303
    assert "Enable 1.1" in text_of(client.get(f"/reviewers/addon/{addon_id}/admin"))
    with store.db.session() as session:
        assert session.get(Version, version_id).files[0].status == "disabled"
    assert post(client, addon_id, target=str(version_id), change="enable", reason="Rebuilt.").status_code == 303
    with store.db.session() as session:
        assert session.get(Version, version_id).files[0].status == "public"


def test_reviewers_do_not_see_it_and_may_not_post(client, store, reviewer, submitted):
    addon_id, _ = _ids(store)
    log_in_as(client, store, reviewer)
    assert "/admin" not in client.get(f"/reviewers/review/version/{submitted}").text
    assert client.get(f"/reviewers/addon/{addon_id}/admin").status_code == 403
    token = csrf_of(client.get(f"/reviewers/review/version/{submitted}"))
    response = client.post(f"/reviewers/addon/{addon_id}/admin",
                           data={"csrf_token": token, "target": "addon", "change": "disable", "reason": "x"})
    assert response.status_code == 403
    with store.db.session() as session:
        assert session.get(Addon, addon_id).status == "public"
    client.cookies.clear()
    assert client.get(f"/reviewers/addon/{addon_id}/admin", follow_redirects=False).status_code == 303


def test_a_post_without_the_session_s_token_is_refused_and_changes_nothing(client, store, admin, submitted):
    addon_id, _ = _ids(store)
    log_in_as(client, store, admin)
    response = client.post(f"/reviewers/addon/{addon_id}/admin",
                           data={"csrf_token": "forged", "target": "addon", "change": "disable", "reason": "Kept."})
    assert response.status_code == 403 and "page had expired" in text_of(response)
    assert 'value="Kept."' in response.text
    with store.db.session() as session:
        assert session.get(Addon, addon_id).status == "public"


@pytest.mark.parametrize("fields, status, words", [
    ({"target": "addon", "change": "disable", "reason": " "}, 400, "reason is required"),
    ({"target": "addon", "change": "enable", "reason": "x"}, 409, "not disabled by the store"),
    ({"target": "addon", "change": "explode", "reason": "x"}, 400, "Choose the add-on or one of its versions"),
    ({"target": "99999999999999999999", "change": "disable", "reason": "x"}, 400, "Choose the add-on"),
    ({"target": "\x00", "change": "disable", "reason": "x"}, 400, "Choose the add-on"),
    ({}, 400, "Choose the add-on"),
])
def test_odd_input_is_the_page_again_saying_why(client, store, admin, submitted, fields, status, words):
    addon_id, _ = _ids(store)
    log_in_as(client, store, admin)
    response = post(client, addon_id, **fields)
    assert response.status_code == status and words in text_of(response)


def test_unknown_addons_are_404(client, store, admin, submitted):
    log_in_as(client, store, admin)
    for addon_id in ("999999", "abc", "1" * 40):
        assert client.get(f"/reviewers/addon/{addon_id}/admin").status_code == 404
