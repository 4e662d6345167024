"""Ratings and reviews on the web, as visitors use them: the histogram and reviews of the add-on
page, writing, editing and deleting one's own review, developers' replies, moderators' removals,
flags, the profile's ratings, and every refusal worded on the page with what was typed kept."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from addonhub.accounts.models import User
from addonhub.catalog.models import Addon
from addonhub.ratings import service
from addonhub.ratings.models import RatingFlag
from addonhub.web.reviews import FLAG_REASON_NAMES
from tests.factories import addon_record
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_pages import text_of


@pytest.fixture
def catalogue(load, account):
    account("owner@example.org", username="owner")
    no_ratings = {"average": 0, "count": 0}
    load(addon_record("first", name={"en-US": "First", "de": "Erstes"}, ratings=no_ratings,
                      authors=[{"username": "owner", "name": "Olga Owner"}]),
         addon_record("second", ratings=no_ratings, authors=[{"username": "owner"}]),
         addon_record("hidden", status="nominated", ratings=no_ratings, authors=[{"username": "owner"}]))


@pytest.fixture
def people(store, account, catalogue):
    """Alice and Bob, who rate; the owner of the add-ons; a reviewer."""
    ids = {"alice": account("alice@example.org", username="alice")[0],
           "bob": account("bob@example.org", username="bob")[0],
           "reviewer": account("rita@example.org", role="reviewer", username="rita")[0]}
    with store.db.session() as session:
        ids["owner"] = session.query(User).filter_by(username="owner").one().id
    return ids


def post_form(client, page_path: str, action: str, **fields):
    """Sends a form as a browser does from the page that holds it: with that page's CSRF token."""
    token = csrf_of(client.get(page_path))
    return client.post(action, data={"csrf_token": token, **fields}, follow_redirects=False)


def write(client, slug="first", **fields):
    return post_form(client, f"/addon/{slug}/", f"/addon/{slug}/reviews/", **fields)


def review_id(answer) -> str:
    return re.search(r"#review-(\d+)$", answer.headers["location"]).group(1)


def histogram_of(page) -> dict[int, int]:
    """The histogram's bars: stars -> ratings."""
    return {int(stars): int(count) for count, stars in re.findall(r'value="(\d+)" aria-labelledby="histogram-(\d)"', page.text)}


def api_ratings(client, slug="first") -> dict:
    return client.get(f"/api/v4/addons/addon/{slug}/").json()["ratings"]


def test_a_visitor_writes_edits_and_deletes_their_review_on_the_addon_page(client, store, people):
    anonymous = client.get("/addon/first/")
    assert "Log in to rate this add-on" in text_of(anonymous) and "No reviews yet." in text_of(anonymous)
    assert 'name="score"' not in anonymous.text
    log_in_as(client, store, people["alice"])
    page = client.get("/addon/first/")
    assert "<legend>Rating</legend>" in page.text and '<label for="review-body">Review</label>' in page.text
    assert ">Submit review</button>" in page.text and "5 stars" in text_of(page)

    answer = write(client, score="4", body="Tames my tabs <script>alert(1)</script>\nTwice.")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/addon/first/#review-")
    rating = review_id(answer)
    page = client.get("/addon/first/")
    text = text_of(page)
    assert "Your review" in text and "Tames my tabs <script>alert(1)</script>" in text
    assert "<script>alert(1)" not in page.text
    assert 'aria-label="Rated 4 out of 5"' in page.text and "1 rating" in text
    assert histogram_of(page) == {5: 0, 4: 1, 3: 0, 2: 0, 1: 0}
    assert f'href="/addon/first/reviews/{rating}/edit/">Edit your review</a>' in page.text
    assert ">Delete your review</button>" in page.text and 'name="score"' not in page.text
    assert api_ratings(client) == {"average": 4.0, "bayesian_average": 4.0, "count": 1, "text_count": 1}

    # Everyone sees it at once (the anonymous page is cached, but by its reviews too).
    client.cookies.clear()
    assert "Tames my tabs" in text_of(client.get("/addon/first/"))
    log_in_as(client, store, people["alice"])

    edit = client.get(f"/addon/first/reviews/{rating}/edit/")
    assert edit.status_code == 200 and 'value="4" checked' in edit.text
    assert "Tames my tabs &lt;script&gt;" in edit.text and ">Save review</button>" in edit.text
    # Only the text changes: the add-on's document stays the same, the page does not.
    answer = post_form(client, f"/addon/first/reviews/{rating}/edit/", f"/addon/first/reviews/{rating}/edit",
                       score="4", body="Now with fewer tabs.")
    assert answer.status_code == 303
    assert "Now with fewer tabs." in text_of(client.get("/addon/first/"))
    client.cookies.clear()
    anonymous = text_of(client.get("/addon/first/"))
    assert "Now with fewer tabs." in anonymous and "Tames my tabs" not in anonymous
    log_in_as(client, store, people["alice"])
    post_form(client, f"/addon/first/reviews/{rating}/edit/", f"/addon/first/reviews/{rating}/edit", score="2", body="")
    page = client.get("/addon/first/")
    assert histogram_of(page)[2] == 1 and api_ratings(client)["text_count"] == 0

    answer = post_form(client, "/addon/first/", f"/addon/first/reviews/{rating}/delete")
    assert answer.status_code == 303 and answer.headers["location"] == "/addon/first/#reviews"
    page = client.get("/addon/first/")
    assert "No reviews yet." in text_of(page) and 'name="score"' in page.text
    assert api_ratings(client)["count"] == 0


