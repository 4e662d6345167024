"""The storefront's pages in `make bench`: which page paths each scenario requests, how a probe
tells an HTML page from anything else, and what a first visit to a page downloads (its HTML and
the stylesheets and scripts it references from the store)."""

import gzip
import http.client
import random
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

SCENARIOS = ("home", "search-page", "addon-page")
HOME_PATHS = (("English", "/"), ("German", "/?lang=de"))
SEARCH_PAGE = "/search/"
ADDON_PAGE = "/addon/{}/"
# The search form's own parameters; the API-only ones (page_size, appversion, lang) are left out.
SEARCH_PAGE_PARAMS = ("q", "app", "type", "category", "tag", "author", "sort", "page")


def search_page_paths(queries: list[tuple[str, dict]]) -> list[tuple[str, str]]:
    """(kind, path) of the search page for the API scenario's queries, with the form's parameters only."""
    paths = []
    for kind, params in queries:
        wanted = {name: value for name, value in params.items() if name in SEARCH_PAGE_PARAMS}
        paths.append((kind, SEARCH_PAGE + ("?" + urlencode(wanted) if wanted else "")))
    return list(dict.fromkeys(paths))


def addon_page_paths(rng: random.Random, listed: list[tuple[int, str]], count: int = 1_000) -> list[tuple[str, str]]:
    """The add-on pages of `count` random listed add-ons, by slug as the store links them."""
    return [("by slug", ADDON_PAGE.format(quote(slug))) for _, slug in rng.sample(listed, min(count, len(listed)))]


def is_html_page(content_type: str, body: bytes) -> bool:
    """A page a browser would render: served as text/html and an HTML document."""
    return content_type.startswith("text/html") and body.lstrip()[:15].lower() == b"<!doctype html>"


class _AssetReferences(HTMLParser):
    """The stylesheets (<link rel="stylesheet" href>) and scripts (<script src>) of a page, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").lower().split() and attributes.get("href"):
            self.urls.append(attributes["href"])
        elif tag == "script" and attributes.get("src"):
            self.urls.append(attributes["src"])


def asset_references(html: str) -> list[str]:
    """The CSS and JS a page loads, once each; a page loading one from elsewhere is an error: the
    store must work on a closed network, and what another host serves is not the store's weight."""
    parser = _AssetReferences()
    parser.feed(html)
    parser.close()
    urls = list(dict.fromkeys(parser.urls))
    outside = [url for url in urls if urlsplit(url).netloc or not url.startswith("/")]
    if outside:
        raise ValueError(f"the page loads assets from outside the store: {outside}")
    return urls


def _get(connection: http.client.HTTPConnection, path: str, accept_gzip: bool) -> tuple[int, dict, bytes]:
    headers = {"Accept-Encoding": "gzip"} if accept_gzip else {"Accept-Encoding": "identity"}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()


def _resource(connection: http.client.HTTPConnection, path: str) -> dict:
    """One resource's bytes as served, asked without and with gzip, and gzipped (level 6) for what
    compression would save when the store does not compress."""
    status, headers, body = _get(connection, path, accept_gzip=False)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    _, gzip_headers, gzip_body = _get(connection, path, accept_gzip=True)
    return {"path": path, "content_type": headers.get("content-type", ""), "bytes": len(body),
            "bytes_accepting_gzip": len(gzip_body), "content_encoding": gzip_headers.get("content-encoding"),
            "gzip6_bytes": len(gzip.compress(body, compresslevel=6, mtime=0)), "body": body}


def page_weight(base_url: str, path: str) -> dict:
    """What a first visit to `path` downloads: the HTML and every stylesheet and script it
    references from the store, in bytes as served (no cache yet), without and with gzip."""
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        page = _resource(connection, path)
        if not is_html_page(page["content_type"], page["body"]):
            raise RuntimeError(f"{path} is not an HTML page ({page['content_type']})")
        assets = [_resource(connection, url) for url in asset_references(page["body"].decode("utf-8"))]
    finally:
        connection.close()
    resources = [page, *assets]
    for resource in resources:
        del resource["body"]
    return {
        "path": path, "html_bytes": page["bytes"], "resources": resources,
        "css_bytes": sum(r["bytes"] for r in assets if r["content_type"].startswith("text/css")),
        "js_bytes": sum(r["bytes"] for r in assets if "javascript" in r["content_type"]),
        "total_bytes": sum(r["bytes"] for r in resources),
        "total_bytes_accepting_gzip": sum(r["bytes_accepting_gzip"] for r in resources),
        "store_compresses": any(r["content_encoding"] == "gzip" for r in resources),
        "total_gzip6_bytes": sum(r["gzip6_bytes"] for r in resources),
    }


def weighed_paths(rows: list[dict]) -> list[str]:
    """Which of a page scenario's probed paths to weigh: its median-sized and its largest HTML
    (a first visit to the heaviest page is the one the aim is about)."""
    html = sorted((row for row in rows if row.get("html")), key=lambda row: row["bytes"])
    if not html:
        return []
    return list(dict.fromkeys([html[len(html) // 2]["path"], html[-1]["path"]]))
