"""A reviewer's decision reaches the developer: a reviewer approves or rejects a listed version with
notes in the console, and the developer, logging in afterwards, reads the outcome and the notes on
"My add-ons"; a rejection's notes are in the v5 API's version too. Both pages pass axe-core."""

import httpx
import pytest

from tests.interop.clients import amo_auth_header
from tests.storefront.catalogue import publish_listed, submit_listed_version
from tests.storefront.visitor import SCREENSHOTS, blocking, visit

pytestmark = pytest.mark.browser

PASSWORD = "a decided long passphrase"
DECISIONS = {
    "Approve": ("Approved: the version is being signed and published.", ("Being signed", "Approved: public")),
    "Reject": ("Rejected: the developer sees your notes.", ("Rejected",)),
}


def _with_password(store, email: str, role: str, scratch) -> dict:
    account = store.create_user(email, role=role)
    password_file = scratch / f"{email}.password"
    password_file.write_text(PASSWORD + "\n")
    store.cli("users", "set-password", email, "--password-file", str(password_file))
    return account


@pytest.mark.parametrize("decision", DECISIONS)
def test_the_developer_reads_the_reviewers_decision_and_notes(storefront, refusing_proxy, tmp_path, decision):
    name = f"Tab {decision}er"
    listing = {"guid": f"tab-{decision.lower()}@example.org", "slug": f"tab-{decision.lower()}",
               "name": {"en-US": name}, "summary": {"en-US": "Decided by a reviewer."},
               "description": {"en-US": "An add-on whose second version a reviewer decides."},
               "categories": {"firefox": ["tabs"]}, "tags": []}
    developer = _with_password(storefront, f"{decision.lower()}-developer@example.org", "developer", tmp_path)
    _with_password(storefront, f"{decision.lower()}-reviewer@example.org", "reviewer", tmp_path)
    addon = publish_listed(storefront, developer, listing, tmp_path)
    submit_listed_version(storefront, developer, listing, tmp_path, "2.0", {"background.js": "// 2.0\n"})
    versions = httpx.get(f"{storefront.base_url}/api/v4/addons/addon/{addon['id']}/versions/?filter=all_with_unlisted",
                         headers=amo_auth_header(developer)).json()["results"]
    second = next(version for version in versions if version["version"] == "2.0")
    notes = f"{decision}: read before you send the next version."

    # docs/screenshots keeps the rejection: what a developer most needs to find.
    screenshots = str(SCREENSHOTS) if decision == "Reject" else None
    seen = visit("decide", storefront, refusing_proxy, tmp_path, screenshots=screenshots,
                 reviewPage=f"/reviewers/review/version/{second['id']}", decision=decision, notes=notes,
                 reviewerEmail=f"{decision.lower()}-reviewer@example.org",
                 developerEmail=f"{decision.lower()}-developer@example.org", password=PASSWORD)

    said, statuses = DECISIONS[decision]
    assert seen["decided"] == said
    assert blocking(seen["decidedViolations"]) == []
    row = next(row for row in seen["versionRows"] if row.startswith("2.0 "))
    assert any(status in row for status in statuses), row
    assert blocking(seen["myAddonsViolations"]) == []
    if decision == "Reject":
        assert notes in row
        answer = httpx.get(f"{storefront.base_url}/api/v5/addons/addon/{addon['id']}/versions/{second['id']}/",
                           headers=amo_auth_header(developer))
        assert answer.status_code == 200 and answer.json()["reviewer_notes"] == notes