def test_mistakes_are_shown_on_the_page_with_what_was_typed(client, store, people):
    log_in_as(client, store, people["alice"])
    answer = write(client, body="No stars, but words ✓ e\u0301")
    assert answer.status_code == 400
    assert "Choose a rating from 1 to 5 stars." in text_of(answer) and "No stars, but words ✓ e\u0301" in answer.text
    assert 'aria-describedby="error-score"' in answer.text
    too_many = write(client, score="9", body="Nine")
    assert too_many.status_code == 400 and "Ensure this value is less than or equal to 5." in text_of(too_many)
    assert "Nine</textarea>" in too_many.text
    assert write(client, score="x" * 100_000).status_code == 400
    # In German, the same refusals in German.
    client.get("/addon/first/?lang=de")
    german = write(client, body="Ohne Sterne")
    assert "Wählen Sie eine Wertung von 1 bis 5 Sternen." in text_of(german) and "Ohne Sterne" in german.text
    assert ">Rezension absenden</button>" in german.text
    # Without the session's token: nothing written, the form again with the text.
    forged = client.post("/addon/first/reviews/", data={"csrf_token": "forged", "score": "5", "body": "Kept"},
                         follow_redirects=False)
    assert forged.status_code == 403 and "Kept</textarea>" in forged.text and 'value="5" checked' in forged.text
    assert "Dieses Formular wurde nicht gesendet" in text_of(forged)
    huge = write(client, score="5", body="x" * 300_000)
    assert huge.status_code == 413
    assert api_ratings(client)["count"] == 0


def test_one_review_per_visitor_and_none_by_the_addons_authors(client, store, people):
    log_in_as(client, store, people["alice"])
    assert write(client, score="5").status_code == 303
    # The rule is met before the throttle counts anything.
    again = post_form(client, "/addon/first/", "/addon/first/reviews/", score="1", body="Again")
    assert again.status_code == 400 and "You can't leave more than one review" in text_of(again)
    log_in_as(client, store, people["owner"])
    page = client.get("/addon/first/")
    assert 'name="score"' not in page.text and "Log in to rate" not in text_of(page)
    own = write(client, score="5", body="Mine is great")
    assert own.status_code == 400 and "You can't leave a review on your own add-on." in text_of(own)
    assert "Mine is great" in own.text


def test_a_second_review_within_the_throttle_waits_and_keeps_its_text(client, store, people):
    log_in_as(client, store, people["alice"])
    assert write(client, "first", score="5").status_code == 303
    later = write(client, "second", score="4", body="Also good")
    assert later.status_code == 429 and "try again in 1 min." in text_of(later) and "Also good" in later.text
    assert api_ratings(client, "second")["count"] == 0


def test_another_visitors_review_cannot_be_edited_or_deleted(client, store, people):
    log_in_as(client, store, people["alice"])
    rating = review_id(write(client, score="5", body="Alice's words"))
    log_in_as(client, store, people["bob"])
    page = client.get("/addon/first/")
    assert "Edit your review" not in text_of(page) and "Remove the review" not in text_of(page)
    assert "Report the review by alice" in text_of(page)
    assert client.get(f"/addon/first/reviews/{rating}/edit/").status_code == 403
    edit = post_form(client, "/addon/first/", f"/addon/first/reviews/{rating}/edit", score="1", body="Bob's words")
    assert edit.status_code == 403 and "This review is not yours to change" in text_of(edit)
    assert post_form(client, "/addon/first/", f"/addon/first/reviews/{rating}/delete").status_code == 403
    assert "Alice's words" in text_of(client.get("/addon/first/")) and api_ratings(client)["average"] == 5.0
    # A review under another add-on's address, or of a non-public add-on, is not there.
    assert client.get(f"/addon/second/reviews/{rating}/edit/").status_code == 404
    assert post_form(client, "/addon/first/", f"/addon/second/reviews/{rating}/delete").status_code == 404
    assert client.get("/addon/hidden/reviews/").status_code == 404
    assert post_form(client, "/addon/first/", "/addon/hidden/reviews/", score="5").status_code == 404
    # Signed out, a write leads to the log-in page; a form from no session at all is refused.
    post_form(client, "/addon/first/", "/logout")
    answer = post_form(client, "/login", f"/addon/first/reviews/{rating}/delete")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/addon/first/"
    client.cookies.clear()
    assert client.post(f"/addon/first/reviews/{rating}/delete", follow_redirects=False).status_code == 403
    assert api_ratings(client)["count"] == 1


