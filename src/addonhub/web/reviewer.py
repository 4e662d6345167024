"""The reviewer console: the queue of listed versions (and Edge submissions) awaiting review, and a
version's review page with its validation, permissions, history and abuse reports, where a
reviewer approves or rejects it.

Every rule is submissions.review's, the one `addonhub review` and /api/v5/reviewers/ use: a
reviewer cannot decide on their own add-on, and of two reviewers deciding at once the second is
told the version has been decided. Only the reviewer and admin roles see these pages; anyone else
signed in gets a 403 page, a visitor who is not signed in the log-in page.

An add-on's administration page (/reviewers/addon/{id}/admin) is for admins only: it disables and
enables the add-on, or one of its versions, store-wide through submissions.administration.

The store's activity log (/reviewers/log) is every entry `addonhub log` prints, newest first,
narrowed to an add-on (by any of its ids) and to an action when asked.
"""

from datetime import datetime
from urllib.parse import quote

from babel.dates import format_timedelta
from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from addonhub.abuse.service import reports
from addonhub.activity.service import ACTIONS, LogFilter, entries
from addonhub.api.amo.submission import source_response
from addonhub.catalog.constants import ADDON_TYPES
from addonhub.catalog.service import find_addon_by_any_id, is_author
from addonhub.edge.products import edge_submissions
from addonhub.identifiers import row_id
from addonhub.packages.archive import ArchiveError
from addonhub.packages.contents import UNCHANGED, compare, file_text, package_files
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, Refused
from addonhub.signing.jar import is_signature_file
from addonhub.catalog.models import Addon
from addonhub.submissions import administration
from addonhub.submissions.review import (
    approve,
    is_awaiting_review,
    previously_approved,
    reject,
    review_queue,
    validation_report,
    version_to_review,
    version_under_review,
)
from addonhub.web.forms import CheckedForm, Fields
from addonhub.web.page_rendering import Visit, message_page, page_response, page_visit, render
from addonhub.web.wording import N_

router = APIRouter(prefix="/reviewers", include_in_schema=False)

# The queue's source filter: AMO's own submissions (web-ext, the v5 API, the CLI) or Edge's.
SOURCES = ("amo", "edge")
DECISIONS = ("approve", "reject")
LOG_SHOWN = 200
UNKNOWN_ADDON = N_("No add-on %(addon)s is known to this store.")
ADMIN_CHANGES = {("disable", "addon"): administration.disable_addon, ("enable", "addon"): administration.enable_addon,
                 ("disable", "version"): administration.disable_version,
                 ("enable", "version"): administration.enable_version}


class NotAReviewer(Exception):
    """Signed in without the reviewer or admin role."""


class LogInFirst(Exception):
    pass


class NotAnAdmin(NotAReviewer):
    """A reviewer on a page for admins only."""


def _session(request: Request) -> Session:
    return request.app.state.store.db.session()


def _reviewer_visit(request: Request, session: Session) -> Visit:
    visit = page_visit(request, session)
    if visit.user is None:
        raise LogInFirst()
    if not visit.user.is_reviewer:
        raise NotAReviewer()
    return visit


def admin_visit(request: Request, session: Session) -> Visit:
    visit = _reviewer_visit(request, session)
    if not visit.user.is_admin:
        raise NotAnAdmin()
    return visit


def refused_visitor(request: Request, error: Exception) -> Response:
    """The log-in page (back here after) for a visitor, a 403 page for an account without the role."""
    if isinstance(error, LogInFirst):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if isinstance(error, NotAnAdmin):
        return message_page(request, 403, "Not allowed", "This page is for administrators.")
    return message_page(request, 403, "Not allowed", "The reviewer console is for reviewers and administrators.")


def html_page(visit: Visit, template: str, status_code: int = 200, **context) -> Response:
    return page_response(render(visit, template, **context), visit.languages, status_code)


def _waiting(visit: Visit, since: datetime, now: datetime) -> str:
    """How long it has waited, in the reviewer's language ("3 days")."""
    return format_timedelta(now - since, locale=visit.languages.interface.replace("-", "_"))


