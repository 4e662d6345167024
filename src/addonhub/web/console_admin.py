"""The reviewer console's administration pages, for admins only (reviewers get the 403 page,
visitors the log-in page, as on the rest of the console):

- /reviewers/admin/accounts: accounts found by e-mail address or name, a page at a time; a role
  changed, an account disabled or enabled (accounts.administration);
- /reviewers/admin/compat-overrides: compat overrides listed, ranges added and removed
  (catalog.compat_overrides);
- /reviewers/admin/featured: featured placements listed, added and removed (catalog.featured).

Each POST is CheckedForm's (CSRF), then one transaction of the domain's; a refusal is the page
again with what was typed and why, and nothing of the change is kept.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from addonhub.accounts import administration as accounts
from addonhub.accounts.models import ROLES
from addonhub.catalog import compat_overrides, featured
from addonhub.catalog.compat_overrides import IncompatibleRange
from addonhub.catalog.constants import APPLICATIONS
from addonhub.identifiers import row_id
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, Refused
from addonhub.web.forms import CheckedForm, Fields
from addonhub.web.page_rendering import pagination
from addonhub.web.reviewer import LogInFirst, NotAReviewer, admin_visit, html_page, refused_visitor

router = APIRouter(prefix="/reviewers/admin", include_in_schema=False)

ACCOUNTS_PER_PAGE = 25
ACCOUNT_CHANGES = ("role", "disable", "enable")
_STATUS = {FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409}


def _session(request: Request) -> Session:
    return request.app.state.store.db.session()


def _admin_page(request: Request, template: str, context: Callable[[Session], dict], status_code: int = 200,
                **extra) -> Response:
    """The page as an admin sees it, `context(session)` read in the admin's session."""
    try:
        with _session(request) as session:
            visit = admin_visit(request, session)
            return html_page(visit, template, status_code, applications=tuple(APPLICATIONS),
                             done=request.query_params.get("done") == "1", **context(session), **extra)
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)


def _change(request: Request, act: Callable, reshow: Callable[[int, str], Response], done: str) -> Response:
    """Runs `act(session, admin)` in one transaction; a refusal rolls it back and is the page
    again (`reshow(status, message)`), success a redirect to `done`."""
    try:
        with _session(request) as session:
            act(session, admin_visit(request, session).user)
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)
    except Refused as refusal:
        return reshow(_STATUS.get(refusal.reason, 400), refusal.message)
    return RedirectResponse(done, status_code=303)


# Accounts ------------------------------------------------------------------------------------

def _accounts_page(request: Request, status_code: int = 200, error: str | None = None) -> Response:
    search = request.query_params.get("q", "")
    page = row_id(request.query_params.get("page") or "1") or 1

    def context(session: Session) -> dict:
        total, found = accounts.find_accounts(session, search, (page - 1) * ACCOUNTS_PER_PAGE, ACCOUNTS_PER_PAGE)
        return {"accounts": found, "total": total, "pages": pagination(request, page, total, ACCOUNTS_PER_PAGE)}
    kept = {name: value for name, value in (("q", search), ("page", str(page) if page > 1 else "")) if value}
    return _admin_page(request, "reviewer/accounts.html", context, status_code, search=search, roles=ROLES,
                       error=error, back=f"?{urlencode(kept)}" if kept else "")


def _reshow_accounts(request: Request, _fields: Fields, message: str) -> Response:
    return _accounts_page(request, 403, message)


@router.get("/accounts")
def accounts_page(request: Request):
    return _accounts_page(request)


@router.post("/accounts/{account_id}")
def account_change(request: Request, account_id: str, fields: Fields = Depends(CheckedForm(_reshow_accounts))):
    """Changes the account's role, or disables or enables it; back to the same page of the list."""
    change = fields.get("change")

    def act(session: Session, admin) -> None:
        user = accounts.account_by_id(session, row_id(account_id))
        if change == "role":
            accounts.set_role(session, user, fields.get("role", ""), admin)
        elif change == "disable":
            accounts.disable_account(session, user, admin, fields.get("reason"))
        elif change == "enable":
            accounts.enable_account(session, user, admin, fields.get("reason"))
        else:
            raise Refused(INVALID, "Choose to change the role, or to disable or enable the account.")
    back = request.url.query
    return _change(request, act, lambda status, message: _accounts_page(request, status, message),
                   f"/reviewers/admin/accounts?{back + '&' if back else ''}done=1")


# Compat overrides ----------------------------------------------------------------------------

def _overrides_page(request: Request, status_code: int = 200, error: str | None = None,
                    typed: Fields | None = None) -> Response:
    return _admin_page(request, "reviewer/compat_overrides.html",
                       lambda session: {"overrides": compat_overrides.compat_overrides(session)}, status_code,
                       error=error, typed=typed or {})


def _reshow_overrides(request: Request, fields: Fields, message: str) -> Response:
    return _overrides_page(request, 403, message, fields)


@router.get("/compat-overrides")
def overrides_page(request: Request):
    return _overrides_page(request)


@router.post("/compat-overrides")
def override_add(request: Request, fields: Fields = Depends(CheckedForm(_reshow_overrides))):
    """Adds an incompatible range to the override of an add-on (one of the store's, or any guid)."""
    version_range = IncompatibleRange(fields.get("addon_min", ""), fields.get("addon_max", ""),
                                      fields.get("application", ""), fields.get("app_min", ""),
                                      fields.get("app_max", ""))
    return _change(request,
                   lambda session, admin: compat_overrides.add_range(session, fields.get("addon", ""), version_range,
                                                                     admin),
                   lambda status, message: _overrides_page(request, status, message, fields),
                   "/reviewers/admin/compat-overrides?done=1")


@router.post("/compat-overrides/{override_id}/remove")
def override_remove(request: Request, override_id: str, fields: Fields = Depends(CheckedForm(_reshow_overrides))):
    return _change(request,
                   lambda session, admin: compat_overrides.remove_range(
                       session, row_id(override_id), _position(fields.get("range")), admin),
                   lambda status, message: _overrides_page(request, status, message),
                   "/reviewers/admin/compat-overrides?done=1")


def _position(value: str | None) -> int | None:
    """A range's position in its override, as the form sends it (0 is the first)."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 6 else None


# Featured placements -------------------------------------------------------------------------

def _featured_page(request: Request, status_code: int = 200, error: str | None = None,
                   typed: Fields | None = None) -> Response:
    return _admin_page(request, "reviewer/featured.html",
                       lambda session: {"placements": featured.placements(session)}, status_code,
                       error=error, typed=typed or {})


def _reshow_featured(request: Request, fields: Fields, message: str) -> Response:
    return _featured_page(request, 403, message, fields)


@router.get("/featured")
def featured_page(request: Request):
    return _featured_page(request)


@router.post("/featured")
def featured_add(request: Request, fields: Fields = Depends(CheckedForm(_reshow_featured))):
    return _change(request,
                   lambda session, admin: featured.feature(session, fields.get("addon", ""),
                                                           fields.get("application", ""), fields.get("locale"), admin),
                   lambda status, message: _featured_page(request, status, message, fields),
                   "/reviewers/admin/featured?done=1")


@router.post("/featured/{placement_id}/remove")
def featured_remove(request: Request, placement_id: str, _fields: Fields = Depends(CheckedForm(_reshow_featured))):
    return _change(request,
                   lambda session, admin: featured.unfeature(session, row_id(placement_id), admin),
                   lambda status, message: _featured_page(request, status, message),
                   "/reviewers/admin/featured?done=1")
