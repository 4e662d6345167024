"""The storefront's pages: home, search, category, add-on, versions, author, language tools.

Each page reads what the AMO API reads (the read model's stored documents, found by
catalog.listing_search or catalog.service) and renders them with the API's Renderer, with links
kept on the store's paths (base URL ""), outgoing links always wrapped and translations picked in
the visitor's language; so a page can never show what the API would not, nor differently.
What anonymous visitors see is kept by web.page_cache, in front of these routes."""

from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse

from addonhub.api.amo import params
from addonhub.api.amo.rendering import Renderer, render_document
from addonhub.api.responses import APIError
from addonhub.api.urls import base_url
from addonhub.catalog import listing_search, service
from addonhub.catalog.constants import APPLICATIONS, CATEGORIES, PROMOTED_GROUPS
from addonhub.catalog.listing_search import SearchQuery
from addonhub.catalog.serializers import version_object
from addonhub.catalog.service import Access
from addonhub.distribution.policies import CHROMIUM, FIREFOX, PolicyRequest, chromium_policy, firefox_policy
from addonhub.refusals import Refused
from addonhub.web.languages import Languages, is_locale_tag
from addonhub.web.page_rendering import Visit, page_response, page_visit, pagination, render
from addonhub.web.reviews import addon_reviews
from addonhub.web.wording import (
    N_, BADGE_NAMES, BROWSABLE_TYPES, CATEGORY_NAMES, PATH_OF_TYPE, SORT_NAMES, TYPE_NAME, TYPE_NAMES, TYPE_PATHS, permission_lines,
)

router = APIRouter(include_in_schema=False)
SHELF_SIZE = 6
RESULTS_PER_PAGE = 20
# Only the store's own images are shown: a page must load nothing from elsewhere.
DEFAULT_ICON = "/static/img/addon-icon.svg"


def _renderer(request: Request, languages: Languages) -> Renderer:
    # Base URL "": the store's links stay paths, so rendered pages do not depend on the host.
    return Renderer(base_url="", secret_key=request.app.state.store.secret_key, lang=languages.content,
                    wrap_outgoing_links=True)


def _html(visit: Visit, template: str, status_code: int = 200, **context) -> HTMLResponse:
    return page_response(render(visit, template, **context), visit.languages, status_code)


def not_found_page(request: Request) -> HTMLResponse | RedirectResponse:
    """The store's 404 page (the app's handler answers page paths with it), or for AMO's paths
    the store's page they name."""
    return amo_page_redirect(request.url.path) or _html(page_visit(request), "404.html", status_code=404)


def _session(request: Request) -> Session:
    return request.app.state.store.db.session()


def _addons(session: Session, renderer: Renderer, ids: list[int]) -> list[dict]:
    """Listing cards: the documents of these add-ons rendered as the API's search results are."""
    return [card(orjson.loads(render_document(renderer, body, listing=True))) for body in service.documents(session, ids)]


def card(addon: dict) -> dict:
    """What pages add to a rendered document: an icon the store holds, and the badge of its
    promoted group when that group is a badged one."""
    icon = addon.get("icon_url") or ""
    addon["page_icon"] = icon if icon.startswith("/") else DEFAULT_ICON
    group = (addon.get("promoted") or {}).get("category")
    addon["badge"] = BADGE_NAMES[group] if group and PROMOTED_GROUPS[group].badged else None
    return addon


def _search(session: Session, renderer: Renderer, query: SearchQuery, offset: int, limit: int) -> tuple[int, list[dict]]:
    total, ids = listing_search.search_ids(session.connection(), query, offset, limit)
    return total, _addons(session, renderer, ids)


# Home ---------------------------------------------------------------------------------------------

@router.get("/")
def home(request: Request):
    shelves = []
    with _session(request) as session:
        visit = page_visit(request, session)
        renderer = _renderer(request, visit.languages)
        for title, sort, featured, more in (
            (N_("Featured add-ons"), "random", True, None),
            (N_("Most popular"), "users", False, "users"),
            (N_("Top rated"), "rating", False, "rating"),
            (N_("Recently updated"), "updated", False, "updated"),
        ):
            query = SearchQuery(featured=featured, sorts=[sort], lang=visit.languages.content)
            _, addons = _search(session, renderer, query, 0, SHELF_SIZE)
            if addons:
                shelves.append({"title": title, "addons": addons, "more": f"/search/?sort={more}" if more else None})
        types = [
            {"type": addon_type, "name": TYPE_NAMES[addon_type], "path": f"/{PATH_OF_TYPE[addon_type]}/",
             "count": listing_search.search_ids(session.connection(), SearchQuery(types=[addon_type]), 0, 0)[0]}
            for addon_type in BROWSABLE_TYPES
        ]
    categories = [(slug, CATEGORY_NAMES[slug]) for slug in CATEGORIES["extension"]]
    return _html(visit, "home.html", shelves=shelves, types=types, categories=categories)


