"""Anonymous pages come from memory (web.page_cache) and are never stale: every change a page can
show, made by this process or any other, is on the next anonymous visit; and nothing personal is
ever kept or handed to another visitor."""

import pytest
import sqlalchemy
from fastapi.testclient import TestClient

from addonhub.accounts.models import User
from addonhub.catalog.importer import import_catalogue
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon
from addonhub.ratings import service
from tests.api.test_metrics import scrape
from tests.factories import addon_record
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_pages import text_of
from tests.web.test_reviews import post_form, review_id, write


@pytest.fixture
def catalogue(load, account):
    owner, _ = account("owner@example.org", username="owner")
    load(addon_record("first", name={"en-US": "First", "de": "Erstes"}, ratings={"average": 0, "count": 0},
                      summary={"en-US": "The first one."}, authors=[{"username": "owner", "name": "Olga Owner"}]))
    return owner


def change_summary_behind_the_catalogue(store, old: str, new: str, raise_revision: bool) -> None:
    """Changes the stored document as another process writing to the database would, without
    this process knowing; with or without raising the catalogue's revision in that transaction."""
    other_process = sqlalchemy.create_engine(store.db.engine.url, poolclass=sqlalchemy.NullPool)
    with other_process.begin() as connection:
        connection.execute(sqlalchemy.text("UPDATE addon_document_bodies SET body = replace(body, :old, :new)"),
                           {"old": old, "new": new})
        if raise_revision:
            connection.execute(sqlalchemy.text("UPDATE catalogue_revision SET value = value + 1"))
    other_process.dispose()


def test_a_change_from_another_process_is_on_the_next_anonymous_visit(client, store, catalogue):
    assert "The first one." in text_of(client.get("/addon/first/"))
    # A write that does not raise the revision is not seen: the page is answered from memory...
    change_summary_behind_the_catalogue(store, "The first one.", "Quietly changed.", raise_revision=False)
    assert "The first one." in text_of(client.get("/addon/first/"))
    # ...and one that does (as every change through catalog.indexing does) is seen at once.
    change_summary_behind_the_catalogue(store, "Quietly changed.", "Openly changed.", raise_revision=True)
    page = client.get("/addon/first/")
    assert page.status_code == 200 and "Openly changed." in text_of(page)


def test_ratings_and_replies_are_on_the_cached_page_at_once(client, store, catalogue, account):
    alice, _ = account("alice@example.org", username="alice")
    anonymous = TestClient(client.app, base_url="http://store.test")
    assert "Solid and quick" not in text_of(anonymous.get("/addon/first/"))
    log_in_as(client, store, alice)
    rating = review_id(write(client, score="4", body="Solid and quick"))
    assert "Solid and quick" in text_of(anonymous.get("/addon/first/"))
    # A reply changes no document (and no aggregate), but the page shows it.
    log_in_as(client, store, catalogue)
    assert post_form(client, "/addon/first/", f"/addon/first/reviews/{rating}/reply", body="Thank you!").status_code == 303
    assert "Thank you!" in text_of(anonymous.get("/addon/first/"))
    with store.db.session() as session:
        reply = service.find_rating(session, int(rating), None).reply
        service.reply(session, session.get(User, catalogue), reply.reply_to, "Thanks again!")
        session.commit()
    assert "Thanks again!" in text_of(anonymous.get("/addon/first/"))


def test_a_signed_in_visitor_never_gets_the_anonymous_page(client, store, catalogue, account):
    alice, _ = account("alice@example.org", username="alice")
    anonymous = text_of(client.get("/addon/first/"))
    assert "Log out" not in anonymous
    log_in_as(client, store, alice)
    page = client.get("/addon/first/")
    assert "Log out" in text_of(page) and "Rate this add-on" in text_of(page)
    # Nor does the next anonymous visitor get theirs.
    client.cookies.clear()
    assert "Log out" not in text_of(client.get("/addon/first/"))


