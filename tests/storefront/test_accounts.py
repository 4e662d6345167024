"""A visitor in a real browser makes an account, logs out and back in, as the forms lead them;
the forms refused on the way say why, keep what was typed, and pass axe-core."""

import pytest

from tests.storefront.visitor import blocking, visit

pytestmark = pytest.mark.browser


def test_a_visitor_signs_up_logs_out_and_logs_in_again(storefront, refusing_proxy, tmp_path):
    seen = visit("account", storefront, refusing_proxy, tmp_path, email="robin@example.org", name="Robin Reader",
                 password="a long enough passphrase")

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
    assert "Log in" in seen["finalNav"] and "Robin Reader" not in seen["finalNav"]
