"""Submitting through the developer hub: a package uploaded by a form, its validation shown as AMO
shows it, then made a version (or a new add-on) as web-ext's calls make one.

The same steps as the v5 submission API, in the same functions: the body streams into blob storage
(api.uploads.receive_form, the API's limits), the package's identity is read and the upload
recorded (submissions.uploads, which queues the validation job), both counted against the API's
throttle scopes; the version is made by submissions.versions.create_version (listed ones wait for
a reviewer, unlisted ones are queued for signing), with the source archive the form may carry
(checked by submissions.uploads.checked_source, as the API's is); a new listed add-on gets the
listing typed on the submit form, with an optional icon and screenshot (catalog.images, as on the
edit page of web/developer_listing.py). Both forms are multipart, read with the API's upload
limits, which has no urlencoded body for CheckedForm: their CSRF token is checked with the same
comparison once the body is read, and the stored files discarded when it fails (the images'
always, once read; the source unless the version took it)."""

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from addonhub.accounts.models import User
from addonhub.api.amo.intake import ADDONS, UPLOADS
from addonhub.api.submitters import submitter
from addonhub.api.uploads import BodyLimits, ReceivedFile, UploadRejected, receive_form
from addonhub.blobs import BlobStore, StoredBlob
from addonhub.catalog import images
from addonhub.catalog.constants import Channel
from addonhub.catalog.edits import VersionChanges, edit_addon
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon
from addonhub.catalog.service import find_addon, is_author
from addonhub.refusals import Refused
from addonhub.submissions.models import AWAIT_VERSION
from addonhub.submissions.uploads import (
    checked_source, find_upload, new_source_key, new_upload_key, read_package_identity, record_upload, submittable_upload,
)
from addonhub.submissions.versions import checked_channel, create_version, guid_for_new_addon
from addonhub.web.developer_hub import LogInFirst, count_write, hub_page, log_in_first, signed_in_developer
from addonhub.web.developer_listing import category_choices, chosen_license, image_of, license_choices, listing_changes
from addonhub.web.forms import CSRFRejected, Fields, Throttled, csrf_matches
from addonhub.web.wording import N_

router = APIRouter(include_in_schema=False)

SUBMIT_PATH = "/developers/submit/"
MISSING_PACKAGE = N_("Choose the package (.zip or .xpi) to upload.")
NOT_YOURS = N_("An add-on with this package's id exists and is not yours: change the id in its manifest.json.")
NOT_SAVED = N_("This was not saved: %(reason)s")


def _store(request: Request):
    return request.app.state.store


def _submit_form(request: Request, status_code: int = 200, error: tuple[str, dict] | None = None,
                 channel: str = Channel.LISTED) -> Response:
    with _store(request).db.session() as session:
        visit, _ = signed_in_developer(request, session)
    return hub_page(request, visit, "developers/submit.html", status_code, error=error, channel=channel)


@router.get("/developers/submit")
def submit_form(request: Request):
    try:
        return _submit_form(request)
    except LogInFirst:
        return log_in_first(SUBMIT_PATH)


def _signed_in_user(request: Request) -> User:
    """The account, detached from its session: the upload's body is read before any other."""
    with _store(request).db.session() as session:
        _, user = signed_in_developer(request, session)
        session.expunge(user)
        return user


@router.post("/developers/submit")
async def upload(request: Request):
    """The package, streamed to blob storage as the API streams it; then the upload's page."""
    store = _store(request)
    try:
        user = await run_in_threadpool(_signed_in_user, request)
        count_write(request, user, UPLOADS)
        try:
            form = await receive_form(request, store.blobs, lambda _field: new_upload_key(),
                                      BodyLimits.for_uploads(store.settings))
        except UploadRejected as rejected:
            return await run_in_threadpool(_submit_form, request, rejected.status_code, (NOT_SAVED, {"reason": rejected.message}))
        try:
            return await run_in_threadpool(_record, request, user, form)
        except BaseException:
            form.discard(store.blobs)
            raise
    except LogInFirst:
        return log_in_first(SUBMIT_PATH)
    except Throttled as throttled:
        return await run_in_threadpool(_submit_form, request, 429, throttled.words())