# Search and category pages ------------------------------------------------------------------------

def _error_messages(error: APIError) -> list[str]:
    """The API's words for a bad parameter, to show above the form that has it."""
    messages = []
    for value in error.body.values():
        messages += value if isinstance(value, list) else [str(value)]
    return messages


def _chosen_filters(query_params) -> dict[str, str]:
    """The search form's parameters as the API takes them: a field left at "Any..." is sent empty
    and means no filter; a category chosen without an application is Firefox's, as on the
    category pages (the API would ignore the category: the visitor would see it chosen, unapplied)."""
    chosen = {name: value for name, value in query_params.items() if value != ""}
    if "category" in chosen and "app" not in chosen:
        chosen["app"] = "firefox"
    return chosen


def _results_page(request: Request, template: str, query_params, **context) -> HTMLResponse:
    """A page of search results for these parameters (the search form's, or a category's), or
    the form again with what was wrong with them."""
    query_params = _chosen_filters(query_params)
    form = {name: query_params.get(name, "") for name in ("q", "app", "type", "category", "tag", "author", "sort")}
    with _session(request) as session:
        visit = page_visit(request, session)
        renderer = _renderer(request, visit.languages)
        try:
            query = params.search_query(query_params)
            page, _ = params.page_params(query_params.get("page"), None)
        except APIError as error:
            return _html(visit, template, status_code=400, form=form, errors=_error_messages(error), addons=[],
                         total=0, pages=None, **context)
        if not query.sorts:
            query.sorts = ["relevance"] if query.q else ["users"]
        query.lang = visit.languages.content
        total, addons = _search(session, renderer, query, (page - 1) * RESULTS_PER_PAGE, RESULTS_PER_PAGE)
    pages = pagination(request, page, total, RESULTS_PER_PAGE)
    return _html(visit, template, form=form, errors=[], addons=addons, total=total, pages=pages, **context)


def _form_choices(addon_type: str | None) -> dict:
    apps = [(name, application.pretty) for name, application in APPLICATIONS.items()]
    types = [(t, TYPE_NAMES[t]) for t in BROWSABLE_TYPES]
    categories = [(slug, CATEGORY_NAMES[slug]) for slug in CATEGORIES.get(addon_type or "extension", ())]
    sorts = [(name, SORT_NAMES[name]) for name in SORT_NAMES]
    return {"app_choices": apps, "type_choices": types, "category_choices": categories, "sort_choices": sorts}


@router.get("/search")
def search(request: Request):
    addon_type = request.query_params.get("type")
    return _results_page(request, "search.html", request.query_params, **_form_choices(addon_type))


def type_page(request: Request):
    """Every add-on of a type (/extensions/, /themes/...), most used first."""
    type_path = request.url.path.strip("/")
    addon_type = TYPE_PATHS[type_path]
    wanted = {**request.query_params, "type": addon_type}
    categories = [(slug, CATEGORY_NAMES[slug]) for slug in CATEGORIES[addon_type]]
    return _results_page(request, "listing.html", wanted, heading=TYPE_NAMES[addon_type],
                         type_path=type_path, categories=categories, **_form_choices(addon_type))


def category_page(request: Request, slug: str):
    """A category's add-ons for an application (Firefox unless ?app= says otherwise), as AMO's
    /<type>/category/<slug>/ pages list them."""
    type_path = request.url.path.strip("/").split("/")[0]
    addon_type = TYPE_PATHS[type_path]
    if slug not in CATEGORIES[addon_type]:
        raise HTTPException(404)
    wanted = {**request.query_params, "type": addon_type, "category": slug,
              "app": request.query_params.get("app") or "firefox"}
    categories = [(other, CATEGORY_NAMES[other]) for other in CATEGORIES[addon_type]]
    return _results_page(request, "listing.html", wanted, heading=CATEGORY_NAMES[slug],
                         type_name=TYPE_NAMES[addon_type], type_path=type_path, categories=categories,
                         **_form_choices(addon_type))


