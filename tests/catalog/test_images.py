"""Listing images as the domain takes them: sniffed, bounded, re-encoded without the upload's
metadata, resized to AMO's sizes, stored under content-hashed names and recorded as edits."""

import io
import random
import struct
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image
from sqlalchemy import select

from addonhub.accounts.models import User
from addonhub.activity.models import ActivityEntry
from addonhub.catalog import images
from addonhub.catalog.models import Addon
from addonhub.cleanup import CleanupPolicy, clean_up
from addonhub.integrity import BLOB_WITHOUT_ROW, check_store
from addonhub.refusals import Refused
from tests.factories import addon_record


def image_bytes(size=(200, 200), format="PNG", mode="RGB", **save) -> bytes:
    output = io.BytesIO()
    Image.new(mode, size, "teal" if mode != "RGBA" else (0, 128, 128, 100)).save(output, format, **save)
    return output.getvalue()


def with_exif(size=(300, 200), format="JPEG") -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x8298] = "Copyright the uploader"
    return image_bytes(size, format, exif=exif.tobytes())


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims a huge size: what a decompression bomb looks like unread."""
    data = bytearray(image_bytes((1, 1)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def decoded(blobs, url: str) -> Image.Image:
    with blobs.open(images.blob_key(url)) as stream:
        image = Image.open(io.BytesIO(stream.read()))
        image.load()
        return image


@pytest.fixture
def addon(store, load):
    load(addon_record("shots"))
    return "shots"


def edited(store, do):
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.slug == "shots"))
        editor = session.scalar(select(User).where(User.username == "author"))
        result = do(session, addon, editor)
        session.commit()
        return result


@pytest.mark.parametrize("data, message", [
    (b"not an image at all", images.NOT_AN_IMAGE),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", images.NOT_AN_IMAGE),
    (image_bytes(format="BMP"), images.NOT_AN_IMAGE),
    (image_bytes(format="TIFF"), images.NOT_AN_IMAGE),
    (image_bytes((400, 400))[:300], images.NOT_AN_IMAGE),
    (png_claiming(30000, 30000), images.TOO_MANY_PIXELS),
    (b"\x89PNG" + b"\0" * images.MAX_IMAGE_BYTES, images.TOO_LARGE),
])
def test_what_is_not_a_usable_image_is_refused_with_a_reason(data, message):
    with pytest.raises(Refused) as refused:
        images.screenshot_renditions(data)
    assert refused.value.message == message and refused.value.field == "screenshot"


def test_an_icon_must_be_square():
    with pytest.raises(Refused) as refused:
        images.icon_renditions(image_bytes((200, 100)))
    assert refused.value.message == images.NOT_SQUARE and refused.value.field == "icon"


@pytest.mark.parametrize("format", ["PNG", "JPEG", "WEBP", "GIF"])
def test_an_icon_is_stored_at_amos_three_sizes_as_png(store, addon, format):
    data = image_bytes((300, 300), format)
    edited(store, lambda session, addon, editor: images.set_icon(session, store.blobs, addon, data, editor))
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.slug == "shots"))
        urls = images.icon_urls(addon.icon_url)
        assert addon.icon_url == urls["64"]
        entry = session.scalars(select(ActivityEntry).where(ActivityEntry.addon_id == addon.id)).all()[-1]
        assert entry.action == "listing_edited" and entry.details == {"fields": ["icon"]}
    for size, url in urls.items():
        image = decoded(store.blobs, url)
        assert image.format == "PNG" and image.size == (int(size), int(size))


def test_a_screenshot_is_fitted_to_amos_bounds_without_its_metadata(store, addon):
    data = with_exif((3000, 2000))
    assert b"Camera Maker" in data
    preview = edited(store, lambda session, addon, editor: images.add_screenshot(
        session, store.blobs, addon, data, " The toolbar ", editor))
    full, thumbnail = decoded(store.blobs, preview.image_url), decoded(store.blobs, preview.thumbnail_url)
    assert (full.format, full.size, thumbnail.size) == ("JPEG", (2400, 1600), (640, 427))
    assert preview.image_size == [2400, 1600] and preview.thumbnail_size == [640, 427]
    assert preview.caption == {"en-US": "The toolbar"}
    for url in (preview.image_url, preview.thumbnail_url):
        with store.blobs.open(images.blob_key(url)) as stream:
            stored = stream.read()
        assert b"Camera Maker" not in stored and b"Copyright" not in stored and stored != data
        assert not decoded(store.blobs, url).getexif()


def test_a_small_screenshot_is_not_enlarged_and_keeps_its_transparency(store, addon):
    preview = edited(store, lambda session, addon, editor: images.add_screenshot(
        session, store.blobs, addon, image_bytes((320, 200), "PNG", mode="RGBA"), "", editor))
    full = decoded(store.blobs, preview.image_url)
    assert full.size == (320, 200) and full.mode == "RGBA" and preview.caption == {}


def test_a_screenshot_is_removed_by_its_id_and_only_the_addons_own(store, addon):
    first = edited(store, lambda session, addon, editor: images.add_screenshot(
        session, store.blobs, addon, image_bytes((400, 300)), "one", editor))
    edited(store, lambda session, addon, editor: images.add_screenshot(
        session, store.blobs, addon, image_bytes((500, 300)), "two", editor))
    with pytest.raises(Refused):
        edited(store, lambda session, addon, editor: images.remove_screenshot(session, addon, first.id + 100, editor))
    edited(store, lambda session, addon, editor: images.remove_screenshot(session, addon, first.id, editor))
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.slug == "shots"))
        assert [preview.caption for preview in addon.previews] == [{"en-US": "two"}]


def test_a_long_caption_is_refused():
    with pytest.raises(Refused) as refused:
        images.checked_caption("x" * 281)
    assert refused.value.field == "caption"


def test_the_check_knows_the_images_rows_use_and_the_clean_up_takes_the_others(store, addon):
    edited(store, lambda session, addon, editor: images.set_icon(session, store.blobs, addon, image_bytes((64, 64)), editor))
    kept = edited(store, lambda session, addon, editor: images.add_screenshot(
        session, store.blobs, addon, image_bytes((400, 300)), "", editor))
    dropped = edited(store, lambda session, addon, editor: images.add_screenshot(
        session, store.blobs, addon, image_bytes((500, 300)), "", editor))
    assert [problem for problem in check_store(store.db, store.blobs) if problem.subject.startswith("images/")] == []
    edited(store, lambda session, addon, editor: images.remove_screenshot(session, addon, dropped.id, editor))
    unnamed = {images.blob_key(dropped.image_url), images.blob_key(dropped.thumbnail_url)}
    assert {problem.subject for problem in check_store(store.db, store.blobs) if problem.kind == BLOB_WITHOUT_ROW} == unnamed
    clean_up(store.db, store.blobs, CleanupPolicy(timedelta(days=1), timedelta(0)),
             now=datetime.now(timezone.utc) + timedelta(seconds=1))
    left = {info.key for info in store.blobs.list("images/")}
    assert not left & unnamed and images.blob_key(kept.image_url) in left and len(left) == 5  # 3 icon sizes, 2 of `kept`


@pytest.mark.filterwarnings("ignore:.*:UserWarning")  # Pillow's words on the corrupt EXIF it skips
def test_mangled_images_are_refused_or_rendered_never_an_error():
    exif = Image.Exif()
    exif[0x0112], exif[0x010F] = 6, "Camera Maker"  # Orientation (rotated), Make
    originals = [image_bytes((120, 120), format, **({"exif": exif.tobytes()} if format != "GIF" else {}))
                 for format in ("JPEG", "PNG", "WEBP", "GIF")]
    chance = random.Random(15)
    outcomes = set()
    for _ in range(400):
        data = bytearray(chance.choice(originals))
        for _ in range(chance.randint(1, 8)):
            data[chance.randrange(len(data))] = chance.randrange(256)
        try:
            images.icon_renditions(bytes(data))
            outcomes.add("rendered")
        except Refused as refused:
            assert refused.field == "icon"
            outcomes.add(refused.message)
    assert {"rendered", images.NOT_AN_IMAGE} <= outcomes
