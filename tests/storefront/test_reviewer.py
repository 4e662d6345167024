"""A reviewer in a real browser: logs in from the console, opens the second version of an add-on
from the queue, reads its diff against the approved first version and approves it; the add-on's
page then shows the new version. An admin disables an add-on and enables it again. Every console
page on the way passes axe-core."""

import httpx
import pytest

from tests.storefront.catalogue import publish_listed, submit_listed_version
from tests.storefront.visitor import SCREENSHOTS, blocking, visit

pytestmark = pytest.mark.browser

PAGE_COUNTER = {
    "guid": "page-counter@example.org",
    "slug": "page-counter",
    "name": {"en-US": "Page Counter"},
    "summary": {"en-US": "Counts the pages you read."},
    "description": {"en-US": "Page Counter counts the pages you read in a day."},
    "categories": {"firefox": ["productivity"]},
    "tags": ["reading"],
}
# The admin's add-on: the storefront store is shared by the module's tests, in any order.
WORD_COUNTER = {**PAGE_COUNTER, "guid": "word-counter@example.org", "slug": "word-counter",
                "name": {"en-US": "Word Counter"}}
PASSWORD = "a reviewer's long passphrase"


def console_account(storefront, email: str, role: str, scratch) -> None:
    """A reviewer's or admin's account with PASSWORD, as the operator makes it with the CLI."""
    storefront.create_user(email, role=role)
    password_file = scratch / "password"
    password_file.write_text(PASSWORD + "\n")
    storefront.cli("users", "set-password", email, "--password-file", str(password_file))


def test_a_reviewer_reads_the_diff_of_a_second_version_and_approves_it(storefront, refusing_proxy, tmp_path):
    developer = storefront.create_user("counter@example.org")
    publish_listed(storefront, developer, PAGE_COUNTER, tmp_path)
    submit_listed_version(storefront, developer, PAGE_COUNTER, tmp_path, "2.0",
                          {"background.js": "console.log('interop');\nconsole.log('counting pages');\n",
                           "popup.html": "<!doctype html><p>Pages read</p><script>window.pwned = 1</script>\n"})
    console_account(storefront, "rita@example.org", "reviewer", tmp_path)

    seen = visit("review", storefront, refusing_proxy, tmp_path, screenshots=str(SCREENSHOTS),
                 email="rita@example.org", password=PASSWORD, addonName="Page Counter",
                 notes="Counting pages needs no new permission.", addonPage="/addon/page-counter/",
                 expectVersion="Version 2.0")

    assert seen["queueHeading"] == "Review queue"
    assert [row for row in seen["queueRows"] if "Page Counter" in row][0].startswith("Page Counter page-counter@example.org 2.0 extension AMO")
    assert blocking(seen["queueViolations"]) == []
    assert seen["reviewHeading"] == "Review Page Counter 2.0"
    assert blocking(seen["reviewViolations"]) == []

    assert seen["compared"].startswith("Compared with the approved version 1.0.")
    assert seen["changedFiles"] == ["background.js (changed)", "manifest.json (changed)", "popup.html (added)"]
    assert "console.log('counting pages');" in seen["addedLines"]
    assert "<!doctype html><p>Pages read</p><script>window.pwned = 1</script>" in seen["addedLines"]
    assert blocking(seen["compareViolations"]) == []

    assert seen["decided"] == "Approved: the version is being signed and published."
    assert blocking(seen["decidedViolations"]) == []
    assert "Version 2.0" in seen["storefrontText"]


def test_an_admin_disables_an_addon_and_enables_it_again(storefront, refusing_proxy, tmp_path):
    developer = storefront.create_user("words@example.org")
    addon = publish_listed(storefront, developer, WORD_COUNTER, tmp_path)
    console_account(storefront, "ada@example.org", "admin", tmp_path)

    seen = visit("administer", storefront, refusing_proxy, tmp_path, screenshots=str(SCREENSHOTS),
                 email="ada@example.org", password=PASSWORD, adminPage=f"/reviewers/addon/{addon['id']}/admin",
                 reason="Sends browsing history away.")

    assert seen["heading"] == "Administer Word Counter"
    assert seen["versionRows"][0].startswith("1.0 listed public")
    assert blocking(seen["pageViolations"]) == []
    assert seen["disabled"] == "Disabled: it has left the catalogue, downloads and update checks."
    assert "status: disabled" in seen["disabledMain"] and "Sends browsing history away." in seen["disabledMain"]
    assert blocking(seen["disabledViolations"]) == []
    assert seen["enabled"] == "Enabled: it has its former status back."
    assert httpx.get(f"{storefront.base_url}/api/v5/addons/addon/word-counter/").status_code == 200


# The curating admin's add-on and the account it promotes (unique to this test in the shared store).
LETTER_COUNTER = {**PAGE_COUNTER, "guid": "letter-counter@example.org", "slug": "letter-counter",
                  "name": {"en-US": "Letter Counter"}}


def test_an_admin_promotes_an_account_features_an_addon_and_overrides_its_compatibility(storefront, refusing_proxy,
                                                                                       tmp_path):
    developer = storefront.create_user("letters@example.org")
    publish_listed(storefront, developer, LETTER_COUNTER, tmp_path)
    console_account(storefront, "grace@example.org", "admin", tmp_path)

    seen = visit("curate", storefront, refusing_proxy, tmp_path, screenshots=str(SCREENSHOTS),
                 email="grace@example.org", password=PASSWORD, accountEmail="letters@example.org",
                 slug="letter-counter", guid="letter-counter@example.org")

    assert seen["nav"] == "Review queue Activity log Accounts Compat overrides Featured add-ons"
    assert [row.split(" Role ")[0] for row in seen["accountRows"]] == ["letters@example.org letters developer enabled"]
    assert blocking(seen["accountsViolations"]) == []
    assert seen["roleSaved"] == "Saved." and seen["roleRow"].startswith("letters@example.org letters reviewer enabled")

    assert seen["featuredSaved"] == "Saved."
    assert any(row.startswith("Letter Counter letter-counter@example.org firefox every language")
               for row in seen["featuredRows"])
    assert blocking(seen["featuredViolations"]) == []
    assert "Letter Counter" in seen["homeFeatured"]
    assert "Letter Counter" not in seen["featuredAfter"]

    assert [row for row in seen["overrideRows"] if row.startswith("letter-counter@example.org")] == [
        "letter-counter@example.org Letter Counter 1.0 – * Firefox 140.0 – * Remove letter-counter@example.org 1.0 – *"]
    assert blocking(seen["overridesViolations"]) == []
    assert "letter-counter@example.org" not in seen["overridesAfter"]
