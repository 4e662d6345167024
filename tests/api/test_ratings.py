"""The ratings API as AMO's clients use it: shapes, rules, and the catalogue's aggregates."""

import pytest

from tests.factories import addon_record, slugs

RATINGS = "/api/v4/ratings/rating/"


@pytest.fixture
def catalogue(load, owner):
    """Two listed add-ons by "owner", and one that is not public."""
    load(addon_record("first", authors=[{"username": "owner"}], ratings={"average": 0, "count": 0}),
         addon_record("second", authors=[{"username": "owner"}], ratings={"average": 0, "count": 0}),
         addon_record("hidden", status="nominated", authors=[{"username": "owner"}]))


def _addon(client, slug):
    return client.get(f"/api/v4/addons/addon/{slug}/").json()


def _rate(client, headers, slug, score, body=None, **extra):
    addon = _addon(client, slug)
    payload = {"addon": addon["id"], "version": addon["current_version"]["id"], "score": score, "body": body, **extra}
    return client.post(RATINGS, json=payload, headers=headers)


def test_a_rating_in_amo_shape_feeds_the_catalogue_at_once(client, catalogue, account):
    _, alice = account("alice@example.org", username="alice")
    response = _rate(client, alice, "first", 4, "Works well")
    assert response.status_code == 201, response.text
    rating = response.json()
    assert rating["score"] == 4 and rating["body"] == "Works well" and rating["reply"] is None
    assert rating["addon"]["slug"] == "first" and rating["user"]["username"] == "alice"
    assert rating["user"]["url"].startswith("http://store.test/user/")
    assert rating["is_latest"] is True and rating["is_deleted"] is False and rating["is_developer_reply"] is False
    assert rating["version"]["version"] == "1.0"
    assert client.get(f"{RATINGS}{rating['id']}/").json() == rating
    assert _addon(client, "first")["ratings"] == {"average": 4.0, "bayesian_average": 4.0, "count": 1, "text_count": 1}


def test_the_rating_sort_follows_new_ratings(client, catalogue, account):
    headers = [account(f"user{n}@example.org")[1] for n in range(3)]
    _rate(client, headers[0], "first", 2)
    _rate(client, headers[1], "second", 5)
    _rate(client, headers[2], "second", 4)
    assert slugs(client.get("/api/v4/addons/search/?sort=rating")) == ["second", "first"]
    second = _addon(client, "second")["ratings"]
    assert second["count"] == 2 and second["average"] == 4.5 and second["text_count"] == 0
    # C = 1.5 ratings, m = (2 + 4.5) / 2 over the store's rated add-ons: (C*m + 2*4.5) / (C + 2)
    assert second["bayesian_average"] == pytest.approx((1.5 * 3.25 + 2 * 4.5) / 3.5)


def test_one_rating_per_user_per_addon_and_none_on_ones_own(client, catalogue, account, owner):
    _, alice = account("alice@example.org")
    assert _rate(client, alice, "first", 5).status_code == 201
    again = _rate(client, alice, "first", 1)
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["You can't leave more than one review for the same add-on."]}
    own = _rate(client, owner[1], "first", 5)
    assert own.status_code == 400
    assert own.json() == {"non_field_errors": ["You can't leave a review on your own add-on."]}


def test_bad_input_is_answered_by_field(client, catalogue, account):
    _, alice = account("alice@example.org")
    addon = _addon(client, "first")
    assert client.post(RATINGS, json={}, headers=alice).json() == {
        "addon": ["This field is required."], "score": ["This field is required."], "version": ["This field is required."]}
    assert _rate(client, alice, "first", 6).json() == {"score": ["Ensure this value is less than or equal to 5."]}
    assert _rate(client, alice, "first", "many").json() == {"score": ["A valid integer is required."]}
    assert _rate(client, alice, "first", 3, body=["x"]).json() == {"body": ["Not a valid string."]}
    other_version = _addon(client, "second")["current_version"]["id"]
    wrong = client.post(RATINGS, json={"addon": addon["id"], "version": other_version, "score": 3}, headers=alice)
    assert wrong.json() == {"version": ["This version of the add-on doesn't exist or isn't public."]}
    assert client.post(RATINGS, content=b"{not json", headers={**alice, "content-type": "application/json"}).status_code == 400
    assert _addon(client, "first")["ratings"]["count"] == 0


def test_not_public_addons_are_not_found_and_anonymous_writes_need_credentials(client, catalogue, account):
    _, alice = account("alice@example.org")
    assert client.get(RATINGS, params={"addon": "hidden"}).status_code == 404
    assert client.post(RATINGS, json={"addon": "hidden", "version": 1, "score": 3}, headers=alice).status_code == 404
    assert client.post(RATINGS, json={"addon": "first", "version": 1, "score": 3}).status_code == 401


def test_others_ratings_cannot_be_edited_or_deleted_but_reviewers_remove_any(client, catalogue, account):
    _, alice = account("alice@example.org")
    _, bob = account("bob@example.org")
    _, reviewer = account("reviewer@example.org", role="reviewer")
    rating = _rate(client, alice, "first", 2, "Meh").json()
    url = f"{RATINGS}{rating['id']}/"
    assert client.patch(url, json={"score": 5}, headers=bob).status_code == 403
    assert client.delete(url, headers=bob).status_code == 403
    edited = client.patch(url, json={"score": 5, "body": "Better now"}, headers=alice)
    assert edited.status_code == 200 and edited.json()["score"] == 5 and edited.json()["body"] == "Better now"
    assert _addon(client, "first")["ratings"]["average"] == 5.0
    assert client.patch(url, json={"version": 1}, headers=alice).status_code == 400
    assert client.delete(url, headers=reviewer).status_code == 204
    assert client.get(url).status_code == 404
    assert _addon(client, "first")["ratings"]["count"] == 0