# The add-on page ----------------------------------------------------------------------------------

def _install_buttons(addon: dict) -> list[dict]:
    """The current version's files the store holds, by browser: XPIs install in Firefox, CRXs in
    the Chromium family (issue 11's packages)."""
    version = addon.get("current_version") or {}
    buttons = []
    for file in version.get("files", ()):
        url = file.get("url")
        if not url:
            continue
        if url.endswith(".xpi"):
            buttons.append({"browser": FIREFOX, "url": url, "type": "application/x-xpinstall", "size": file["size"]})
        elif url.endswith(".crx"):
            buttons.append({"browser": CHROMIUM, "url": url, "type": "application/x-chrome-extension",
                            "size": file["size"]})
    return buttons


def _wrap_license_link(renderer: Renderer, version: dict) -> dict:
    """A licence's link is another site's, which the renderer leaves as it is: like the homepage it
    goes through the outgoing wrapper (which also makes a javascript: link a harmless one)."""
    license = version.get("license")
    if license and license.get("url"):
        license["url"] = renderer.outgoing(license["url"])
    return version


def _category_links(addon: dict) -> list[dict]:
    """The add-on's categories, once each (an add-on usually has the same ones for every
    application), linked for the first application that has it."""
    if addon["type"] not in PATH_OF_TYPE:
        return []
    apps_of: dict[str, str] = {}
    for app, slugs in sorted((addon.get("categories") or {}).items(), key=lambda item: item[0] != "firefox"):
        for slug in slugs:
            apps_of.setdefault(slug, app)
    return [{"name": CATEGORY_NAMES.get(slug, slug), "url": f"/{PATH_OF_TYPE[addon['type']]}/category/{slug}/?app={app}"}
            for slug, app in apps_of.items()]


def _addon_context(renderer: Renderer, addon: dict) -> dict:
    version = _wrap_license_link(renderer, addon.get("current_version") or {})
    files = version.get("files", ())
    permissions = [p for file in files[:1] for p in file.get("permissions", ())]
    optional = [p for file in files[:1] for p in file.get("optional_permissions", ())]
    previews = [preview for preview in addon.get("previews", ())
                if (preview.get("thumbnail_url") or "").startswith("/") and (preview.get("image_url") or "").startswith("/")]
    return {
        "addon": card(addon),
        "version": version,
        "install_buttons": _install_buttons(addon),
        "permissions": permission_lines(permissions),
        "optional_permissions": permission_lines(optional),
        "previews": previews,
        "size": sum(file.get("size") or 0 for file in files[:1]),
        "type_name": TYPE_NAME.get(addon["type"]),
        "category_links": _category_links(addon),
    }


def _admin_policies(request: Request, session: Session, addon_id: int, buttons: list[dict]) -> dict[str, str]:
    """For admins: the enterprise policy that deploys this add-on, per browser it has a package for."""
    store = request.app.state.store
    wanted = PolicyRequest(base_url(request), (str(addon_id),))
    snippets = {}
    for browser in dict.fromkeys(button["browser"] for button in buttons):
        try:
            policy = (chromium_policy(session, wanted) if browser == CHROMIUM
                      else firefox_policy(session, store.blobs, store.secret_key, wanted))
        except Refused:
            continue  # no public package for that browser after all: nothing to deploy
        snippets[browser] = orjson.dumps(policy.document, option=orjson.OPT_INDENT_2).decode()
    return snippets


@router.get("/addon/{identifier}")
def addon_page(request: Request, identifier: str):
    with _session(request) as session:
        visit = page_visit(request, session)
        user = visit.user
        renderer = _renderer(request, visit.languages)
        addon = service.find_addon(session, identifier)
        if service.addon_access(addon, user) is not Access.ALLOWED:
            raise HTTPException(404)
        rendered = orjson.loads(render_document(renderer, service.document(session, addon.id)))
        context = _addon_context(renderer, rendered)
        context["reviews"] = addon_reviews(session, renderer, addon, user)
        policies = _admin_policies(request, session, addon.id, context["install_buttons"]) if user and user.is_admin else None
    return _html(visit, "addon.html", **context, policies=policies)


