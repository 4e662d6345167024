"""Submitting through the developer hub: a package uploaded by a form, its validation shown as AMO
shows it, then made a version (or a new add-on) as web-ext's calls make one.

The same steps as the v5 submission API, in the same functions: the body streams into blob storage
(api.uploads.receive_form, the API's limits), the package's identity is read and the upload
recorded (submissions.uploads, which queues the validation job), both counted against the API's
throttle scopes; the version is made by submissions.versions.create_version (listed ones wait for
a reviewer, unlisted ones are queued for signing), with the source archive the form may carry
(checked by submissions.uploads.checked_source, as the API's is). Both forms are multipart, which
CheckedForm does not read, so their CSRF token is checked with the same comparison once the body
is in, and the stored files discarded when it fails."""

from fastapi import APIRouter, Request
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from addonhub.accounts.models import User
from addonhub.api.amo.intake import ADDONS, UPLOADS
from addonhub.api.submitters import submitter, throttle_wait
from addonhub.api.uploads import BodyLimits, ReceivedForm, UploadRejected, receive_form
from addonhub.blobs import StoredBlob
from addonhub.catalog.constants import CATEGORIES, Channel
from addonhub.catalog.edits import AddonChanges, VersionChanges, edit_addon
from addonhub.catalog.indexing import reindex
from addonhub.catalog.licenses import BUILTIN_LICENSES
from addonhub.catalog.service import find_addon, is_author
from addonhub.refusals import INVALID, Refused
from addonhub.submissions.models import AWAIT_VERSION
from addonhub.submissions.uploads import (
    checked_source, find_upload, new_source_key, new_upload_key, read_package_identity, record_upload, submittable_upload,
)
from addonhub.submissions.versions import checked_channel, create_version, guid_for_new_addon
from addonhub.web.forms import CSRF_FIELD, CSRFRejected, Fields, Throttled, csrf_matches, hidden_csrf_field, read_form
from addonhub.web.developer_hub import LogInFirst, log_in_first, signed_in_developer
from addonhub.web.page_rendering import Visit, page_response, render
from addonhub.web.wording import CATEGORY_NAMES, N_

router = APIRouter(include_in_schema=False)

SUBMIT_PATH = "/developers/submit/"
MISSING_PACKAGE = N_("Choose the package (.zip or .xpi) to upload.")
NOT_YOURS = N_("An add-on with this package's id exists and is not yours: change the id in its manifest.json.")
NOT_SAVED = N_("This was not saved: %(reason)s")
UNKNOWN_LICENSE = "Choose a licence from the list."
LISTING_TEXTS = ("name", "summary", "description")


def _store(request: Request):
    return request.app.state.store


def _count(request: Request, user: User, scope: str) -> None:
    """Counts the write as the API counts it, refusing it past the limit."""
    wait = throttle_wait(request, submitter(request, user), scope)
    if wait is not None:
        raise Throttled(wait)



def _page(request: Request, visit: Visit, template: str, status_code: int = 200, **context) -> Response:
    html = render(visit, template, csrf_field=lambda: Markup(hidden_csrf_field(request)), **context)
    return page_response(html, visit.languages, status_code)


def _submit_form(request: Request, status_code: int = 200, error: tuple[str, dict] | None = None,
                 channel: str = Channel.LISTED) -> Response:
    with _store(request).db.session() as session:
        visit, _ = signed_in_developer(request, session)
    return _page(request, visit, "developers/submit.html", status_code, error=error, channel=channel)


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
        _count(request, user, UPLOADS)
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
    return _page(request, visit, "developers/upload.html", status_code, fields=fields or {}, error=error,
                 categories=[(slug, CATEGORY_NAMES.get(slug, slug)) for slug in CATEGORIES["extension"]],
                 licenses=[(slug, license.name) for slug, license in BUILTIN_LICENSES.items() if not license.for_themes],
                 **context)


@router.get("/developers/uploads/{upload_uuid}")
def upload_page(request: Request, upload_uuid: str):
    try:
        return _upload_page(request, upload_uuid)
    except LogInFirst:
        return log_in_first(SUBMIT_PATH)


