"""AMO's abuse-report API as Firefox and AMO's pages use it: anonymous or signed in, by id, slug
or guid, unknown guids accepted, bad input answered by field."""

import pytest

from addonhub import cli
from addonhub.abuse.service import reports

from tests.factories import addon_record

REPORT = "/api/v4/abuse/report/addon/"


@pytest.fixture
def catalogue(load, owner):
    load(addon_record("first", authors=[{"username": "owner"}]),
         addon_record("hidden", status="nominated", authors=[{"username": "owner"}]))


def test_an_anonymous_report_by_slug_in_amo_shape(client, catalogue, store):
    response = client.post(REPORT, json={"addon": "first", "message": "It injects ads.", "reason": "spam",
                                         "addon_version": "1.0", "app": "firefox", "addon_install_method": "warp"})
    assert response.status_code == 201
    body = response.json()
    assert body["reporter"] is None
    assert body["addon"]["guid"] == "first@example.org" and body["addon"]["slug"] == "first"
    assert isinstance(body["addon"]["id"], int)
    assert (body["message"], body["reason"], body["addon_version"], body["app"]) == (
        "It injects ads.", "spam", "1.0", "firefox")
    assert body["addon_install_method"] == "other"  # an unknown value is silently "other", as on AMO
    assert body["operating_system"] is None
    with store.db.session() as session:
        [kept] = reports(session)
        assert (kept.guid, kept.message, kept.reason) == ("first@example.org", "It injects ads.", "spam")


def test_a_signed_in_reporter_and_a_guid_the_store_does_not_know(client, catalogue, account):
    _, alice = account("alice@example.org", username="alice")
    response = client.post("/api/v5/abuse/report/addon/", headers=alice,
                           data={"addon": "elsewhere@example.com", "message": "Steals passwords."})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["addon"] == {"guid": "elsewhere@example.com", "id": None, "slug": None}
    assert body["reporter"]["username"] == "alice" and body["reporter"]["url"].endswith(f"/user/{body['reporter']['id']}/")


def test_a_hidden_add_on_is_not_shown_to_reporters(client, catalogue):
    assert client.post(REPORT, json={"addon": "hidden", "message": "x"}).status_code == 404
    body = client.post(REPORT, json={"addon": "hidden@example.org", "message": "x"}).json()
    assert body["addon"] == {"guid": "hidden@example.org", "id": None, "slug": None}


@pytest.mark.parametrize("payload, status, expected", [
    ({"message": "x"}, 400, {"addon": ["This field is required."]}),
    ({"addon": "first"}, 400, {"message": ["This field is required."]}),
    ({"addon": "first", "message": "x", "reason": "boring"}, 400, {"reason": ['"boring" is not a valid choice.']}),
    ({"addon": "first", "message": "   "}, 400, {"message": ["This field may not be blank."]}),
    ({"addon": "first", "message": "x", "app": "f" * 256}, 400,
     {"app": ["Ensure this field has no more than 255 characters."]}),
    ({"addon": ["first"], "message": "x"}, 400, {"addon": ["Not a valid string."]}),
    ({"addon": 999999, "message": "x"}, 404, {"detail": "No Addon matches the given query."}),
    ({"addon": "no-such-slug", "message": "x"}, 404, {"detail": "No Addon matches the given query."}),
])
def test_bad_reports_are_answered_in_amo_shape(client, catalogue, store, payload, status, expected):
    response = client.post(REPORT, json=payload)
    assert (response.status_code, response.json()) == (status, expected)
    with store.db.session() as session:
        assert reports(session) == []


def test_a_body_that_is_not_an_object_is_refused(client, catalogue):
    response = client.post(REPORT, content=b"[1]", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert client.post(REPORT, content=b"{", headers={"content-type": "application/json"}).status_code == 400


def test_reports_are_throttled_per_address(client, catalogue, store):
    store.settings.throttle_abuse_reports_per_ip = "2/hour"
    statuses = [client.post(REPORT, json={"addon": "first", "message": f"report {n}"}).status_code for n in range(3)]
    assert statuses == [201, 201, 429]


@pytest.mark.usefixtures("cli_database")
def test_the_cli_lists_the_reports_beside_an_add_on(client, catalogue, store, capsys):
    client.post(REPORT, json={"addon": "first", "message": "It injects ads.", "reason": "spam"})
    client.post(REPORT, json={"addon": "elsewhere@example.com", "message": "Unrelated."})
    data_dir = str(store.settings.data_dir)
    assert cli.main(["abuse", "list", "--data-dir", data_dir, "--addon", "first"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.endswith("  first@example.org  spam  anonymous: It injects ads.")
    assert cli.main(["abuse", "list", "--data-dir", data_dir]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert cli.main(["abuse", "list", "--data-dir", data_dir, "--addon", "nothing"]) == 1
