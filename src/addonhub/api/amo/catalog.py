"""The public catalogue of AMO's v3/v4 API: /api/v3/addons/... and /api/v4/addons/..."""

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from addonhub.api.amo import params
from addonhub.api.amo.pagination import envelope
from addonhub.api.amo.rendering import Renderer, render_document
from addonhub.api.openapi import AMO, OBJECT, PAGINATED, RESULTS, answers, returns
from addonhub.api.urls import base_url
from addonhub.api.auth import current_user, permission_denied
from addonhub.api.responses import APIError, JSONResponse, field_error, not_found
from addonhub.catalog import listing_search, service
from addonhub.catalog.constants import LANGUAGE_TOOL_TYPES
from addonhub.catalog.serializers import file_object, isoformat, version_object
from addonhub.catalog.service import Access

router = APIRouter(prefix="/addons", tags=["catalogue"])
AUTOCOMPLETE_SIZE = 10


def query_param(name: str, description: str, kind: str = "string") -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": kind}}


_LANG = query_param("lang", "Return translated fields as one string in this language.")
_PAGE = [query_param("page", "1-based page number.", "integer"), query_param("page_size", "Results per page, 1 to 50.", "integer")]
_FILTERS = [
    query_param("q", "Search query, at most 100 characters."),
    query_param("app", "Application: firefox, android, thunderbird, seamonkey."),
    query_param("appversion", "Application version the add-on must support; needs app."),
    query_param("author", "Author usernames or ids, comma-separated (any of them)."),
    query_param("category", "Category slug; needs app and type."),
    query_param("platform", "Platform: all, mac, linux, android, windows."),
    query_param("tag", "Tags, comma-separated (all of them)."),
    query_param("type", "Add-on types, comma-separated."),
    query_param("sort", "Sorts, comma-separated: created, downloads, hotness, name, random, rating, recommended, "
                        "relevance, updated, users. Without q the default is downloads in v3, recommended,users in v4."),
]
_SEARCH_ONLY = [
    query_param("exclude_addons", "Slugs or ids to leave out, comma-separated."),
    query_param("featured", "Only featured add-ons (true)."),
    query_param("guid", "Add-on guids, comma-separated."),
    query_param("promoted", "Promoted groups, comma-separated (any of them): badged, line, notable, recommended, "
                            "spotlight, strategic; approved for app when app is given."),
]
# v3's documentation keeps the old default order for searches without q; v4 has AMO's current one.
_V3_DEFAULT_SORTS = ("downloads",)


def openapi_docs(*parameters) -> dict:
    return {"parameters": [p for group in parameters for p in (group if isinstance(group, list) else [group])]}


def request_renderer(request: Request) -> Renderer:
    store = request.app.state.store
    return Renderer(
        base_url=base_url(request),
        secret_key=store.secret_key,
        lang=request.query_params.get("lang") or None,
        wrap_outgoing_links="wrap_outgoing_links" in request.query_params,
    )


def _session(request: Request):
    return request.app.state.store.db.session()


def _listing(renderer: Renderer, bodies: list[str]) -> list[orjson.Fragment]:
    return [orjson.Fragment(render_document(renderer, body, listing=True)) for body in bodies]


def _visible_addon(session: Session, request: Request, identifier: str):
    """The add-on and the caller, or the 404/401/403 the caller should get instead."""
    user = current_user(request, session)
    addon = service.find_addon(session, identifier)
    access = service.addon_access(addon, user)
    if access is Access.NOT_FOUND:
        raise not_found()
    if access is Access.DENIED:
        raise permission_denied(user, addon)
    return addon, user


def _default_sorts(request: Request) -> tuple[str, ...]:
    return _V3_DEFAULT_SORTS if request.url.path.startswith("/api/v3/") else listing_search.DEFAULT_SORTS


@router.get("/search", openapi_extra=openapi_docs(_FILTERS, _SEARCH_ONLY, _LANG, _PAGE),
            responses=answers(returns(PAGINATED), AMO, 400, 404))
def search_addons(request: Request):
    query = params.search_query(request.query_params, default_sorts=_default_sorts(request))
    page, page_size = params.page_params(request.query_params.get("page"), request.query_params.get("page_size"))
    renderer = request_renderer(request)
    with _session(request) as session:
        total, ids = listing_search.search_ids(session.connection(), query, (page - 1) * page_size, page_size)
        results = _listing(renderer, service.documents(session, ids))
    return JSONResponse(envelope(request, renderer.base_url, page, page_size, total, results))