def _listing(fields: Fields) -> AddonChanges:
    """A new listed add-on's listing as typed (edit_addon checks it, as it checks the API's)."""
    translated = {name: {"en-US": fields[name].strip()} for name in LISTING_TEXTS if fields.get(name, "").strip()}
    category = fields.get("category", "")
    return AddonChanges(translated=translated, categories={"firefox": [category]} if category else None)


def _version_changes(fields: Fields, new_listed: bool, source: StoredBlob | None) -> VersionChanges:
    """The reviewer notes and source code, and a new listed add-on's licence (one of the store's
    built-in ones)."""
    notes = fields.get("approval_notes", "").strip() or None
    chosen = fields.get("license", "") if new_listed else ""
    if chosen and chosen not in BUILTIN_LICENSES:
        raise Refused(INVALID, UNKNOWN_LICENSE, field="license")
    license = BUILTIN_LICENSES[chosen] if chosen else None
    given = {"approval_notes", *(("license",) if license else ()), *(("source",) if source else ())}
    return VersionChanges(given=frozenset(given), approval_notes=notes, license=license, source=source)


def _reshow_upload(request: Request, fields: Fields, message: str) -> Response:
    return _upload_page(request, request.path_params["upload_uuid"], 403, fields, (message, {}))


async def _submitted_form(request: Request) -> ReceivedForm:
    """The submit form's body: multipart, its source archive (if one was chosen) streamed into blob
    storage as the API streams it, with the API's limits; or URL-encoded, from a client that sends
    no file."""
    store = _store(request)
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return await receive_form(request, store.blobs, lambda _field: new_source_key(),
                                  BodyLimits.for_uploads(store.settings))
    return ReceivedForm(fields=await read_form(request))


@router.post("/developers/uploads/{upload_uuid}/submit")
async def submit(request: Request, upload_uuid: str):
    """Makes the upload a version: of the developer's add-on with the package's id, else a new
    add-on (listed ones with the listing typed here), as the API's PUT /addon/<id> does; the
    source archive, when one is sent, goes with the version for its reviewers."""
    store = _store(request)
    try:
        await run_in_threadpool(_signed_in_user, request)
        try:
            form = await _submitted_form(request)
        except UploadRejected as rejected:
            return await run_in_threadpool(_upload_page, request, upload_uuid, rejected.status_code, None,
                                           (NOT_SAVED, {"reason": rejected.message}))
    except LogInFirst:
        return log_in_first(SUBMIT_PATH)
    try:
        answer, kept = await run_in_threadpool(_submit, request, upload_uuid, form)
    except BaseException:
        form.discard(store.blobs)
        raise
    form.discard(store.blobs, keep="source" if kept else None)
    return answer


def _submit(request: Request, upload_uuid: str, form: ReceivedForm) -> tuple[Response, bool]:
    """The version made from the form, or the page again saying why; and whether the version took
    the form's source archive (which is kept only then)."""
    fields = dict(form.fields)
    if not csrf_matches(request, fields.pop(CSRF_FIELD, "")):
        raise CSRFRejected(fields, _reshow_upload)
    received = form.files.get("source")
    try:
        # A file input left empty sends a part with neither a name nor bytes: no source.
        source = checked_source(received.blob, received.filename) \
            if received is not None and (received.filename or received.blob.size) else None
        with _store(request).db.session() as session:
            _, user = signed_in_developer(request, session)
            _own_upload(session, user, upload_uuid)
            _count(request, user, ADDONS)
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
                    edit_addon(session, addon, _listing(fields), user)
            reindex(session, addon)
    except LogInFirst:
        return log_in_first(SUBMIT_PATH), False
    except Throttled as throttled:
        return _upload_page(request, upload_uuid, 429, fields, throttled.words()), False
    except Refused as refusal:
        return _upload_page(request, upload_uuid, 400, fields, (NOT_SAVED, {"reason": refusal.message})), False
    return RedirectResponse("/developers/addons/", status_code=303), source is not None
