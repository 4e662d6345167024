"""An add-on's listing images: its icon and its screenshots (AMO's previews).

An uploaded image is never served as sent. Pillow reads it, told which formats to try (PNG,
JPEG, WebP, GIF, sniffed from the bytes, never from the name), after its header has shown a
size within bounds, so that a small file that would decode to gigabytes of pixels (a
decompression bomb) is refused unread; then every rendition is drawn afresh and encoded
without the upload's metadata (EXIF, comments, colour profiles). The renditions are AMO's: an
icon at 32, 64 and 128 pixels square, a screenshot within 2400x1800 and its thumbnail within
640x480 (addons-server's ADDON_ICON_SIZES and ADDON_PREVIEW_SIZES).

Blobs are named by the SHA-256 of the uploaded bytes and the rendition, under images/, and the
store serves them at /images/<name> (api/images.py): a name never changes its content, so
browsers may keep them for good. A replaced icon or a removed screenshot leaves its blobs to the
clean-up of orphan blobs (integrity.references names the ones rows use), as the same image may
be another add-on's too. Nothing here commits or reindexes: the caller's transaction does.
"""

import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.blobs import BlobStore
from addonhub.catalog.models import Addon, Preview
from addonhub.refusals import INVALID, Refused

# What Pillow is allowed to open; its other readers (some old and little used) are never tried.
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
# AMO's limit for icons and screenshots alike (MAX_ICON_UPLOAD_SIZE, MAX_IMAGE_UPLOAD_SIZE).
MAX_IMAGE_BYTES = 4 * 1024 * 1024
# Decoded pixels an upload may have: a large screenshot (6000x4000) fits, a bomb does not.
MAX_PIXELS = 24_000_000
ICON_SIZES = (32, 64, 128)
ICON_URL_SIZE = 64  # AMO's icon_url is the 64-pixel one
SCREENSHOT_SIZE = (2400, 1800)
THUMBNAIL_SIZE = (640, 480)
MAX_CAPTION_LENGTH = 280  # AMO's Preview.caption

BLOB_PREFIX = "images/"
URL_PREFIX = "/images/"
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg"}
# The names the store gives image blobs: <sha256>-<rendition>.<png|jpg>.
IMAGE_NAME = re.compile(r"[0-9a-f]{64}-(?:icon-\d+|full|thumb)\.(?:png|jpg)")
_STORE_ICON = re.compile(r"/images/([0-9a-f]{64})-icon-64\.png")

NOT_AN_IMAGE = "This file is not a PNG, JPEG, WebP or GIF image."
TOO_LARGE = "The image is larger than 4 MB."
TOO_MANY_PIXELS = "The image has too many pixels (at most 24 million): make it smaller."
NOT_SQUARE = "An icon must be square (as wide as it is tall)."
NO_SUCH_SCREENSHOT = "This add-on has no such screenshot."
CAPTION_TOO_LONG = "A caption has at most 280 characters."


@dataclass(frozen=True)
class Rendition:
    """One encoded size of an uploaded image, and where it goes."""
    name: str
    data: bytes
    size: tuple[int, int]

    @property
    def url(self) -> str:
        return URL_PREFIX + self.name


def blob_key(url: str) -> str | None:
    """The blob behind one of the store's image URLs (None for any other URL, an imported one)."""
    name = url.removeprefix(URL_PREFIX)
    return BLOB_PREFIX + name if url.startswith(URL_PREFIX) and IMAGE_NAME.fullmatch(name) else None


def icon_urls(icon_url: str) -> dict[str, str]:
    """Every size of an icon the store made, by its 64-pixel URL; {} for any other URL."""
    match = _STORE_ICON.fullmatch(icon_url or "")
    if match is None:
        return {}
    return {str(size): f"{URL_PREFIX}{match[1]}-icon-{size}.png" for size in ICON_SIZES}


@contextmanager
def refused_unless_readable(field: str) -> Iterator[None]:
    """Pillow's failures on an upload, as the refusal the form shows. Its readers and EXIF parser
    raise many types on crafted input (OSError "truncated", SyntaxError, struct.error, KeyError,
    ValueError "conversion not supported"...): all of them mean the same thing to the developer."""
    try:
        yield
    except Refused:
        raise
    except Image.DecompressionBombError:
        raise Refused(INVALID, TOO_MANY_PIXELS, field=field) from None
    except Exception:
        raise Refused(INVALID, NOT_AN_IMAGE, field=field) from None