@router.get("/autocomplete", openapi_extra=openapi_docs(_FILTERS, _LANG), responses=answers(returns(RESULTS), AMO, 400))
def autocomplete(request: Request):
    query = params.search_query(request.query_params, autocomplete=True, default_sorts=_default_sorts(request))
    renderer = request_renderer(request)
    with _session(request) as session:
        _, ids = listing_search.search_ids(session.connection(), query, 0, AUTOCOMPLETE_SIZE)
        addons = [orjson.loads(render_document(renderer, body)) for body in service.documents(session, ids)]
    fields = ("id", "icon_url", "name", "url", "type", "is_featured", "promoted")
    return JSONResponse({"results": [{field: addon[field] for field in fields} for addon in addons]})


@router.get("/featured", openapi_extra=openapi_docs(
    query_param("app", "Application (required)."), query_param("type", "Add-on types, comma-separated."),
    query_param("category", "Category slug; needs app and type."), _LANG,
    query_param("page_size", "How many to return, 1 to 50.", "integer"),
), responses=answers(returns(RESULTS), AMO, 400))
def featured(request: Request):
    query_params = request.query_params
    try:
        app = params.app_param(query_params.get("app"))
        types = params.types_param(query_params.get("type"))
        category = params.category_param(query_params.get("category"), app, types)
    except APIError:
        app = None
    if app is None:
        raise APIError(400, {"detail": "Invalid app, category and/or type parameter(s)."})
    _, page_size = params.page_params(None, query_params.get("page_size"))
    query = listing_search.SearchQuery(app=app, types=types, category=category, featured=True,
                                       lang=query_params.get("lang"), sorts=["random"])
    renderer = request_renderer(request)
    with _session(request) as session:
        _, ids = listing_search.search_ids(session.connection(), query, 0, page_size)
        results = _listing(renderer, service.documents(session, ids))
    return JSONResponse({"results": results})


@router.get("/addon/{identifier}", openapi_extra=openapi_docs(_LANG, query_param("wrap_outgoing_links", "Wrap links to other sites.")),
            responses=answers(returns(OBJECT), AMO, 401, 403, 404))
async def addon_detail(request: Request, identifier: str):
    renderer = request_renderer(request)
    if "authorization" not in request.headers:
        # The common case, a listed add-on read anonymously: one indexed query and usually no
        # rendering, run on the event loop because a thread hop would cost more than the query.
        with request.app.state.store.db.engine.connect() as connection:
            listed = service.listed_document(connection, identifier)
        if listed is not None:
            return JSONResponse(orjson.Fragment(render_document(renderer, listed)))
    return await run_in_threadpool(_addon_detail_for_caller, request, identifier, renderer)


def _addon_detail_for_caller(request: Request, identifier: str, renderer: Renderer) -> JSONResponse:
    with _session(request) as session:
        addon, user = _visible_addon(session, request, identifier)
        body = orjson.loads(service.document(session, addon.id))
        if service.can_manage(addon, user):
            unlisted = service.latest_unlisted_version(session, addon)
            body["latest_unlisted_version"] = version_object(unlisted) if unlisted else None
    return JSONResponse(renderer.render(body))


@router.get("/addon/{identifier}/versions", openapi_extra=openapi_docs(
    query_param("filter", "all_without_unlisted, all_with_unlisted or all_with_deleted."), _LANG, _PAGE,
), responses=answers(returns(PAGINATED), AMO, 400, 401, 403, 404))
def version_list(request: Request, identifier: str):
    version_filter = request.query_params.get("filter")
    if version_filter is not None and version_filter not in service.VERSION_FILTERS:
        raise field_error("filter", f'Invalid "filter" parameter: use one of {", ".join(service.VERSION_FILTERS)}.')
    page, page_size = params.page_params(request.query_params.get("page"), request.query_params.get("page_size"))
    renderer = request_renderer(request)
    with _session(request) as session:
        addon, user = _visible_addon(session, request, identifier)
        if service.filter_access(addon, version_filter, user) is not Access.ALLOWED:
            raise permission_denied(user)
        versions = service.list_versions(session, addon, version_filter)
        start = (page - 1) * page_size
        results = [version_object(v) for v in versions[start:start + page_size]]
    return JSONResponse(envelope(request, renderer.base_url, page, page_size, len(versions),
                                 renderer.render(results, addon.default_locale)))


@router.get("/addon/{identifier}/versions/{version_id}", openapi_extra=openapi_docs(_LANG),
            responses=answers(returns(OBJECT), AMO, 401, 403, 404))
def version_detail(request: Request, identifier: str, version_id: str):
    renderer = request_renderer(request)
    with _session(request) as session:
        addon, user = _visible_addon(session, request, identifier)
        version = service.find_version(session, addon, version_id)
        if version is None:
            raise not_found()
        access = service.version_access(addon, version, user)
        if access is Access.NOT_FOUND:
            raise not_found()
        if access is Access.DENIED:
            raise permission_denied(user)
        body = version_object(version)
    return JSONResponse(renderer.render(body, addon.default_locale))


