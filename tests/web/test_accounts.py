"""Accounts on the web, as a visitor sees them: sign-up in each mode, invitations, log-in and its
throttle, log-out, sessions and CSRF, and bad input that keeps what was typed."""

import functools
import io
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from itsdangerous import TimestampSigner
from sqlalchemy import update

from addonhub import cli
from addonhub.accounts.models import Invitation, User
from addonhub.accounts.passwords import password_matches, set_password
from addonhub.accounts.service import create_user
from addonhub.accounts.signup import invite
from addonhub.catalog.importer import import_catalogue
from addonhub.web import accounts
from addonhub.web.forms import CheckedForm
from addonhub.web.sessions import SESSION_COOKIE

from tests.conftest import point_the_command_at
from tests.factories import addon_record
from tests.web.conftest import PASSWORD, csrf_of, log_in


def sign_up(client, path="/signup", **fields):
    client.get(path)
    # The token is the session's: the log-in page carries it even where sign-up shows no form.
    data = {"csrf_token": csrf_of(client.get("/login")), "password": PASSWORD, **fields}
    return client.post("/signup", data=data, follow_redirects=False)


def signed_in_as(client) -> str | None:
    """The name the page header shows, if the visitor is signed in."""
    header = client.get("/login").text.split("<main", 1)[0]
    return header.split('href="/user/')[1].split(">", 1)[1].split("<", 1)[0] if 'href="/user/' in header else None


# Passwords.

def test_passwords_are_argon2_hashes_checked_and_upgraded(web):
    user = User(email="a@example.org", username="a")
    set_password(user, "a long passphrase")
    assert user.password_hash.startswith("$argon2id$")
    assert password_matches(user, "a long passphrase")
    assert not password_matches(user, "a long passphrasE")
    assert not password_matches(None, "a long passphrase")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    user.password_hash = weak.hash("older")
    assert password_matches(user, "older")
    assert "m=8," not in user.password_hash and password_matches(user, "older")


# Sign-up.

def test_open_sign_up_makes_an_account_and_signs_it_in(web):
    answer = sign_up(web, email="New@Example.org", display_name="Nia")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/user/")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    profile = web.get(answer.headers["location"])
    assert "<h1>Nia</h1>" in profile.text and signed_in_as(web) == "Nia"
    # The same address in another case is the same person.
    web.cookies.clear()
    again = sign_up(web, email="new@example.org")
    assert again.status_code == 400 and "An account with this e-mail address exists" in again.text
    assert 'value="new@example.org"' in again.text


def test_the_session_cookie_is_secure_when_the_store_is_served_over_https(make_client):
    client = make_client(signup="open", base_url="https://store.example")
    assert "secure" in client.get("/login").headers["set-cookie"]


def test_sign_up_by_invitation_only(make_client):
    client = make_client(signup="invite")
    closed_door = client.get("/signup")
    assert closed_door.status_code == 403 and "by invitation only" in closed_door.text
    assert 'name="password"' not in closed_door.text
    assert sign_up(client, email="x@example.org").status_code == 403
    with client.store.db.session() as session:
        token = invite(session, "invite", "Guest@example.org", timedelta(days=1))
    form = client.get(f"/signup?invite={token}")
    assert form.status_code == 200 and 'value="Guest@example.org"' in form.text and "readonly" in form.text
    other = sign_up(client, f"/signup?invite={token}", email="someone@example.org", invitation=token)
    assert other.status_code == 400 and "This invitation is for Guest@example.org." in other.text
    assert sign_up(client, f"/signup?invite={token}", email="guest@example.org", invitation=token).status_code == 303
    client.cookies.clear()
    used = sign_up(client, email="guest2@example.org", invitation=token)
    assert used.status_code == 403 and "expired or has been used" in used.text
    assert "expired or has been used" in client.get(f"/signup?invite={token}").text


def test_an_expired_invitation_opens_nothing(make_client):
    client = make_client(signup="invite")
    with client.store.db.session() as session:
        token = invite(session, "invite", "late@example.org", timedelta(days=1))
        session.execute(update(Invitation).values(expires=datetime(2000, 1, 1)))
    answer = sign_up(client, email="late@example.org", invitation=token)
    assert answer.status_code == 403 and "expired or has been used" in answer.text


