"""AMO's v5 add-on submission API, as web-ext, publish-browser-extension and amo-upload call it:
upload a package, poll it until validated, then make it a new add-on (POST, or PUT with its id)
or a new version of one, and poll that version until its file is public.

Every write runs in one transaction; a failure leaves no row, and the blobs the request brought
are discarded (sources are kept only by the version that took them). Errors are v5's:
`{"detail": ...}`, or field-keyed lists nested like the request.
"""

from fastapi import APIRouter, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from addonhub.accounts.models import User
from addonhub.api.amo.intake import (
    ADDONS, UPLOADS, authenticated, package_identity, receive, store_of, submitting,
)
from addonhub.api.amo.rendering import Renderer
from addonhub.api.amo.submission_access import find_version_v5, readable_addon, readable_version, writable_addon
from addonhub.api.amo.submission_bodies import Body, read_body
from addonhub.api.amo.submission_input import (
    REQUIRED, FieldErrors, addon_fields, refusal_problem, version_fields,
)
from addonhub.api.amo.submission_objects import addon_object_v5, upload_object, version_object_v5
from addonhub.api.openapi import (
    AMO, OBJECT, UPLOAD_FORM, V5_BODY, answers, file_download, request_body, returns,
)
from addonhub.api.auth import credentials_required, current_user, permission_denied
from addonhub.api.downloads import blob_response
from addonhub.api.responses import APIError, JSONResponse, not_found
from addonhub.api.urls import base_url
from addonhub.catalog.constants import Channel
from addonhub.catalog.edits import edit_addon, edit_version
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, Version
from addonhub.catalog.service import can_manage, find_addon, is_author
from addonhub.refusals import Refused
from addonhub.submissions.models import AWAIT_VERSION
from addonhub.submissions.uploads import Submitter, find_upload, record_upload, submittable_upload, upload_for_version
from addonhub.submissions.versions import checked_channel, create_version, guid_for_new_addon, upload_manifest

router = APIRouter(prefix="/addons", tags=["submission"])
DETAIL = "detail"
SOURCE_TYPES = ((b"PK", ".zip"), (b"\x1f\x8b", ".tar.gz"), (b"BZh", ".tar.bz2"))


def _renderer(request: Request) -> Renderer:
    store = store_of(request)
    return Renderer(base_url=base_url(request), secret_key=store.secret_key,
                    lang=request.query_params.get("lang") or None)


async def _run(request: Request, body: Body, function, *args) -> JSONResponse:
    """Runs a write in a thread; the request's blobs go unless the write kept them."""
    try:
        response = await run_in_threadpool(_answer_field_errors, function, request, body, *args)
    except BaseException:
        body.discard(request)
        raise
    body.discard(request, all_files=False)
    return response


def _answer_field_errors(function, *args):
    try:
        return function(*args)
    except FieldErrors as problem:
        raise problem.as_api_error() from None
    except Refused as refusal:
        problem = refusal_problem(refusal)
        raise problem.as_api_error() if isinstance(problem, FieldErrors) else problem from None
    except IntegrityError:
        # Two requests raced for the same row (the same version string, one upload twice): the
        # checks passed in both, the database kept one; the other is told to look again.
        raise APIError(409, {"detail": "A concurrent request changed this add-on; check it and try again."}) from None


def _in_version(function, *args, **options):
    """Checks of the `version` object of an add-on request report under its key."""
    try:
        return function(*args, **options)
    except FieldErrors as problem:
        raise problem.under("version") from None
    except Refused as refusal:
        problem = refusal_problem(refusal)
        raise problem.under("version") if isinstance(problem, FieldErrors) else problem from None


# Uploads ----------------------------------------------------------------------------------------

# v5's errors are AMO's: `{"detail"}`, or field-keyed ones for the body's fields.
_WRITE_ERRORS = (400, 401, 403, 404, 408, 409, 413, 429)
_READ = answers(returns(OBJECT), AMO, 401, 403, 404)
_V5_BODY = request_body(V5_BODY)


@router.post("/upload", status_code=201, responses=answers(returns(OBJECT, 201), AMO, 400, 401, 408, 413, 429),
             openapi_extra=request_body(UPLOAD_FORM, required=True))
async def create_upload(request: Request):
    submitter = await submitting(request, UPLOADS)
    form = await receive(request, DETAIL)
    store = store_of(request)
    try:
        return await run_in_threadpool(_record_upload, request, submitter, form)
    except BaseException:
        form.discard(store.blobs)
        raise