def opened(data: bytes, field: str) -> tuple[Image.Image, str]:
    """The upload decoded (its first frame) and its format, or Refused saying why not; only within
    refused_unless_readable, which the rendering that follows needs as much."""
    if len(data) > MAX_IMAGE_BYTES:
        raise Refused(INVALID, TOO_LARGE, field=field)
    image = Image.open(io.BytesIO(data), formats=FORMATS)
    if image.width * image.height > MAX_PIXELS:  # known from the header: nothing is decoded yet
        raise Refused(INVALID, TOO_MANY_PIXELS, field=field)
    image.load()
    # A photograph stands as its camera meant it to (its EXIF, which says so, is dropped).
    return ImageOps.exif_transpose(image), image.format


def _encoded(image: Image.Image, as_jpeg: bool) -> bytes:
    """The pixels alone: a JPEG (for photographs sent as JPEG) or a PNG, with no metadata."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    clean = image.convert("RGB" if as_jpeg or not has_alpha else "RGBA")
    clean.info = {}  # else PNG and JPEG writers carry the upload's ICC profile over
    output = io.BytesIO()
    if as_jpeg:
        clean.save(output, "JPEG", quality=90, optimize=True)
    else:
        clean.save(output, "PNG", optimize=True)
    return output.getvalue()


def icon_renditions(data: bytes) -> list[Rendition]:
    with refused_unless_readable("icon"):
        image, _ = opened(data, "icon")
        if image.width != image.height:
            raise Refused(INVALID, NOT_SQUARE, field="icon")
        digest = hashlib.sha256(data).hexdigest()
        return [Rendition(f"{digest}-icon-{size}.png", _encoded(image.resize((size, size), Image.Resampling.LANCZOS), False),
                          (size, size)) for size in ICON_SIZES]


def screenshot_renditions(data: bytes) -> tuple[Rendition, Rendition]:
    """The full image and its thumbnail, each within AMO's bounds, never enlarged."""
    with refused_unless_readable("screenshot"):
        image, image_format = opened(data, "screenshot")
        as_jpeg = image_format == "JPEG"
        extension = "jpg" if as_jpeg else "png"
        digest = hashlib.sha256(data).hexdigest()
        renditions = []
        for variant, bounds in (("full", SCREENSHOT_SIZE), ("thumb", THUMBNAIL_SIZE)):
            fitted = image.copy()
            fitted.thumbnail(bounds, Image.Resampling.LANCZOS)
            renditions.append(Rendition(f"{digest}-{variant}.{extension}", _encoded(fitted, as_jpeg), fitted.size))
        return renditions[0], renditions[1]


def _stored(blobs: BlobStore, renditions) -> None:
    """Writes each rendition's blob, even one already there (the same upload, maybe an orphan
    that no longer has a row): written again, it is new to the clean-up's grace period."""
    for rendition in renditions:
        blobs.put_chunks(BLOB_PREFIX + rendition.name, iter([rendition.data]))


def set_icon(session: Session, blobs: BlobStore, addon: Addon, data: bytes, editor: User) -> None:
    renditions = icon_renditions(data)
    _stored(blobs, renditions)
    addon.icon_url = next(rendition.url for rendition in renditions if rendition.size[0] == ICON_URL_SIZE)
    activity.record(session, activity.LISTING_EDITED, editor, addon=addon, details={"fields": ["icon"]})


def checked_caption(caption: str) -> dict[str, str]:
    """A caption as typed, as the translations of the add-on's default locale."""
    caption = caption.strip()
    if len(caption) > MAX_CAPTION_LENGTH:
        raise Refused(INVALID, CAPTION_TOO_LONG, field="caption")
    return {"en-US": caption} if caption else {}


def add_screenshot(session: Session, blobs: BlobStore, addon: Addon, data: bytes, caption: str, editor: User) -> Preview:
    """A new last screenshot of the listing."""
    translations = checked_caption(caption)
    full, thumbnail = screenshot_renditions(data)
    _stored(blobs, (full, thumbnail))
    position = max((preview.position for preview in addon.previews), default=-1) + 1
    preview = Preview(position=position, caption=translations, image_url=full.url, thumbnail_url=thumbnail.url,
                      image_size=list(full.size), thumbnail_size=list(thumbnail.size))
    addon.previews.append(preview)
    activity.record(session, activity.LISTING_EDITED, editor, addon=addon, details={"fields": ["previews"]})
    return preview


def remove_screenshot(session: Session, addon: Addon, preview_id: int, editor: User) -> None:
    preview = next((preview for preview in addon.previews if preview.id == preview_id), None)
    if preview is None:
        raise Refused(INVALID, NO_SUCH_SCREENSHOT, field="screenshot")
    addon.previews.remove(preview)
    activity.record(session, activity.LISTING_EDITED, editor, addon=addon, details={"fields": ["previews"]})
