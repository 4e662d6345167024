"""The developer hub's pages as a signed-in developer uses them: credentials created, rotated and
revoked through the same functions as the CLI (the keys work with the APIs, the activity log
records them), secrets shown once, and nobody reaching another account's credentials."""

import re
import time
from html import unescape

import jwt
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from addonhub.accounts import edge_credentials, keys
from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.catalog.constants import Channel, FileStatus
from addonhub.catalog.importer import import_catalogue
from addonhub.catalog.models import Addon, File, Version
from addonhub.edge.products import product_name
from addonhub.edge.products import products_of as edge_products_of
from addonhub.submissions import review
from addonhub.web import developer_hub
from addonhub.web.forms import CheckedForm
from tests.factories import addon_record
from tests.packages.builders import chromium_extension
from tests.web.conftest import csrf_of, log_in, log_in_as
from tests.web.test_pages import text_of


@pytest.fixture
def other(web, person):
    """A second developer, with a key and Edge credentials of their own."""
    with web.store.db.session() as session:
        user = User(email="olga@example.org", username="olga")
        session.add(user)
        session.flush()
        keys.issue_key(session, web.store.key_cipher, user)
        edge_credentials.issue_edge_credentials(session, user)
        return user.id


UNKNOWN_UPLOAD = "00000000-0000-4000-8000-000000000000"


def press(client, action: str):
    """Presses a button of the credentials page, as a browser sends its form."""
    token = csrf_of(client.get("/developers/credentials/"))
    return client.post(f"/developers/credentials/{action}", data={"csrf_token": token}, follow_redirects=False)


def shown(page, element_id: str) -> str | None:
    found = re.search(rf'<code id="{element_id}">([^<]+)</code>', page.text)
    return found.group(1) if found else None


def signed_jwt(issuer: str, secret: str) -> str:
    now = int(time.time())
    return jwt.encode({"iss": issuer, "iat": now, "exp": now + 60}, secret, algorithm="HS256")


def api_answer(client, issuer: str, secret: str) -> int:
    """What the AMO API answers a request signed with this key: 404 (an upload that is not there)
    once the key is accepted, 401 while it is not."""
    return client.get(f"/api/v5/addons/upload/{UNKNOWN_UPLOAD}",
                      headers={"Authorization": f"JWT {signed_jwt(issuer, secret)}"}).status_code


def actions_of(client, user_id: int) -> list[str]:
    with client.store.db.session() as session:
        user = session.get(User, user_id)
        return [entry.action for entry in activity.entries(session, activity.LogFilter(user=user))]


def test_every_post_checks_the_csrf_token():
    posts = [route for route in developer_hub.router.routes if isinstance(route, APIRoute) and "POST" in route.methods]
    assert posts and all(any(isinstance(dependency.call, CheckedForm) for dependency in route.dependant.dependencies)
                         for route in posts)


