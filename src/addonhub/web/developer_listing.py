"""Editing a listing in the developer hub: /developers/addon/<add-on>/edit (the `edit_url` of the
API's add-on object), for the add-on's authors only; anyone else, or a deleted add-on, is a 404.

One page, four forms, each its own transaction, so that a form that fails saves nothing and the
page says why beside what was typed: the listing's texts, category and licence
(catalog.edits.edit_addon and edit_version, the rules of the API's PATCH); the icon and a new
screenshot with its caption (multipart, read with api.uploads.receive_form, the upload's blob
deleted once read: catalog.images keeps only what it re-encodes); removing a screenshot. Every
write counts against the API's amo_addons throttle scope and reindexes the add-on."""

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from addonhub.accounts.models import User
from addonhub.api.amo.intake import ADDONS
from addonhub.api.uploads import BodyLimits, ReceivedForm, UploadRejected, receive_form
from addonhub.blobs import BlobStore
from addonhub.catalog import images
from addonhub.catalog.constants import CATEGORIES, AddonStatus, Channel
from addonhub.catalog.edits import AddonChanges, VersionChanges, edit_addon, edit_version
from addonhub.catalog.indexing import reindex
from addonhub.catalog.licenses import BUILTIN_LICENSES, builtin_slug, fits_type
from addonhub.catalog.models import Addon, Version
from addonhub.catalog.serializers import DEFAULT_ICON_PATH
from addonhub.catalog.service import find_addon, is_author
from addonhub.refusals import INVALID, Refused
from addonhub.submissions.uploads import new_upload_key
from addonhub.web.developer_hub import LogInFirst, count_write, hub_page, log_in_first, signed_in_developer
from addonhub.web.forms import CheckedForm, CSRFRejected, Fields, Throttled, csrf_matches
from addonhub.web.wording import CATEGORY_NAMES, N_

router = APIRouter(include_in_schema=False)

EDIT_PATH = "/developers/addon/{slug}/edit"
NOT_SAVED = N_("This was not saved: %(reason)s")
SAVED = N_("Saved.")
MISSING_IMAGE = "Choose an image file (PNG, JPEG, WebP or GIF)."
UNKNOWN_LICENSE = "Choose a licence from the list."
LISTING_TEXTS = ("name", "summary", "description")
# An image form's file limit: what catalog.images takes (receive_form adds room for the fields).
IMAGE_FORM_BYTES = images.MAX_IMAGE_BYTES


def _store(request: Request):
    return request.app.state.store


def listing_changes(fields: Fields, locale: str) -> AddonChanges:
    """The listing's texts and category as typed (edit_addon checks them, as it checks the API's);
    a blank text removes the locale's translation."""
    translated = {name: {locale: fields[name].strip()} for name in LISTING_TEXTS if name in fields}
    category = fields.get("category", "")
    return AddonChanges(translated=translated, categories={"firefox": [category] if category else []}
                        if "category" in fields else None)


def chosen_license(fields: Fields) -> VersionChanges:
    """The built-in licence chosen, if one is."""
    chosen = fields.get("license", "")
    if chosen and chosen not in BUILTIN_LICENSES:
        raise Refused(INVALID, UNKNOWN_LICENSE, field="license")
    return VersionChanges(given=frozenset({"license"}) if chosen else frozenset(),
                          license=BUILTIN_LICENSES[chosen] if chosen else None)


def category_choices(addon_type: str) -> list[tuple[str, str]]:
    return [(slug, CATEGORY_NAMES.get(slug, slug)) for slug in CATEGORIES.get(addon_type, ())]


def license_choices(addon_type: str) -> list[tuple[str, str]]:
    """The built-in licences edit_version takes for this type of add-on."""
    return [(slug, license.name) for slug, license in BUILTIN_LICENSES.items() if fits_type(license, addon_type)]


def own_addon(session: Session, user: User, slug: str) -> Addon:
    """The add-on, when this developer authors it; anyone else's is not there (404)."""
    addon = find_addon(session, slug)
    if addon is None or addon.status == AddonStatus.DELETED or not is_author(addon, user):
        raise HTTPException(404)
    return addon


def _listed_version(addon: Addon) -> Version | None:
    """The newest listed version: the one whose licence the listing shows."""
    listed = [version for version in addon.versions if version.channel == Channel.LISTED and not version.is_deleted]
    return max(listed, key=lambda version: (version.created, version.id), default=None)


def _current_fields(addon: Addon) -> Fields:
    locale = addon.default_locale
    version = _listed_version(addon)
    license = builtin_slug(version.license, addon.type) if version and version.license else None
    categories = sorted(row.slug for row in addon.categories if row.application == "firefox")
    return {**{name: (getattr(addon, name) or {}).get(locale, "") for name in LISTING_TEXTS},
            "category": categories[0] if categories else "", "license": license or ""}


def _edit_page(request: Request, slug: str, status_code: int = 200, fields: Fields | None = None,
               error: tuple[str, dict] | None = None, notice: str | None = None) -> Response:
    with _store(request).db.session() as session:
        visit, user = signed_in_developer(request, session)
        addon = own_addon(session, user, slug)
        addon_type = addon.type
        context = {
            "addon": {"slug": addon.slug, "name": (addon.name or {}).get(addon.default_locale) or addon.slug,
                      "url": f"/addon/{addon.slug}/", "has_listed_version": _listed_version(addon) is not None,
                      "icon_url": addon.icon_url if images.blob_key(addon.icon_url or "") else DEFAULT_ICON_PATH},
            "previews": [{"id": preview.id, "thumbnail_url": preview.thumbnail_url,
                          "caption": (preview.caption or {}).get(addon.default_locale, "")}
                         for preview in addon.previews],
            "fields": {**_current_fields(addon), **(fields or {})},
        }
    return hub_page(request, visit, "developers/edit_listing.html", status_code, error=error, notice=notice,
                    categories=category_choices(addon_type), licenses=license_choices(addon_type), **context)