def _record_upload(request: Request, submitter: Submitter, form) -> JSONResponse:
    store = store_of(request)
    identity = package_identity(store, form, DETAIL)
    channel = _answer_field_errors(checked_channel, form.fields.get("channel")) or Channel.UNLISTED
    received = form.files["upload"]
    with store.db.session() as session:
        upload = record_upload(session, submitter, received.blob, received.filename, purpose=AWAIT_VERSION,
                               channel=channel, identity=identity)
        body = upload_object(base_url(request), upload)
    for name, other in form.files.items():  # files sent besides the package are not kept
        if name != "upload":
            store.blobs.delete(other.blob.key)
    return JSONResponse(body, status_code=201)


@router.get("/upload/{upload_uuid}", responses=answers(returns(OBJECT), AMO, 401, 404))
async def upload_detail(request: Request, upload_uuid: str):
    submitter = await authenticated(request)
    return await run_in_threadpool(_upload_detail, request, submitter.user, upload_uuid)


def _upload_detail(request: Request, user: User, upload_uuid: str) -> JSONResponse:
    store = store_of(request)
    with store.db.session() as session:
        upload = find_upload(session, upload_uuid)
        if upload is None or upload.user_id != user.id:
            raise not_found()
        return JSONResponse(upload_object(base_url(request), upload))


# Add-ons ----------------------------------------------------------------------------------------

def _addon_response(request: Request, session: Session, addon: Addon, user: User | None,
                    version: Version | None = None, status_code: int = 200) -> JSONResponse:
    renderer = _renderer(request)
    body = addon_object_v5(session, addon, renderer.base_url, can_manage(addon, user), version)
    return JSONResponse(renderer.render(body, addon.default_locale), status_code=status_code)


@router.get("/addon/{identifier}", responses=_READ)
def addon_detail(request: Request, identifier: str):
    with store_of(request).db.session() as session:
        user = current_user(request, session)
        addon = readable_addon(session, user, identifier)
        return _addon_response(request, session, addon, user)


@router.post("/addon", status_code=201, responses=answers(returns(OBJECT, 201), AMO, *_WRITE_ERRORS),
             openapi_extra=_V5_BODY)
async def create_addon(request: Request):
    submitter = await submitting(request, ADDONS)
    body = await read_body(request)
    return await _run(request, body, _create_addon, submitter)


def _create_addon(request: Request, body: Body, submitter: Submitter) -> JSONResponse:
    with store_of(request).db.session() as session:
        return _new_addon(request, session, submitter.user, body.data, None)


# 201 when the add-on did not exist yet and the request made it.
@router.put("/addon/{identifier}", responses=answers(returns(OBJECT, 200, 201), AMO, *_WRITE_ERRORS),
            openapi_extra=_V5_BODY)
async def put_addon(request: Request, identifier: str):
    submitter = await submitting(request, ADDONS)
    body = await read_body(request)
    return await _run(request, body, _put_addon, submitter, identifier)


def _put_addon(request: Request, body: Body, submitter: Submitter, identifier: str) -> JSONResponse:
    """web-ext's call for a package with an id: the add-on is made if it does not exist yet."""
    user, data = submitter.user, body.data
    with store_of(request).db.session() as session:
        addon = find_addon(session, identifier)
        if addon is None or addon.is_deleted:
            # A deleted add-on's id is never given out again: creating it is refused as AMO does.
            return _new_addon(request, session, user, data, identifier)
        if not is_author(addon, user):
            raise permission_denied(user)
        version = None
        if "version" in data:
            wanted = _in_version(version_fields, data["version"], True)
            upload = _in_version(submittable_upload, session, user, wanted.upload)
            version = _in_version(create_version, session, upload, user, upload.channel, wanted.changes, addon)
        edit_addon(session, addon, addon_fields(data, addon.default_locale), user)
        reindex(session, addon)
        return _addon_response(request, session, addon, user, version)


def _new_addon(request: Request, session: Session, user: User, data: dict, url_guid: str | None) -> JSONResponse:
    if "version" not in data:
        raise APIError(400, {"version": [REQUIRED]})
    wanted = _in_version(version_fields, data["version"], True)
    metadata = addon_fields(data, "en-US")
    upload = _in_version(submittable_upload, session, user, wanted.upload)
    upload.guid = _in_version(guid_for_new_addon, session, upload.guid, url_guid, url_may_stand_in=False)
    version = _in_version(create_version, session, upload, user, upload.channel, wanted.changes)
    addon = version.addon
    edit_addon(session, addon, metadata, user)
    reindex(session, addon)
    return _addon_response(request, session, addon, user, version, status_code=201)


@router.patch("/addon/{identifier}", responses=answers(returns(OBJECT), AMO, *_WRITE_ERRORS),
              openapi_extra=_V5_BODY)
