"""One add-on of the signed-in developer's, managed from the developer hub: its status and
versions (disabling, enabling, deleting them; disabling, enabling and deleting the add-on), its
authors, and its activity log.

Every page is the add-on's authors' only: anyone else, and a deleted add-on, get the 404 page,
as the API answers them. The rules are the domain's (submissions.administration for disabling and
deleting, catalog.authors for authors: owners only, never without an owner), the same functions
whatever asks, so the activity log records the same entries; a refusal is the page again,
saying why. Deleting asks for a confirmation on a page of its own."""

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from addonhub.accounts.models import User
from addonhub.activity.service import LogFilter, entries_for_developer
from addonhub.api.amo.intake import REFUSAL_STATUS
from addonhub.catalog import authors
from addonhub.catalog.models import Addon, Version
from addonhub.edge.products import product_name
from addonhub.identifiers import row_id
from addonhub.refusals import INVALID, Refused
from addonhub.submissions import administration
from addonhub.web.developer_submissions import NOT_SAVED
from addonhub.web.developer_listing import own_addon
from addonhub.web.developer_hub import ADDONS_PATH, LogInFirst, VERSION_STATES, log_in_first, signed_in_developer, version_state
from addonhub.web.forms import CheckedForm, Fields
from addonhub.web.page_rendering import Visit, page_response, render
from addonhub.web.wording import N_

router = APIRouter(include_in_schema=False)

# What a page says, in the visitor's language: a message and its (escaped) parameters.
Words = tuple[str, dict]

# What the developer may do to the add-on, and to a version, from the status page.
ADDON_CHANGES = {"disable": administration.developer_disable_addon, "enable": administration.developer_enable_addon}
VERSION_CHANGES = {"disable": administration.developer_disable_version,
                   "enable": administration.developer_enable_version}
DONE = {
    "disable": N_("Disabled: it has left the catalogue, downloads and update checks."),
    "enable": N_("Enabled again."),
    "delete": N_("The version is deleted."),
    "authors": N_("The authors are saved."),
}
CHOOSE_CHANGE = "Choose the add-on or one of its versions, and to disable or enable it."
TYPE_THE_SLUG = N_("To delete the add-on, type its slug exactly as shown.")
LOG_SHOWN = 200
# The states (developer_hub.version_state) of a version that has files to disable.
_LIVE_STATES = ("public", "signed", "awaiting_review", "signing")


def _store(request: Request):
    return request.app.state.store


def _own_addon(request: Request, session: Session, slug: str) -> tuple[Visit, User, Addon]:
    """The visit, its account and the add-on, which must be one of the account's (404 otherwise)."""
    visit, user = signed_in_developer(request, session)
    return visit, user, own_addon(session, user, slug)


def _own_version(addon: Addon, version_id: str) -> Version:
    version = next((version for version in addon.versions
                    if version.id == row_id(version_id) and not version.is_deleted), None)
    if version is None:
        raise HTTPException(404)
    return version


def _html(visit: Visit, template: str, status_code: int, addon: Addon, **context) -> Response:
    html = render(visit, template, addon=addon, addon_name=product_name(addon) or addon.slug, **context)
    return page_response(html, visit.languages, status_code)


def _done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


def _refused(refusal: Refused) -> tuple[int, Words]:
    """The status and the words of a page that shows a refusal (its text a parameter, so escaped)."""
    return REFUSAL_STATUS.get(refusal.reason, 400), (NOT_SAVED, {"reason": refusal.message})


# Status and versions ------------------------------------------------------------------------------

def _version_rows(session: Session, addon: Addon) -> list[dict]:
    """Each version that is not deleted, newest first, and which change its developers may make."""
    rows = []
    for version in sorted((v for v in addon.versions if not v.is_deleted), key=lambda v: (v.created, v.id), reverse=True):
        state = version_state(session, version)
        change = "enable" if state == "disabled_by_developer" else "disable" if state in _LIVE_STATES else None
        rows.append({"version": version, "state": VERSION_STATES[state], "change": change})
    return rows


