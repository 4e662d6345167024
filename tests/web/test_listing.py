"""Editing a listing in the developer hub: texts, category and licence by edit_addon's rules, an
icon and screenshots checked and resized by catalog.images, served by /images/ with their type,
nosniff and a year's caching, and shown by the storefront and the AMO API; only for the add-on's
authors, every form CSRF-checked, nothing saved when a form fails."""

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select

from addonhub.accounts.models import User
from addonhub.activity.models import ActivityEntry
from addonhub.catalog import images
from addonhub.catalog.models import Addon
from tests.catalog.test_images import image_bytes, png_claiming, with_exif
from tests.factories import addon_record
from tests.submissions.conftest import xpi  # noqa: F401 (fixture)
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_developer_submissions import submit, uploaded
from tests.web.test_pages import text_of

EDIT = "/developers/addon/painted/edit"
DETAIL = "/api/v5/addons/addon/painted/"


@pytest.fixture
def author(client, store, load):
    """The author of a public add-on, signed in."""
    load(addon_record("painted"))
    with store.db.session() as session:
        user = session.scalar(select(User).where(User.username == "author"))
        user.email, user_id = "author@example.org", user.id
    log_in_as(client, store, user_id)
    return user_id


def send_image(client, action: str, field: str, data: bytes, filename="picture.png", token=None, **fields):
    token = token if token is not None else csrf_of(client.get(EDIT))
    return client.post(f"/developers/addon/painted/{action}", data={"csrf_token": token, **fields},
                       files={field: (filename, data, "image/png")}, follow_redirects=False)


def served(client, url: str):
    """An image the store links to, fetched as a browser does, and decoded."""
    answer = client.get(urlsplit(url).path)
    assert answer.status_code == 200, url
    return answer, Image.open(io.BytesIO(answer.content))


def addon_row(store) -> tuple[str | None, list]:
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.slug == "painted"))
        return addon.icon_url, [(preview.image_url, preview.caption) for preview in addon.previews]


def upload_blobs(store) -> list[str]:
    return [info.key for info in store.blobs.list("uploads/")]


def test_my_addons_links_to_the_edit_page_which_shows_the_listing(client, author):
    mine = client.get("/developers/addons/")
    assert f'href="{EDIT}"' in mine.text and "Edit the listing of Painted" in text_of(mine)
    page = client.get(EDIT)
    assert page.status_code == 200 and 'value="Painted"' in page.text and "About painted." in page.text
    assert "No screenshots yet." in text_of(page) and "/static/img/addon-icon.svg" in page.text


def test_only_the_addons_authors_reach_the_edit_page_and_its_forms(client, store, author, account):
    other, _ = account("other@example.org", username="other")
    log_in_as(client, store, other)
    token = csrf_of(client.get("/developers/submit/"))
    assert client.get(EDIT).status_code == 404
    assert client.post(EDIT, data={"csrf_token": token, "name": "Mine now"}).status_code == 404
    assert send_image(client, "icon", "icon", image_bytes(), token=token).status_code == 404
    assert send_image(client, "screenshots", "screenshot", image_bytes(), token=token).status_code == 404
    assert client.get("/developers/addon/no-such-addon/edit").status_code == 404
    client.cookies.clear()
    visitor = client.get(EDIT, follow_redirects=False)
    assert visitor.status_code == 303 and visitor.headers["location"] == f"/login?next={EDIT}"
    posted = send_image(client, "icon", "icon", image_bytes(), token="none")
    assert posted.status_code == 303 and posted.headers["location"] == f"/login?next={EDIT}"
    assert addon_row(store) == (None, []) and upload_blobs(store) == []