def _record(request: Request, user: User, form) -> Response:
    store = _store(request)
    if not csrf_matches(request, form.fields.get("csrf_token", "")):
        form.discard(store.blobs)
        raise CSRFRejected({}, None)
    channel = form.fields.get("channel", Channel.LISTED)
    received = form.files.get("upload")
    if received is None or received.blob.size == 0:
        form.discard(store.blobs)
        return _submit_form(request, 400, (MISSING_PACKAGE, {}), channel)
    try:
        channel = checked_channel(channel) or Channel.LISTED
        identity = read_package_identity(store.blobs, received.blob, received.filename, store.settings.archive_limits())
        with store.db.session() as session:
            upload_row = record_upload(session, submitter(request, user), received.blob, received.filename,
                                       purpose=AWAIT_VERSION, channel=channel, identity=identity)
            uuid = upload_row.uuid
    except Refused as refusal:
        form.discard(store.blobs)
        return _submit_form(request, 400, (NOT_SAVED, {"reason": refusal.message}), channel)
    for name, other in form.files.items():  # only the package is kept
        if name != "upload":
            store.blobs.delete(other.blob.key)
    return RedirectResponse(f"/developers/uploads/{uuid}/", status_code=303)


# The upload's page: validation, then the version ---------------------------------------------------

def _own_upload(session: Session, user: User, upload_uuid: str):
    """The upload, when it is this developer's; anyone else's is not there (404)."""
    found = find_upload(session, upload_uuid)
    if found is None or found.user_id != user.id or found.purpose != AWAIT_VERSION:
        raise HTTPException(404)
    return found


def _upload_page(request: Request, upload_uuid: str, status_code: int = 200, fields: Fields | None = None,
                 error: tuple[str, dict] | None = None) -> Response:
    with _store(request).db.session() as session:
        visit, user = signed_in_developer(request, session)
        found = _own_upload(session, user, upload_uuid)
        existing = find_addon(session, found.guid) if found.guid else None
        context = {
            "upload": {"uuid": found.uuid, "filename": found.filename, "version": found.version, "guid": found.guid,
                       "channel": found.channel, "processed": found.processed, "valid": found.valid,
                       "submitted": found.version_id is not None},
            "validation": found.validation or {},
            "existing": {"name": existing.slug, "url": f"/addon/{existing.slug}/"}
            if existing is not None and is_author(existing, user) else None,
        }
    return hub_page(request, visit, "developers/upload.html", status_code, fields=fields or {}, error=error,
                    categories=category_choices("extension"), licenses=license_choices("extension"), **context)


@router.get("/developers/uploads/{upload_uuid}")
def upload_page(request: Request, upload_uuid: str):
    try:
        return _upload_page(request, upload_uuid)
    except LogInFirst:
        return log_in_first(SUBMIT_PATH)


def _version_changes(fields: Fields, new_listed: bool, source: StoredBlob | None) -> VersionChanges:
    """The reviewer notes and source code, and a new listed add-on's licence (one of the store's
    built-in ones)."""
    notes = fields.get("approval_notes", "").strip() or None
    license = chosen_license(fields) if new_listed else VersionChanges()
    given = {"approval_notes", *license.given, *(("source",) if source is not None else ())}
    return VersionChanges(given=frozenset(given), approval_notes=notes, license=license.license, source=source)


def _new_listing(session: Session, blobs: BlobStore, addon: Addon, fields: Fields, pictures: dict[str, bytes | None], user: User) -> None:
    """A new listed add-on's listing as typed, its icon and first screenshot if chosen; what is
    left blank keeps what the manifest says."""
    typed = {name: value for name, value in fields.items() if value.strip()}
    edit_addon(session, addon, listing_changes(typed, "en-US"), user)
    if pictures["icon"] is not None:
        images.set_icon(session, blobs, addon, pictures["icon"], user)
    if pictures["screenshot"] is not None:
        images.add_screenshot(session, blobs, addon, pictures["screenshot"], fields.get("caption", ""), user)


