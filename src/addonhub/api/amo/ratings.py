"""AMO's ratings API: /api/v4/ratings/rating/... (and v5, the same). Parameters and bodies are
read here; every rule is the domain's (addonhub.ratings.service), worded in DRF's shapes:
`{"detail": ...}` for a request, `{field: [message]}` for a field."""

import re
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.responses import Response

from addonhub.accounts.models import User
from addonhub.api.amo import params
from addonhub.api.amo.catalog import openapi_docs, query_param, request_renderer
from addonhub.api.amo.intake import REFUSAL_STATUS, count_against_throttle, store_of
from addonhub.api.amo.pagination import envelope
from addonhub.api.auth import credentials_required, current_user
from addonhub.api.openapi import AMO, OBJECT, PAGINATED, answers, json_content, request_body, returns
from addonhub.api.responses import APIError, JSONResponse
from addonhub.api.submitters import submitter
from addonhub.api.uploads import BodyLimits, UploadRejected, read_small_body
from addonhub.identifiers import row_id
from addonhub.ratings import service
from addonhub.ratings.models import Rating
from addonhub.ratings.serializers import rating_object, reply_object
from addonhub.refusals import Refused

router = APIRouter(prefix="/ratings/rating", tags=["ratings"])
# The budgets (Settings.throttle_scopes) new ratings and developers' replies count against. Only
# writes the rules accept are counted (the check runs before their transaction commits), so that
# a mistyped score does not cost a minute's wait.
RATINGS_SCOPE, REPLIES_SCOPE = "ratings", "rating_replies"
MAX_BODY = 64 * 1024
_INTEGER_TEXT = re.compile(r"^[+-]?[0-9]{1,18}$")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
_LIST = openapi_docs(
    query_param("addon", "The add-on's id, slug or guid."), query_param("user", "A user id.", "integer"),
    query_param("version", "A version id.", "integer"), query_param("score", "Scores, comma-separated."),
    query_param("exclude_ratings", "Rating ids to leave out, comma-separated."),
    query_param("filter", "with_deleted, without_empty_body, with_yours (comma-separated)."),
    query_param("show_grouped_ratings", "true: add the add-on's counts per score."),
    query_param("show_permissions_for", "The caller's user id: add can_reply."),
    query_param("show_flags_for", "The caller's user id: add their flags to each rating."), query_param("lang", "Language."),
    query_param("page", "1-based page number.", "integer"), query_param("page_size", "Results per page, 1 to 50.", "integer"),
)
_RATING_BODY = request_body({**json_content(OBJECT), "application/x-www-form-urlencoded": {"schema": OBJECT}})


def refused(refusal: Refused) -> APIError:
    """A domain refusal in DRF's shape: by field when it names one."""
    body = {refusal.field: [refusal.message]} if refusal.field else {"detail": refusal.message}
    return APIError(REFUSAL_STATUS[refusal.reason], body)


def _bad(message: str) -> APIError:
    return APIError(400, {"detail": message})


