"""Package upload and publish in the Edge dialect: `.../products/{productID}/submissions/...`.

Both answer 202 with `Location` (the reference's path for v1, the bare operation id for v1.1)
and an empty body with no Content-Type, which every client accepts (real-clients.md). The work
itself is the job queue's: validation for an upload, the edge-publish job for a publish; clients
poll the operation (api/edge/operations.py).

Checks run cheapest first, and before any body is read: credentials (401), the product (404),
the Content-Type of a package (400), the submission throttle (429). The package then streams
into blob storage whatever its framing (Content-Length or chunked), with the size limit (413) and
the idle timeout (408) of api/uploads.py.
"""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from addonhub.api.edge.access import caller_and_product
from addonhub.api.edge.auth import Dialect
from addonhub.api.edge.errors import (
    BAD_REQUEST, REQUEST_TIMEOUT, edge_error, too_many_requests,
)
from addonhub.api.edge.notes import certification_notes
from addonhub.api.edge.statuses import location
from addonhub.api.openapi import ACCEPTED_OPERATION, EDGE, EDGE_NOTES, EDGE_PACKAGE, answers, request_body
from addonhub.api.responses import APIError
from addonhub.api.submitters import submitter, throttle_wait
from addonhub.api.uploads import BodyLimits, UploadRejected, read_small_body, receive_body
from addonhub.blobs import StoredBlob
from addonhub.edge.models import EdgeOperation
from addonhub.edge.package_errors import SIZE_LIMIT_EXCEEDED
from addonhub.edge.submissions import receive_package, request_publish
from addonhub.store import Store
from addonhub.submissions.uploads import Submitter, new_upload_key

PACKAGE_TYPE = "application/zip"
MAX_NOTES_BYTES = 64 * 1024
MIB = 1024 * 1024
WRONG_CONTENT_TYPE = f"The package must be the request body, sent with Content-Type: {PACKAGE_TYPE}."
NO_PACKAGE = "There is no package (zip file) in the request body."
# Edge is a service of its own with its own limits: its requests never use up AMO's budgets.
THROTTLE_SCOPE = "edge"

router = APIRouter(prefix="/products/{product_id}/submissions", tags=["edge"])
_UPLOAD_DOCS = {"response_class": Response, "openapi_extra": request_body(EDGE_PACKAGE, required=True),
                "responses": answers(ACCEPTED_OPERATION, EDGE, 400, 401, 404, 408, 413, 429)}


@router.post("/draft/package", status_code=202, summary="Upload a package to the product's draft", **_UPLOAD_DOCS)
@router.put("/draft/package", status_code=202, summary="Upload a package to the product's draft", **_UPLOAD_DOCS)
async def upload_package(request: Request, product_id: str) -> Response:
    store: Store = request.app.state.store
    who, dialect = await run_in_threadpool(_submitter, request, product_id)
    if _media_type(request.headers.get("content-type")) != PACKAGE_TYPE:
        raise edge_error(400, BAD_REQUEST, WRONG_CONTENT_TYPE)
    _throttle(request, who)
    blob = await _receive_package(request, store)
    try:
        return await run_in_threadpool(_record, request, product_id, dialect,
                                       lambda session, product: receive_package(session, who, product, blob))
    except BaseException:
        store.blobs.delete(blob.key)
        raise


@router.post("", status_code=202, summary="Publish the product's draft", response_class=Response,
             openapi_extra=request_body(EDGE_NOTES), responses=answers(ACCEPTED_OPERATION, EDGE, 400, 401, 404, 408, 413, 429))
async def publish(request: Request, product_id: str) -> Response:
    store: Store = request.app.state.store
    who, dialect = await run_in_threadpool(_submitter, request, product_id)
    _throttle(request, who)
    try:
        body = await read_small_body(request, BodyLimits.for_small_body(store.settings, MAX_NOTES_BYTES))
    except UploadRejected as rejected:
        raise _rejection(rejected) from None
    notes = certification_notes(request.headers.get("content-type"), body)
    return await run_in_threadpool(_record, request, product_id, dialect,
                                   lambda session, product: request_publish(session, who, product, notes))


def _submitter(request: Request, product_id: str) -> tuple[Submitter, Dialect]:
    with request.app.state.store.db.session() as session:
        caller, _product = caller_and_product(request, session, product_id)
    return submitter(request, caller.user), caller.dialect


def _record(request: Request, product_id: str, dialect: Dialect, start) -> Response:
    """Runs start(session, product) in one transaction (the product looked up again in it) and
    answers with the new operation's Location."""
    with request.app.state.store.db.session() as session:
        _caller, product = caller_and_product(request, session, product_id)
        operation: EdgeOperation = start(session, product)
        target = location(dialect, product.edge_product_id, operation)
    # No body and no Content-Type: an empty JSON body breaks publish-browser-extension.
    return Response(status_code=202, headers={"Location": target})


def _throttle(request: Request, who: Submitter) -> None:
    wait = throttle_wait(request, who, THROTTLE_SCOPE)
    if wait is not None:
        raise too_many_requests(wait)


async def _receive_package(request: Request, store: Store) -> StoredBlob:
    limits = BodyLimits.for_uploads(store.settings)
    try:
        blob = await receive_body(request, store.blobs, new_upload_key(), limits)
    except UploadRejected as rejected:
        raise _rejection(rejected, _package_too_large(limits.max_bytes)) from None
    if blob.size == 0:
        store.blobs.delete(blob.key)
        raise edge_error(400, BAD_REQUEST, NO_PACKAGE)
    return blob


def _rejection(rejected: UploadRejected, too_large: str | None = None) -> APIError:
    if rejected.status_code == 413:
        # SIZE_LIMIT_EXCEEDED is the spec's id for a package; other bodies are just too large.
        return edge_error(413, SIZE_LIMIT_EXCEEDED if too_large else "PayloadTooLarge", too_large or rejected.message)
    if rejected.status_code == 408:
        return edge_error(408, REQUEST_TIMEOUT, rejected.message)
    return edge_error(rejected.status_code, BAD_REQUEST, rejected.message)


def _package_too_large(limit: int) -> str:
    """The reference's text ("Zip file size must not exceed 500MB.") for the configured limit."""
    size = f"{limit // MIB}MB" if limit % MIB == 0 else f"{limit} bytes"
    return f"Zip file size must not exceed {size}."


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()
