"""The developer hub: the signed-in developer's own pages. Everything here acts on the account the
session belongs to (no page takes another account's id), through the domain functions the CLI
calls, so the activity log records the same entries.

Credentials (/developers/credentials/): the AMO API key (JWT issuer and secret, for web-ext and
the signing APIs) and the Edge credentials (client id, client secret and API key, for the Edge
publish API), each created, rotated and revoked by a form. A secret is shown once, on the page
that answers its creation or rotation (never stored in the session, never cached by the browser):
the store keeps only an encrypted AMO secret and digests of the Edge ones."""

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from addonhub.accounts import edge_credentials, keys
from addonhub.accounts.models import User
from addonhub.accounts.service import AccountError
from addonhub.api.urls import base_url
from addonhub.web.forms import CheckedForm, Fields
from addonhub.web.page_rendering import Visit, page_response, page_visit, render
from addonhub.web.wording import N_

router = APIRouter(include_in_schema=False)

CREDENTIALS_PATH = "/developers/credentials/"
# The browser keeps no copy of a page that may show a secret.
_NO_STORE = {"Cache-Control": "no-store"}
ALREADY_ACTIVE = {
    "amo": N_("You already have an API key: rotate it to get a new secret."),
    "edge": N_("You already have Edge credentials: rotate them to get new secrets."),
}
REVOKED = {"amo": N_("Your API key is revoked: tools signing with it are refused from now on."),
           "edge": N_("Your Edge credentials are revoked, and the access tokens got with them.")}
NOTHING_TO_REVOKE = N_("There was nothing to revoke.")


class _LogInFirst(Exception):
    """A developer page asked for by a visitor who is not signed in (or whose session ended)."""


def _store(request: Request):
    return request.app.state.store


def _developer(request: Request, session: Session) -> tuple[Visit, User]:
    visit = page_visit(request, session)
    if visit.user is None:
        raise _LogInFirst()
    return visit, visit.user


def _log_in_first(path: str) -> Response:
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)


def _credentials_page(request: Request, visit: Visit, session: Session, status_code: int = 200,
                      **shown) -> Response:
    """The account's credentials as they stand, with what was just done (`shown`: a new secret,
    a message)."""
    amo = keys.active_key_for_user(session, visit.user)
    edge = edge_credentials.active_credential_for_user(session, visit.user)
    html = render(visit, "developers/credentials.html", amo=amo, edge=edge, base_url=base_url(request),
                  new_amo=shown.get("new_amo"), new_edge=shown.get("new_edge"), message=shown.get("message"),
                  error=shown.get("error"))
    return page_response(html, visit.languages, status_code, _NO_STORE)


@router.get("/developers/credentials")
def credentials(request: Request):
    try:
        with _store(request).db.session() as session:
            visit, _ = _developer(request, session)
            return _credentials_page(request, visit, session)
    except _LogInFirst:
        return _log_in_first(CREDENTIALS_PATH)


def _change(request: Request, session: Session, user: User, kind: str, action: str) -> dict:
    """Does `action` to the account's credentials of `kind` as the CLI does; what the page shows."""
    store = _store(request)
    if kind == "amo":
        if action == "create":
            return {"new_amo": keys.issue_key(session, store.key_cipher, user)}
        if action == "rotate":
            return {"new_amo": keys.rotate_key(session, store.key_cipher, user)}
        return {"message": REVOKED["amo"] if keys.revoke_keys(session, user) else NOTHING_TO_REVOKE}
    if action == "create":
        return {"new_edge": edge_credentials.issue_edge_credentials(session, user)}
    if action == "rotate":
        return {"new_edge": edge_credentials.rotate_edge_credentials(session, user)}
    return {"message": REVOKED["edge"] if edge_credentials.revoke_edge_credentials(session, user) else NOTHING_TO_REVOKE}


@router.post("/developers/credentials/{kind}/{action}")
def change_credentials(request: Request, kind: str, action: str, _fields: Fields = Depends(CheckedForm())):
    if kind not in ALREADY_ACTIVE or action not in ("create", "rotate", "revoke"):
        raise HTTPException(404)
    try:
        with _store(request).db.session() as session:
            visit, user = _developer(request, session)
            try:
                shown = _change(request, session, user, kind, action)
            except AccountError:  # refused before anything is written
                return _credentials_page(request, visit, session, 400, error=ALREADY_ACTIVE[kind])
            return _credentials_page(request, visit, session, **shown)
    except _LogInFirst:
        return _log_in_first(CREDENTIALS_PATH)
