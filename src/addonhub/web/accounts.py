"""Account pages: sign-up, log-in, log-out, a user's profile and a developer's page.

The rules are the domain's (accounts.signup, accounts.passwords); these routes read forms, count
failed log-ins and word the answers. Every form keeps what was typed (never a password) and says
what to change next to the field at fault.
"""

import orjson
from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from addonhub.accounts.models import User
from addonhub.accounts.passwords import MIN_LENGTH
from addonhub.accounts.signup import SignUp, authenticate, pending_invitation, sign_up
from addonhub.api.amo.rendering import Renderer, render_document
from addonhub.catalog.listing_search import SearchQuery, search_ids
from addonhub.catalog.service import documents
from addonhub.identifiers import row_id
from addonhub.refusals import Refused
from addonhub.web.forms import CheckedForm, CSRFRejected, Fields, FormRejected
from addonhub.web.page_rendering import (
    message_page,
    page_response,
    page_visit,
    render,
    render_page,
)
from addonhub.web.reviews import user_reviews
from addonhub.web.sessions import add_session_middleware, end_session, start_session

router = APIRouter(include_in_schema=False)

LOGIN_SCOPE = "web_login"
# The content language of add-on names on these pages until they follow the visitor's (the
# storefront's web.languages).
CONTENT_LANGUAGE = "en-US"
PROFILE_ADDONS = 6
DEVELOPER_PAGE_SIZE = 25
_MAX_NEXT_LENGTH = 2000


def _store(request: Request):
    return request.app.state.store


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def safe_next(path: str | None) -> str:
    """Where to go after logging in: a path on this store only, never another site (`//host`,
    `/\\host` and schemes are refused, as browsers would follow them off the store)."""
    if (not path or not path.startswith("/") or path.startswith("//") or "\\" in path
            or len(path) > _MAX_NEXT_LENGTH or any(ord(c) < 0x20 or c == "\x7f" for c in path)):
        return "/"
    return path


# Log-in.

def _login_page(request: Request, status_code: int = 200, email: str = "", next_path: str = "/",
                error: str | None = None, errors: dict | None = None, headers: dict | None = None) -> Response:
    return render_page(request, "accounts/login.html", status_code, headers, email=email, next_path=next_path,
                       error=error, errors=errors or {}, signup_mode=_store(request).settings.signup)


def _reshow_login(request: Request, fields: Fields, message: str) -> Response:
    return _login_page(request, 403, fields.get("email", ""), safe_next(fields.get("next")), message)


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    return _login_page(request, next_path=safe_next(next))