def test_closed_sign_up(make_client):
    client = make_client(signup="closed")
    page = client.get("/signup")
    assert page.status_code == 403 and "does not take sign-ups" in page.text
    assert sign_up(client, email="x@example.org").status_code == 403
    with client.store.db.session() as session, pytest.raises(Exception, match="closed"):
        invite(session, "closed", "x@example.org", timedelta(days=1))


def test_sign_up_mistakes_are_shown_with_what_was_typed(web):
    short = sign_up(web, email="ann@example.org", display_name="Ann Ö", password="short")
    assert short.status_code == 400 and "Use at least 8 characters." in short.text
    assert 'value="ann@example.org"' in short.text and 'value="Ann Ö"' in short.text
    assert "short" not in short.text.split("<main", 1)[1].replace("field-", "")  # passwords are never echoed
    bad_email = sign_up(web, email="not an address", display_name="<script>alert(1)</script>")
    assert bad_email.status_code == 400 and "Enter an e-mail address" in bad_email.text
    assert "<script>alert" not in bad_email.text and "&lt;script&gt;" in bad_email.text
    huge = sign_up(web, email="a@example.org", display_name="x" * 10_000)
    assert huge.status_code == 400 and "A name has at most 255 characters." in huge.text


def test_odd_unicode_in_names_is_normalised_and_controls_removed(web):
    # A right-to-left override could make the name read as something else; NUL and NFD forms too.
    answer = sign_up(web, email="uni@example.org", display_name="\u202eevil\u0000 Zoe\u0301 \U0001F98A")
    profile = web.get(answer.headers["location"]).text
    assert "<h1>evil Zoé \U0001F98A</h1>" in profile and "\u202e" not in profile