def _integer(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    number = row_id(value.strip())
    if number is None:
        raise _bad(f"{name} parameter should be an integer.")
    return number


def _integers(value: str | None, name: str) -> tuple[int, ...]:
    numbers = tuple(row_id(item) for item in params.comma_list(value))
    if None in numbers:
        raise _bad(f"{name} parameter should be an integer or a list of integers (separated by a comma).")
    return numbers


def _boolean(value: str, name: str) -> bool:
    if value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise _bad(f"{name} parameter should be a boolean")


def _flags_wanted(request: Request, caller: User | None) -> bool:
    """Whether to add the caller's flags to each rating (`show_flags_for`, which must name the
    caller, checked even when there is no rating to show)."""
    if "show_flags_for" not in request.query_params:
        return False
    if caller is None or row_id(request.query_params["show_flags_for"].strip()) != caller.id:
        raise _bad("show_flags_for parameter value should be equal to the user id of the authenticated user")
    return True


def _with_flags(session: Session, caller: User, ratings: list[Rating], bodies: list[dict]) -> list[dict]:
    flags = service.flags_by(session, caller, [rating.id for rating in ratings])
    return [{**body, "flags": flags[rating.id]} for rating, body in zip(ratings, bodies)]


def _render(request: Request, rating: Rating, body: dict):
    return request_renderer(request).render(body, rating.addon.default_locale)


def _caller(request: Request, session: Session) -> User:
    user = current_user(request, session)
    if user is None:
        raise credentials_required()
    return user


def _rating(session: Session, rating_id: str, user: User | None) -> Rating:
    try:
        return service.find_rating(session, row_id(rating_id), user)
    except Refused as refusal:
        raise refused(refusal) from None


@router.get("", openapi_extra=_LIST, responses=answers(returns(PAGINATED), AMO, 400, 401, 404))
def list_ratings(request: Request):
    query_params = request.query_params
    page, page_size = params.page_params(query_params.get("page"), query_params.get("page_size"))
    with store_of(request).db.session() as session:
        caller = current_user(request, session)
        addon = None
        if query_params.get("addon"):
            try:
                addon = service.ratable_addon(session, query_params["addon"])
            except Refused as refusal:
                raise refused(refusal) from None
        query = service.RatingQuery(
            addon=addon, user_id=_integer(query_params.get("user"), "user"),
            version_id=_integer(query_params.get("version"), "version"),
            scores=_integers(query_params.get("score"), "score"),
            exclude_ids=_integers(query_params.get("exclude_ratings"), "exclude_ratings"),
            filters=frozenset(params.comma_list(query_params.get("filter"))) & frozenset(service.LIST_FILTERS),
        )
        if addon is None and query.user_id is None:
            raise _bad("Need an addon or user parameter")
        if addon is not None and query.user_id is not None and query.version_id is not None:
            page_size = 1  # a user's rating of one version: one or none, as AMO answers it
        extra = _list_extras(session, request, addon, caller)
        flags_wanted = _flags_wanted(request, caller)
        total, ratings = service.list_ratings(session, query, caller, (page - 1) * page_size, page_size)
        show_deleted = "with_deleted" in query.filters and caller is not None and caller.is_admin
        results = [_render(request, rating, rating_object(rating, show_deleted)) for rating in ratings]
        if flags_wanted:
            results = _with_flags(session, caller, ratings, results)
        body = envelope(request, request_renderer(request).base_url, page, page_size, total, results)
    return JSONResponse({**body, **extra})


def _list_extras(session: Session, request: Request, addon, caller: User | None) -> dict:
    """grouped_ratings and can_reply, when asked for (and only about an add-on)."""
    query_params, extra = request.query_params, {}
    if "show_grouped_ratings" in query_params:
        if _boolean(query_params["show_grouped_ratings"], "show_grouped_ratings") and addon is not None:
            extra["grouped_ratings"] = service.grouped_ratings(session, addon)
    if "show_permissions_for" in query_params:
        if addon is None:
            raise _bad("show_permissions_for parameter is only valid if the addon parameter is also present")
        if caller is None or row_id(query_params["show_permissions_for"].strip()) != caller.id:
            raise _bad("show_permissions_for parameter value should be equal to the user id of the "
                       "authenticated user")
        extra["can_reply"] = service.may_reply(addon, caller)
    return extra


@router.get("/{rating_id}", openapi_extra=openapi_docs(
    query_param("show_flags_for", "The caller's user id: add their flags."), query_param("lang", "Language.")),
            responses=answers(returns(OBJECT), AMO, 400, 401, 404))
def rating_detail(request: Request, rating_id: str):
    with store_of(request).db.session() as session:
        user = current_user(request, session)
        flags_wanted = _flags_wanted(request, user)
        rating = _rating(session, rating_id, user)
        body = _render(request, rating, rating_object(rating, show_deleted_reply=bool(user and user.is_admin)))
        if flags_wanted:
            [body] = _with_flags(session, user, [rating], [body])
        return JSONResponse(body)


async def json_or_form(request: Request) -> dict:
    """The request's fields, from JSON or a URL-encoded form, as DRF reads either."""
    try:
        raw = await read_small_body(request, BodyLimits.for_small_body(store_of(request).settings, MAX_BODY))
    except UploadRejected as rejected:
        raise APIError(rejected.status_code, {"detail": rejected.message}) from None
    if request.headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded"):
        try:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise _bad("The form is not UTF-8.") from None
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise _bad(f"JSON parse error - {error}") from None
    if not isinstance(data, dict):
        raise APIError(400, {"non_field_errors": ["Invalid data. Expected a dictionary."]})
    return data


def _score_field(value) -> int:
    """An integer, or its decimal text (DRF's IntegerField); its range is the domain's rule."""
    if isinstance(value, str) and _INTEGER_TEXT.match(value.strip()):
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise APIError(400, {"score": ["A valid integer is required."]})


def _text_field(data: dict, name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise APIError(400, {name: ["Not a valid string."]})
    return value


@router.post("", status_code=201, openapi_extra=_RATING_BODY,
             responses=answers(returns(OBJECT, 201), AMO, 400, 401, 404, 408, 413, 429))
async def create_rating(request: Request):
    await run_in_threadpool(_authenticated, request)  # before reading a body from anyone
    data = await json_or_form(request)
    return await run_in_threadpool(_create, request, data)


def _authenticated(request: Request) -> None:
    with store_of(request).db.session() as session:
        _caller(request, session)


def _create(request: Request, data: dict) -> JSONResponse:
    missing = {name: ["This field is required."] for name in ("addon", "score", "version") if data.get(name) in (None, "")}
    if missing:
        raise APIError(400, missing)
    score, body = _score_field(data["score"]), _text_field(data, "body")
    version = data["version"]
    version_id = version if isinstance(version, int) and not isinstance(version, bool) else (
        row_id(version.strip()) if isinstance(version, str) else None)
    with store_of(request).db.session() as session:
        user = _caller(request, session)
        try:
            addon = service.ratable_addon(session, str(data["addon"]))
            rating = service.create_rating(session, user, addon, version_id, score, body)
        except Refused as refusal:
            raise refused(refusal) from None
        count_against_throttle(request, submitter(request, user), RATINGS_SCOPE)
        answer = _render(request, rating, rating_object(rating))
    return JSONResponse(answer, status_code=201)


@router.patch("/{rating_id}", openapi_extra=_RATING_BODY, responses=answers(returns(OBJECT), AMO, 400, 401, 403, 404, 413))
async def edit_rating(request: Request, rating_id: str):
    data = await json_or_form(request)
    return await run_in_threadpool(_edit, request, rating_id, data)


def _edit(request: Request, rating_id: str, data: dict) -> JSONResponse:
    with store_of(request).db.session() as session:
        user = _caller(request, session)
        rating = _rating(session, rating_id, user)
        if data.get("addon") not in (None, ""):
            raise APIError(400, {"addon": ["You can't change the add-on of a review once it has been created."]})
        if data.get("version") not in (None, ""):
            raise APIError(400, {"version": ["You can't change the version of the add-on reviewed once the "
                                             "review has been created."]})
        changes = service.RatingChanges(
            score=_score_field(data["score"]) if data.get("score") is not None else None,
            body=_text_field(data, "body"), changes_body="body" in data,
        )
        try:
            service.edit_rating(session, user, rating, changes)
        except Refused as refusal:
            raise refused(refusal) from None
        return JSONResponse(_render(request, rating, rating_object(rating)))


@router.delete("/{rating_id}", status_code=204, responses=answers({204: {"description": "Deleted."}}, AMO, 401, 403, 404))
def delete_rating(request: Request, rating_id: str):
    with store_of(request).db.session() as session:
        user = _caller(request, session)
        rating = _rating(session, rating_id, user)
        try:
            service.delete_rating(session, user, rating)
        except Refused as refusal:
            raise refused(refusal) from None
    return Response(status_code=204)


@router.post("/{rating_id}/reply", openapi_extra=request_body(json_content(OBJECT)),
             responses=answers(returns(OBJECT, 200, 201), AMO, 400, 401, 403, 404, 413, 429))
async def reply(request: Request, rating_id: str):
    await run_in_threadpool(_authenticated, request)
    data = await json_or_form(request)
    return await run_in_threadpool(_reply, request, rating_id, data)


def _reply(request: Request, rating_id: str, data: dict) -> JSONResponse:
    with store_of(request).db.session() as session:
        user = _caller(request, session)
        rating = _rating(session, rating_id, user)
        try:
            answer, created = service.reply(session, user, rating, _text_field(data, "body"))
        except Refused as refusal:
            raise refused(refusal) from None
        count_against_throttle(request, submitter(request, user), REPLIES_SCOPE)
        return JSONResponse(_render(request, answer, reply_object(answer)), status_code=201 if created else 200)


@router.post("/{rating_id}/flag", status_code=202, openapi_extra=request_body(json_content(OBJECT)),
             responses=answers(returns(OBJECT, 202), AMO, 400, 401, 403, 404, 413))
async def flag(request: Request, rating_id: str):
    data = await json_or_form(request)
    return await run_in_threadpool(_flag, request, rating_id, data)


def _flag(request: Request, rating_id: str, data: dict) -> JSONResponse:
    with store_of(request).db.session() as session:
        user = _caller(request, session)
        rating = _rating(session, rating_id, user)
        try:
            message = service.flag(session, user, rating, _text_field(data, "flag"), _text_field(data, "note"))
        except Refused as refusal:
            raise refused(refusal) from None
    return JSONResponse({"msg": message}, status_code=202)