def _status_page(request: Request, slug: str, status_code: int = 200, error: Words | None = None) -> Response:
    with _store(request).db.session() as session:
        visit, user, addon = _own_addon(request, session, slug)
        return _html(visit, "developers/status.html", status_code, addon, versions=_version_rows(session, addon),
                     is_owner=authors.is_owner(addon, user), error=error, done=_done(request))


@router.get("/developers/addon/{slug}/status")
def status_page(request: Request, slug: str):
    try:
        return _status_page(request, slug)
    except LogInFirst:
        return log_in_first(request.url.path)


def _reshow_status(request: Request, _fields: Fields, message: str) -> Response:
    return _status_page(request, request.path_params["slug"], 403, (message, {}))


@router.post("/developers/addon/{slug}/status")
def change_status(request: Request, slug: str, fields: Fields = Depends(CheckedForm(_reshow_status))):
    """Disables or enables the add-on (target "addon") or one of its versions (target its id)."""
    change, target = fields.get("change", ""), fields.get("target", "")
    try:
        with _store(request).db.session() as session:
            _, user, addon = _own_addon(request, session, slug)
            if target == "addon" and change in ADDON_CHANGES:
                ADDON_CHANGES[change](session, addon, user)
            elif change in VERSION_CHANGES:
                VERSION_CHANGES[change](session, _own_version(addon, target), user)
            else:
                raise Refused(INVALID, CHOOSE_CHANGE)
    except LogInFirst:
        return log_in_first(request.url.path)
    except Refused as refusal:
        return _status_page(request, slug, *_refused(refusal))
    return RedirectResponse(f"/developers/addon/{slug}/status/?done={change}", status_code=303)


# Deleting -----------------------------------------------------------------------------------------

def _delete_version_page(request: Request, slug: str, version_id: str, status_code: int = 200,
                         error: Words | None = None) -> Response:
    with _store(request).db.session() as session:
        visit, _, addon = _own_addon(request, session, slug)
        version = _own_version(addon, version_id)
        return _html(visit, "developers/delete.html", status_code, addon, version=version, error=error)


@router.get("/developers/addon/{slug}/versions/{version_id}/delete")
def confirm_version_deletion(request: Request, slug: str, version_id: str):
    try:
        return _delete_version_page(request, slug, version_id)
    except LogInFirst:
        return log_in_first(request.url.path)


def _reshow_version_deletion(request: Request, _fields: Fields, message: str) -> Response:
    return _delete_version_page(request, request.path_params["slug"], request.path_params["version_id"],
                                403, (message, {}))


@router.post("/developers/addon/{slug}/versions/{version_id}/delete")
def delete_version(request: Request, slug: str, version_id: str,
                   _fields: Fields = Depends(CheckedForm(_reshow_version_deletion))):
    try:
        with _store(request).db.session() as session:
            _, user, addon = _own_addon(request, session, slug)
            administration.developer_delete_version(session, _own_version(addon, version_id), user)
    except LogInFirst:
        return log_in_first(request.url.path)
    except Refused as refusal:
        return _delete_version_page(request, slug, version_id, *_refused(refusal))
    return RedirectResponse(f"/developers/addon/{slug}/status/?done=delete", status_code=303)


def _delete_addon_page(request: Request, slug: str, status_code: int = 200, error: Words | None = None) -> Response:
    with _store(request).db.session() as session:
        visit, user, addon = _own_addon(request, session, slug)
        return _html(visit, "developers/delete.html", status_code, addon, version=None, error=error,
                     is_owner=authors.is_owner(addon, user))


@router.get("/developers/addon/{slug}/delete")
def confirm_addon_deletion(request: Request, slug: str):
    try:
        return _delete_addon_page(request, slug)
    except LogInFirst:
        return log_in_first(request.url.path)


def _reshow_addon_deletion(request: Request, _fields: Fields, message: str) -> Response:
    return _delete_addon_page(request, request.path_params["slug"], 403, (message, {}))


