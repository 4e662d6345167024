"""Ratings and reviews on the web: the add-on page's histogram and reviews, the pages of all of an
add-on's reviews and of a person's, and the forms that write, edit, delete, reply to, remove and
flag them.

Every rule is ratings.service's, and writes count against the API's throttle scopes (a review
written here is one written through the API); these routes read forms and word the answers. A
form a rule refuses comes back with what was typed and the reason next to the field at fault; a
rating the visitor may not touch is a 403 page, one they may not see the 404 page."""

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from addonhub.accounts.models import User
from addonhub.api.amo.ratings import RATINGS_SCOPE, REPLIES_SCOPE
from addonhub.api.amo.rendering import Renderer
from addonhub.api.submitters import submitter, throttle_wait
from addonhub.catalog.models import Addon
from addonhub.catalog.service import is_author
from addonhub.identifiers import row_id
from addonhub.ratings import service
from addonhub.ratings.models import SCORES, Rating
from addonhub.ratings.serializers import rating_object
from addonhub.refusals import FORBIDDEN, INVALID, NOT_FOUND, Refused
from addonhub.web.forms import CheckedForm, Fields, Throttled
from addonhub.web.languages import translations
from addonhub.web.page_rendering import (
    Visit,
    message_page,
    page_response,
    page_visit,
    pagination,
    render,
)
from addonhub.web.sessions import signed_in_user
from addonhub.web.wording import N_

router = APIRouter(include_in_schema=False)
# The add-on page shows the newest few; the rest are a link away, a page at a time.
ON_ADDON_PAGE = 5
PER_PAGE = 20

# A message the pages show: a message id and its values, translated by the template.
Words = tuple[str, dict]

# What ratings.service answers (AMO's English) that these forms can meet, marked so that the pages
# say it in the visitor's language; anything else is quoted inside UNFORESEEN.
SERVICE_MESSAGES = frozenset((
    N_("This version of the add-on doesn't exist or isn't public."),
    N_("You can't leave a review on your own add-on."),
    N_("You can't leave more than one review for the same add-on."),
    N_("Ensure this value is greater than or equal to 1."),
    N_("Ensure this value is less than or equal to 5."),
    N_("This field is required."),
    N_("This field may not be blank."),
    N_('A short explanation must be provided when selecting "Other" as a flag reason.'),
    N_("Thanks; this rating has been flagged for reviewer approval."),
))
UNFORESEEN = N_("This was not saved: %(reason)s")
CHOOSE_SCORE = N_("Choose a rating from 1 to 5 stars.")
# The service's flag reasons, in words.
FLAG_REASON_NAMES = {
    "rating_flag_reason_spam": N_("Spam or other content that is not a review"),
    "rating_flag_reason_language": N_("Inappropriate language"),
    "rating_flag_reason_bug_support": N_("A bug report or support request, not a review"),
    "rating_flag_reason_other": N_("Something else (say what below)"),
}
# The fields of the forms here: a refusal naming another field is said above the form.
FORM_FIELDS = ("score", "body", "flag", "note")


class _LogInFirst(Exception):
    """A write by a visitor who is not signed in (or whose session has ended)."""


def _store(request: Request):
    return request.app.state.store


def _session(request: Request) -> Session:
    return _store(request).db.session()


def _renderer(request: Request, visit: Visit) -> Renderer:
    return Renderer(base_url="", secret_key=_store(request).secret_key, lang=visit.languages.content)


def _html(visit: Visit, template: str, status_code: int = 200, **context) -> Response:
    return page_response(render(visit, template, **context), visit.languages, status_code)


def _say(request: Request, status_code: int, title: str, message: str) -> Response:
    """A message page in the visitor's language."""
    gettext = translations(page_visit(request).languages.interface).gettext
    return message_page(request, status_code, gettext(title), gettext(message))


# Reading ------------------------------------------------------------------------------------------

def _review(renderer: Renderer, rating: Rating, viewer: User | None) -> dict:
    """A rating as the API renders it, with what the viewer may do with it (the service's rules)."""
    review = renderer.render(rating_object(rating), rating.addon.default_locale)
    if viewer is not None:
        own = rating.user_id == viewer.id
        review["may"] = {"edit": own, "delete": own, "remove": not own and service.may_delete(rating, viewer),
                         "reply": service.may_reply(rating.addon, viewer), "flag": not own}
        if review["reply"] is not None:
            review["reply"]["may_delete"] = service.may_delete(rating.reply, viewer)
    return review


def _histogram(grouped: dict[str, int]) -> list[dict]:
    """The bars, five stars first, each with the whole they are part of."""
    total = sum(grouped.values())
    return [{"score": score, "count": grouped[str(score)], "of": total} for score in reversed(SCORES)]


