"""The "report this add-on" form: anonymous and signed-in visitors report through it as the
abuse API takes reports, each refusal worded on the form with what was typed kept."""

import pytest
from fastapi.routing import APIRoute

from addonhub.abuse import service
from addonhub.catalog.importer import import_catalogue
from addonhub.web import abuse_reports
from addonhub.web.abuse_reports import REASON_NAMES
from addonhub.web.forms import CheckedForm
from tests.factories import addon_record
from tests.web.conftest import csrf_of, log_in
from tests.web.test_pages import text_of


def with_catalogue(client):
    with client.store.db.session() as session:
        import_catalogue(session, {"addons": [addon_record("tamer", name={"en-US": "Tab Tamer"}),
                                              addon_record("draft", status="nominated")]})
    return client


@pytest.fixture
def site(web):
    return with_catalogue(web)


def reports_of(client) -> list:
    with client.store.db.session() as session:
        return [(report.guid, report.reason, report.message, report.reporter_id)
                for report in service.reports(session)]


def send(client, slug="tamer", **fields):
    token = csrf_of(client.get(f"/addon/{slug}/report/"))
    return client.post(f"/addon/{slug}/report", data={"csrf_token": token, **fields}, follow_redirects=False)


def test_the_reasons_are_the_services():
    assert REASON_NAMES.keys() == service.REASONS.keys()
    assert all(REASON_NAMES[reason] == words for reason, words in service.REASONS.items())


def test_every_post_checks_the_csrf_token():
    posts = [route for route in abuse_reports.router.routes if isinstance(route, APIRoute) and "POST" in route.methods]
    assert posts and all(any(isinstance(dependency.call, CheckedForm) for dependency in route.dependant.dependencies)
                         for route in posts)


def test_an_anonymous_visitor_reports_from_the_cached_addon_page(site):
    # The add-on page (as the anonymous cache keeps it: no form, no token) links to the form.
    page = site.get("/addon/tamer/")
    assert 'href="/addon/tamer/report/"' in page.text and "csrf_token" not in page.text
    form = site.get("/addon/tamer/report/")
    assert form.status_code == 200 and "Report Tab Tamer" in text_of(form)
    assert all(words in text_of(form) for words in service.REASONS.values())
    answer = send(site, reason="spam", message="It opens advert tabs.")
    assert answer.status_code == 200 and "Thank you for your report" in text_of(answer)
    assert "You reported: Creates spam or advertising" in text_of(answer)
    guid = addon_record("tamer")["guid"]
    assert reports_of(site) == [(guid, "spam", "It opens advert tabs.", None)]


def test_a_signed_in_visitors_report_names_them(site, person):
    log_in(site)
    assert send(site, reason="broken", message="Breaks every site.").status_code == 200
    assert reports_of(site)[0][3] == person


def test_refusals_keep_what_was_typed_and_save_nothing(site):
    no_reason = send(site, message="Something is off.")
    assert no_reason.status_code == 400 and "Choose what is wrong with this add-on." in text_of(no_reason)
    assert "Something is off." in no_reason.text
    odd_reason = send(site, reason="<b>nope</b>", message="Something is off.")
    assert odd_reason.status_code == 400 and "<b>nope" not in odd_reason.text
    blank = send(site, reason="spam", message="   ")
    assert blank.status_code == 400 and "This field may not be blank." in text_of(blank)
    too_long = send(site, reason="other", message="x" * (service.MAX_MESSAGE + 1))
    assert too_long.status_code == 400 and "no more than 10000 characters" in text_of(too_long)
    assert reports_of(site) == []


def test_a_missing_token_is_refused_and_the_form_kept(site):
    site.get("/addon/tamer/report/")
    answer = site.post("/addon/tamer/report", data={"reason": "spam", "message": "Kept words"})
    assert answer.status_code == 403 and "This form was not sent" in text_of(answer) and "Kept words" in answer.text
    assert reports_of(site) == []
    # The form shown again carries a token that works.
    again = site.post("/addon/tamer/report", data={"csrf_token": csrf_of(answer), "reason": "spam",
                                                   "message": "Kept words"})
    assert again.status_code == 200 and len(reports_of(site)) == 1


def test_an_addon_the_visitor_may_not_see_has_no_form(site):
    assert site.get("/addon/draft/report/").status_code == 404
    assert site.get("/addon/nothing-here/report/").status_code == 404
    token = csrf_of(site.get("/addon/tamer/report/"))
    refused = site.post("/addon/draft/report", data={"csrf_token": token, "reason": "spam", "message": "x"})
    assert refused.status_code == 404 and reports_of(site) == []


def test_reports_past_the_throttle_are_undone(make_client):
    site = with_catalogue(make_client(throttle_abuse_reports_per_user="1/hour", throttle_abuse_reports_per_ip="1/hour"))
    assert send(site, reason="spam", message="First").status_code == 200
    later = send(site, reason="spam", message="Second")
    assert later.status_code == 429 and "try again in" in text_of(later) and "Second" in later.text
    assert [report[2] for report in reports_of(site)] == ["First"]
