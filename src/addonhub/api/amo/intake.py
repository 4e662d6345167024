"""What the AMO submission endpoints (signing API v3/v4 and v5) share: who may submit, the
throttle, receiving a package, and refusals in AMO's shapes. Errors are raised in the caller's
error key: the signing API answers `{"error": ...}`, v5 `{"detail": ...}`."""

from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request

from addonhub.api.auth import credentials_required, current_user
from addonhub.api.responses import APIError
from addonhub.api.submitters import submitter, throttle_wait
from addonhub.api.uploads import BodyLimits, ReceivedForm, UploadRejected, receive_form
from addonhub.packages.identity import PackageIdentity
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, Refused
from addonhub.store import Store
from addonhub.submissions.uploads import Submitter, new_upload_key, read_package_identity

REFUSAL_STATUS = {INVALID: 400, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409}
# AMO counts package uploads apart from add-on and version writes, so that sending a package does
# not use up the budget for making a version of it (and the other way round).
UPLOADS = "amo_uploads"
ADDONS = "amo_addons"


def store_of(request: Request) -> Store:
    return request.app.state.store


def refusal_error(refusal: Refused, key: str) -> APIError:
    return APIError(REFUSAL_STATUS[refusal.reason], {key: refusal.message})


def _submitter(request: Request) -> Submitter:
    with store_of(request).db.session() as session:
        user = current_user(request, session)
    if user is None:
        raise credentials_required()
    return submitter(request, user)


async def authenticated(request: Request) -> Submitter:
    return await run_in_threadpool(_submitter, request)


async def submitting(request: Request, scope: str) -> Submitter:
    """The authenticated caller, counted against the submission limits of `scope` (UPLOADS or
    ADDONS)."""
    who = await authenticated(request)
    count_against_throttle(request, who, scope)
    return who


def count_against_throttle(request: Request, who: Submitter, scope: str) -> None:
    """Counts one write in `scope`, or refuses it with AMO's 429 when a limit is reached."""
    wait = throttle_wait(request, who, scope)
    if wait is not None:
        raise APIError(429, {"detail": f"Request was throttled. Expected available in {wait} seconds."},
                       {"Retry-After": str(wait)})


async def receive(request: Request, error_key: str) -> ReceivedForm:
    """The multipart form with its files in blob storage; any other body is a form without files
    (answered as a missing upload)."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return ReceivedForm()
    store = store_of(request)
    try:
        return await receive_form(request, store.blobs, lambda _field: new_upload_key(),
                                  BodyLimits.for_uploads(store.settings))
    except UploadRejected as rejected:
        raise APIError(rejected.status_code, {error_key: rejected.message}) from None


def package_identity(store: Store, form: ReceivedForm, error_key: str, field: str = "upload") -> PackageIdentity:
    """The id and version of the package in the form's `upload` field (blocking: run in a thread)."""
    received = form.files.get(field)
    if received is None or received.blob.size == 0:
        raise APIError(400, {error_key: f'Missing "{field}" key in multipart file data.'})
    try:
        return read_package_identity(store.blobs, received.blob, received.filename, store.settings.archive_limits())
    except Refused as refusal:
        raise refusal_error(refusal, error_key) from None