def _visible_addon(session: Session, visit: Visit, identifier: str):
    """The add-on, when the visitor may see it; else the 404 page (a page never tells a stranger
    that a non-public add-on exists)."""
    addon = service.find_addon(session, identifier)
    if service.addon_access(addon, visit.user) is not Access.ALLOWED:
        raise HTTPException(404)
    return addon


@router.get("/addon/{identifier}/versions")
def versions_page(request: Request, identifier: str):
    """The version history: every public listed version, newest first, with its release notes."""
    try:
        page, _ = params.page_params(request.query_params.get("page"), None)
    except APIError:
        raise HTTPException(404) from None
    with _session(request) as session:
        visit = page_visit(request, session)
        addon = _visible_addon(session, visit, identifier)
        renderer = _renderer(request, visit.languages)
        versions = service.list_versions(session, addon, None)
        pages = pagination(request, page, len(versions), RESULTS_PER_PAGE)
        shown = versions[(page - 1) * RESULTS_PER_PAGE:page * RESULTS_PER_PAGE]
        rendered = renderer.render([version_object(version) for version in shown], addon.default_locale)
        summary = card(orjson.loads(render_document(renderer, service.document(session, addon.id), listing=True)))
    for version in rendered:
        _wrap_license_link(renderer, version)
        version["install_buttons"] = _install_buttons({"current_version": version})
    return _html(visit, "versions.html", addon=summary, versions=rendered, pages=pages, total=len(versions))


_ADDON_TEXTS = {"privacy": "privacy_policy", "eula": "eula"}


@router.get("/addon/{identifier}/{document}")
def addon_text_page(request: Request, identifier: str, document: str):
    """The privacy policy or the licence agreement (EULA), in the visitor's language."""
    field = _ADDON_TEXTS.get(document)
    if field is None:
        raise HTTPException(404)
    with _session(request) as session:
        visit = page_visit(request, session)
        addon = _visible_addon(session, visit, identifier)
        renderer = _renderer(request, visit.languages)
        text = renderer.pick(getattr(addon, field) or None, addon.default_locale)
        if not text:
            raise HTTPException(404)
        summary = card(orjson.loads(render_document(renderer, service.document(session, addon.id), listing=True)))
    return _html(visit, "addon_text.html", addon=summary, document=document, text=text)


# Language tools -----------------------------------------------------------------------------------

@router.get("/language-tools")
def language_tools_page(request: Request):
    """Dictionaries and language packs by the language they serve, as AMO's page lists them."""
    app = request.query_params.get("app")
    if app not in APPLICATIONS:
        app = "firefox"
    with _session(request) as session:
        visit = page_visit(request, session)
        renderer = _renderer(request, visit.languages)
        tools = [
            {"name": renderer.pick(addon.name or None, addon.default_locale) or addon.slug, "url": f"/addon/{addon.slug}/",
             "type": addon.type, "target_locale": addon.target_locale or "",
             "disambiguation": addon.locale_disambiguation}
            for addon, _ in service.language_tools(session, app, [], None)
        ]
    tools.sort(key=lambda tool: (tool["target_locale"].lower(), tool["type"], tool["name"].lower()))
    return _html(visit, "language_tools.html", tools=tools, app=app)


# One route per type, not a /{type}/ pattern: a path no page has stays unmatched (and so the 404).
for _type_path in TYPE_PATHS:
    router.get(f"/{_type_path}")(type_page)
    router.get(f"/{_type_path}/category/{{slug}}")(category_page)


def amo_page_redirect(path: str) -> RedirectResponse | None:
    """AMO's page paths (/<lang>/<app>/addon/<slug>/, /<lang>/firefox/user/<id>/...) lead to the
    store's page of the same thing, in that language, so that links copied from AMO keep working;
    None for any other path. Asked by the 404 handler: such paths match no route of their own."""
    lang, _, rest = path.strip("/").partition("/")
    app, _, rest = rest.partition("/")
    if app not in APPLICATIONS or not is_locale_tag(lang):
        return None
    query = {"lang": lang} if app == "firefox" else {"lang": lang, "app": app}
    return RedirectResponse(f"/{rest}{'/' if rest else ''}?{urlencode(query)}", status_code=301)
