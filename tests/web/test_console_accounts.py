"""Accounts in the reviewer console: admins find accounts, change their role, disable and enable
them; a disabled account cannot log in, its session ends and none of its credentials work; the
last admin stays one. The operator does the same with `addonhub users set-role|disable|enable`."""

import json
import time

import jwt
import pytest

from addonhub.accounts.edge_credentials import issue_edge_credentials
from addonhub.accounts.keys import issue_key
from addonhub.accounts.models import User
from addonhub.activity.service import LogFilter, entries
from tests.test_cli import run
from tests.web.conftest import PASSWORD, csrf_of, log_in, log_in_as
from tests.web.test_pages import text_of
from tests.web.test_reviewer_admin import admin  # noqa: F401 (a fixture)

ACCOUNTS = "/reviewers/admin/accounts"
# The signing API's status of a version: 404 to any account for an add-on it does not know, 401 without one.
SIGNED_STATUS = "/api/v4/addons/unknown@example.org/versions/1.0/"


@pytest.fixture
def dev(account):
    return account("dev@example.org", username="dev")


def change(client, account_id: int, query: str = "", **fields):
    token = csrf_of(client.get(ACCOUNTS + query))
    return client.post(f"{ACCOUNTS}/{account_id}{query}", data={"csrf_token": token, **fields}, follow_redirects=False)


def role_of(store, account_id: int) -> str:
    with store.db.session() as session:
        return session.get(User, account_id).role


def test_an_admin_finds_accounts_by_address_or_name_a_page_at_a_time(client, store, account, admin):
    for number in range(30):
        account(f"person{number:02}@example.org", username=f"person{number:02}")
    log_in_as(client, store, admin)
    page = client.get(ACCOUNTS)
    assert page.status_code == 200 and "31 accounts" in text_of(page)
    assert "Page 1 of 2" in text_of(page) and "person23@example.org" in text_of(page)
    assert "person24@example.org" in text_of(client.get(ACCOUNTS + "?page=2"))
    found = client.get(ACCOUNTS, params={"q": "PERSON1"})
    assert "10 accounts" in text_of(found) and "person10@example.org" in text_of(found)
    assert "person20" not in text_of(found)
    assert "1 account" in text_of(client.get(ACCOUNTS, params={"q": "ada"}))
    # LIKE's wildcards are looked for as themselves; nothing typed is an error.
    assert "No account matches." in text_of(client.get(ACCOUNTS, params={"q": "%_"}))
    assert client.get(ACCOUNTS, params={"q": "\x00" * 5000, "page": "x"}).status_code == 200
    assert client.get(ACCOUNTS + "?page=3").status_code == 404


def test_an_admin_changes_a_role_and_the_log_says_who_did(client, store, admin, dev):
    log_in_as(client, store, admin)
    response = change(client, dev[0], "?q=dev", change="role", role="reviewer")
    assert response.status_code == 303 and response.headers["location"] == f"{ACCOUNTS}?q=dev&done=1"
    assert "Saved." in text_of(client.get(response.headers["location"]))
    assert role_of(store, dev[0]) == "reviewer"
    log_in_as(client, store, dev[0])
    assert client.get("/reviewers/").status_code == 200  # the role works at once
    with store.db.session() as session:
        [entry] = [e for e in entries(session, LogFilter()) if e.action == "role_changed"]
        assert entry.user_name == "ada" and entry.details == {
            "account_id": dev[0], "email": "dev@example.org", "previous": "developer", "role": "reviewer"}


@pytest.mark.parametrize("fields,status,message", [
    ({"change": "role", "role": "owner"}, 400, "A role is one of developer, reviewer, admin."),
    ({"change": "role", "role": "developer"}, 409, "already has the role developer"),
    ({"change": "enable"}, 409, "dev@example.org is not disabled."),
    ({"change": "explode"}, 400, "Choose to change the role"),
])
def test_bad_changes_are_refused_on_the_page_and_change_nothing(client, store, admin, dev, fields, status, message):
    log_in_as(client, store, admin)
    response = change(client, dev[0], **fields)
    assert response.status_code == status and message in text_of(response)
    assert role_of(store, dev[0]) == "developer"


def test_an_unknown_account_is_404(client, store, admin):
    log_in_as(client, store, admin)
    assert change(client, 99999, change="role", role="admin").status_code == 404
    assert change(client, "nope", change="role", role="admin").status_code == 404  # type: ignore[arg-type]


def test_the_last_admin_cannot_demote_or_disable_themselves(client, store, account, admin):
    log_in_as(client, store, admin)
    response = change(client, admin, change="role", role="developer")
    assert response.status_code == 409
    assert "ada@example.org is the store's last administrator: make another account an administrator first." \
        in text_of(response)
    assert "You cannot disable your own account." in text_of(change(client, admin, change="disable"))
    assert role_of(store, admin) == "admin"
    # With another admin, stepping down is allowed.
    other = account("bea@example.org", role="admin", username="bea")[0]
    assert change(client, admin, change="role", role="reviewer").status_code == 303
    assert role_of(store, admin) == "reviewer" and role_of(store, other) == "admin"
    assert client.get(ACCOUNTS).status_code == 403  # no longer an admin


