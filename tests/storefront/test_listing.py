"""A listing with pictures in a real browser: a developer submits a new listed add-on with its
name, summary, licence, an icon and a screenshot from the upload page, finds them on its Edit
listing page; a reviewer approves it; then any visitor's add-on page shows the icon and the
screenshot, resized by the store, as Chromium decodes them. Every page passes axe-core."""

from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image, ImageDraw

from tests.interop.packages import manifest, xpi
from tests.storefront.catalogue import _wait
from tests.storefront.test_decisions import PASSWORD, _with_password
from tests.storefront.visitor import SCREENSHOTS, blocking, visit

pytestmark = pytest.mark.browser


def _picture(path, size, colour):
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((size[0] // 8, size[1] // 8, size[0] * 7 // 8, size[1] * 7 // 8), fill=colour)
    image.save(path)
    return str(path)


def test_a_developer_submits_a_listed_addon_with_a_screenshot_and_the_storefront_shows_it(storefront, refusing_proxy, tmp_path):
    guid = "pictured-tabs@example.org"
    _with_password(storefront, "picture-developer@example.org", "developer", tmp_path)
    _with_password(storefront, "picture-reviewer@example.org", "reviewer", tmp_path)
    package = xpi(tmp_path / "pictured.xpi", manifest(guid))
    seen = visit("listing", storefront, refusing_proxy, tmp_path, screenshots=str(SCREENSHOTS),
                 package=str(package), guid=guid, addonName="Pictured Tabs", addonSummary="Tabs, with pictures.",
                 license="MPL-2.0", icon=_picture(tmp_path / "icon.png", (256, 256), "teal"),
                 screenshot=_picture(tmp_path / "screenshot.png", (1600, 1000), "orange"),
                 caption="The tab bar, in colour", developerEmail="picture-developer@example.org",
                 reviewerEmail="picture-reviewer@example.org", password=PASSWORD)
    assert seen["validation"]["summary"].startswith("0 errors")
    assert blocking(seen["submitViolations"]) == [] and blocking(seen["editViolations"]) == []
    assert seen["editScreenshots"] == [{"alt": "The tab bar, in colour", "width": 640}]
    assert seen["decided"] == "Approved: the version is being signed and published."

    slug = seen["addonPath"].strip("/").split("/")[-1]

    def public():
        detail = httpx.get(f"{storefront.base_url}/api/v5/addons/addon/{slug}/")
        return detail.json() if detail.status_code == 200 and detail.json()["current_version"] else None
    detail = _wait(f"{slug} is not public", public)
    assert detail["name"] == {"en-US": "Pictured Tabs"}
    [preview] = detail["previews"]
    assert preview["caption"] == {"en-US": "The tab bar, in colour"}
    assert (preview["image_size"], preview["thumbnail_size"]) == ([1600, 1000], [640, 400])

    page = visit("addonImages", storefront, refusing_proxy, tmp_path, screenshots=str(SCREENSHOTS), addon=seen["addonPath"])
    assert page["icon"] == {"src": urlsplit(detail["icon_url"]).path, "width": 64}
    assert page["screenshots"] == [{"alt": "The tab bar, in colour", "src": urlsplit(preview["thumbnail_url"]).path,
                                    "width": 640, "height": 400, "full": urlsplit(preview["image_url"]).path}]
    assert blocking(page["violations"]) == []
    full = httpx.get(f"{storefront.base_url}{page['screenshots'][0]['full']}")
    assert full.status_code == 200 and full.headers["content-type"] == "image/png"