def test_lists_filter_and_group(client, catalogue, account):
    users = [account(f"user{n}@example.org") for n in range(3)]
    ids = [_rate(client, headers, "first", score, body).json()["id"]
           for (_, headers), score, body in zip(users, (5, 5, 1), ("Great", None, "Bad"))]
    listing = client.get(RATINGS, params={"addon": "first", "show_grouped_ratings": "true"}).json()
    assert [r["id"] for r in listing["results"]] == ids[::-1] and listing["count"] == 3
    assert listing["grouped_ratings"] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 2}
    assert client.get(RATINGS, params={"addon": "first", "score": "5"}).json()["count"] == 2
    assert client.get(RATINGS, params={"addon": "first", "exclude_ratings": str(ids[0])}).json()["count"] == 2
    assert client.get(RATINGS, params={"addon": "first", "filter": "without_empty_body"}).json()["count"] == 2
    assert client.get(RATINGS, params={"user": users[0][0]}).json()["count"] == 1
    assert client.get(RATINGS).json() == {"detail": "Need an addon or user parameter"}
    assert client.get(RATINGS, params={"user": "x"}).json() == {"detail": "user parameter should be an integer."}
    assert client.get(RATINGS, params={"addon": "first", "score": "a"}).status_code == 400
    assert client.get(RATINGS, params={"addon": "first", "page_size": "1"}).json()["next"].endswith("page=2")


def test_the_developer_replies_once_and_others_flag(client, catalogue, account, owner):
    owner_id, owner_headers = owner
    _, alice = account("alice@example.org")
    _, bob = account("bob@example.org")
    rating = _rate(client, alice, "first", 1, "Broken").json()
    url = f"{RATINGS}{rating['id']}/"
    assert client.post(url + "reply/", json={"body": "Fixed in 1.1"}, headers=bob).status_code == 403
    listing = client.get(RATINGS, params={"addon": "first", "show_permissions_for": owner_id}, headers=owner_headers)
    assert listing.json()["can_reply"] is True
    reply = client.post(url + "reply/", json={"body": "Fixed in 1.1"}, headers=owner_headers)
    assert reply.status_code == 201 and reply.json()["is_developer_reply"] is True and "score" not in reply.json()
    assert client.get(url).json()["reply"]["body"] == "Fixed in 1.1"
    # Replying again edits the one reply.
    again = client.post(url + "reply/", json={"body": "Fixed in 1.2"}, headers=owner_headers)
    assert again.status_code == 200 and again.json()["id"] == reply.json()["id"]
    assert client.post(url + "reply/", json={"body": " "}, headers=owner_headers).json() == {
        "body": ["This field may not be blank."]}
    assert _addon(client, "first")["ratings"]["count"] == 1
    assert client.post(url + "flag/", json={"flag": "rating_flag_reason_spam"}, headers=alice).status_code == 403
    flagged = client.post(url + "flag/", json={"flag": "rating_flag_reason_other"}, headers=bob)
    assert flagged.status_code == 400 and "note" in flagged.json()
    flagged = client.post(url + "flag/", json={"flag": "rating_flag_reason_spam"}, headers=bob)
    assert flagged.status_code == 202 and flagged.json() == {"msg": "Thanks; this rating has been flagged for reviewer approval."}


def test_show_flags_for_shows_the_callers_own_flags(client, catalogue, account):
    _, alice = account("alice@example.org")
    bob_id, bob = account("bob@example.org")
    carol_id, carol = account("carol@example.org")
    rating = _rate(client, alice, "first", 2, "Meh").json()
    url = f"{RATINGS}{rating['id']}/"
    client.post(url + "flag/", json={"flag": "rating_flag_reason_other", "note": "Off topic"}, headers=bob)
    listing = client.get(RATINGS, params={"addon": "first", "show_flags_for": bob_id}, headers=bob).json()
    assert listing["results"][0]["flags"] == [{"flag": "rating_flag_reason_other", "note": "Off topic"}]
    assert client.get(url, params={"show_flags_for": carol_id}, headers=carol).json()["flags"] == []
    assert "flags" not in client.get(url, headers=bob).json()
    # Only one's own flags: another user's id, no credentials or no number are refused, even
    # where there is nothing to show.
    refusal = {"detail": "show_flags_for parameter value should be equal to the user id of the authenticated user"}
    for params, headers in (({"show_flags_for": carol_id}, bob), ({"show_flags_for": bob_id}, {}),
                            ({"show_flags_for": "me"}, bob)):
        answer = client.get(RATINGS, params={"addon": "second", **params}, headers=headers)
        assert answer.status_code == 400 and answer.json() == refusal
    assert client.get(url, params={"show_flags_for": carol_id}, headers=bob).json() == refusal


def test_rating_writes_are_throttled(client, catalogue, account):
    _, alice = account("alice@example.org")
    assert _rate(client, alice, "first", 5).status_code == 201
    throttled = _rate(client, alice, "second", 5)
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    assert _addon(client, "second")["ratings"]["count"] == 0  # the throttled rating was not kept
