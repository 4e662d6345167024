"""AMO's signing API (v3/v4): upload a version, check its status; errors as `{"error": ...}`.

A PUT or POST stores the package, checks at once what AMO's parse_addon checks (the manifest's
version and id against the URL, ownership, duplicates) and queues the validation; the version
is made, and unlisted ones signed, by the job queue. Clients then poll the status URL.
"""

from urllib.parse import quote

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from addonhub.api.amo.intake import (
    UPLOADS, authenticated, package_identity, receive, refusal_error, store_of, submitting,
)
from addonhub.api.openapi import OBJECT, SIGNING, SIGNING_FORM, answers, request_body, returns
from addonhub.api.responses import APIError, JSONResponse
from addonhub.api.urls import base_url
from addonhub.catalog.constants import Channel, FileStatus
from addonhub.catalog.models import Addon, Version
from addonhub.catalog.service import can_manage
from addonhub.refusals import Refused
from addonhub.store import Store
from addonhub.submissions.models import Upload
from addonhub.submissions.uploads import Submitter, accept_for_signing, find_upload
from addonhub.submissions.versions import NOT_YOURS, VersionExists, find_addon_by_guid, with_braces

router = APIRouter(tags=["signing"])
ERROR = "error"


# 202 for a version of an add-on the store has, 201 when the upload makes a new one.
_UPLOADED = answers(returns(OBJECT, 201, 202), SIGNING, 400, 401, 403, 404, 408, 409, 413, 429)
_STATUS = answers(returns(OBJECT), SIGNING, 401, 403, 404)


@router.put("/addons/{guid}/versions/{version}", status_code=202, responses=_UPLOADED,
            openapi_extra=request_body(SIGNING_FORM))
async def upload_version(request: Request, guid: str, version: str):
    return await _submit(request, guid, version)


@router.post("/addons", status_code=201, responses=_UPLOADED, openapi_extra=request_body(SIGNING_FORM))
async def upload_without_id(request: Request):
    return await _submit(request, None, None)


async def _submit(request: Request, url_guid: str | None, url_version: str | None) -> JSONResponse:
    # A signing API request is a package upload, whatever version it makes of it.
    submitter = await submitting(request, UPLOADS)
    form = await receive(request, ERROR)
    store = store_of(request)
    try:
        response = await run_in_threadpool(_record, request, store, submitter, form, url_guid, url_version)
    except BaseException:
        form.discard(store.blobs)
        raise
    form.discard(store.blobs, keep="upload")  # other file fields mean nothing here
    return response


def _record(request: Request, store: Store, submitter: Submitter, form, url_guid: str | None,
            url_version: str | None) -> JSONResponse:
    identity = package_identity(store, form, ERROR)
    received = form.files["upload"]
    named_version = url_version if url_version is not None else form.fields.get("version") or None
    with store.db.session() as session:
        try:
            upload = accept_for_signing(session, submitter, received.blob, received.filename, identity, url_guid,
                                        named_version, form.fields.get("channel"))
        except Refused as refusal:
            raise _signing_error(refusal) from None
        existing = upload.addon_id is not None
        body = status_object(request, session, upload)
    return JSONResponse(body, status_code=202 if existing else 201)


def _signing_error(refusal: Refused) -> APIError:
    if isinstance(refusal, VersionExists):
        return APIError(409, {ERROR: f"Version already exists. Latest version is: {refusal.latest}."})
    return refusal_error(refusal, ERROR)


# Status ---------------------------------------------------------------------------------------

@router.get("/addons/{guid}/versions/{version}", responses=_STATUS)
async def version_status(request: Request, guid: str, version: str):
    submitter = await authenticated(request)
    return await run_in_threadpool(_status, request, submitter, guid, version, None)


@router.get("/addons/{guid}/versions/{version}/uploads/{upload_pk}", responses=_STATUS)
async def upload_status(request: Request, guid: str, version: str, upload_pk: str):
    submitter = await authenticated(request)
    return await run_in_threadpool(_status, request, submitter, guid, version, upload_pk)


def _status(request: Request, submitter: Submitter, guid: str, version: str, upload_pk: str | None) -> JSONResponse:
    user = submitter.user
    with store_of(request).db.session() as session:
        guid = with_braces(session, guid, None)
        addon = find_addon_by_guid(session, guid)
        if addon is not None and not can_manage(addon, user):
            raise APIError(403, {ERROR: NOT_YOURS})
        uploads = select(Upload).where(func.lower(Upload.guid) == guid.lower(), Upload.version == version)
        if addon is None:
            uploads = uploads.where(Upload.user_id == user.id)
        if upload_pk is not None:
            found = find_upload(session, upload_pk)
            upload = session.scalar(uploads.where(Upload.id == found.id)) if found is not None else None
        else:
            upload = session.scalar(uploads.order_by(Upload.id.desc()).limit(1))
        if upload is None:
            if addon is None:
                raise APIError(404, {ERROR: f'Could not find Add-on with ID "{guid}".'})
            raise APIError(404, {ERROR: "No uploaded file for that addon and version."})
        return JSONResponse(status_object(request, session, upload))


def status_object(request: Request, session: Session, upload: Upload) -> dict:
    """AMO's FileUploadSerializer: the upload's validation, and its version's review and files."""
    base = base_url(request)
    api = f"{base}/api/{_api_version(request)}"
    version = session.get(Version, upload.version_id) if upload.version_id else None
    files = version.files if version is not None else []
    reviewed = bool(files) and version.reviewed is not None and all(
        f.status in (FileStatus.PUBLIC, FileStatus.DISABLED) for f in files)
    active = bool(files) and all(f.status == FileStatus.PUBLIC for f in files)
    guid = upload.guid or (session.get(Addon, upload.addon_id).guid if upload.addon_id else None)
    return {
        "guid": guid,
        "active": active,
        "automated_signing": upload.channel == Channel.UNLISTED,
        "files": [{"download_url": f"{api}/file/{f.id}/{quote(f.filename)}?src=api", "hash": f.hash,
                   "signed": f.is_signed} for f in files],
        "passed_review": reviewed and active,
        "pk": upload.uuid,
        "processed": upload.processed,
        "reviewed": reviewed,
        "url": f"{api}/addons/{quote(guid or '', safe='@')}/versions/{quote(upload.version or '')}/uploads/{upload.uuid}/",
        "valid": upload.valid,
        "validation_results": upload.validation,
        "validation_url": f"{base}/api/v5/addons/upload/{upload.uuid}/",
        "version": upload.version,
    }


def _api_version(request: Request) -> str:
    return "v3" if request.url.path.startswith("/api/v3/") else "v4"
