"""The gupdate 2.0 update service Chromium asks (/updates/chromium), and the CRX downloads it
points at: answers parsed as Chromium's safe_manifest_parser reads them (namespace, protocol, one
app with one updatecheck per id), bad input answered 400, never 500."""

import hashlib
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon
from addonhub.submissions.review import reject
from addonhub.catalog.models import Version

NAMESPACE = "{http://www.google.com/update2/response}"
UNKNOWN_ID = "a" * 32


def x(crx_id: str, installed: str = "0.0.0.0", **more) -> str:
    """One extension's x= value as Chromium 156 sends it (notes, section 1.3)."""
    return urlencode({"id": crx_id, "v": installed, "installsource": "notfromwebstore", "installedby": "policy",
                      **more}) + "&uc"


def check(client, *extensions: str, extra: str = ""):
    query = "os=linux&arch=x64&prod=chromiumcrx&prodchannel=&prodversion=150.0.7000.1&lang=en-US" \
            "&acceptformat=crx3,puff" + "".join(f"&x={quote(value)}" for value in extensions) + extra
    return client.get(f"/updates/chromium?{query}")


def apps(response) -> dict[str, dict]:
    """Each app's updatecheck attributes, by appid, checked as Chromium's parser checks them."""
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=300"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{NAMESPACE}gupdate" and root.get("protocol") == "2.0"
    found = {}
    for app in root:
        assert app.tag == f"{NAMESPACE}app" and app.get("status") in (None, "ok")
        [updatecheck] = app
        assert updatecheck.tag == f"{NAMESPACE}updatecheck"
        found[app.get("appid")] = dict(updatecheck.attrib)
    return found


def test_a_new_install_is_offered_the_crx_and_a_current_one_nothing(client, new_product, release):
    product = new_product()
    release(product, "1.0.0", minimum_chrome_version="120")
    offered = apps(check(client, x(product.chromium_id), x(UNKNOWN_ID, "1.0")))
    assert offered[UNKNOWN_ID] == {"status": "noupdate"}
    update = offered[product.chromium_id]
    assert update["codebase"].startswith("http://store.test/downloads/file/") and update["codebase"].endswith(".crx")
    assert (update["version"], update["prodversionmin"]) == ("1.0.0", "120")
    crx = client.get(update["codebase"].removeprefix("http://store.test"))
    assert crx.status_code == 200 and crx.headers["content-type"] == "application/x-chrome-extension"
    assert update["hash_sha256"] == hashlib.sha256(crx.content).hexdigest()
    assert int(update["size"]) == len(crx.content)

    assert apps(check(client, x(product.chromium_id, "1.0.0")))[product.chromium_id] == {"status": "noupdate"}
    assert apps(check(client, x(product.chromium_id, "2.0")))[product.chromium_id] == {"status": "noupdate"}
    assert apps(check(client, x(product.chromium_id, "0.9.9.9")))[product.chromium_id]["version"] == "1.0.0"


def test_many_ids_in_one_request_and_each_once(client, new_product, release):
    first, second = new_product("First"), new_product("Second")
    release(first, "1.0.0")
    release(second, "2.0.0")
    offered = apps(check(client, x(second.chromium_id, "1.0"), x(first.chromium_id), x(first.chromium_id, "1.0.0")))
    assert list(offered) == [second.chromium_id, first.chromium_id]
    assert offered[second.chromium_id]["version"] == "2.0.0" and offered[first.chromium_id]["version"] == "1.0.0"
    assert "prodversionmin" not in offered[first.chromium_id]  # the manifest sets no minimum
    assert apps(check(client)) == {}


def test_only_public_releases_of_enabled_add_ons_are_offered(client, store, new_product, release, run_jobs):
    product = new_product()
    release(product, "1.0.0")
    release(product, "1.1.0", approve=False)  # in review: not offered
    assert apps(check(client, x(product.chromium_id)))[product.chromium_id]["version"] == "1.0.0"
    with store.db.session() as session:
        pending = session.scalar(select(Version).where(Version.version == "1.1.0"))
        reject(session, pending, None, "No.")
    assert apps(check(client, x(product.chromium_id)))[product.chromium_id]["version"] == "1.0.0"
    with store.db.session() as session:
        addon = session.get(Addon, product.addon_id)
        addon.is_disabled = True
        reindex(session, addon)
    assert apps(check(client, x(product.chromium_id)))[product.chromium_id] == {"status": "noupdate"}
    with store.db.session() as session:
        addon = session.get(Addon, product.addon_id)
        addon.is_disabled, addon.status = False, "deleted"
        reindex(session, addon)
    assert apps(check(client, x(product.chromium_id)))[product.chromium_id] == {"status": "noupdate"}


def test_an_add_on_not_yet_approved_is_not_offered(client, new_product, release):
    product = new_product()
    release(product, "1.0.0", approve=False)
    assert apps(check(client, x(product.chromium_id))) == {product.chromium_id: {"status": "noupdate"}}


@pytest.mark.parametrize("extensions, extra, message", [
    ((), "&x=v%3D1.0", "not a Chromium extension id"),
    ((x("Q" * 32),), "", "not a Chromium extension id"),
    ((x("a" * 31),), "", "not a Chromium extension id"),
    ((x(UNKNOWN_ID, "1.0b1"),), "", "is not a version"),
    ((x(UNKNOWN_ID, "1.2.3.4.5"),), "", "is not a version"),
    ((), "&x=id%3D" + "a" * 32, "is not a version"),
    ((), "&x=%ZZ%00", "not a Chromium extension id"),
    ((x(UNKNOWN_ID),) * 101, "", "At most 100"),
    ((), "&x=id%3D" + UNKNOWN_ID + "%26v%3D1" + ("&x=id%3D" + UNKNOWN_ID + "%26v%3D1") * 999, "At most 100"),
])
def test_bad_checks_are_answered_400_saying_why(client, extensions, extra, message):
    response = check(client, *extensions, extra=extra)
    assert response.status_code == 400 and response.headers["content-type"] == "application/json"
    assert message in response.json()["detail"]


def test_a_hundred_ids_are_answered(client):
    ids = ["".join("abcdefghijklmnop"[(n >> (4 * k)) % 16] for k in range(32)) for n in range(100)]
    assert apps(check(client, *(x(crx_id) for crx_id in ids))) == {crx_id: {"status": "noupdate"} for crx_id in ids}


def test_crx_downloads_answer_head_ranges_and_etags(client, new_product, release):
    product = new_product()
    release(product, "1.0.0")
    codebase = apps(check(client, x(product.chromium_id)))[product.chromium_id]["codebase"]
    path = codebase.removeprefix("http://store.test")
    whole = client.get(path)
    etag = whole.headers["etag"]
    assert etag == f'"{hashlib.sha256(whole.content).hexdigest()}"'
    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert (head.headers["content-length"], head.headers["etag"]) == (str(len(whole.content)), etag)
    assert head.headers["content-type"] == "application/x-chrome-extension"
    part = client.get(path, headers={"Range": "bytes=0-3"})
    assert (part.status_code, part.content) == (206, b"Cr24")
    assert client.get(path, headers={"Range": "bytes=4-", "If-Range": etag}).content == whole.content[4:]
    assert client.get(path, headers={"Range": "bytes=4-", "If-Range": '"other"'}).content == whole.content
    unchanged = client.get(path, headers={"If-None-Match": f'W/{etag}, "other"'})
    assert (unchanged.status_code, unchanged.content, unchanged.headers["etag"]) == (304, b"", etag)
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