def addon_reviews(session: Session, renderer: Renderer, addon: Addon, viewer: User | None) -> dict:
    """The add-on page's ratings: the histogram, the newest reviews, the viewer's own review or
    whether they may write one."""
    total, ratings = service.list_ratings(session, service.RatingQuery(addon=addon), viewer, 0, ON_ADDON_PAGE)
    section = {"histogram": _histogram(service.grouped_ratings(session, addon)), "total": total,
               "results": [_review(renderer, rating, viewer) for rating in ratings], "own": None,
               "can_write": False, "url": f"/addon/{addon.slug}/reviews/", "slug": addon.slug}
    if viewer is not None:
        _, own = service.list_ratings(session, service.RatingQuery(addon=addon, user_id=viewer.id), viewer, 0, 1)
        section["own"] = _review(renderer, own[0], viewer) if own else None
        section["can_write"] = not own and not is_author(addon, viewer)
    return section


def user_reviews(request: Request, session: Session, visit: Visit, user_id: int, page: int) -> tuple[list[dict], dict]:
    """A person's ratings of listed add-ons, newest first, a page of them and where it stands."""
    total, ratings = service.list_ratings(session, service.RatingQuery(user_id=user_id), visit.user,
                                          (page - 1) * PER_PAGE, PER_PAGE)
    renderer = _renderer(request, visit)
    return [_review(renderer, rating, visit.user) for rating in ratings], pagination(request, page, total, PER_PAGE)


def _page_number(request: Request) -> int:
    return row_id(request.query_params.get("page") or "1") or 1


def _ratable(session: Session, identifier: str) -> Addon:
    try:
        return service.ratable_addon(session, identifier)
    except Refused:
        raise HTTPException(404) from None


def _rating_of(session: Session, addon: Addon, rating_id: str, viewer: User | None) -> Rating:
    """The rating, when it is one of this add-on's the viewer may see."""
    try:
        rating = service.find_rating(session, row_id(rating_id), viewer)
    except Refused:
        raise HTTPException(404) from None
    if rating.addon_id != addon.id:
        raise HTTPException(404)
    return rating


def _summary(renderer: Renderer, addon: Addon) -> dict:
    return {"name": renderer.pick(addon.name or None, addon.default_locale) or addon.slug,
            "url": f"/addon/{addon.slug}/", "slug": addon.slug}


@router.get("/addon/{identifier}/reviews")
def reviews_page(request: Request, identifier: str):
    """All of an add-on's reviews (the API's ratings_url), newest first, a page at a time."""
    page = _page_number(request)
    with _session(request) as session:
        visit = page_visit(request, session)
        addon = _ratable(session, identifier)
        renderer = _renderer(request, visit)
        total, ratings = service.list_ratings(session, service.RatingQuery(addon=addon), visit.user,
                                              (page - 1) * PER_PAGE, PER_PAGE)
        pages = pagination(request, page, total, PER_PAGE)
        results = [_review(renderer, rating, visit.user) for rating in ratings]
        histogram = _histogram(service.grouped_ratings(session, addon))
        summary = _summary(renderer, addon)
    return _html(visit, "reviews/list.html", addon=summary, results=results, total=total, pages=pages,
                 histogram=histogram)


# Writing ------------------------------------------------------------------------------------------

def _signed_in(request: Request, session: Session) -> User:
    user = signed_in_user(request, session)
    if user is None:
        raise _LogInFirst()
    return user


def _log_in_first(identifier: str) -> Response:
    return RedirectResponse(f"/login?next={quote(f'/addon/{identifier}/')}", status_code=303)


def _count_write(request: Request, user: User, scope: str) -> None:
    """Counts the write against its scope, as the API counts it; past the limit it is undone."""
    wait = throttle_wait(request, submitter(request, user), scope)
    if wait is not None:
        raise Throttled(wait)



def _words(refusal: Refused) -> Words:
    if refusal.message in SERVICE_MESSAGES or refusal.message == CHOOSE_SCORE:
        return refusal.message, {}
    return UNFORESEEN, {"reason": refusal.message}


Reshow = Callable[[int, dict, Words | None], Response]


def _answer_refusal(request: Request, refusal: Refused, reshow: Reshow | None) -> Response:
    """A refusal's answer: not the visitor's to change (403), not there (404), else the form
    again with the reason by its field."""
    if refusal.reason == FORBIDDEN or reshow is None:
        return _say(request, 403, N_("Not allowed"),
                    N_("This review is not yours to change: only its writer can, and moderators can remove it."))
    if refusal.reason == NOT_FOUND:
        raise HTTPException(404)
    if refusal.field in FORM_FIELDS:
        return reshow(400, {refusal.field: _words(refusal)}, None)
    return reshow(400, {}, _words(refusal))