def test_each_language_is_its_own_page(client, catalogue):
    assert "First" in text_of(client.get("/addon/first/"))
    german = client.get("/addon/first/", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert "Erstes" in text_of(german) and german.headers["content-language"] == "de"
    chosen = client.get("/addon/first/?lang=de")
    assert "Erstes" in text_of(chosen) and chosen.cookies.get("lang") == "de"
    client.cookies.clear()
    # The same page asked for again: from memory, with the cookie that remembers the choice.
    again = client.get("/addon/first/?lang=de")
    assert "Erstes" in text_of(again) and again.cookies.get("lang") == "de"
    client.cookies.clear()
    assert "First" in text_of(client.get("/addon/first/"))


def test_forms_tokens_are_never_shared(client, catalogue):
    """The log-in page's form token belongs to the visitor's own session: each visitor gets theirs."""
    first = client.get("/login")
    client.cookies.clear()
    second = client.get("/login")
    assert first.status_code == second.status_code == 200
    assert csrf_of(first) != csrf_of(second)
    assert first.cookies.get("addonhub_session") != second.cookies.get("addonhub_session")


def test_a_hit_is_counted_logged_and_identified(client, catalogue, caplog):
    client.get("/addon/first/")
    before = scrape(client)
    caplog.set_level("INFO", logger="addonhub.requests")
    hit = client.get("/addon/first/", headers={"X-Request-ID": "page-visit-1"})
    assert hit.status_code == 200 and hit.headers["x-request-id"] == "page-visit-1"
    assert hit.headers["content-security-policy"].startswith("default-src 'self'")
    assert any(record.getMessage().startswith("GET /addon/first 200") for record in caplog.records)
    key = ("addonhub_requests_total", (("method", "GET"), ("route", "/addon/{identifier}"), ("status", "200")))
    assert scrape(client)[key] - before[key] == 1


def test_pages_missing_or_hidden_stay_so_for_anonymous_visitors(client, store, catalogue):
    assert client.get("/addon/nothing-here/").status_code == 404
    assert client.get("/addon/first/").status_code == 200
    with store.db.session() as session:
        addon = session.query(Addon).filter_by(slug="first").one()
        addon.is_disabled = True
        reindex(session, addon)
        session.commit()
    assert client.get("/addon/first/").status_code == 404


def test_the_cache_can_be_turned_off(make_client):
    client = make_client(page_cache_mb=0)
    with client.store.db.session() as session:
        import_catalogue(session, {"addons": [addon_record("first", summary={"en-US": "The first one."})]})
    assert "The first one." in text_of(client.get("/addon/first/"))
    change_summary_behind_the_catalogue(client.store, "The first one.", "Quietly changed.", raise_revision=False)
    assert "Quietly changed." in text_of(client.get("/addon/first/"))


def test_api_searches_are_kept_and_never_stale(client, store, catalogue):
    def first_summary(path):
        answer = client.get(path)
        assert answer.status_code == 200
        return answer.json()["results"][0]["summary"]

    searches = ["/api/v4/addons/search/?q=first", "/api/v3/addons/search/?q=first&lang=en-US"]
    assert [first_summary(path) for path in searches] == [{"en-US": "The first one."}, "The first one."]
    change_summary_behind_the_catalogue(store, "The first one.", "Quietly changed.", raise_revision=False)
    assert [first_summary(path) for path in searches] == [{"en-US": "The first one."}, "The first one."]
    # A caller sending credentials is always answered afresh.
    credentialed = client.get(searches[0], headers={"Authorization": "Bearer someone"})
    assert credentialed.json()["results"][0]["summary"] == {"en-US": "Quietly changed."}
    change_summary_behind_the_catalogue(store, "Quietly changed.", "Openly changed.", raise_revision=True)
    assert [first_summary(path) for path in searches] == [{"en-US": "Openly changed."}, "Openly changed."]
    autocomplete = "/api/v4/addons/autocomplete/?q=fir"
    assert client.get(autocomplete).json()["results"][0]["name"] == {"en-US": "First", "de": "Erstes"}
    change_summary_behind_the_catalogue(store, '"First"', '"Quietly renamed"', raise_revision=True)
    assert client.get(autocomplete).json()["results"][0]["name"] == {"en-US": "Quietly renamed", "de": "Erstes"}


def test_a_kept_search_keeps_the_links_of_its_own_request(client, store, catalogue):
    """Links are absolute, built from the host the request came in on and the path as sent."""
    def next_link(path, host):
        return client.get(path, headers={"Host": host}).json()["next"]

    assert next_link("/api/v4/addons/search/?page_size=1&q=first", "one.test") is None
    with store.db.session() as session:
        import_catalogue(session, {"addons": [addon_record("second", name={"en-US": "First again"})]})
    assert next_link("/api/v4/addons/search/?page_size=1&q=first", "one.test") == \
        "http://one.test/api/v4/addons/search/?page_size=1&q=first&page=2"
    assert next_link("/api/v4/addons/search/?page_size=1&q=first", "two.test") == \
        "http://two.test/api/v4/addons/search/?page_size=1&q=first&page=2"
    assert next_link("/api/v4/addons/search?page_size=1&q=first", "two.test") == \
        "http://two.test/api/v4/addons/search?page_size=1&q=first&page=2"


def test_the_rest_of_the_api_is_never_cached(client, store, catalogue):
    client.get("/api/v4/addons/addon/first/")
    change_summary_behind_the_catalogue(store, "The first one.", "Quietly changed.", raise_revision=False)
    assert client.get("/api/v4/addons/addon/first/").json()["summary"] == {"en-US": "Quietly changed."}