def test_visitors_who_are_not_signed_in_are_sent_to_log_in(web):
    answer = web.get("/developers/credentials/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/developers/credentials/"
    token = csrf_of(web.get("/login"))
    refused = web.post("/developers/credentials/amo/create", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")


def test_an_api_key_is_created_shown_once_and_works_with_the_api(web, person):
    log_in(web)
    page = web.get("/developers/credentials/")
    assert "You have no API key." in text_of(page) and page.headers["cache-control"] == "no-store"
    created = press(web, "amo/create")
    issuer, secret = shown(created, "amo-issuer"), shown(created, "amo-secret")
    assert created.status_code == 200 and issuer.startswith(f"user:{person}:") and len(secret) == 64
    assert "this is the only time it is shown" in text_of(created)
    assert f"web-ext sign --amo-base-url http://store.test/api/v5/ --api-key '{issuer}' --api-secret {secret}" \
        in text_of(created)
    again = web.get("/developers/credentials/")
    assert shown(again, "amo-issuer") == issuer and secret not in again.text
    # The key is the API's.
    assert api_answer(web, issuer, secret) == 404
    # A second create is refused; rotating replaces the key.
    refused = press(web, "amo/create")
    assert refused.status_code == 400 and "rotate it to get a new secret" in text_of(refused)
    rotated = press(web, "amo/rotate")
    new_issuer, new_secret = shown(rotated, "amo-issuer"), shown(rotated, "amo-secret")
    assert new_issuer != issuer and new_secret != secret
    assert api_answer(web, issuer, secret) == 401 and api_answer(web, new_issuer, new_secret) == 404
    revoked = press(web, "amo/revoke")
    assert "Your API key is revoked" in text_of(revoked) and "You have no API key." in text_of(revoked)
    assert api_answer(web, new_issuer, new_secret) == 401
    assert "There was nothing to revoke." in text_of(press(web, "amo/revoke"))
    assert actions_of(web, person) == [activity.API_KEY_REVOKED, activity.API_KEY_ROTATED, activity.API_KEY_CREATED]


def test_edge_credentials_are_created_shown_once_rotated_and_revoked(web, person):
    log_in(web)
    created = press(web, "edge/create")
    client_id, api_key = shown(created, "edge-client-id"), shown(created, "edge-api-key")
    client_secret = shown(created, "edge-client-secret")
    assert created.status_code == 200 and client_id and api_key and client_secret
    assert 'client.BASE_URL = "http://store.test"' in text_of(created)
    assert f'Authorization: ApiKey {api_key}" -H "X-ClientID: {client_id}" http://store.test/v1/products' \
        in text_of(created)
    products = web.get("/v1/products", headers={"Authorization": f"ApiKey {api_key}", "X-ClientID": client_id})
    assert products.status_code == 200
    again = web.get("/developers/credentials/")
    assert shown(again, "edge-client-id") == client_id and api_key not in again.text and client_secret not in again.text
    rotated = press(web, "edge/rotate")
    assert shown(rotated, "edge-client-id") != client_id
    assert web.get("/v1/products", headers={"Authorization": f"ApiKey {api_key}",
                                            "X-ClientID": client_id}).status_code == 401
    assert "Your Edge credentials are revoked" in text_of(press(web, "edge/revoke"))
    assert actions_of(web, person) == [activity.EDGE_CREDENTIALS_REVOKED, activity.EDGE_CREDENTIALS_ROTATED,
                                       activity.EDGE_CREDENTIALS_CREATED]


def test_a_developer_sees_and_changes_only_their_own_credentials(web, person, other):
    with web.store.db.session() as session:
        theirs = keys.active_key_for_user(session, session.get(User, other)).issuer
        their_edge = edge_credentials.active_credential_for_user(session, session.get(User, other)).client_id
    log_in(web)
    page = web.get("/developers/credentials/")
    assert theirs not in page.text and their_edge not in page.text
    press(web, "amo/create")
    press(web, "amo/revoke")
    press(web, "edge/revoke")
    with web.store.db.session() as session:
        assert keys.active_key_for_user(session, session.get(User, other)).issuer == theirs
        assert edge_credentials.active_credential_for_user(session, session.get(User, other)).client_id == their_edge
    # No address names another account's credentials: only these kinds and actions exist.
    assert press(web, "amo/delete").status_code == 404
    assert press(web, f"user:{other}/revoke").status_code == 404


def test_a_missing_or_foreign_token_is_refused_and_nothing_changes(web, make_client, person):
    log_in(web)
    web.get("/developers/credentials/")
    for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": csrf_of(make_client().get("/login"))}):
        refused = web.post("/developers/credentials/amo/create", data=data, follow_redirects=False)
        assert refused.status_code == 403 and "This form was not sent" in text_of(refused)
    assert "You have no API key." in text_of(web.get("/developers/credentials/"))


def test_bad_input_is_not_a_500(web, person):
    log_in(web)
    token = csrf_of(web.get("/developers/credentials/"))
    for body, content_type in ((b"\xff\xfe", "application/x-www-form-urlencoded"), (b"{}", "application/json")):
        answer = web.post("/developers/credentials/amo/create", content=body, headers={"content-type": content_type})
        assert answer.status_code in (403, 415)
    answer = web.post("/developers/credentials/amo/create", data={"csrf_token": token, "x" * 300: "\x00"})
    assert answer.status_code == 200


# My add-ons.

@pytest.fixture
def authored(web):
    """An add-on of Olga's: its public 1.0, a 2.0 rejected with notes, an unlisted 2.1 signed;
    and Pat's add-on, which is not Olga's. Returns Olga's id."""
    with web.store.db.session() as session:
        import_catalogue(session, {"addons": [
            addon_record("olgas-tabs", name={"en-US": "Olga's Tabs"}, authors=[{"username": "olga", "name": "Olga"}]),
            addon_record("pats-thing", name={"en-US": "Pat's Thing"}, authors=[{"username": "pat", "name": "Pat"}])]})
        addon = session.scalar(select(Addon).where(Addon.slug == "olgas-tabs"))
        rejected = Version(addon_id=addon.id, version="2.0", channel=Channel.LISTED,
                           files=[File(status=FileStatus.UNREVIEWED)])
        signed = Version(addon_id=addon.id, version="2.1", channel=Channel.UNLISTED,
                         files=[File(status=FileStatus.PUBLIC, is_signed=True)])
        session.add_all([rejected, signed])
        session.flush()
        review.reject(session, rejected, None, "The source code you sent does not build this package.")
        olga = session.scalar(select(User).where(User.username == "olga"))
        olga.email = "olga@example.org"
        return olga.id


def version_rows(page) -> list[list[str]]:
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S) if "<td>" in row]


