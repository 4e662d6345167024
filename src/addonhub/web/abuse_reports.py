"""The "report this add-on" form: AMO's reasons and a message, filed through abuse.service as the
abuse-report API files them, counted against the API's throttle scope.

Anyone may report, signed in or not, as on AMO. The add-on page only links here: it may be
answered from the anonymous page cache, so it holds no token, while this page is never cached
(rendering it gives the visitor a session, as the log-in page does) and carries the CSRF field."""

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import Response

from addonhub.abuse import service
from addonhub.api.amo.abuse import ABUSE_SCOPE
from addonhub.api.amo.rendering import Renderer
from addonhub.catalog.models import Addon
from addonhub.refusals import NOT_FOUND, Refused
from addonhub.web.forms import CheckedForm, Fields, Throttled, hidden_csrf_field
from addonhub.web.page_rendering import Visit, page_response, page_visit, render
from addonhub.web.reviews import SERVICE_MESSAGES, UNFORESEEN
from addonhub.web.wording import N_

router = APIRouter(include_in_schema=False)

# abuse.service.REASONS in AMO's words, marked for translation.
REASON_NAMES = {
    "damage": N_("Damages computer and/or data"),
    "spam": N_("Creates spam or advertising"),
    "settings": N_("Changes search / homepage / new tab page without informing user"),
    "broken": N_("Doesn't work, breaks websites, or slows the browser down"),
    "policy": N_("Hateful, violent, or illegal content"),
    "deceptive": N_("Doesn't match description"),
    "unwanted": N_("Wasn't wanted / impossible to get rid of"),
    "other": N_("Something else"),
}
CHOOSE_REASON = N_("Choose what is wrong with this add-on.")
FORM_FIELDS = ("reason", "message")


def _store(request: Request):
    return request.app.state.store


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _reported(session: Session, visit: Visit, identifier: str) -> Addon:
    """The add-on, when the visitor may see it (abuse.service's rule); else the 404 page."""
    try:
        addon, _ = service.reported_addon(session, identifier, visit.user)
    except Refused:
        addon = None
    if addon is None:
        raise HTTPException(404)
    return addon


def _summary(visit: Visit, request: Request, addon: Addon) -> dict:
    renderer = Renderer(base_url="", secret_key=_store(request).secret_key, lang=visit.languages.content)
    return {"name": renderer.pick(addon.name or None, addon.default_locale) or addon.slug,
            "url": f"/addon/{addon.slug}/", "slug": addon.slug}


def _page(request: Request, template: str, status_code: int = 200, headers: dict | None = None,
          **context) -> Response:
    """A page of this form, with the CSRF field whoever visits (anonymous visitors report too)."""
    with _store(request).db.session() as session:
        visit = page_visit(request, session)
        addon = _summary(visit, request, _reported(session, visit, request.path_params["identifier"]))
    html = render(visit, template, csrf_field=lambda: Markup(hidden_csrf_field(request)), addon=addon,
                  reasons=REASON_NAMES, **context)
    return page_response(html, visit.languages, status_code, headers)


def _form(request: Request, status_code: int = 200, fields: Fields | None = None, errors: dict | None = None,
          error: tuple[str, dict] | None = None, headers: dict | None = None) -> Response:
    return _page(request, "abuse/report.html", status_code, headers, fields=fields or {}, errors=errors or {},
                 error=error)


def _reshow(request: Request, fields: Fields, message: str) -> Response:
    return _form(request, 403, fields, error=(message, {}))


@router.get("/addon/{identifier}/report")
def report_form(request: Request, identifier: str):
    return _form(request)


def _words(refusal: Refused) -> tuple[str, dict]:
    if refusal.message in SERVICE_MESSAGES:
        return refusal.message, {}
    return UNFORESEEN, {"reason": refusal.message}


@router.post("/addon/{identifier}/report")
def report(request: Request, identifier: str, fields: Fields = Depends(CheckedForm(_reshow))):
    """Files the report, or shows the form again with what was typed and why not; a report past
    the throttle is undone, as the API undoes it."""
    reason = fields.get("reason", "")
    if reason not in REASON_NAMES:
        return _form(request, 400, fields, {"reason": (CHOOSE_REASON, {})})
    store, ip = _store(request), _client_address(request)
    try:
        with store.db.session() as session:
            visit = page_visit(request, session)
            addon = _reported(session, visit, identifier)
            service.file_report(session, addon.guid, fields.get("message", ""), reason, {}, visit.user, ip)
            wait = store.submission_throttle.wait_for(ABUSE_SCOPE, service.reporter_key(visit.user, ip), ip)
            if wait is not None:
                raise Throttled(wait)
    except Throttled as throttled:
        return _form(request, 429, fields, error=throttled.words(),
                     headers={"Retry-After": str(throttled.wait)})
    except Refused as refusal:
        if refusal.reason == NOT_FOUND:
            raise HTTPException(404) from None
        if refusal.field in FORM_FIELDS:
            return _form(request, 400, fields, {refusal.field: _words(refusal)})
        return _form(request, 400, fields, error=_words(refusal))
    return _page(request, "abuse/reported.html", reason=reason)