@router.post("/login")
def login(request: Request, fields: Fields = Depends(CheckedForm(_reshow_login))):
    email, password = fields.get("email", ""), fields.get("password", "")
    next_path = safe_next(fields.get("next"))
    errors = {}
    if not email.strip():
        errors["email"] = "Enter your e-mail address."
    if not password:
        errors["password"] = "Enter your password."
    if errors:
        return _login_page(request, 400, email, next_path, errors=errors)
    store, address = _store(request), _client_address(request)
    # The address as typed, folded: unknown addresses are throttled like real ones, so the
    # throttle tells nobody which exist.
    account_key = email.strip().lower()[:254]
    wait = store.submission_throttle.wait_before(LOGIN_SCOPE, account_key, address)
    if wait is not None:
        minutes = -(-wait // 60)
        return _login_page(request, 429, email, next_path,
                           f"Too many failed log-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
                           headers={"Retry-After": str(wait)})
    try:
        with store.db.session() as session:
            user = authenticate(session, email, password)
            if user is not None:
                start_session(request, user)
    except Refused as refusal:  # the right password of a disabled account
        return _login_page(request, 403, email, next_path, refusal.message)
    if user is None:
        store.submission_throttle.count(LOGIN_SCOPE, account_key, address)
        return _login_page(request, 400, email, next_path, "This e-mail address and password do not match an "
                           "account that can log in. (Accounts made by `addonhub users create` need a password "
                           "first: `addonhub users set-password`.)")
    return RedirectResponse(next_path, status_code=303)


@router.post("/logout")
def logout(request: Request, _fields: Fields = Depends(CheckedForm())):
    end_session(request)
    return RedirectResponse("/", status_code=303)


# Sign-up.

def _signup_page(request: Request, status_code: int = 200, fields: Fields | None = None, error: str | None = None,
                 errors: dict | None = None) -> Response:
    """The form as the mode and the invitation allow it; `error` says why it is not there."""
    store, fields = _store(request), fields or {}
    token = fields.get("invitation") or None
    with store.db.session() as session:
        invitation = pending_invitation(session, token) if token else None
        invited_email = invitation.email if invitation else None
    mode = store.settings.signup
    can_sign_up = mode == "open" or (mode == "invite" and invitation is not None)
    if error is None and not can_sign_up:
        status_code = 403
        if mode == "closed":
            error = "This store does not take sign-ups; ask its administrators for an account."
        elif token:
            error = "This invitation has expired or has been used; ask for a new one."
        else:
            error = "This store takes sign-ups by invitation only: the link in your invitation opens this form."
    return render_page(request, "accounts/signup.html", status_code, can_sign_up=can_sign_up,
                       invitation=token if invitation else None, email=invited_email or fields.get("email", ""),
                       email_fixed=invited_email is not None, display_name=fields.get("display_name", ""),
                       error=error, errors=errors or {}, min_password_length=MIN_LENGTH)


def _reshow_signup(request: Request, fields: Fields, message: str) -> Response:
    return _signup_page(request, 403, fields, message)


@router.get("/signup")
def signup_form(request: Request, invite: str | None = None):
    return _signup_page(request, fields={"invitation": invite} if invite else None)


@router.post("/signup")
def signup(request: Request, fields: Fields = Depends(CheckedForm(_reshow_signup))):
    store = _store(request)
    wanted = SignUp(email=fields.get("email", ""), password=fields.get("password", ""),
                    display_name=fields.get("display_name", ""), invitation_token=fields.get("invitation") or None)
    try:
        with store.db.session() as session:
            user = sign_up(session, store.settings.signup, wanted)
            start_session(request, user)
            user_id = user.id
    except Refused as refusal:
        if refusal.field:
            return _signup_page(request, 400, fields, errors={refusal.field: refusal.message})
        return _signup_page(request, 403, fields, refusal.message)
    return RedirectResponse(f"/user/{user_id}/", status_code=303)


# Profiles.

def _find_user(session, identifier: str) -> User | None:
    """By id (digits) or username, as AMO's profile URLs take either."""
    user_id = row_id(identifier)
    if user_id is not None:
        return session.get(User, user_id)
    return session.scalar(select(User).where(User.username == identifier)) if len(identifier) <= 150 else None


def developer_addons(request: Request, session, user: User, offset: int, limit: int) -> tuple[int, list[dict]]:
    """The user's listed add-ons (public, and where they are a listed author), most used first,
    from the read-model documents the catalogue API answers with."""
    total, ids = search_ids(session.connection(), SearchQuery(authors=[str(user.id)], sorts=["users"]), offset, limit)
    renderer = Renderer(base_url="", secret_key=_store(request).secret_key, lang=CONTENT_LANGUAGE)
    return total, [orjson.loads(render_document(renderer, body, listing=True)) for body in documents(session, ids)]


def _person(user: User) -> dict:
    return {"id": user.id, "name": user.display_name or user.username, "username": user.username,
            "joined": user.created}


def _not_found(request: Request) -> Response:
    return message_page(request, 404, "Page not found", "There is no such person in this store.")


@router.get("/user/{identifier}")
def profile(request: Request, identifier: str, page: str = "1"):
    """A person: their ratings of the store's add-ons (a page at a time) and their add-ons."""
    with _store(request).db.session() as session:
        user = _find_user(session, identifier)
        if user is None:
            return _not_found(request)
        total, addons = developer_addons(request, session, user, 0, PROFILE_ADDONS)
        person = _person(user)
        visit = page_visit(request, session)
        ratings, rating_pages = user_reviews(request, session, visit, user.id, row_id(page) or 1)
    html = render(visit, "accounts/profile.html", person=person, addons=addons, addons_total=total, ratings=ratings,
                  rating_pages=rating_pages)
    return page_response(html, visit.languages)


@router.get("/developer/{identifier}")
def developer(request: Request, identifier: str, page: str = "1"):
    page_number = row_id(page) or 1
    with _store(request).db.session() as session:
        user = _find_user(session, identifier)
        if user is None:
            return _not_found(request)
        total, addons = developer_addons(request, session, user, (page_number - 1) * DEVELOPER_PAGE_SIZE,
                                         DEVELOPER_PAGE_SIZE)
        person = _person(user)
    pages = max(1, -(-total // DEVELOPER_PAGE_SIZE))
    if page_number > pages:
        return message_page(request, 404, "Page not found", f"{person['name']}'s add-ons fill {pages} page(s).")
    return render_page(request, "accounts/developer.html", person=person, addons=addons, addons_total=total,
                       page=page_number, pages=pages)


def csrf_rejected(request: Request, rejection: CSRFRejected) -> Response:
    """The app's answer to a POST without the session's token: the form again where it asks for
    that, else a 403 page. Nothing was done either way."""
    if rejection.reshow is not None:
        return rejection.reshow(request, rejection.fields, rejection.message)
    return message_page(request, 403, "Form not sent", rejection.message)


def form_rejected(request: Request, rejection: FormRejected) -> Response:
    return message_page(request, rejection.status_code, "Form not sent", rejection.message)


def add_account_pages(app, store) -> None:
    """Wires the account pages into the app: their routes, the session cookie and the answers to
    rejected forms (pages, where the APIs answer JSON)."""
    add_session_middleware(app, store.settings, store.secret_key)
    app.add_exception_handler(CSRFRejected, csrf_rejected)
    app.add_exception_handler(FormRejected, form_rejected)
    app.include_router(router)