@router.get("/addon/{identifier}/eula_policy", openapi_extra=openapi_docs(_LANG),
            responses=answers(returns(OBJECT), AMO, 401, 403, 404))
def eula_policy(request: Request, identifier: str):
    renderer = request_renderer(request)
    with _session(request) as session:
        addon, _ = _visible_addon(session, request, identifier)
        body = {"eula": addon.eula or None, "privacy_policy": addon.privacy_policy or None}
    return JSONResponse(renderer.render(body, addon.default_locale))


@router.get("/language-tools", openapi_extra=openapi_docs(
    query_param("app", "Application (required)."), query_param("type", "dictionary or language, comma-separated."),
    query_param("appversion", "Application version; needs app and type."), _LANG,
), responses=answers(returns(RESULTS), AMO, 400))
def language_tools(request: Request):
    query_params = request.query_params
    try:
        app = params.app_param(query_params.get("app"))
    except APIError:
        app = None
    if app is None:
        raise APIError(400, {"detail": "Invalid or missing app parameter."})
    types = params.types_param(query_params.get("type"), allowed=LANGUAGE_TOOL_TYPES)
    appversion = query_params.get("appversion")
    if appversion is not None and not types:
        raise field_error("type", 'The "type" parameter is required with "appversion".')
    appversion_int = params.appversion_param(appversion, app)
    renderer = request_renderer(request)
    with _session(request) as session:
        results = []
        for addon, compatible in service.language_tools(session, app, types, appversion_int):
            result = {
                "id": addon.id,
                "default_locale": addon.default_locale,
                "guid": addon.guid,
                "locale_disambiguation": addon.locale_disambiguation,
                "name": addon.name or None,
                "slug": addon.slug,
                "target_locale": addon.target_locale,
                "type": addon.type,
                "url": f"/addon/{addon.slug}/",
            }
            if compatible is not None:
                result["current_compatible_version"] = {
                    "id": compatible.id,
                    "files": [file_object(file) for file in compatible.files],
                    "reviewed": isoformat(compatible.reviewed),
                    "version": compatible.version,
                }
            results.append(renderer.render(result))
    # The list is long-lived and the same for everyone: AMO lets it be cached for a day.
    return JSONResponse({"results": results}, headers={"Cache-Control": "max-age=86400"})


@router.get("/replacement-addon", openapi_extra=openapi_docs(_PAGE), responses=answers(returns(PAGINATED), AMO, 400, 404))
def replacement_addons(request: Request):
    page, page_size = params.page_params(request.query_params.get("page"), request.query_params.get("page_size"))
    renderer = request_renderer(request)
    with _session(request) as session:
        total, results = service.replacements(session, (page - 1) * page_size, page_size)
    return JSONResponse(envelope(request, renderer.base_url, page, page_size, total, results))


@router.get("/compat-override", openapi_extra=openapi_docs(query_param("guid", "Add-on guids, comma-separated."), _PAGE),
            responses=answers(returns(PAGINATED), AMO, 400, 404))
def compat_overrides(request: Request):
    page, page_size = params.page_params(request.query_params.get("page"), request.query_params.get("page_size"))
    guids = params.comma_list(request.query_params.get("guid"))
    renderer = request_renderer(request)
    with _session(request) as session:
        total, results = service.compat_overrides(session, guids, (page - 1) * page_size, page_size)
    return JSONResponse(envelope(request, renderer.base_url, page, page_size, total, results))


@router.get("/recommendations", openapi_extra=openapi_docs(
    query_param("guid", "The add-on to find recommendations for."),
    query_param("recommended", "true for recommendations, anything else for the curated list."), _LANG,
), responses=returns(PAGINATED))
def recommendations(request: Request):
    guid = request.query_params.get("guid")
    wants_recommendations = request.query_params.get("recommended", "").lower() == "true"
    renderer = request_renderer(request)
    with _session(request) as session:
        fallback_reason = None
        if wants_recommendations:
            ids = service.recommend(session, guid)
            outcome = "recommended"
            if not ids:
                outcome, fallback_reason, ids = "recommended_fallback", "no_results", service.curated(session)
        else:
            outcome, ids = "curated", service.curated(session)
        results = _listing(renderer, service.documents(session, ids))
    return JSONResponse({
        "outcome": outcome,
        "fallback_reason": fallback_reason,
        "page_size": service.MAX_RECOMMENDATIONS,
        "page_count": 1,
        "count": len(results),
        "next": None,
        "previous": None,
        "results": results,
    })
