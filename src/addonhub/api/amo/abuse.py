"""AMO's abuse-report API: POST /api/v4/abuse/report/addon/ (and v5). Anyone may report, signed
in or not; the rules are the domain's (addonhub.abuse.service), worded in DRF's shapes."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from addonhub.abuse import service
from addonhub.abuse.serializers import report_object
from addonhub.api.amo.catalog import request_renderer
from addonhub.api.amo.intake import store_of
from addonhub.api.amo.ratings import json_or_form, refused
from addonhub.api.auth import current_user
from addonhub.api.openapi import AMO, OBJECT, answers, json_content, request_body, returns
from addonhub.api.responses import APIError, JSONResponse
from addonhub.refusals import Refused

router = APIRouter(prefix="/abuse/report", tags=["abuse"])
ABUSE_SCOPE = "abuse_reports"
_REQUIRED = ["This field is required."]


@router.post("/addon", status_code=201,
             openapi_extra=request_body({**json_content(OBJECT), "application/x-www-form-urlencoded": {"schema": OBJECT}}),
             responses=answers(returns(OBJECT, 201), AMO, 400, 404, 413, 429))
async def report_addon(request: Request):
    data = await json_or_form(request)
    return await run_in_threadpool(_report, request, data)


def _text(data: dict, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise APIError(400, {name: ["Not a valid string."]})
    return value


def _report(request: Request, data: dict) -> JSONResponse:
    missing = {name: _REQUIRED for name in ("addon", "message") if data.get(name) in (None, "")}
    if missing:
        raise APIError(400, missing)
    addon = data["addon"]
    identifier = str(addon) if isinstance(addon, int) and not isinstance(addon, bool) else _text(data, "addon")
    client = {name: value for name in service.CLIENT_FIELDS if (value := _text(data, name)) not in (None, "")}
    store = store_of(request)
    ip = request.client.host if request.client else None
    with store.db.session() as session:
        reporter = current_user(request, session)
        try:
            report = service.file_report(session, identifier, _text(data, "message"), _text(data, "reason") or None,
                                         client, reporter, ip)
        except Refused as refusal:
            raise refused(refusal) from None
        wait = store.submission_throttle.wait_for(ABUSE_SCOPE, service.reporter_key(reporter, ip), ip)
        if wait is not None:
            raise APIError(429, {"detail": f"Request was throttled. Expected available in {wait} seconds."},
                           {"Retry-After": str(wait)})
        body = request_renderer(request).render(report_object(report), "en-US")
    return JSONResponse(body, status_code=201)