def _score(value: str | None) -> int | None:
    """The score as a number; whether it is one of the scores is the service's rule."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 4 else None


def _review_form(request: Request, identifier: str, rating_id: str | None, status_code: int = 200,
                 fields: Fields | None = None, errors: dict | None = None, error: Words | None = None) -> Response:
    """The review form on a page of its own: to edit a review, or a new one again after a refusal,
    with what was typed."""
    with _session(request) as session:
        visit = page_visit(request, session)
        addon = _ratable(session, identifier)
        if fields is None and rating_id is not None:
            rating = _rating_of(session, addon, rating_id, visit.user)
            if not service.may_edit(rating, visit.user):
                return _answer_refusal(request, Refused(FORBIDDEN, service.NO_PERMISSION), None)
            fields = {"score": str(rating.score), "body": rating.body or ""}
        summary = _summary(_renderer(request, visit), addon)
    fields = fields or {}
    action = f"/addon/{summary['slug']}/reviews/" + (f"{rating_id}/edit" if rating_id is not None else "")
    return _html(visit, "reviews/form.html", status_code, addon=summary, action=action, editing=rating_id is not None,
                 score=fields.get("score", ""), body=fields.get("body", ""), errors=errors or {}, error=error)


def _reshow_review(request: Request, fields: Fields, message: str) -> Response:
    params = request.path_params
    return _review_form(request, params["identifier"], params.get("rating_id"), 403, fields, error=(message, {}))


def _act_on_rating(request: Request, identifier: str, rating_id: str | None,
                   act: Callable[[Session, User, Addon, Rating | None], Response], reshow: Reshow | None) -> Response:
    """Does `act` to one of the add-on's ratings (or to the add-on, without rating_id) as the
    signed-in visitor, in one transaction:
    a refusal is worded (the form again, or a 403 page), a write past its throttle undone."""
    try:
        with _session(request) as session:
            user = _signed_in(request, session)
            addon = _ratable(session, identifier)
            rating = _rating_of(session, addon, rating_id, user) if rating_id is not None else None
            answer = act(session, user, addon, rating)
    except _LogInFirst:
        return _log_in_first(identifier)
    except Throttled as throttled:
        return reshow(429, {}, throttled.words())
    except Refused as refusal:
        return _answer_refusal(request, refusal, reshow)
    return answer


def _save_review(request: Request, identifier: str, rating_id: str | None, fields: Fields) -> Response:
    """Writes a new review (rating_id None) or changes one (without a score, only its text), or
    shows the form again saying why not."""
    def reshow(status_code: int, errors: dict, error: Words | None) -> Response:
        return _review_form(request, identifier, rating_id, status_code, fields, errors, error)

    def act(session: Session, user: User, addon: Addon, rating: Rating | None) -> Response:
        score = _score(fields.get("score"))
        if rating is None:
            if score is None:
                raise Refused(INVALID, CHOOSE_SCORE, "score")
            version = addon.current_version
            rating = service.create_rating(session, user, addon, version.id if version else None, score,
                                           fields.get("body"))
            _count_write(request, user, RATINGS_SCOPE)
        else:
            service.edit_rating(session, user, rating, service.RatingChanges(
                score=score, body=fields.get("body"), changes_body=True))
        return RedirectResponse(f"/addon/{addon.slug}/#review-{rating.id}", status_code=303)
    return _act_on_rating(request, identifier, rating_id, act, reshow)


@router.post("/addon/{identifier}/reviews")
def write_review(request: Request, identifier: str, fields: Fields = Depends(CheckedForm(_reshow_review))):
    return _save_review(request, identifier, None, fields)


@router.get("/addon/{identifier}/reviews/{rating_id}/edit")
def edit_review_form(request: Request, identifier: str, rating_id: str):
    with _session(request) as session:
        if signed_in_user(request, session) is None:
            return _log_in_first(identifier)
    return _review_form(request, identifier, rating_id)


@router.post("/addon/{identifier}/reviews/{rating_id}/edit")
def edit_review(request: Request, identifier: str, rating_id: str,
                fields: Fields = Depends(CheckedForm(_reshow_review))):
    return _save_review(request, identifier, rating_id, fields)


@router.post("/addon/{identifier}/reviews/{rating_id}/delete")
def delete_review(request: Request, identifier: str, rating_id: str, _fields: Fields = Depends(CheckedForm())):
    """Deletes the visitor's own review or reply, or, for reviewers and admins, removes anyone's."""
    def act(session: Session, user: User, addon: Addon, rating: Rating) -> Response:
        service.delete_rating(session, user, rating)
        return RedirectResponse(f"/addon/{addon.slug}/#reviews", status_code=303)
    return _act_on_rating(request, identifier, rating_id, act, None)


# Developers' replies and flags -------------------------------------------------------------------

def _rating_form(request: Request, identifier: str, rating_id: str, template: str,
                 allowed: Callable[[Rating, User], bool], prefill: Callable[[Rating], Fields], status_code: int,
                 fields: Fields | None, errors: dict | None, error: Words | None, **context) -> Response:
    """A form about one review, shown with it: the fields as typed, else as `prefill` has them."""
    with _session(request) as session:
        visit = page_visit(request, session)
        if visit.user is None:
            return _log_in_first(identifier)
        addon = _ratable(session, identifier)
        rating = _rating_of(session, addon, rating_id, visit.user)
        if not allowed(rating, visit.user):
            return _answer_refusal(request, Refused(FORBIDDEN, service.NO_PERMISSION), None)
        renderer = _renderer(request, visit)
        review, summary = _review(renderer, rating, None), _summary(renderer, addon)
        fields = prefill(rating) if fields is None else fields
    return _html(visit, template, status_code, addon=summary, review=review, fields=fields, errors=errors or {},
                 error=error, **context)


def _may_reply(rating: Rating, user: User) -> bool:
    return not rating.is_reply and service.may_reply(rating.addon, user)


def _reply_so_far(rating: Rating) -> Fields:
    return {"body": rating.reply.body if rating.reply and not rating.reply.is_deleted else ""}


def _reply_form(request: Request, identifier: str, rating_id: str, status_code: int = 200,
                fields: Fields | None = None, errors: dict | None = None, error: Words | None = None) -> Response:
    """The reply form with the review it answers: the reply so far to edit it, or what was typed."""
    return _rating_form(request, identifier, rating_id, "reviews/reply.html", _may_reply, _reply_so_far,
                        status_code, fields, errors, error)


def _reshow_reply(request: Request, fields: Fields, message: str) -> Response:
    params = request.path_params
    return _reply_form(request, params["identifier"], params["rating_id"], 403, fields, error=(message, {}))


@router.get("/addon/{identifier}/reviews/{rating_id}/reply")
def reply_form(request: Request, identifier: str, rating_id: str):
    return _reply_form(request, identifier, rating_id)


@router.post("/addon/{identifier}/reviews/{rating_id}/reply")
def reply(request: Request, identifier: str, rating_id: str, fields: Fields = Depends(CheckedForm(_reshow_reply))):
    """The developer's reply: one per review, so replying again edits it."""
    def act(session: Session, user: User, addon: Addon, rating: Rating) -> Response:
        service.reply(session, user, rating, fields.get("body", ""))
        _count_write(request, user, REPLIES_SCOPE)
        return RedirectResponse(f"/addon/{addon.slug}/#review-{rating.id}", status_code=303)

    def reshow(status_code: int, errors: dict, error: Words | None) -> Response:
        return _reply_form(request, identifier, rating_id, status_code, fields, errors, error)
    return _act_on_rating(request, identifier, rating_id, act, reshow)