def test_a_body_larger_than_any_form_is_refused_with_a_page(web):
    token = csrf_of(web.get("/signup"))
    answer = web.post("/signup", data={"csrf_token": token, "email": "a@example.org", "display_name": "x" * 300_000})
    assert answer.status_code == 413 and "larger than any this store takes" in answer.text
    assert web.post("/login", content=b"{}", headers={"content-type": "application/json"}).status_code == 415
    undecodable = web.post("/login", content=b"csrf_token=" + token.encode() + b"&email=%ff%fe&password=x",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert undecodable.status_code == 400 and "\ufffd" in undecodable.text


# Log-in and log-out.

def test_log_in_and_log_out(web, person):
    assert signed_in_as(web) is None
    answer = log_in(web, email="PAT@example.org", next="/developer/pat/")
    assert answer.status_code == 303 and answer.headers["location"] == "/developer/pat/"
    assert signed_in_as(web) == "Pat"
    page = web.get("/login")
    logout = web.post("/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert logout.status_code == 303 and 'expires=Thu, 01 Jan 1970' in logout.headers["set-cookie"]
    assert signed_in_as(web) is None


def test_log_in_goes_back_only_to_the_store(web, person):
    for elsewhere in ("//evil.example/", "/\\evil.example", "https://evil.example/", "/ok\r\nX: y"):
        assert log_in(web, next=elsewhere).headers["location"] == "/"
        web.cookies.clear()


def test_a_wrong_password_says_so_and_keeps_the_address(web, person):
    answer = log_in(web, password="wrong password")
    assert answer.status_code == 400 and "do not match an account" in answer.text
    assert 'value="pat@example.org"' in answer.text and "wrong password" not in answer.text
    assert signed_in_as(web) is None
    empty = log_in(web, email="", password="")
    assert "Enter your e-mail address." in empty.text and "Enter your password." in empty.text


def test_cli_accounts_log_in_once_they_have_a_password(web, capsys, monkeypatch):
    point_the_command_at(web.store, monkeypatch)
    with web.store.db.session() as session:
        create_user(session, "cli@example.org")
    assert log_in(web, email="cli@example.org", password="").status_code == 400
    assert log_in(web, email="cli@example.org", password=PASSWORD).status_code == 400
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    data_dir = web.store.settings.data_dir
    assert cli.main(["users", "set-password", "cli@example.org", "--data-dir", str(data_dir)]) == 0
    assert "it can log in on the web" in capsys.readouterr().out
    assert log_in(web, email="cli@example.org").status_code == 303


def test_failed_log_ins_are_throttled_per_account_and_per_address(make_client):
    client = make_client(signup="open", throttle_web_login_per_user="3/minute", throttle_web_login_per_ip="5/minute")
    with client.store.db.session() as session:
        set_password(create_user(session, "pat@example.org"), PASSWORD)
    for _ in range(3):
        assert log_in(client, password="guess").status_code == 400
    held = log_in(client)  # even the right password waits: otherwise guessing could go on
    assert held.status_code == 429 and "Too many failed log-ins. Try again in 1 minute." in held.text
    assert 1 <= int(held.headers["retry-after"]) <= 60 and 'value="pat@example.org"' in held.text
    # Unknown addresses count like real ones; past the address's budget every account waits.
    for _ in range(2):
        assert log_in(client, email="nobody@example.org", password="guess").status_code == 400
    assert log_in(client, email="other@example.org", password="guess").status_code == 429


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(web, person):
    log_in(web)
    assert signed_in_as(web) == "Pat"
    with web.store.db.session() as session:
        set_password(session.get(User, person), "another long passphrase")
    page = web.get("/login")
    # The header trusts the cookie, but anything acting as the user checks it: log-out still
    # works, and the old password no longer logs in.
    assert web.post("/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False).status_code == 303
    assert log_in(web).status_code == 400


def test_signed_in_user_is_refused_after_a_password_change(web, person):
    from starlette.requests import Request

    from addonhub.web.sessions import signed_in_user, start_session
    scope = {"type": "http", "app": web.app, "session": {}}
    request = Request(scope)
    with web.store.db.session() as session:
        user = session.get(User, person)
        start_session(request, user)
        assert signed_in_user(request, session) is user
        set_password(user, "another long passphrase")
        assert signed_in_user(request, session) is None


# CSRF.

def test_every_post_of_the_web_dialect_checks_the_csrf_token():
    posts = [route for route in accounts.router.routes if isinstance(route, APIRoute) and "POST" in route.methods]
    assert posts
    for route in posts:
        assert any(isinstance(dependency.call, CheckedForm) for dependency in route.dependant.dependencies), route.path


def test_a_missing_or_wrong_token_is_refused_and_the_form_kept(web, person):
    web.get("/login")
    for token in (None, "wrong", "\u00e9" * 5):
        data = {"email": "pat@example.org", "password": PASSWORD, **({"csrf_token": token} if token else {})}
        answer = web.post("/login", data=data, follow_redirects=False)
        assert answer.status_code == 403 and "This form was not sent" in answer.text
        assert 'value="pat@example.org"' in answer.text
    assert signed_in_as(web) is None
    # The page shown carries a token that works.
    assert web.post("/login", data={"csrf_token": csrf_of(answer), "email": "pat@example.org",
                                    "password": PASSWORD}, follow_redirects=False).status_code == 303


def test_a_token_from_another_session_does_not_work(web, make_client, person):
    other = make_client(signup="open")
    foreign = csrf_of(other.get("/login"))
    web.get("/login")
    assert log_in_with_token(web, foreign).status_code == 403


def log_in_with_token(client, token):
    return client.post("/login", data={"csrf_token": token, "email": "pat@example.org", "password": PASSWORD},
                       follow_redirects=False)


def test_log_out_needs_the_token(web, person):
    log_in(web)
    refused = web.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403 and "This form was not sent" in refused.text
    assert signed_in_as(web) == "Pat"


def test_an_expired_session_keeps_what_was_typed(web, person, monkeypatch):
    page = web.get("/signup")
    later = TimestampSigner.get_timestamp(TimestampSigner("k")) + 15 * 86400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    answer = web.post("/signup", data={"csrf_token": csrf_of(page), "email": "slow@example.org",
                                       "display_name": "Slow Typist", "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403 and "the page had expired" in answer.text
    assert 'value="slow@example.org"' in answer.text and 'value="Slow Typist"' in answer.text


def test_a_tampered_cookie_is_an_anonymous_visit(web, person):
    log_in(web)
    value = web.cookies[SESSION_COOKIE]
    web.cookies.clear()
    web.cookies[SESSION_COOKIE] = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    assert web.get("/login").status_code == 200 and signed_in_as(web) is None


# Profiles.

def load_into(store, *records):
    with store.db.session() as session:
        import_catalogue(session, {"addons": list(records)})


def test_profile_and_developer_pages_list_the_public_add_ons_of_their_person(web, monkeypatch):
    load = functools.partial(load_into, web.store)
    load(addon_record("popular-tool", authors=[{"username": "pat", "name": "Pat"}], average_daily_users=500),
         addon_record("quiet-tool", authors=[{"username": "pat", "name": "Pat"}], average_daily_users=5),
         addon_record("hidden-tool", authors=[{"username": "pat", "name": "Pat"}], status="disabled"),
         addon_record("someone-elses", authors=[{"username": "sam"}]))
    profile = web.get("/user/pat/")
    assert profile.status_code == 200 and "Add-ons by" in profile.text
    assert profile.text.index("Popular Tool") < profile.text.index("Quiet Tool")
    assert 'href="/addon/popular-tool/"' in profile.text
    assert "Hidden Tool" not in profile.text and "Someone Elses" not in profile.text
    monkeypatch.setattr(accounts, "DEVELOPER_PAGE_SIZE", 1)
    first = web.get("/developer/pat/")
    assert "Popular Tool" in first.text and "Quiet Tool" not in first.text and 'rel="next"' in first.text
    second = web.get("/developer/pat/?page=2")
    assert "Quiet Tool" in second.text and 'rel="prev"' in second.text
    assert web.get("/developer/pat/?page=3").status_code == 404
    assert web.get("/developer/pat/?page=%F0%9F%A6%8A").status_code == 200  # not a number: the first page
    nobody = web.get("/user/sam/")
    assert "Someone Elses" in nobody.text and "All 1" not in nobody.text


def test_unknown_people_are_a_404_page(web):
    for path in ("/user/999/", "/user/nobody/", "/developer/" + "x" * 500, "/user/%E2%80%AE/"):
        answer = web.get(path)
        assert answer.status_code == 404 and "There is no such person" in answer.text


# The command line.

def test_users_invite_prints_a_working_link(make_client, capsys, monkeypatch):
    client = make_client(signup="invite")
    point_the_command_at(client.store, monkeypatch)
    data_dir = str(client.store.settings.data_dir)
    assert cli.main(["users", "invite", "friend@example.org", "--data-dir", data_dir,
                     "--base-url", "https://store.example"]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith("https://store.example/signup?invite=")
    path = link.removeprefix("https://store.example")
    answer = sign_up(client, path, email="friend@example.org", invitation=path.split("=", 1)[1])
    assert answer.status_code == 303, answer.text
    assert cli.main(["users", "invite", "friend@example.org", "--data-dir", data_dir]) == 1
    assert "already has an account" in capsys.readouterr().err


def test_set_password_reads_a_file_never_argv(web, tmp_path, capsys, monkeypatch):
    point_the_command_at(web.store, monkeypatch)
    with web.store.db.session() as session:
        create_user(session, "file@example.org")
    secret = tmp_path / "password"
    secret.write_text("short\n")
    data_dir = str(web.store.settings.data_dir)
    args = ["users", "set-password", "file@example.org", "--data-dir", data_dir, "--password-file", str(secret)]
    assert cli.main(args) == 1 and "Use at least 8 characters." in capsys.readouterr().err
    secret.write_text(PASSWORD + "\n")
    assert cli.main(args) == 0
    assert log_in(web, email="file@example.org").status_code == 303
    with pytest.raises(SystemExit):
        cli.main(["users", "set-password", "file@example.org", PASSWORD])