def _choice(value: str | None, choices: tuple[str, ...]) -> str | None:
    return value if value in choices else None


@router.get("")
def queue(request: Request, addon_type: str | None = Query(None, alias="type"), source: str | None = None):
    """Listed versions awaiting review, oldest first, with how long each has waited; narrowed to
    an add-on type and to AMO's or Edge's submissions when asked."""
    addon_type, source = _choice(addon_type, ADDON_TYPES), _choice(source, SOURCES)
    try:
        with _session(request) as session:
            visit = _reviewer_visit(request, session)
            waiting = review_queue(session, addon_type)
            from_edge = edge_submissions(session, [version.id for version in waiting])
            counts = {"all": len(waiting), "edge": len(from_edge), "amo": len(waiting) - len(from_edge)}
            if source is not None:
                waiting = [version for version in waiting if (version.id in from_edge) == (source == "edge")]
            now = datetime.utcnow()
            rows = [{"id": version.id, "name": version.addon.default_name, "guid": version.addon.guid,
                     "version": version.version, "type": version.addon.type,
                     "source": "edge" if version.id in from_edge else "amo",
                     "created": version.created, "waiting": _waiting(visit, version.created, now)}
                    for version in waiting]
    except (LogInFirst, NotAReviewer) as error:
        return refused_visitor(request, error)
    return html_page(visit, "reviewer/queue.html", rows=rows, counts=counts, addon_type=addon_type, source=source,
                 addon_types=ADDON_TYPES, sources=SOURCES)


def _permissions(version, previous) -> dict:
    """The permissions and host permissions of the version's package, each marked new when the
    previously approved version did not ask for it."""
    def listed(name: str) -> list[dict]:
        now = sorted({item for file in version.files for item in getattr(file, name)})
        before = {item for file in previous.files for item in getattr(file, name)} if previous else set()
        return [{"name": item, "new": previous is not None and item not in before} for item in now]
    return {"permissions": listed("permissions") + listed("optional_permissions"),
            "host_permissions": listed("host_permissions")}


def _version_of(session: Session, version_id: str):
    try:
        return version_under_review(session, row_id(version_id))
    except Refused:
        raise HTTPException(404) from None


def _review_page(request: Request, version_id: str, status_code: int = 200, notes: str = "",
                 error: str | None = None) -> Response:
    try:
        with _session(request) as session:
            visit = _reviewer_visit(request, session)
            version = _version_of(session, version_id)
            addon = version.addon
            previous = previously_approved(session, version)
            validation = validation_report(session, version) or {}
            context = {
                "version": version, "addon": addon, "addon_name": addon.default_name, "previous": previous,
                "awaiting": is_awaiting_review(version), "own": is_author(addon, visit.user),
                "validation": validation, "messages": validation.get("messages", []),
                "access": _permissions(version, previous),
                "history": entries(session, LogFilter(addon=addon)),
                "reports": reports(session, addon),
                "source": version.source_key is not None,
                "decided": _choice(request.query_params.get("decided"), DECISIONS),
                "is_admin": visit.user.is_admin,
            }
            page = render(visit, "reviewer/review.html", notes=notes, error=error, **context)
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)
    return page_response(page, visit.languages, status_code)


def _reshow_review(request: Request, fields: Fields, message: str) -> Response:
    return _review_page(request, request.path_params["version_id"], 403, fields.get("notes", ""), message)


@router.get("/review/{addon}")
def addon_review(request: Request, addon: str):
    """An add-on's review_url (as the API gives it, by add-on id as on AMO): its version to review."""
    try:
        with _session(request) as session:
            _reviewer_visit(request, session)
            version_id = version_to_review(session, addon).id
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)
    except Refused:
        raise HTTPException(404) from None
    return RedirectResponse(f"/reviewers/review/version/{version_id}", status_code=303)


@router.get("/review/version/{version_id}")
def review_page(request: Request, version_id: str):
    return _review_page(request, version_id)


