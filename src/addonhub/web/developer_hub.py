"""The developer hub: the signed-in developer's own pages. Everything here acts on the account the
session belongs to (no page takes another account's id), through the domain functions the CLI
calls, so the activity log records the same entries.

My add-ons (/developers/addons/): every add-on the account authors, Edge products among them,
with each version's channel, where it stands and what the reviewer wrote, each product's latest
Edge operations; and a form that creates an Edge product (edge.products.create_product, as
`addonhub products create` does).

Credentials (/developers/credentials/): the AMO API key (JWT issuer and secret, for web-ext and
the signing APIs) and the Edge credentials (client id, client secret and API key, for the Edge
publish API), each created, rotated and revoked by a form. A secret is shown once, on the page
that answers its creation or rotation (never stored in the session, never cached by the browser):
the store keeps only an encrypted AMO secret and digests of the Edge ones."""

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from addonhub.accounts import edge_credentials, keys
from addonhub.accounts.models import User
from addonhub.accounts.service import AccountError
from addonhub.api.downloads import file_response
from addonhub.catalog.service import Access, file_access
from addonhub.identifiers import row_id
from addonhub.catalog.constants import AddonStatus, Channel, FileStatus
from addonhub.catalog.models import Addon, AddonUser, File, Version
from addonhub.edge.models import EdgeOperation
from addonhub.edge.products import EDGE_PRODUCT_TYPES, ProductError, create_product, is_rejected, product_name, product_status
from addonhub.api.urls import base_url
from addonhub.submissions.administration import disabled_by
from addonhub.api.submitters import submitter, throttle_wait
from addonhub.web.forms import CheckedForm, Fields, Throttled, hidden_csrf_field
from addonhub.web.page_rendering import Visit, page_response, page_visit, render
from addonhub.web.wording import N_

router = APIRouter(include_in_schema=False)

CREDENTIALS_PATH = "/developers/credentials/"
ADDONS_PATH = "/developers/addons/"
# The browser keeps no copy of a page that may show a secret.
_NO_STORE = {"Cache-Control": "no-store"}
ALREADY_ACTIVE = {
    "amo": N_("You already have an API key: rotate it to get a new secret."),
    "edge": N_("You already have Edge credentials: rotate them to get new secrets."),
}
REVOKED = {"amo": N_("Your API key is revoked: tools signing with it are refused from now on."),
           "edge": N_("Your Edge credentials are revoked, and the access tokens got with them.")}
NOTHING_TO_REVOKE = N_("There was nothing to revoke.")


class LogInFirst(Exception):
    """A developer page asked for by a visitor who is not signed in (or whose session ended)."""


def _store(request: Request):
    return request.app.state.store


def signed_in_developer(request: Request, session: Session) -> tuple[Visit, User]:
    """The visit and the account it acts as; LogInFirst when nobody is signed in."""
    visit = page_visit(request, session)
    if visit.user is None:
        raise LogInFirst()
    return visit, visit.user


def log_in_first(path: str) -> Response:
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)


def hub_page(request: Request, visit: Visit, template: str, status_code: int = 200, **context) -> Response:
    """A developer page whose forms carry the session's CSRF field."""
    html = render(visit, template, csrf_field=lambda: Markup(hidden_csrf_field(request)), **context)
    return page_response(html, visit.languages, status_code)


def count_write(request: Request, user: User, scope: str) -> None:
    """Counts a form's write as the API counts it, refusing it past the limit."""
    wait = throttle_wait(request, submitter(request, user), scope)
    if wait is not None:
        raise Throttled(wait)


# Where a version stands, as its developer reads it.
VERSION_STATES = {
    "rejected": N_("Rejected"),
    "public": N_("Approved: public"),
    "signed": N_("Signed"),
    "awaiting_review": N_("Awaiting review"),
    "signing": N_("Being signed"),
    "disabled": N_("Disabled"),
    "disabled_by_store": N_("Disabled by the store"),
    "disabled_by_developer": N_("Disabled by you"),
}
ADDON_STATES = {
    AddonStatus.INCOMPLETE: N_("Incomplete: no version approved yet"),
    AddonStatus.UNREVIEWED: N_("Awaiting review"),
    AddonStatus.PENDING: N_("Awaiting review"),
    AddonStatus.NOMINATED: N_("Awaiting its first review"),
    AddonStatus.PUBLIC: N_("Public"),
    AddonStatus.DISABLED: N_("Disabled by the store"),
}
DISABLED_BY_DEVELOPER = N_("Disabled by you")
# The newest operations of each product that the page shows.
OPERATIONS_SHOWN = 5
NAME_NEEDED = N_("Give the product a name.")


