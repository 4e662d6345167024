"""The review queue over HTTP, for accounts with the reviewer (or admin) role: what
`addonhub review list|approve|reject` does, at /api/v5/reviewers/...

Approval answers 202: signing and publication run on the job queue, and the version's file
turns "public" when they are done.
"""

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from addonhub.api.amo.intake import refusal_error, store_of
from addonhub.accounts.models import User
from addonhub.api.auth import NO_PERMISSION, credentials_required, current_user
from addonhub.api.openapi import AMO, COUNTED, OBJECT, REVIEW_NOTES, answers, request_body, returns
from addonhub.api.responses import APIError, JSONResponse
from addonhub.api.uploads import BodyLimits, UploadRejected, read_small_body
from addonhub.refusals import Refused
from addonhub.submissions.review import approve, pending_version, queue_entry, reject, review_queue

router = APIRouter(prefix="/reviewers", tags=["review"])
MAX_NOTES_BODY = 64 * 1024


def _reviewer(request: Request, session):
    user = current_user(request, session)
    if user is None:
        raise credentials_required()
    if not user.is_reviewer:
        raise APIError(403, {"detail": NO_PERMISSION})
    return user


@router.get("/queue", responses=answers(returns(COUNTED), AMO, 401, 403))
def queue(request: Request):
    with store_of(request).db.session() as session:
        _reviewer(request, session)
        entries = [queue_entry(version) for version in review_queue(session)]
    return JSONResponse({"count": len(entries), "results": entries})


def _notes(body: bytes) -> str | None:
    if not body.strip():
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise APIError(400, {"detail": "The body must be JSON, e.g. {\"notes\": \"...\"}."}) from None
    notes = data.get("notes") if isinstance(data, dict) else None
    if notes is not None and not isinstance(notes, str):
        raise APIError(400, {"notes": ["Must be a string."]})
    return notes


# 202 for an approval (signing and publication are queued), 200 for a rejection.
@router.post("/addon/{addon}/versions/{version}/{decision}",
             responses=answers(returns(OBJECT, 200, 202), AMO, 400, 401, 403, 404, 408, 409, 413),
             openapi_extra=request_body(REVIEW_NOTES))
async def decide(request: Request, addon: str, version: str, decision: str):
    if decision not in ("approve", "reject"):
        raise APIError(404, {"detail": "Not found."})
    store = store_of(request)

    def reviewer_id() -> int:
        with store.db.session() as session:
            return _reviewer(request, session).id

    user_id = await run_in_threadpool(reviewer_id)  # before reading a body from anyone
    try:
        body = await read_small_body(request, BodyLimits.for_small_body(store.settings, MAX_NOTES_BODY))
    except UploadRejected as rejected:
        raise APIError(rejected.status_code, {"detail": rejected.message}) from None
    notes = _notes(body)
    return await run_in_threadpool(_decide, request, user_id, addon, version, decision, notes)


def _decide(request: Request, user_id: int, addon: str, version: str, decision: str, notes: str | None) -> JSONResponse:
    with store_of(request).db.session() as session:
        try:
            pending = pending_version(session, addon, version)
            (approve if decision == "approve" else reject)(session, pending, session.get(User, user_id), notes)
        except Refused as refusal:
            raise refusal_error(refusal, "detail") from None
        entry = queue_entry(pending)
    return JSONResponse({**entry, "decision": decision, "reviewer_notes": notes}, status_code=202 if decision == "approve" else 200)