def _saved(slug: str) -> Response:
    return RedirectResponse(EDIT_PATH.format(slug=slug) + "?saved=1", status_code=303)


@router.get("/developers/addon/{slug}/edit")
def edit_page(request: Request, slug: str, saved: str = ""):
    try:
        return _edit_page(request, slug, notice=SAVED if saved else None)
    except LogInFirst:
        return log_in_first(EDIT_PATH.format(slug=slug))


def _reshow_listing(request: Request, fields: Fields, message: str) -> Response:
    return _edit_page(request, request.path_params["slug"], 403, fields, (message, {}))


def _write(request: Request, slug: str, fields: Fields | None, change: Callable[[Session, Addon, User], None]) -> Response:
    """One form's change to the developer's add-on, in one transaction, reindexed; the page again
    with the reason when it is refused, nothing of it kept."""
    try:
        with _store(request).db.session() as session:
            _, user = signed_in_developer(request, session)
            addon = own_addon(session, user, slug)
            count_write(request, user, ADDONS)
            change(session, addon, user)
            reindex(session, addon)
            slug = addon.slug
    except LogInFirst:
        return log_in_first(EDIT_PATH.format(slug=slug))
    except Throttled as throttled:
        return _edit_page(request, slug, 429, fields, throttled.words())
    except Refused as refusal:
        return _edit_page(request, slug, 400, fields, (NOT_SAVED, {"reason": refusal.message}))
    return _saved(slug)


@router.post("/developers/addon/{slug}/edit")
def save_listing(request: Request, slug: str, fields: Fields = Depends(CheckedForm(_reshow_listing))):
    def change(session: Session, addon: Addon, user: User) -> None:
        license = chosen_license(fields)
        edit_addon(session, addon, listing_changes(fields, addon.default_locale), user)
        version = _listed_version(addon)
        if license.license is not None and version is not None:
            edit_version(version, license, {})
    return _write(request, slug, fields, change)


@router.post("/developers/addon/{slug}/screenshots/{preview_id}/delete")
def remove_screenshot(request: Request, slug: str, preview_id: int,
                      fields: Fields = Depends(CheckedForm(_reshow_listing))):
    return _write(request, slug, None, lambda session, addon, user: images.remove_screenshot(
        session, addon, preview_id, user))


def image_of(blobs: BlobStore, form: ReceivedForm, name: str) -> bytes | None:
    """The bytes of a form's image field, None when no file was chosen (a browser then sends an
    empty part); more than an image may have is left for catalog.images to refuse."""
    received = form.files.get(name)
    if received is None or received.blob.size == 0:
        return None
    with blobs.open(received.blob.key) as stream:
        return stream.read(images.MAX_IMAGE_BYTES + 1)


async def _image_form(request: Request, slug: str, field: str,
                      change: Callable[[Session, Addon, User, bytes, Fields], None]) -> Response:
    """A multipart form with one image: its body streamed to a blob with the image's limit, its
    CSRF token checked once in, the image handed to `change`, the blob deleted whatever happens."""
    store = _store(request)
    try:
        await run_in_threadpool(_check_author, request, slug)  # before anyone's body is stored
        form = await receive_form(request, store.blobs, lambda _field: new_upload_key(),
                                  BodyLimits.for_small_body(store.settings, IMAGE_FORM_BYTES))
    except LogInFirst:
        return log_in_first(EDIT_PATH.format(slug=slug))
    except UploadRejected as rejected:
        return await run_in_threadpool(_edit_page_or_log_in, request, slug, rejected.status_code,
                                       (NOT_SAVED, {"reason": rejected.message}))
    try:
        if not csrf_matches(request, form.fields.pop("csrf_token", "")):
            raise CSRFRejected(form.fields, _reshow_listing)
        data = await run_in_threadpool(image_of, store.blobs, form, field)
        if data is None:
            return await run_in_threadpool(_edit_page_or_log_in, request, slug, 400, (NOT_SAVED, {"reason": MISSING_IMAGE}))
        return await run_in_threadpool(_write, request, slug, None,
                                       lambda session, addon, user: change(session, addon, user, data, form.fields))
    finally:
        await run_in_threadpool(form.discard, store.blobs)


def _check_author(request: Request, slug: str) -> None:
    with _store(request).db.session() as session:
        _, user = signed_in_developer(request, session)
        own_addon(session, user, slug)


def _edit_page_or_log_in(request: Request, slug: str, status_code: int, error: tuple[str, dict]) -> Response:
    try:
        return _edit_page(request, slug, status_code, error=error)
    except LogInFirst:
        return log_in_first(EDIT_PATH.format(slug=slug))


@router.post("/developers/addon/{slug}/icon")
async def upload_icon(request: Request, slug: str):
    blobs = _store(request).blobs
    return await _image_form(request, slug, "icon", lambda session, addon, user, data, _fields: images.set_icon(
        session, blobs, addon, data, user))


@router.post("/developers/addon/{slug}/screenshots")
async def add_screenshot(request: Request, slug: str):
    blobs = _store(request).blobs
    return await _image_form(request, slug, "screenshot", lambda session, addon, user, data, fields: images.add_screenshot(
        session, blobs, addon, data, fields.get("caption", ""), user))
