"""Query parameters of the AMO catalogue endpoints: parsing and the 400 answers for bad ones."""

from addonhub.api.responses import APIError, field_error
from addonhub.catalog import appversions
from addonhub.catalog.constants import (
    ADDON_TYPES, APPLICATIONS, BADGED, CATEGORIES, PLATFORMS, PROMOTED_GROUPS, TYPE_ALIASES,
)
from addonhub.catalog.listing_search import DEFAULT_SORTS, SORT_NAMES, SearchQuery
from addonhub.identifiers import row_id

MAX_QUERY_LENGTH = 100
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 50


def comma_list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def invalid(field: str) -> APIError:
    return field_error(field, f'Invalid "{field}" parameter.')


def app_param(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in APPLICATIONS:
        raise invalid("app")
    return value


def types_param(value: str | None, allowed=ADDON_TYPES) -> list[str]:
    types = [TYPE_ALIASES.get(t, t) for t in comma_list(value)]
    if any(t not in allowed for t in types):
        raise invalid("type")
    return types


def appversion_param(value: str | None, app: str | None) -> int | None:
    if value is None:
        return None
    if app is None:
        raise field_error("appversion", 'Invalid "appversion" parameter: it needs the "app" parameter.')
    if not appversions.is_valid(value) or "*" in value:
        raise invalid("appversion")
    return appversions.version_int(value)


def category_param(value: str | None, app: str | None, types: list[str]) -> str | None:
    # Without app and type the category is ignored, as the spec says.
    if value is None or app is None or not types:
        return None
    if not any(value in CATEGORIES[t] for t in types):
        raise invalid("category")
    return value


def sort_param(value: str | None, q: str | None, narrowed: bool) -> list[str]:
    """`narrowed`: the search asks for featured or promoted add-ons, the few a random order is
    offered for (AMO's rule, which keeps the shuffle small)."""
    sorts = comma_list(value)
    if any(name not in SORT_NAMES for name in sorts):
        raise invalid("sort")
    if "random" in sorts:
        if len(sorts) > 1:
            raise field_error("sort", 'The "random" "sort" parameter can not be combined.')
        if q is not None or not narrowed:
            raise field_error("sort", 'The "sort" parameter "random" can only be specified when the "featured" or '
                                      '"promoted" parameter is also present, and the "q" parameter absent.')
    return sorts


def promoted_param(value: str | None) -> list[str]:
    """Group names, any of which will do; "badged" stands for every badged group."""
    groups = []
    for name in comma_list(value):
        if name == BADGED:
            groups += [group.name for group in PROMOTED_GROUPS.values() if group.badged]
        elif name in PROMOTED_GROUPS:
            groups.append(name)
        else:
            raise invalid("promoted")
    return list(dict.fromkeys(groups))


def query_param(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_QUERY_LENGTH:
        raise field_error("q", "Maximum query length exceeded.")
    return value


def featured_param(value: str | None) -> bool:
    if value is None:
        return False
    if value.lower() != "true":
        raise field_error("featured", 'Invalid "featured" parameter: only "true" is supported.')
    return True


def platform_param(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in PLATFORMS:
        raise invalid("platform")
    return value


def page_params(page: str | None, page_size: str | None) -> tuple[int, int]:
    """(page, page_size); page_size outside 1..50 is a 400, a page that is not a positive number a 404."""
    size = DEFAULT_PAGE_SIZE
    if page_size is not None:
        size = row_id(page_size.strip())
        if size is None or not 1 <= size <= MAX_PAGE_SIZE:
            raise field_error("page_size", f"Ensure this value is an integer between 1 and {MAX_PAGE_SIZE}.")
    number = 1
    if page is not None:
        number = row_id(page.strip())
        if number is None or number < 1:
            raise APIError(404, {"detail": "Invalid page."})
    return number, size


def search_query(params, autocomplete: bool = False, default_sorts: tuple[str, ...] = DEFAULT_SORTS) -> SearchQuery:
    q = query_param(params.get("q"))
    app = app_param(params.get("app"))
    types = types_param(params.get("type"))
    featured = False if autocomplete else featured_param(params.get("featured"))
    promoted = [] if autocomplete else promoted_param(params.get("promoted"))
    return SearchQuery(
        q=q,
        app=app,
        appversion_int=appversion_param(params.get("appversion"), app),
        types=types,
        category=category_param(params.get("category"), app, types),
        tags=comma_list(params.get("tag")),
        authors=comma_list(params.get("author")),
        guids=[] if autocomplete else comma_list(params.get("guid")),
        exclude=[] if autocomplete else comma_list(params.get("exclude_addons")),
        platform=platform_param(params.get("platform")),
        featured=featured,
        promoted=promoted,
        lang=params.get("lang"),
        sorts=sort_param(params.get("sort"), q, featured or bool(promoted)),
        default_sorts=default_sorts,
    )