def _may_flag(rating: Rating, user: User) -> bool:
    return rating.user_id != user.id


def _flag_form(request: Request, identifier: str, rating_id: str, status_code: int = 200,
               fields: Fields | None = None, errors: dict | None = None, error: Words | None = None) -> Response:
    """Why a review needs a moderator's look: a reason, and a note for "something else"."""
    return _rating_form(request, identifier, rating_id, "reviews/flag.html", _may_flag, lambda _rating: {},
                        status_code, fields, errors, error, reasons=list(FLAG_REASON_NAMES.items()))


def _reshow_flag(request: Request, fields: Fields, message: str) -> Response:
    params = request.path_params
    return _flag_form(request, params["identifier"], params["rating_id"], 403, fields, error=(message, {}))


@router.get("/addon/{identifier}/reviews/{rating_id}/flag")
def flag_form(request: Request, identifier: str, rating_id: str):
    return _flag_form(request, identifier, rating_id)


@router.post("/addon/{identifier}/reviews/{rating_id}/flag")
def flag(request: Request, identifier: str, rating_id: str, fields: Fields = Depends(CheckedForm(_reshow_flag))):
    def act(session: Session, user: User, _addon: Addon, rating: Rating) -> Response:
        thanks = service.flag(session, user, rating, fields.get("flag") or None, fields.get("note"))
        return _say(request, 200, N_("Review reported"), thanks)

    def reshow(status_code: int, errors: dict, error: Words | None) -> Response:
        return _flag_form(request, identifier, rating_id, status_code, fields, errors, error)
    return _act_on_rating(request, identifier, rating_id, act, reshow)
