"""Every page's frame: the visit (the visitor's languages, the path and query the language picker
resubmits, who is signed in and the CSRF field of the header's log-out form), rendered in the
interface language's environment (web.templating), with the headers every page carries."""

from dataclasses import dataclass
from typing import NamedTuple

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from addonhub.accounts.models import User
from addonhub.api.amo.pagination import page_url
from addonhub.web.forms import hidden_csrf_field
from addonhub.web.languages import LANG_COOKIE, Languages, visitor_languages
from addonhub.web.sessions import session_account, signed_in_user
from addonhub.web.templating import render_template

# The lang cookie lasts a year: a choice of language is not made per visit.
_LANG_COOKIE_AGE = 365 * 24 * 3600
# Pages load nothing from elsewhere and run no inline script: the browser holds them to it.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class Account(NamedTuple):
    """The signed-in visitor as the header shows them: `reviews` links the reviewer console."""
    id: int
    name: str
    reviews: bool = False


@dataclass(frozen=True)
class Visit:
    languages: Languages
    path: str
    query: tuple[tuple[str, str], ...]
    user: User | None = None
    account: Account | None = None
    csrf_field: str = ""

    @property
    def picker_fields(self) -> tuple[tuple[str, str], ...]:
        return tuple((name, value) for name, value in self.query if name != "lang")


def page_visit(request: Request, session: Session | None = None) -> Visit:
    """The visit. With a database session the signed-in visitor is checked against the database
    (pages that act on who it is need that); without one the header trusts the signed cookie."""
    if session is not None:
        user = signed_in_user(request, session)
        account = Account(user.id, user.display_name or user.username, user.is_reviewer) if user is not None else None
    else:
        user, cookie = None, session_account(request)
        account = Account(cookie["id"], cookie["name"], cookie["reviews"]) if cookie is not None else None
    # Only a signed-in visitor's header has a form (log-out): anonymous pages hold no token.
    csrf = hidden_csrf_field(request) if account is not None else ""
    return Visit(visitor_languages(request), request.url.path, tuple(request.query_params.multi_items()), user,
                 account, csrf)


def render(visit: Visit, template: str, **context) -> str:
    context.setdefault("csrf_field", lambda: Markup(visit.csrf_field))
    return render_template(visit.languages.interface, template, visit=visit, account=visit.account, **context)


def page_response(html: str, languages: Languages, status_code: int = 200,
                  headers: dict | None = None) -> HTMLResponse:
    response = HTMLResponse(html, status_code=status_code, headers={
        **SECURITY_HEADERS, "Content-Language": languages.interface, "Vary": "Accept-Language, Cookie",
        **(headers or {})})
    if languages.chosen:
        response.set_cookie(LANG_COOKIE, languages.content, max_age=_LANG_COOKIE_AGE, httponly=True, samesite="lax")
    return response


def render_page(request: Request, template: str, status_code: int = 200, headers: dict | None = None,
                **context) -> HTMLResponse:
    """A page whose forms need the session's CSRF field whoever visits (log-in, sign-up)."""
    visit = page_visit(request)
    html = render(visit, template, csrf_field=lambda: Markup(hidden_csrf_field(request)), **context)
    return page_response(html, visit.languages, status_code, headers)


def message_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    """A page that only says something: why a request was refused, or that a page is not there."""
    return render_page(request, "accounts/message.html", status_code, title=title, message=message)


def pagination(request: Request, page: int, total: int, per_page: int) -> dict:
    """Where a page of results stands among the pages, with links that keep the other parameters;
    a page past the last is the 404 page."""
    count = max(1, -(-total // per_page))
    if page > count:
        raise HTTPException(404)
    return {"number": page, "count": count,
            "previous": page_url(request, "", page - 1) if page > 1 else None,
            "next": page_url(request, "", page + 1) if page < count else None}