def test_the_listing_is_saved_by_edit_addons_rules_and_the_api_shows_it(client, store, author):
    token = csrf_of(client.get(EDIT))
    answer = client.post(EDIT, data={"csrf_token": token, "name": "Painted Tabs", "summary": "Paints tabs.",
                                     "description": "Tabs in colour.", "category": "tabs", "license": "MPL-2.0"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"{EDIT}?saved=1"
    assert "Saved." in text_of(client.get(answer.headers["location"]))
    detail = client.get(DETAIL).json()
    assert detail["name"] == {"en-US": "Painted Tabs"} and detail["summary"] == {"en-US": "Paints tabs."}
    assert detail["categories"] == {"firefox": ["tabs"]}
    assert detail["current_version"]["license"]["url"] == "http://www.mozilla.org/MPL/2.0/"
    assert "Painted Tabs" in text_of(client.get("/addon/painted/"))
    with store.db.session() as session:
        entry = session.scalars(select(ActivityEntry).where(ActivityEntry.action == "listing_edited")).all()[-1]
        assert entry.details == {"fields": ["categories", "description", "name", "summary"]}


@pytest.mark.parametrize("fields, message", [
    ({"name": " ", "summary": "Changed."}, "This was not saved: This field may not be blank."),
    ({"name": "Painted", "summary": "Changed.", "category": "no-such-category"}, "Invalid category name."),
    ({"name": "Painted", "summary": "Changed.", "license": "<script>"}, "Choose a licence from the list."),
])
def test_a_refused_listing_saves_nothing_and_keeps_what_was_typed(client, store, author, fields, message):
    token = csrf_of(client.get(EDIT))
    answer = client.post(EDIT, data={"csrf_token": token, **fields})
    assert answer.status_code == 400 and message in text_of(answer) and "Changed." in answer.text
    assert "<script>" not in answer.text
    assert client.get(DETAIL).json()["summary"] == {"en-US": "The painted add-on."}


def test_a_form_without_the_sessions_token_is_refused_and_nothing_kept(client, store, author):
    answer = client.post(EDIT, data={"csrf_token": "wrong", "name": "Forged"})
    assert answer.status_code == 403 and "This form was not sent" in text_of(answer) and 'value="Forged"' in answer.text
    for action, field in (("icon", "icon"), ("screenshots", "screenshot")):
        answer = send_image(client, action, field, image_bytes(), token="wrong")
        assert answer.status_code == 403 and "This form was not sent" in text_of(answer)
    assert client.get(DETAIL).json()["name"] == {"en-US": "Painted"}
    assert addon_row(store) == (None, []) and upload_blobs(store) == [] and list(store.blobs.list("images/")) == []


def test_an_icon_is_resized_to_amos_sizes_and_served_as_an_image(client, store, author):
    answer = send_image(client, "icon", "icon", with_exif((512, 512)), filename="icon.jpg")
    assert answer.status_code == 303
    detail = client.get(DETAIL).json()
    assert sorted(detail["icons"]) == ["128", "32", "64"] and detail["icon_url"] == detail["icons"]["64"]
    for size, url in detail["icons"].items():
        response, image = served(client, url)
        assert image.size == (int(size), int(size)) and image.format == "PNG" and not image.getexif()
        assert response.headers["content-type"] == "image/png"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert b"Camera Maker" not in response.content
    assert urlsplit(detail["icon_url"]).path in client.get("/addon/painted/").text
    assert urlsplit(detail["icon_url"]).path in client.get(EDIT).text
    assert upload_blobs(store) == []


def test_screenshots_are_added_with_captions_shown_and_removed(client, store, author):
    assert send_image(client, "screenshots", "screenshot", image_bytes((3200, 1800)), caption="The toolbar").status_code == 303
    assert send_image(client, "screenshots", "screenshot", image_bytes((800, 600), "WEBP"), filename="b.webp").status_code == 303
    previews = client.get(DETAIL).json()["previews"]
    assert [preview["caption"] for preview in previews] == [{"en-US": "The toolbar"}, None]
    assert [(preview["image_size"], preview["thumbnail_size"]) for preview in previews] == [
        ([2400, 1350], [640, 360]), ([800, 600], [640, 480])]
    for preview in previews:
        for url, size in ((preview["image_url"], preview["image_size"]), (preview["thumbnail_url"], preview["thumbnail_size"])):
            response, image = served(client, url)
            assert list(image.size) == size and response.headers["content-type"] == "image/png"
    page = client.get("/addon/painted/")
    assert urlsplit(previews[0]["thumbnail_url"]).path in page.text and 'alt="The toolbar"' in page.text
    token = csrf_of(client.get(EDIT))
    removed = client.post(f"/developers/addon/painted/screenshots/{previews[0]['id']}/delete",
                          data={"csrf_token": token}, follow_redirects=False)
    assert removed.status_code == 303
    assert [preview["id"] for preview in client.get(DETAIL).json()["previews"]] == [previews[1]["id"]]
    assert "The toolbar" not in client.get("/addon/painted/").text
    gone = client.post(f"/developers/addon/painted/screenshots/{previews[0]['id']}/delete", data={"csrf_token": token})
    assert gone.status_code == 400 and "no such screenshot" in text_of(gone)


@pytest.mark.parametrize("data, filename, status, message", [
    (b"GIF89a and then nothing that decodes", "fake.gif", 400, images.NOT_AN_IMAGE),
    (b"%PDF-1.4 a document", "picture.png", 400, images.NOT_AN_IMAGE),
    (image_bytes(format="BMP"), "picture.bmp", 400, images.NOT_AN_IMAGE),
    (png_claiming(40000, 40000), "bomb.png", 400, images.TOO_MANY_PIXELS),
    (image_bytes((300, 200)), "wide.png", 400, images.NOT_SQUARE),
    (b"\x89PNG" + b"\0" * (images.MAX_IMAGE_BYTES + 1), "huge.png", 413, "larger than the limit of 4194304 bytes"),
    (b"", "", 400, "Choose an image file"),
])
def test_an_unusable_icon_is_refused_with_its_reason_and_nothing_kept(client, store, author, data, filename, status, message):
    answer = send_image(client, "icon", "icon", data, filename=filename)
    assert answer.status_code == status and message in text_of(answer) and "Traceback" not in answer.text
    assert addon_row(store) == (None, []) and upload_blobs(store) == [] and list(store.blobs.list("images/")) == []


def test_a_long_caption_or_a_bad_screenshot_adds_nothing(client, store, author):
    long = send_image(client, "screenshots", "screenshot", image_bytes(), caption="x" * 281)
    assert long.status_code == 400 and images.CAPTION_TOO_LONG in text_of(long)
    bad = send_image(client, "screenshots", "screenshot", b"<html>not an image</html>")
    assert bad.status_code == 400 and images.NOT_AN_IMAGE in text_of(bad)
    assert addon_row(store) == (None, []) and upload_blobs(store) == []


def test_only_the_stores_image_names_are_served(client):
    for path in ("/images/nothing.png", "/images/" + "a" * 64 + "-full.png", "/images/secret_key",
                 "/images/" + "a" * 64 + "-full.svg"):
        answer = client.get(path)
        # A machine's path (no page cache, no HTML 404 page), as /static/ is.
        assert answer.status_code == 404 and answer.json() == {"detail": "Not found."}


@pytest.fixture
def dev(client, store, account):
    user_id, _ = account("dev@example.org", username="dev")
    log_in_as(client, store, user_id)
    return user_id


def test_a_new_listed_addon_is_submitted_with_an_icon_and_a_screenshot(client, store, dev, xpi, run_jobs):
    path, _ = uploaded(client, xpi(guid="pictured@example.org"), run_jobs)
    packages = upload_blobs(store)
    forged = client.post(f"{path}submit", data={"csrf_token": "forged", "name": "Pictured"},
                         files={"icon": ("i.png", image_bytes((96, 96)), "image/png")})
    assert forged.status_code == 403 and "This form was not sent" in text_of(forged) and 'value="Pictured"' in forged.text
    refused = submit(client, path, name="Pictured", files={"screenshot": ("s.png", b"garbage", "image/png")})
    assert refused.status_code == 400 and images.NOT_AN_IMAGE in text_of(refused) and 'value="Pictured"' in refused.text
    with store.db.session() as session:
        assert session.scalar(select(Addon).where(Addon.guid == "pictured@example.org")) is None
    answer = submit(client, path, name="Pictured", summary="With pictures.", license="MPL-2.0", caption="Its panel",
                    files={"icon": ("i.png", image_bytes((96, 96)), "image/png"),
                           "screenshot": ("s.jpg", with_exif((1200, 900)), "image/jpeg")})
    assert answer.status_code == 303, answer.text
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.guid == "pictured@example.org"))
        slug, icon_url = addon.slug, addon.icon_url
        assert [(p.caption, p.image_size, p.thumbnail_size) for p in addon.previews] == [
            ({"en-US": "Its panel"}, [1200, 900], [640, 480])]
        full_url = addon.previews[0].image_url
    _, icon = served(client, icon_url)
    _, full = served(client, full_url)
    assert icon.size == (64, 64) and full.format == "JPEG" and full.size == (1200, 900)
    assert upload_blobs(store) == packages  # the images' upload blobs are gone, the package's kept
    edit = client.get(f"/developers/addon/{slug}/edit")
    assert edit.status_code == 200 and "Its panel" in edit.text and 'value="Pictured"' in edit.text
