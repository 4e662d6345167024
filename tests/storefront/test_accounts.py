"""A visitor in a real browser makes an account, logs out and back in, rates and reviews an add-on
and edits the review, as the pages lead them; the forms refused on the way say why, keep what
was typed, and every page on the way passes axe-core."""

import pytest

from tests.storefront.catalogue import TAB_TIDY
from tests.storefront.visitor import SCREENSHOTS, blocking, visit

pytestmark = pytest.mark.browser


def test_a_visitor_signs_up_logs_in_rates_and_reviews_an_addon_edits_the_review_and_logs_out(
        storefront, refusing_proxy, tmp_path):
    seen = visit("account", storefront, refusing_proxy, tmp_path, screenshots=str(SCREENSHOTS),
                 email="robin@example.org", name="Robin Reader", password="a long enough passphrase",
                 addon=f"/addon/{TAB_TIDY['slug']}/", score=4, review="Tidy, but it forgets my pinned tabs.",
                 newScore=5, newReview="Tidy, and since 1.0 it keeps my pinned tabs too.")

    assert "at least" in seen["signupError"].lower()
    assert (seen["signupKeptEmail"], seen["signupKeptName"]) == ("robin@example.org", "Robin Reader")
    assert blocking(seen["signupErrorViolations"]) == []
    assert seen["profileHeading"] == "Robin Reader"
    assert "Robin Reader" in seen["signedUpNav"] and "Log out" in seen["signedUpNav"]
    assert "Log in" in seen["loggedOutNav"] and "Robin Reader" not in seen["loggedOutNav"]

    assert "do not match" in seen["loginError"]
    assert seen["loginKeptEmail"] == "robin@example.org"
    assert blocking(seen["loginErrorViolations"]) == []
    assert "Robin Reader" in seen["loggedInNav"]

    # The review is on the add-on's page, counted in its rating; editing starts from it.
    assert seen["rated"] == {"summary": "Rated 4 out of 5", "count": "1 rating", "ownStars": "Rated 4 out of 5",
                             "ownText": "Tidy, but it forgets my pinned tabs.",
                             "histogram": ["5 stars 0", "4 stars 1", "3 stars 0", "2 stars 0", "1 star 0"]}
    assert blocking(seen["ratedViolations"]) == []
    assert (seen["editKeptScore"], seen["editKeptReview"]) == ("4", "Tidy, but it forgets my pinned tabs.")
    assert blocking(seen["editViolations"]) == []
    assert seen["edited"] == {"summary": "Rated 5 out of 5", "count": "1 rating", "ownStars": "Rated 5 out of 5",
                              "ownText": "Tidy, and since 1.0 it keeps my pinned tabs too.",
                              "histogram": ["5 stars 1", "4 stars 0", "3 stars 0", "2 stars 0", "1 star 0"]}
    assert "Log in" in seen["finalNav"] and "Robin Reader" not in seen["finalNav"]
