"""A developer in a real browser: signs up, creates an AMO API key and sees its secret once, and
(as any visitor may) reports an add-on; every page on the way passes axe-core."""

import os

import httpx
import pytest

from tests.interop.clients import amo_auth_header
from tests.interop.packages import manifest, xpi
from tests.storefront.catalogue import TAB_TIDY
from tests.storefront.visitor import SCREENSHOTS, blocking, visit

pytestmark = pytest.mark.browser


def test_a_developer_signs_up_creates_an_api_key_submits_an_addon_and_reports_one(storefront, refusing_proxy, tmp_path):
    broken = xpi(tmp_path / "broken.xpi", manifest("dana@example.org", permissions=5))
    # Large (and incompressible) enough that sending it over the slowed link takes a while, so
    # that the progress bar is seen moving.
    fixed = xpi(tmp_path / "fixed.xpi", manifest("dana@example.org"), files={"padding.bin": os.urandom(600_000)})
    seen = visit("developer", storefront, refusing_proxy, tmp_path, screenshots=str(SCREENSHOTS),
                 brokenPackage=str(broken), fixedPackage=str(fixed), uploadBytesPerSecond=200_000,
                 addonName="Dana's Tabs", addonSummary="Tabs, as Dana likes them.", notes="No build step.",
                 email="dana@example.org", password="a long enough passphrase", addon=f"/addon/{TAB_TIDY['slug']}/",
                 reason="Doesn't match description", report="It says it sorts tabs; it only closes them.")

    assert "You have no API key." in seen["before"]
    assert blocking(seen["credentialsViolations"]) == []
    assert seen["issuer"].startswith("user:") and len(seen["secret"]) == 64
    assert seen["command"] == (f"web-ext sign --amo-base-url {storefront.base_url}/api/v5/ --api-key "
                               f"'{seen['issuer']}' --api-secret {seen['secret']} --channel unlisted")
    assert blocking(seen["createdViolations"]) == []
    # The key signs requests to the API: an upload that is not there is 404, not 401.
    key = {"amo": {"jwt_issuer": seen["issuer"], "jwt_secret": seen["secret"]}}
    answer = httpx.get(f"{storefront.base_url}/api/v5/addons/upload/00000000-0000-4000-8000-000000000000/",
                       headers=amo_auth_header(key))
    assert answer.status_code == 404
    # Opened again, the page names the key but no longer holds its secret.
    assert seen["afterIssuer"] == seen["issuer"] and seen["secret"] not in seen["afterHtml"]

    # The broken package's error, with its file; no submit button. Then the fixed one, with the bar.
    assert seen["broken"]["summary"].startswith("1 errors")
    assert seen["broken"]["messages"] == ['Error: "/permissions" must be a list. (manifest.json)']
    assert seen["brokenSubmit"] == 0 and blocking(seen["brokenViolations"]) == []
    assert seen["progress"] == {"visible": True, "moved": True}
    assert seen["fixed"]["summary"].startswith("0 errors")
    assert "Dana's Tabs" in seen["myAddons"] and "Awaiting review" in seen["myAddons"]
    assert blocking(seen["myAddonsViolations"]) == []

    assert blocking(seen["reportViolations"]) == []
    assert "Thank you for your report" in seen["reported"]
    assert "You reported: Doesn't match description" in seen["reported"]
    assert blocking(seen["reportedViolations"]) == []
