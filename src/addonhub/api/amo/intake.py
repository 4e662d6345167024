"""What the AMO submission endpoints (signing API v3/v4 and v5) share: who may submit, the
throttle, and receiving a package. Errors are raised in the caller's error key: the signing
API answers `{"error": ...}`, v5 `{"detail": ...}`."""

from pathlib import Path

from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request

from addonhub.api.auth import credentials_required, current_user
from addonhub.api.responses import APIError
from addonhub.api.uploads import BodyLimits, ReceivedForm, UploadRejected, receive_form
from addonhub.packages.archive import ArchiveLimits
from addonhub.packages.identity import PackageIdentity, PackageRejected, check_filename, read_identity
from addonhub.store import Store
from addonhub.submissions.service import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, Refused, Submitter, new_upload_key

REFUSAL_STATUS = {INVALID: 400, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409}


def store_of(request: Request) -> Store:
    return request.app.state.store


def refusal_error(refusal: Refused, key: str) -> APIError:
    return APIError(REFUSAL_STATUS[refusal.reason], {key: refusal.message})


def _submitter(request: Request) -> Submitter:
    with store_of(request).db.session() as session:
        user = current_user(request, session)
    if user is None:
        raise credentials_required()
    return Submitter(user, request.client.host if request.client else None)


async def authenticated(request: Request) -> Submitter:
    return await run_in_threadpool(_submitter, request)


async def submitting(request: Request) -> Submitter:
    """The authenticated caller, counted against the submission limits."""
    submitter = await authenticated(request)
    wait = store_of(request).submission_throttle.wait_for(submitter.user.id, submitter.ip)
    if wait is not None:
        raise APIError(429, {"detail": f"Request was throttled. Expected available in {wait} seconds."},
                       {"Retry-After": str(wait)})
    return submitter


def body_limits(store: Store) -> BodyLimits:
    return BodyLimits(store.settings.upload_max_bytes, store.settings.upload_idle_timeout)


async def receive(request: Request, error_key: str) -> ReceivedForm:
    """The multipart form with its files in blob storage; any other body is a form without files
    (answered as a missing upload)."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return ReceivedForm()
    store = store_of(request)
    try:
        return await receive_form(request, store.blobs, lambda _field: new_upload_key(), body_limits(store))
    except UploadRejected as rejected:
        raise APIError(rejected.status_code, {error_key: rejected.message}) from None


def package_identity(store: Store, form: ReceivedForm, error_key: str, field: str = "upload") -> PackageIdentity:
    """The id and version of the package in the form's `upload` field (blocking: run in a thread)."""
    received = form.files.get(field)
    if received is None or received.blob.size == 0:
        raise APIError(400, {error_key: f'Missing "{field}" key in multipart file data.'})
    try:
        check_filename(received.filename)
        return read_identity(Path(store.blobs.path_of(received.blob.key)), ArchiveLimits.from_environment())
    except PackageRejected as rejected:
        raise APIError(400, {error_key: rejected.message}) from None