def version_state(session: Session, version: Version) -> str:
    """A key of VERSION_STATES: disabled by the store or its developers (the activity log says
    which), rejected (edge.products' rule), else by its files' status and its channel (an unlisted
    version is signed, not made public)."""
    who = disabled_by(session, version)
    if who is not None:
        return f"disabled_by_{who}"
    if is_rejected(session, version):
        return "rejected"
    statuses = {file.status for file in version.files}
    if FileStatus.PUBLIC in statuses:
        return "public" if version.channel == Channel.LISTED else "signed"
    if statuses & {FileStatus.UNREVIEWED, FileStatus.NOMINATED}:
        return "awaiting_review" if version.channel == Channel.LISTED else "signing"
    return "disabled"


def _authored(session: Session, user: User) -> list[Addon]:
    """The user's add-ons, newest first, their versions loaded; deleted ones are gone from here."""
    return list(session.scalars(
        select(Addon).join(AddonUser, AddonUser.addon_id == Addon.id)
        .where(AddonUser.user_id == user.id, Addon.status != AddonStatus.DELETED)
        .options(selectinload(Addon.versions).selectinload(Version.files))
        .order_by(Addon.created.desc(), Addon.id.desc())))


def _addon_summary(session: Session, addon: Addon) -> dict:
    versions = sorted((version for version in addon.versions if not version.is_deleted),
                      key=lambda version: (version.created, version.id), reverse=True)
    return {
        "name": product_name(addon) or addon.slug, "slug": addon.slug, "guid": addon.guid, "type": addon.type,
        "url": f"/addon/{addon.slug}/", "edit_url": f"/developers/addon/{addon.slug}/edit",
        "state": DISABLED_BY_DEVELOPER if addon.is_disabled else ADDON_STATES.get(addon.status, addon.status),
        "edge": {"product_id": addon.edge_product_id, "status": product_status(session, addon),
                 "operations": _operations(session, addon)}
        if addon.type in EDGE_PRODUCT_TYPES else None,
        "versions": [{"version": version.version, "channel": version.channel, "created": version.created,
                      "state": VERSION_STATES[version_state(session, version)], "reviewer_notes": version.reviewer_notes,
                      "signed_files": [file.id for file in version.files if file.is_signed and file.storage_key]
                      if version.channel == Channel.UNLISTED else []}
                     for version in versions],
    }


def _operations(session: Session, addon: Addon) -> list[EdgeOperation]:
    return list(session.scalars(select(EdgeOperation).where(EdgeOperation.addon_id == addon.id)
                                .order_by(EdgeOperation.created.desc()).limit(OPERATIONS_SHOWN)))


def _my_addons_page(request: Request, status_code: int = 200, error: str | None = None,
                    product_name_typed: str = "") -> Response:
    with _store(request).db.session() as session:
        visit, user = signed_in_developer(request, session)
        addons = [_addon_summary(session, addon) for addon in _authored(session, user)]
        html = render(visit, "developers/addons.html", addons=addons, error=error, product_name=product_name_typed)
    return page_response(html, visit.languages, status_code)


@router.get("/developers/addons")
def my_addons(request: Request):
    try:
        return _my_addons_page(request)
    except LogInFirst:
        return log_in_first(ADDONS_PATH)


def _reshow_my_addons(request: Request, fields: Fields, message: str) -> Response:
    return _my_addons_page(request, 403, message, fields.get("name", ""))


@router.post("/developers/edge-products")
def new_edge_product(request: Request, fields: Fields = Depends(CheckedForm(_reshow_my_addons))):
    try:
        with _store(request).db.session() as session:
            _, user = signed_in_developer(request, session)
            try:
                create_product(session, user, fields.get("name", ""))
            except ProductError:  # the one refusal: no name
                return _my_addons_page(request, 400, NAME_NEEDED)
    except LogInFirst:
        return log_in_first(ADDONS_PATH)
    return RedirectResponse(ADDONS_PATH, status_code=303)


@router.get("/developers/files/{file_id}")
def download_file(request: Request, file_id: str):
    """One of the developer's files, with their session: the downloads route takes API
    credentials only, and a signed unlisted file is the developer's to distribute."""
    store = _store(request)
    try:
        with store.db.session() as session:
            _, user = signed_in_developer(request, session)
            number = row_id(file_id)
            file = session.get(File, number) if number is not None else None
            if file is None or file_access(file, user) is not Access.ALLOWED:
                raise HTTPException(404)
            return file_response(request, store.blobs, file)
    except LogInFirst:
        return log_in_first(ADDONS_PATH)


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
            visit, _ = signed_in_developer(request, session)
            return _credentials_page(request, visit, session)
    except LogInFirst:
        return log_in_first(CREDENTIALS_PATH)


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
            visit, user = signed_in_developer(request, session)
            try:
                shown = _change(request, session, user, kind, action)
            except AccountError:  # refused before anything is written
                return _credentials_page(request, visit, session, 400, error=ALREADY_ACTIVE[kind])
            return _credentials_page(request, visit, session, **shown)
    except LogInFirst:
        return log_in_first(CREDENTIALS_PATH)