def _reshow_upload(request: Request, fields: Fields, message: str) -> Response:
    return _upload_page(request, request.path_params["upload_uuid"], 403, fields, (message, {}))


@router.post("/developers/uploads/{upload_uuid}/submit")
async def submit(request: Request, upload_uuid: str):
    """The submit form, multipart for the version's source and a new listing's icon and screenshot:
    its body read with the API's upload limits (a source may be as large as a package; images are
    refused past their own by catalog.images), its CSRF token checked once in; the images' upload
    blobs deleted after, the source's too unless the version took it."""
    store = _store(request)
    try:
        await run_in_threadpool(_signed_in_user, request)  # before anyone's body is stored
        form = await receive_form(request, store.blobs, _submit_form_key, BodyLimits.for_uploads(store.settings))
    except LogInFirst:
        return log_in_first(SUBMIT_PATH)
    except UploadRejected as rejected:
        return await run_in_threadpool(_upload_page_or_log_in, request, upload_uuid, rejected.status_code,
                                       (NOT_SAVED, {"reason": rejected.message}))
    kept = None
    try:
        if not csrf_matches(request, form.fields.pop("csrf_token", "")):
            raise CSRFRejected(form.fields, _reshow_upload)
        pictures = {name: await run_in_threadpool(image_of, store.blobs, form, name) for name in ("icon", "screenshot")}
        answer, took_source = await run_in_threadpool(_submit, request, upload_uuid, form.fields, pictures,
                                                      form.files.get("source"))
        kept = "source" if took_source else None
        return answer
    finally:
        await run_in_threadpool(form.discard, store.blobs, kept)


def _submit_form_key(field: str) -> str:
    """Sources are kept apart from packages (as the API keeps them); the images are read and let go."""
    return new_source_key() if field == "source" else new_upload_key()


def _upload_page_or_log_in(request: Request, upload_uuid: str, status_code: int, error: tuple[str, dict]) -> Response:
    try:
        return _upload_page(request, upload_uuid, status_code, error=error)
    except LogInFirst:
        return log_in_first(SUBMIT_PATH)


def _submit(request: Request, upload_uuid: str, fields: Fields, pictures: dict[str, bytes | None],
            received_source: ReceivedFile | None) -> tuple[Response, bool]:
    """Makes the upload a version: of the developer's add-on with the package's id, else a new
    add-on (listed ones with the listing typed here), as the API's PUT /addon/<id> does. Also
    whether the version took the form's source archive."""
    store = _store(request)
    try:
        # A file input left empty sends a part with neither a name nor bytes: no source.
        source = checked_source(received_source.blob, received_source.filename) \
            if received_source is not None and (received_source.filename or received_source.blob.size) else None
        with store.db.session() as session:
            _, user = signed_in_developer(request, session)
            _own_upload(session, user, upload_uuid)
            count_write(request, user, ADDONS)
            validated = submittable_upload(session, user, upload_uuid)
            addon = find_addon(session, validated.guid) if validated.guid else None
            if addon is not None and not addon.is_deleted:
                if not is_author(addon, user):
                    return _upload_page(request, upload_uuid, 403, fields, (NOT_YOURS, {})), False
                create_version(session, validated, user, validated.channel, _version_changes(fields, False, source),
                               addon)
            else:
                changes = _version_changes(fields, validated.channel == Channel.LISTED, source)
                validated.guid = guid_for_new_addon(session, validated.guid, None, url_may_stand_in=False)
                addon = create_version(session, validated, user, validated.channel, changes).addon
                if validated.channel == Channel.LISTED:
                    _new_listing(session, store.blobs, addon, fields, pictures, user)
            reindex(session, addon)
    except LogInFirst:
        return log_in_first(SUBMIT_PATH), False
    except Throttled as throttled:
        return _upload_page(request, upload_uuid, 429, fields, throttled.words()), False
    except Refused as refusal:
        return _upload_page(request, upload_uuid, 400, fields, (NOT_SAVED, {"reason": refusal.message})), False
    return RedirectResponse("/developers/addons/", status_code=303), source is not None