@router.post("/review/version/{version_id}")
def decide(request: Request, version_id: str, fields: Fields = Depends(CheckedForm(_reshow_review))):
    """Approves or rejects the version through submissions.review; a refusal (own add-on, decided
    already, a rejection without notes) is the page again, saying why, with the notes kept."""
    decision, notes = fields.get("decision"), fields.get("notes", "")
    if decision not in DECISIONS:
        return _review_page(request, version_id, 400, notes, "Choose to approve or to reject.")
    try:
        with _session(request) as session:
            reviewer = _reviewer_visit(request, session).user
            version = _version_of(session, version_id)
            if not is_awaiting_review(version):
                raise Refused(CONFLICT, f"Version {version.version} has already been reviewed.")
            (approve if decision == "approve" else reject)(session, version, reviewer, notes.strip() or None)
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)
    except Refused as refusal:
        if refusal.reason == NOT_FOUND:
            raise HTTPException(404) from None
        status_code = {FORBIDDEN: 403, CONFLICT: 409}.get(refusal.reason, 400)
        return _review_page(request, version_id, status_code, notes, refusal.message)
    return RedirectResponse(f"/reviewers/review/version/{version_id}?decided={decision}", status_code=303)


def _admin_page(request: Request, addon_id: str, status_code: int = 200, reason: str = "",
                error: str | None = None) -> Response:
    """The add-on's status and each of its versions' files, with a form to disable or enable each."""
    try:
        with _session(request) as session:
            visit = admin_visit(request, session)
            addon = _addon_of(session, addon_id)
            disabled = administration.disabled_versions(session, addon)
            versions = [{"version": version, "disabled": version.id in disabled,
                         "statuses": ", ".join(sorted({file.status for file in version.files})) or "-"}
                        for version in sorted(addon.versions, key=lambda v: v.id, reverse=True)
                        if not version.is_deleted]
            page = render(visit, "reviewer/admin.html", addon=addon, addon_name=addon.default_name, versions=versions,
                          reason=reason, error=error, history=entries(session, LogFilter(addon=addon)),
                          changed=_choice(request.query_params.get("changed"), ("disable", "enable")))
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)
    return page_response(page, visit.languages, status_code)


def _addon_of(session: Session, addon_id: str) -> Addon:
    addon = session.get(Addon, row_id(addon_id)) if row_id(addon_id) is not None else None
    if addon is None or addon.is_deleted:
        raise HTTPException(404)
    return addon


def _reshow_admin(request: Request, fields: Fields, message: str) -> Response:
    return _admin_page(request, request.path_params["addon_id"], 403, fields.get("reason", ""), message)


@router.get("/addon/{addon_id}/admin")
def admin_page(request: Request, addon_id: str):
    return _admin_page(request, addon_id)


@router.post("/addon/{addon_id}/admin")
def admin_change(request: Request, addon_id: str, fields: Fields = Depends(CheckedForm(_reshow_admin))):
    """Disables or enables the add-on (target "addon") or one of its versions (target its id);
    a refusal (no reason, nothing to enable...) is the page again, saying why, the reason kept."""
    change, target, reason = fields.get("change"), fields.get("target", ""), fields.get("reason", "")
    kind = "addon" if target == "addon" else "version"
    act = ADMIN_CHANGES.get((change, kind))
    try:
        with _session(request) as session:
            admin = admin_visit(request, session).user
            addon = _addon_of(session, addon_id)
            subject = addon if kind == "addon" else next(
                (version for version in addon.versions if version.id == row_id(target) and not version.is_deleted), None)
            if act is None or subject is None:
                raise Refused(INVALID, "Choose the add-on or one of its versions, and to disable or enable it.")
            act(session, subject, admin, reason)
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)
    except Refused as refusal:
        status_code = {FORBIDDEN: 403, CONFLICT: 409}.get(refusal.reason, 400)
        return _admin_page(request, addon_id, status_code, reason, refusal.message)
    return RedirectResponse(f"/reviewers/addon/{addon_id}/admin?changed={change}", status_code=303)


