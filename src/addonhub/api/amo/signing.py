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
    authenticated, package_identity, receive, refusal_error, store_of, submitting,
)
from addonhub.api.responses import APIError, JSONResponse
from addonhub.catalog.constants import CHANNELS
from addonhub.catalog.models import Addon, Version
from addonhub.catalog.service import can_manage
from addonhub.packages.identity import PackageIdentity
from addonhub.store import Store
from addonhub.submissions.models import SIGNING_API, Upload
from addonhub.submissions.service import (
    MAX_GUID_WITHOUT_MANIFEST_ID, Refused, Submitter, check_guid, check_same_guid, check_version_is_new, default_channel,
    find_addon_by_guid, find_upload, generated_guid, owned_addon, record_upload,
)

router = APIRouter(tags=["signing"])
ERROR = "error"


@router.put("/addons/{guid}/versions/{version}", status_code=202)
async def upload_version(request: Request, guid: str, version: str):
    return await _submit(request, guid, version)


@router.post("/addons", status_code=201)
async def upload_without_id(request: Request):
    return await _submit(request, None, None)


async def _submit(request: Request, url_guid: str | None, url_version: str | None) -> JSONResponse:
    submitter = await submitting(request)
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
    version = url_version if url_version is not None else form.fields.get("version") or identity.version
    if version != identity.version:
        raise APIError(400, {ERROR: "Version does not match the manifest file."})
    received = form.files["upload"]
    with store.db.session() as session:
        try:
            guid = _guid_for(session, identity, url_guid)
            if url_guid is None and find_addon_by_guid(session, guid) is not None:
                raise APIError(400, {ERROR: "Duplicate add-on ID found."})
            addon = owned_addon(session, guid, submitter.user)
            if addon is not None:
                check_same_guid(identity.guid, addon)
            check_version_is_new(session, guid, version, addon)
        except Refused as refusal:
            raise refusal_error(refusal, ERROR) from None
        channel = form.fields.get("channel") or default_channel(session, addon)
        if addon is None:
            channel = "unlisted"  # new add-ons always start unlisted, as on AMO
        elif channel not in CHANNELS:
            raise APIError(400, {ERROR: f'"{channel}" is not a valid channel: use "listed" or "unlisted".'})
        upload = record_upload(session, submitter, received.blob, received.filename, purpose=SIGNING_API,
                               channel=channel, identity=identity, guid=guid, addon=addon)
        body = status_object(request, session, upload)
    return JSONResponse(body, status_code=202 if addon is not None else 201)


def _guid_for(session: Session, identity: PackageIdentity, url_guid: str | None) -> str:
    if url_guid is None:
        guid = identity.guid or generated_guid()
    else:
        guid = _with_braces(session, url_guid, identity.guid)
        if identity.guid is None and len(guid) > MAX_GUID_WITHOUT_MANIFEST_ID:
            raise APIError(400, {ERROR: "Please specify your Add-on ID in the manifest if it's longer than 64 characters."})
        if identity.guid is not None and identity.guid.lower() != guid.lower():
            raise APIError(400, {ERROR: f"The add-on ID in your manifest.json ({identity.guid}) does not match "
                                        f"the ID of your add-on on AMO ({guid})"})
    check_guid(guid)
    return guid


def _with_braces(session: Session, guid: str, manifest_guid: str | None) -> str:
    """Some clients strip the braces from a {uuid} id; put them back when that is what it names."""
    if guid.startswith("{"):
        return guid
    braced = "{" + guid + "}"
    if (manifest_guid or "").lower() == braced.lower() or find_addon_by_guid(session, braced) is not None:
        return braced
    return guid


# Status ---------------------------------------------------------------------------------------

@router.get("/addons/{guid}/versions/{version}")
async def version_status(request: Request, guid: str, version: str):
    submitter = await authenticated(request)
    return await run_in_threadpool(_status, request, submitter, guid, version, None)


@router.get("/addons/{guid}/versions/{version}/uploads/{upload_pk}")
async def upload_status(request: Request, guid: str, version: str, upload_pk: str):
    submitter = await authenticated(request)
    return await run_in_threadpool(_status, request, submitter, guid, version, upload_pk)


def _status(request: Request, submitter: Submitter, guid: str, version: str, upload_pk: str | None) -> JSONResponse:
    user = submitter.user
    with store_of(request).db.session() as session:
        guid = _with_braces(session, guid, None)
        addon = find_addon_by_guid(session, guid)
        if addon is not None and not can_manage(addon, user):
            raise APIError(403, {ERROR: "You do not own this addon."})
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
    base = store_of(request).base_url_for(request)
    api = f"{base}/api/{_api_version(request)}"
    version = session.get(Version, upload.version_id) if upload.version_id else None
    files = version.files if version is not None else []
    reviewed = bool(files) and version.reviewed is not None and all(f.status in ("public", "disabled") for f in files)
    active = bool(files) and all(f.status == "public" for f in files)
    guid = upload.guid or (session.get(Addon, upload.addon_id).guid if upload.addon_id else None)
    return {
        "guid": guid,
        "active": active,
        "automated_signing": upload.channel == "unlisted",
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