async def patch_addon(request: Request, identifier: str):
    submitter = await submitting(request, ADDONS)
    body = await read_body(request)
    return await _run(request, body, _patch_addon, submitter, identifier)


def _patch_addon(request: Request, body: Body, submitter: Submitter, identifier: str) -> JSONResponse:
    with store_of(request).db.session() as session:
        addon = writable_addon(session, submitter.user, identifier)
        edit_addon(session, addon, addon_fields(body.data, addon.default_locale), submitter.user)  # a `version` is ignored, as on AMO
        reindex(session, addon)
        return _addon_response(request, session, addon, submitter.user)


# Versions ---------------------------------------------------------------------------------------

def _version_response(request: Request, addon: Addon, version: Version, privileged: bool,
                      status_code: int = 200) -> JSONResponse:
    renderer = _renderer(request)
    body = version_object_v5(version, renderer.base_url, privileged)
    return JSONResponse(renderer.render(body, addon.default_locale), status_code=status_code)


@router.get("/addon/{identifier}/versions/{version_id}", responses=_READ)
def version_detail(request: Request, identifier: str, version_id: str):
    with store_of(request).db.session() as session:
        user = current_user(request, session)
        addon, version = readable_version(session, user, identifier, version_id)
        return _version_response(request, addon, version, can_manage(addon, user))


@router.post("/addon/{identifier}/versions", status_code=201,
             responses=answers(returns(OBJECT, 201), AMO, *_WRITE_ERRORS), openapi_extra=_V5_BODY)
async def submit_version(request: Request, identifier: str):
    submitter = await submitting(request, ADDONS)
    body = await read_body(request)
    return await _run(request, body, _create_version, submitter, identifier)


def _create_version(request: Request, body: Body, submitter: Submitter, identifier: str) -> JSONResponse:
    user = submitter.user
    with store_of(request).db.session() as session:
        addon = writable_addon(session, user, identifier)
        wanted = version_fields(body.data, True)
        upload = submittable_upload(session, user, wanted.upload)
        version = create_version(session, upload, user, upload.channel, wanted.changes, addon)
        if wanted.changes.source is not None:
            body.keep("source")
        reindex(session, addon)
        return _version_response(request, addon, version, True, status_code=201)


@router.patch("/addon/{identifier}/versions/{version_id}", responses=answers(returns(OBJECT), AMO, *_WRITE_ERRORS),
              openapi_extra=_V5_BODY)
async def patch_version(request: Request, identifier: str, version_id: str):
    submitter = await submitting(request, ADDONS)
    body = await read_body(request)
    return await _run(request, body, _patch_version, submitter, identifier, version_id)


def _patch_version(request: Request, body: Body, submitter: Submitter, identifier: str,
                   version_id: str) -> JSONResponse:
    store = store_of(request)
    with store.db.session() as session:
        addon = writable_addon(session, submitter.user, identifier)
        version = find_version_v5(session, addon, version_id)
        if version is None or version.is_deleted:
            raise not_found()
        changes = version_fields(body.data, False).changes
        edit_version(version, changes, upload_manifest(upload_for_version(session, version)))
        replaced_source = None
        if "source" in changes.given:
            replaced_source = version.source_key
            version.source_key = changes.source.key if changes.source is not None else None
            if changes.source is not None:
                body.keep("source")
        reindex(session, addon)
        response = _version_response(request, addon, version, True)
    # Only once the version no longer points at it, and the change is committed.
    if replaced_source:
        store.blobs.delete(replaced_source)
    return response


@router.get("/addon/{identifier}/versions/{version_id}/source", response_class=Response,
            responses=answers(file_download("application/octet-stream"), AMO, 401, 403, 404))
def version_source(request: Request, identifier: str, version_id: str):
    """The source a developer sent with a version: for its add-on's authors and reviewers only."""
    store = store_of(request)
    with store.db.session() as session:
        user = current_user(request, session)
        if user is None:
            raise credentials_required()
        addon, version = readable_version(session, user, identifier, version_id)
        if not can_manage(addon, user):
            raise not_found()
        response = source_response(store, addon, version)
    if response is None:
        raise not_found()
    return response


def source_response(store, addon: Addon, version: Version) -> Response | None:
    """The version's source as a download named for what it is (zip, tarball), never to be shown
    inline; None when it has none. For the API and the reviewer console alike."""
    if not version.source_key or not store.blobs.exists(version.source_key):
        return None
    key, name = version.source_key, f"{addon.slug}-{version.version}-source"
    start = b"".join(store.blobs.chunks(key, 0, 4))
    suffix = next((suffix for magic, suffix in SOURCE_TYPES if start.startswith(magic)), "")
    return blob_response(store.blobs, key, "application/octet-stream", name + suffix)