@router.get("/review/version/{version_id}/source")
def review_source(request: Request, version_id: str):
    """The source the developer uploaded with the version, as a download (never shown inline)."""
    try:
        with _session(request) as session:
            _reviewer_visit(request, session)
            version = _version_of(session, version_id)
            response = source_response(request.app.state.store, version.addon, version)
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)
    if response is None:
        raise HTTPException(404)
    return response


# The package's files ------------------------------------------------------------------------------
# What a package holds is shown as text on the store's pages, never served as itself: these pages
# run no script at all (the store's own neither), load nothing but the store's stylesheet, and
# cannot be framed, so that markup in a package that escaped its escaping would still do nothing.
PACKAGE_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'none'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def _package_key(version) -> str | None:
    return next((file.storage_key for file in version.files if file.storage_key), None)


def _package_page(request: Request, version_id: str, template: str, read) -> Response:
    """A page about the version's package: `read(version, path of its package)` gives the
    template's context, or None for a 404 (no such file in it)."""
    store = request.app.state.store
    try:
        with _session(request) as session:
            visit = _reviewer_visit(request, session)
            version = _version_of(session, version_id)
            key = _package_key(version)
            if key is None or not store.blobs.exists(key):
                raise HTTPException(404)
            with store.blobs.local_file(key) as path:
                context = read(session, version, path)
            if context is None:
                raise HTTPException(404)
            page = render(visit, template, version=version, addon_name=version.addon.default_name, **context)
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)
    except ArchiveError as error:
        return message_page(request, 422, "This package cannot be read", error.message)
    return page_response(page, visit.languages, 200, PACKAGE_PAGE_HEADERS)


@router.get("/review/version/{version_id}/files")
def package_files_page(request: Request, version_id: str, path: str | None = None):
    """The package's files, and with `path` one of them as escaped text with numbered lines."""
    def read(_session, _version, package):
        files = package_files(package)
        if path is None:
            return {"files": files, "shown": None}
        shown = file_text(package, path) if len(path) <= 1024 else None
        return {"files": files, "shown": shown} if shown is not None else None
    return _package_page(request, version_id, "reviewer/files.html", read)


@router.get("/review/version/{version_id}/compare")
def compare_page(request: Request, version_id: str):
    """What changed since the previously approved version: files added, removed and changed, and
    the changed lines of each text file."""
    store = request.app.state.store

    def read(session, version, package):
        previous = previously_approved(session, version)
        previous_key = _package_key(previous) if previous is not None else None
        if previous_key is None or not store.blobs.exists(previous_key):
            return {"previous": None, "changes": []}
        with store.blobs.local_file(previous_key) as previous_package:
            changes = compare(previous_package, package, ignored=is_signature_file)
        return {"previous": previous, "changes": [change for change in changes if change.status != UNCHANGED],
                "unchanged": sum(change.status == UNCHANGED for change in changes)}
    return _package_page(request, version_id, "reviewer/compare.html", read)


@router.get("/log")
def activity_log(request: Request, addon: str = "", action: str = ""):
    """The store's activity log, newest first; an add-on the store does not know is said so (400)."""
    action = _choice(action, ACTIONS)
    try:
        with _session(request) as session:
            visit = _reviewer_visit(request, session)
            found = find_addon_by_any_id(session, addon.strip()) if addon.strip() else None
            error = (UNKNOWN_ADDON, {"addon": addon.strip()}) if addon.strip() and found is None else None
            history = [] if error else entries(session, LogFilter(addon=found, action=action, limit=LOG_SHOWN))
            page = render(visit, "reviewer/log.html", history=history, addon=addon.strip(), action=action,
                          actions=ACTIONS, error=error, filter_by_addon="/reviewers/log?addon=")
    except (LogInFirst, NotAReviewer) as refused:
        return refused_visitor(request, refused)
    return page_response(page, visit.languages, 400 if error else 200)