def test_my_addons_lists_each_version_with_its_state_and_the_reviewers_notes(web, authored):
    log_in_as(web, web.store, authored)
    page = web.get("/developers/addons/")
    assert page.status_code == 200 and "Olga's Tabs" in text_of(page) and "Pat's Thing" not in text_of(page)
    assert 'href="/addon/olgas-tabs/"' in page.text and "olgas-tabs@example.org" in page.text
    rows = version_rows(page)
    assert [row[0:2] + row[3:] for row in rows] == [
        ["2.1", "Unlisted", "Signed", ""],
        ["2.0", "Listed", "Rejected", "The source code you sent does not build this package."],
        ["1.0", "Listed", "Approved: public", ""],
    ]


def test_my_addons_needs_an_account(web, person):
    answer = web.get("/developers/addons/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/developers/addons/"
    log_in(web)
    assert "You have no add-ons yet." in text_of(web.get("/developers/addons/"))


def test_an_edge_product_is_created_from_my_addons_and_listed_with_its_operations(web, person, tmp_path):
    log_in(web)
    token = csrf_of(web.get("/developers/addons/"))
    blank = web.post("/developers/edge-products", data={"csrf_token": token, "name": "   "})
    assert blank.status_code == 400 and "Give the product a name." in text_of(blank)
    assert web.post("/developers/edge-products", data={"name": "Edgy"}).status_code == 403
    created = web.post("/developers/edge-products", data={"csrf_token": token, "name": "Edgy Tabs"},
                       follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"] == "/developers/addons/"
    page = web.get("/developers/addons/")
    with web.store.db.session() as session:
        products = edge_products_of(session, session.get(User, person))
        assert [product_name(product) for product in products] == ["Edgy Tabs"]
        product_id = products[0].edge_product_id
    assert "Edgy Tabs" in text_of(page) and product_id in page.text and "In Draft" in text_of(page)
    # An upload through the Edge API (v1.1, with credentials made on the credentials page) is
    # one of its operations.
    created = press(web, "edge/create")
    headers = {"Authorization": f"ApiKey {shown(created, 'edge-api-key')}", "X-ClientID": shown(created, "edge-client-id"),
               "Content-Type": "application/zip"}
    package = chromium_extension(tmp_path / "edgy.zip").read_bytes()
    answer = web.post(f"/v1/products/{product_id}/submissions/draft/package", headers=headers, content=package)
    assert answer.status_code == 202
    operation = answer.headers["location"]
    assert f"{operation} : upload, in-progress" in text_of(web.get("/developers/addons/"))