@router.post("/developers/addon/{slug}/delete")
def delete_addon(request: Request, slug: str, fields: Fields = Depends(CheckedForm(_reshow_addon_deletion))):
    """Deletes the add-on once its slug is typed (a deletion is for good), for its owners."""
    try:
        with _store(request).db.session() as session:
            _, user, addon = _own_addon(request, session, slug)
            if fields.get("slug", "").strip() != addon.slug:
                return _delete_addon_page(request, slug, 400, (TYPE_THE_SLUG, {}))
            administration.developer_delete_addon(session, addon, user)
    except LogInFirst:
        return log_in_first(request.url.path)
    except Refused as refusal:
        return _delete_addon_page(request, slug, *_refused(refusal))
    return RedirectResponse(ADDONS_PATH, status_code=303)


# Authors ------------------------------------------------------------------------------------------

def _authors_page(request: Request, slug: str, status_code: int = 200, error: Words | None = None,
                  typed: Fields | None = None) -> Response:
    with _store(request).db.session() as session:
        visit, user, addon = _own_addon(request, session, slug)
        return _html(visit, "developers/authors.html", status_code, addon, authors=list(addon.authors),
                     roles=authors.ROLES, is_owner=authors.is_owner(addon, user), error=error, typed=typed or {},
                     done=_done(request))


@router.get("/developers/addon/{slug}/authors")
def authors_page(request: Request, slug: str):
    try:
        return _authors_page(request, slug)
    except LogInFirst:
        return log_in_first(request.url.path)


def _reshow_authors(request: Request, fields: Fields, message: str) -> Response:
    return _authors_page(request, request.path_params["slug"], 403, (message, {}), fields)


def _change_authors(request: Request, slug: str, fields: Fields, change) -> Response:
    """Runs `change(session, addon, user)` on the add-on's authors; the page again, saying why,
    when the domain refuses it (the typed address kept)."""
    try:
        with _store(request).db.session() as session:
            _, user, addon = _own_addon(request, session, slug)
            change(session, addon, user)
    except LogInFirst:
        return log_in_first(request.url.path)
    except Refused as refusal:
        return _authors_page(request, slug, *_refused(refusal), fields)
    return RedirectResponse(f"/developers/addon/{slug}/authors/?done=authors", status_code=303)


@router.post("/developers/addon/{slug}/authors")
def add_author(request: Request, slug: str, fields: Fields = Depends(CheckedForm(_reshow_authors))):
    return _change_authors(request, slug, fields, lambda session, addon, user: authors.add_author(
        session, addon, user, fields.get("email", ""), fields.get("role", authors.DEVELOPER), "listed" in fields))


@router.post("/developers/addon/{slug}/authors/{user_id}/change")
def change_author(request: Request, slug: str, user_id: str,
                  fields: Fields = Depends(CheckedForm(_reshow_authors))):
    return _change_authors(request, slug, fields, lambda session, addon, user: authors.change_author(
        session, addon, user, row_id(user_id) or 0, fields.get("role", ""), "listed" in fields))


@router.post("/developers/addon/{slug}/authors/{user_id}/remove")
def remove_author(request: Request, slug: str, user_id: str,
                  fields: Fields = Depends(CheckedForm(_reshow_authors))):
    return _change_authors(request, slug, fields, lambda session, addon, user: authors.remove_author(
        session, addon, user, row_id(user_id) or 0))


# The activity log ---------------------------------------------------------------------------------

@router.get("/developers/activity")
def my_activity(request: Request):
    """What the developer may read of the log, newest first: their add-ons' entries, and their own
    (credential changes, uploads that made no add-on)."""
    try:
        with _store(request).db.session() as session:
            visit, user = signed_in_developer(request, session)
            history = entries_for_developer(session, user, LogFilter(limit=LOG_SHOWN))
            html = render(visit, "developers/my_activity.html", history=history, filter_by_addon=None)
            return page_response(html, visit.languages)
    except LogInFirst:
        return log_in_first(request.url.path)


@router.get("/developers/addon/{slug}/activity")
def activity_page(request: Request, slug: str):
    """The add-on's activity log, newest first: the entries `addonhub log --addon` prints."""
    try:
        with _store(request).db.session() as session:
            visit, user, addon = _own_addon(request, session, slug)
            history = entries_for_developer(session, user, LogFilter(addon=addon, limit=LOG_SHOWN))
            return _html(visit, "developers/activity.html", 200, addon, history=history)
    except LogInFirst:
        return log_in_first(request.url.path)