def test_authors_reply_and_reviewers_remove(client, store, people):
    log_in_as(client, store, people["alice"])
    rating = review_id(write(client, score="3", body="It is fine"))
    log_in_as(client, store, people["owner"])
    page = client.get("/addon/first/")
    assert f'href="/addon/first/reviews/{rating}/reply/">Reply to alice</a>' in page.text
    form = client.get(f"/addon/first/reviews/{rating}/reply/")
    assert form.status_code == 200 and "It is fine" in text_of(form) and ">Post reply</button>" in form.text
    blank = post_form(client, f"/addon/first/reviews/{rating}/reply/", f"/addon/first/reviews/{rating}/reply", body="  ")
    assert blank.status_code == 400 and "This field may not be blank." in text_of(blank)
    answer = post_form(client, f"/addon/first/reviews/{rating}/reply/", f"/addon/first/reviews/{rating}/reply",
                       body="Thanks, Alice!")
    assert answer.status_code == 303
    text = text_of(client.get("/addon/first/"))
    assert "Reply from Olga Owner" in text and "Thanks, Alice!" in text
    assert "Edit the reply to alice" in text and "Delete the reply to alice" in text
    # Someone who is not an author may not reply.
    log_in_as(client, store, people["bob"])
    assert client.get(f"/addon/first/reviews/{rating}/reply/").status_code == 403
    assert post_form(client, "/addon/first/", f"/addon/first/reviews/{rating}/reply", body="Me too").status_code == 403
    # A reviewer removes the review (and so its reply) from the page.
    log_in_as(client, store, people["reviewer"])
    page = client.get("/addon/first/")
    assert "Remove the review by alice" in text_of(page)
    assert post_form(client, "/addon/first/", f"/addon/first/reviews/{rating}/delete").status_code == 303
    text = text_of(client.get("/addon/first/"))
    assert "It is fine" not in text and "Thanks, Alice!" not in text and api_ratings(client)["count"] == 0


def test_visitors_report_reviews_for_moderation(client, store, people):
    assert set(FLAG_REASON_NAMES) == set(service.FLAG_REASONS)
    log_in_as(client, store, people["alice"])
    rating = review_id(write(client, score="1", body="Buy cheap watches"))
    assert "Report the review" not in text_of(client.get("/addon/first/"))
    assert client.get(f"/addon/first/reviews/{rating}/flag/").status_code == 403
    log_in_as(client, store, people["bob"])
    path = f"/addon/first/reviews/{rating}/flag/"
    form = client.get(path)
    assert "What is wrong with this review?" in text_of(form) and "Buy cheap watches" in text_of(form)
    assert "This field is required." in text_of(post_form(client, path, path.rstrip("/")))
    other = post_form(client, path, path.rstrip("/"), flag="rating_flag_reason_other")
    assert other.status_code == 400 and 'must be provided when selecting "Other"' in unescape(other.text)
    done = post_form(client, path, path.rstrip("/"), flag="rating_flag_reason_spam")
    assert done.status_code == 200 and "Thanks; this rating has been flagged" in text_of(done)
    with store.db.session() as session:
        flags = session.scalars(select(RatingFlag)).all()
        assert [(f.user_id, f.flag) for f in flags] == [(people["bob"], "rating_flag_reason_spam")]


def test_the_profile_shows_the_persons_ratings(client, store, people):
    log_in_as(client, store, people["alice"])
    write(client, score="5", body="Loved it")
    profile = client.get(f"/user/{people['alice']}/")
    text = text_of(profile)
    assert "Ratings by alice" in text and "Loved it" in text and 'href="/addon/first/">First</a>' in profile.text
    assert "Rated 5 out of 5" in profile.text and "Delete your review" in text
    client.cookies.clear()
    anonymous = client.get(f"/user/{people['alice']}/?lang=de")
    assert "Bewertungen von alice" in text_of(anonymous) and "Erstes" in text_of(anonymous)
    assert "Delete your review" not in text_of(anonymous)
    assert "Noch keine Bewertungen." in text_of(client.get(f"/user/{people['bob']}/"))  # the language remembered


def test_many_reviews_come_a_page_at_a_time(client, store, people, account):
    raters = [account(f"rater{number}@example.org", username=f"rater{number}")[0] for number in range(25)]
    with store.db.session() as session:  # through the service, past the web's throttle
        addon = session.query(Addon).filter_by(slug="first").one()
        for number, rater in enumerate(raters):
            service.create_rating(session, session.get(User, rater), addon, addon.current_version_id, 1 + number % 5,
                                  f"Review {number}")
    page = client.get("/addon/first/")
    assert "Review 24" in text_of(page) and "Review 19" not in text_of(page)
    assert histogram_of(page) == {5: 5, 4: 5, 3: 5, 2: 5, 1: 5}
    assert 'href="/addon/first/reviews/">All 25 reviews</a>' in page.text
    first = text_of(client.get("/addon/first/reviews/"))
    assert "25 reviews" in first and "Review 24" in first and "Review 5" in first and "Review 4 " not in first
    assert "Page 1 of 2" in first
    second = text_of(client.get("/addon/first/reviews/?page=2"))
    assert "Review 4" in second and "Review 0" in second and "Review 5 " not in second
    assert client.get("/addon/first/reviews/?page=3").status_code == 404
