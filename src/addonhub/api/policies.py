"""The enterprise policies `addonhub policy` prints, served to admins at
/api/v5/addonhub/policies/{chromium|firefox} (admin `Bearer` token), for configuration tools that
fetch them. Query: `addon` (repeatable; default every add-on with a package for the browser),
`mode`, and for Firefox `certificate`, as the command's options. The store's URL in them is the
configured base URL, else the one the request came in on.
"""

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from addonhub.api.amo.intake import REFUSAL_STATUS, store_of
from addonhub.api.auth import NO_PERMISSION, credentials_required, current_user
from addonhub.api.openapi import AMO, OBJECT, answers, returns
from addonhub.api.responses import APIError, JSONResponse, not_found
from addonhub.api.urls import base_url
from addonhub.distribution.policies import CHROMIUM, FIREFOX, FORCE_INSTALLED, PolicyRequest, chromium_policy, firefox_policy
from addonhub.refusals import Refused

router = APIRouter(prefix="/api/v5/addonhub/policies", tags=["policies"])


def _policy(request: Request, browser: str, addons: list[str], mode: str, certificate: str | None) -> JSONResponse:
    store = store_of(request)
    with store.db.session() as session:
        user = current_user(request, session)
        if user is None:
            raise credentials_required()
        if not user.is_admin:
            raise APIError(403, {"detail": NO_PERMISSION})
        try:
            wanted = PolicyRequest(base_url(request), tuple(addons), mode, certificate)
            policy = (chromium_policy(session, wanted) if browser == CHROMIUM
                      else firefox_policy(session, store.blobs, store.secret_key, wanted))
        except Refused as refusal:
            raise APIError(REFUSAL_STATUS[refusal.reason], {refusal.field or "detail": [refusal.message]}) from None
    return JSONResponse(policy.document)


@router.get("/{browser}", responses=answers(returns(OBJECT), AMO, 400, 401, 403, 404))
async def policy(request: Request, browser: str, addon: list[str] = Query(default=[]), mode: str = FORCE_INSTALLED,
                 certificate: str | None = None):
    if browser not in (CHROMIUM, FIREFOX):
        raise not_found()
    return await run_in_threadpool(_policy, request, browser, addon, mode, certificate)