def test_a_disabled_account_cannot_log_in_and_its_credentials_stop_working(client, store, admin, dev):
    dev_id, bearer = dev
    with store.db.session() as session:
        user = session.get(User, dev_id)
        amo = issue_key(session, store.key_cipher, user)
        edge = issue_edge_credentials(session, user)
    now = int(time.time())
    jwt_header = {"Authorization": "JWT " + jwt.encode({"iss": amo.issuer, "iat": now, "exp": now + 60}, amo.secret,
                                                       algorithm="HS256")}
    token = client.post("/tenant/oauth2/v2.0/token", data={
        "client_id": edge.client_id, "client_secret": edge.client_secret, "grant_type": "client_credentials",
        "scope": "https://api.addons.microsoftedge.microsoft.com/.default"}).json()["access_token"]
    edge_products = "/v1/products/00000000-0000-0000-0000-000000000000/submissions/draft/package"
    api_key = {"Authorization": f"ApiKey {edge.api_key}", "X-ClientID": edge.client_id}
    assert client.get(SIGNED_STATUS, headers=bearer).status_code == 404
    assert client.get(SIGNED_STATUS, headers=jwt_header).status_code == 404

    developer = client.__class__(client.app, base_url="http://store.test")
    log_in_as(developer, store, dev_id)
    assert developer.get("/developers/addons/").status_code == 200

    log_in_as(client, store, admin)
    response = change(client, dev_id, change="disable", reason="Spam uploads.")
    assert response.status_code == 303
    page = text_of(client.get(ACCOUNTS, params={"q": "dev@"}))
    assert "disabled" in page and "Enable the account" in page

    # The session opened before ends; logging in again is refused, saying why.
    assert developer.get("/developers/addons/", follow_redirects=False).status_code in (303, 401, 403)
    refused = log_in(developer, "dev@example.org", PASSWORD)
    assert refused.status_code == 403
    assert "This account has been disabled by the store's administrators." in text_of(refused)
    assert log_in(developer, "dev@example.org", "wrong password").status_code == 400  # no hint without it
    for headers in (bearer, jwt_header):
        answer = client.get(SIGNED_STATUS, headers=headers)
        assert answer.status_code == 401
        assert answer.json()["detail"] == "This account has been disabled by the store's administrators."
    for headers in ({"Authorization": f"Bearer {token}"}, api_key):
        answer = client.post(edge_products, headers=headers, content=b"x")
        assert answer.status_code == 401 and "disabled" in answer.text
    assert client.post("/tenant/oauth2/v2.0/token", data={
        "client_id": edge.client_id, "client_secret": edge.client_secret, "grant_type": "client_credentials",
        "scope": "https://api.addons.microsoftedge.microsoft.com/.default"}).status_code == 401

    assert change(client, dev_id, change="enable", reason="Appeal granted.").status_code == 303
    assert client.get(SIGNED_STATUS, headers=bearer).status_code == 404
    assert log_in(developer, "dev@example.org", PASSWORD).status_code == 303
    with store.db.session() as session:
        logged = [(e.action, e.notes) for e in entries(session, LogFilter()) if e.action.startswith("account_")]
    assert logged == [("account_enabled", "Appeal granted."), ("account_disabled", "Spam uploads.")]


@pytest.mark.cli
def test_the_operator_sets_roles_and_disables_accounts_from_the_command_line(tmp_path):
    data_dir = str(tmp_path)
    run("users", "create", "--data-dir", data_dir, "--email", "ada@example.org", "--role", "admin")
    run("users", "create", "--data-dir", data_dir, "--email", "dev@example.org")
    assert run("users", "set-role", "--data-dir", data_dir, "dev@example.org", "reviewer").stdout.strip() == \
        "dev@example.org is now reviewer."
    refused = run("users", "set-role", "--data-dir", data_dir, "ada@example.org", "developer", check=False)
    assert refused.returncode == 1 and "last administrator" in refused.stderr
    assert "role is one of" in run("users", "set-role", "--data-dir", data_dir, "dev@example.org", "boss",
                                   check=False).stderr
    assert "Disabled dev@example.org" in run("users", "disable", "--data-dir", data_dir, "dev@example.org",
                                             "--reason", "Left.").stdout
    assert "already disabled" in run("users", "disable", "--data-dir", data_dir, "dev@example.org",
                                     check=False).stderr
    assert "Enabled dev@example.org." in run("users", "enable", "--data-dir", data_dir, "dev@example.org").stdout
    assert "no account" in run("users", "enable", "--data-dir", data_dir, "nobody@example.org", check=False).stderr
    logged = [entry for entry in json.loads(run("log", "--data-dir", data_dir, "--json").stdout)
              if entry["action"] in ("role_changed", "account_disabled", "account_enabled")]
    assert [(entry["action"], entry["user"], entry["details"]["email"]) for entry in logged] == [
        ("account_enabled", "(store)", "dev@example.org"), ("account_disabled", "(store)", "dev@example.org"),
        ("role_changed", "(store)", "dev@example.org")]
    assert logged[2]["details"]["previous"] == "developer" and logged[1]["notes"] == "Left."
