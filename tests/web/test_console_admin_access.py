"""The console's administration pages (accounts, compat overrides, featured placements) are for
admins: a visitor goes to the log-in page, a reviewer or developer gets the 403 page and may not
post, a post without the session's CSRF token is refused with what was typed; the console's
navigation links them for admins only."""

import pytest

from addonhub.accounts.models import User
from tests.factories import addon_record, slugs
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_pages import text_of
from tests.web.test_reviewer_admin import admin  # noqa: F401 (a fixture)


def _role_of(client, store, account_id: int) -> str:
    with store.db.session() as session:
        return session.get(User, account_id).role


# Each page, a post that would change it, and what an admin's look at the store shows of it.
PAGES = {
    "accounts": ("/reviewers/admin/accounts", "/reviewers/admin/accounts/{victim}",
                 {"change": "role", "role": "admin"}, lambda client, store, victim: _role_of(client, store, victim)),
    "compat overrides": ("/reviewers/admin/compat-overrides", "/reviewers/admin/compat-overrides",
                         {"addon": "tab-tamer", "application": "firefox"},
                         lambda client, store, victim: client.get("/api/v4/addons/compat-override/").json()["count"]),
    "featured": ("/reviewers/admin/featured", "/reviewers/admin/featured", {"addon": "tab-tamer", "application": "firefox"},
                 lambda client, store, victim: slugs(client.get("/api/v4/addons/search/?featured=true"))),
}


@pytest.fixture
def people(account, load):
    load(addon_record("tab-tamer"))
    return {"reviewer": account("rita@example.org", role="reviewer", username="rita")[0],
            "developer": account("dev@example.org", username="dev")[0]}


@pytest.mark.parametrize("page", PAGES)
def test_only_admins_open_the_page_or_post_to_it(client, store, people, page):
    path, action, fields, state = PAGES[page]
    victim = people["developer"]
    before = state(client, store, victim)
    anonymous = client.get(path, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/login?next={path}"
    for role, user_id in people.items():
        log_in_as(client, store, user_id)
        refused = client.get(path)
        assert refused.status_code == 403, role
        token = csrf_of(client.get("/login"))
        posted = client.post(action.format(victim=victim), data={"csrf_token": token, **fields})
        assert posted.status_code == 403, role
    assert state(client, store, victim) == before


@pytest.mark.parametrize("page", PAGES)
def test_a_post_without_the_session_s_token_changes_nothing(client, store, admin, people, page):  # noqa: F811
    path, action, fields, state = PAGES[page]
    victim = people["developer"]
    before = state(client, store, victim)
    log_in_as(client, store, admin)
    assert client.get(path).status_code == 200
    forged = client.post(action.format(victim=victim), data={"csrf_token": "forged", **fields})
    assert forged.status_code == 403 and "page had expired" in text_of(forged)
    assert state(client, store, victim) == before


def test_the_console_links_the_admin_pages_for_admins_only(client, store, admin, people):  # noqa: F811
    log_in_as(client, store, admin)
    queue = client.get("/reviewers/")
    for path, _, _, _ in PAGES.values():
        assert f'href="{path}"' in queue.text and f'href="{path}"' in client.get(path).text
    assert 'href="/reviewers/admin/featured" aria-current="page"' in client.get("/reviewers/admin/featured").text
    log_in_as(client, store, people["reviewer"])
    assert "/reviewers/admin/" not in client.get("/reviewers/").text
