"""The storefront's part of `make bench` (bench/pages.py, bench/report.py): which pages it asks
for, how it weighs a first visit, and how it judges the aims. A benchmark that weighed the wrong
bytes, or compared pages with the wrong baseline, would pass a page that misses its aims."""

import gzip
import random
import sys
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from addonhub.api.app import create_app
from tests.live_server import uvicorn_in_thread

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
import pages  # noqa: E402
import report  # noqa: E402

STATIC = Path(__file__).resolve().parents[2] / "src" / "addonhub" / "static"
CSS = b"body { color: #222; }\n" * 200
JS = b"document.documentElement.className = 'js';\n" * 100
PAGE = (b'<!doctype html><html><head><link rel="stylesheet" href="/a.css"><link rel="icon" href="/i.svg">'
        b'<script src="/a.js" defer></script><link rel="stylesheet" href="/a.css"></head><body>'
        + b"<p>text</p>" * 300 + b"</body></html>")


def serve(app):
    """The app on 127.0.0.1 by uvicorn in a thread; yields its base URL."""
    with uvicorn_in_thread(app) as port:
        yield f"http://127.0.0.1:{port}"


def small_site(middleware=()):
    return Starlette(routes=[
        Route("/", lambda request: HTMLResponse(PAGE)),
        Route("/a.css", lambda request: Response(CSS, media_type="text/css")),
        Route("/a.js", lambda request: Response(JS, media_type="text/javascript")),
    ], middleware=list(middleware))


@pytest.fixture
def plain_site():
    yield from serve(small_site())


@pytest.fixture
def gzip_site():
    yield from serve(small_site([Middleware(GZipMiddleware, minimum_size=100)]))


def test_a_first_visit_is_the_html_and_each_stylesheet_and_script_once(plain_site):
    weight = pages.page_weight(plain_site, "/")
    assert (weight["html_bytes"], weight["css_bytes"], weight["js_bytes"]) == (len(PAGE), len(CSS), len(JS))
    assert weight["total_bytes"] == len(PAGE) + len(CSS) + len(JS)  # not the icon, not the CSS twice
    assert [resource["path"] for resource in weight["resources"]] == ["/", "/a.css", "/a.js"]
    assert not weight["store_compresses"]
    assert weight["total_bytes_accepting_gzip"] == weight["total_bytes"]
    assert weight["total_gzip6_bytes"] == sum(len(gzip.compress(body, compresslevel=6, mtime=0)) for body in (PAGE, CSS, JS))


def test_a_compressing_server_is_weighed_as_it_sends(gzip_site):
    weight = pages.page_weight(gzip_site, "/")
    assert weight["store_compresses"]
    assert weight["total_bytes"] == len(PAGE) + len(CSS) + len(JS)
    assert weight["total_bytes_accepting_gzip"] < weight["total_bytes"] / 5


def test_the_stores_own_pages_reference_its_stylesheet_and_script(store):
    for base_url in serve(create_app(store)):
        weight = pages.page_weight(base_url, "/")
    assert weight["css_bytes"] == (STATIC / "storefront.css").stat().st_size
    assert weight["js_bytes"] == (STATIC / "storefront.js").stat().st_size
    assert weight["html_bytes"] > 1_000


def test_a_page_that_is_not_html_or_not_found_is_not_weighed(plain_site):
    with pytest.raises(RuntimeError, match="not an HTML page"):
        pages.page_weight(plain_site, "/a.css")
    with pytest.raises(RuntimeError, match="answered 404"):
        pages.page_weight(plain_site, "/nowhere")


def test_assets_from_outside_the_store_are_refused():
    assert pages.asset_references('<link rel="preload stylesheet" href="/s.css"><script>inline()</script>') == ["/s.css"]
    for html in ('<script src="https://cdn.example/x.js"></script>', '<link rel="stylesheet" href="//cdn.example/x.css">'):
        with pytest.raises(ValueError, match="outside the store"):
            pages.asset_references(html)


@pytest.mark.parametrize("content_type, body, expected", [
    ("text/html; charset=utf-8", b"<!DOCTYPE html><html></html>", True),
    ("text/html; charset=utf-8", b"\n<!doctype html>", True),
    ("application/json", b"<!doctype html>", False),
    ("text/html", b'{"detail": "Not found."}', False),
])
def test_probes_tell_html_pages_from_anything_else(content_type, body, expected):
    assert pages.is_html_page(content_type, body) is expected


def test_search_pages_keep_the_forms_parameters_only():
    queries = [("word", {"q": "tab", "page_size": "50"}), ("word", {"q": "tab"}),
               ("listing", {"appversion": "115.0", "type": "extension", "sort": "users"}), ("all", {})]
    assert pages.search_page_paths(queries) == [
        ("word", "/search/?q=tab"), ("listing", "/search/?type=extension&sort=users"), ("all", "/search/")]


def test_addon_pages_are_drawn_deterministically_by_slug():
    listed = [(index, f"slug-{index}") for index in range(50)] + [(99, "café tab")]
    first = pages.addon_page_paths(random.Random(7), listed, 20)
    assert first == pages.addon_page_paths(random.Random(7), listed, 20)
    assert len(set(first)) == 20 and all(path.startswith("/addon/") and path.endswith("/") for _, path in first)
    assert ("by slug", "/addon/caf%C3%A9%20tab/") in pages.addon_page_paths(random.Random(7), listed, 51)


def test_the_median_and_largest_html_pages_are_weighed():
    rows = [{"path": f"/p{size}", "bytes": size, "html": True} for size in (30, 10, 20, 40)]
    rows.append({"path": "/broken", "bytes": 10_000, "html": False})
    assert pages.weighed_paths(rows) == ["/p30", "/p40"]
    assert pages.weighed_paths(rows[:1]) == ["/p30"]
    assert pages.weighed_paths([]) == []


def result(requests_per_second, p99_ms=5.0):
    """A wrk run's figures as loadgen reports them."""
    return {"requests_per_second": requests_per_second, "p50_ms": 1.0, "p90_ms": 2.0, "p99_ms": p99_ms, "max_ms": 9.0,
            "non_2xx": 0, "socket_errors": {}, "cpu_cores": {"server": 1.0, "wrk": 0.2, "other": 0.0}}


def test_pages_are_judged_against_the_starlette_baseline_and_the_api_against_fastapis():
    results = {"bare (first)": result(4_000), "bare starlette (first)": result(12_000),
               "addon-page": result(3_000, 40.0), "home": result(500, 60.0), "detail": result(2_000),
               "bare starlette (last)": result(12_000), "bare (last)": result(4_000)}
    weights = {"home": [{"path": "/", "total_bytes": 20_000}, {"path": "/?lang=de", "total_bytes": 100_000}]}
    summary = report.summarise(results, ["home", "addon-page"], weights)
    assert results["addon-page"]["ratio_to_bare"] == 0.25 and results["addon-page"]["baseline"] == "bare starlette"
    assert results["detail"]["ratio_to_bare"] == 0.5 and results["detail"]["baseline"] == "bare"
    aims = summary["aims"]
    assert aims["addon-page_at_least_quarter_of_bare"]["pass"]
    assert aims["addon-page_p99_under_50ms"]["pass"] and not aims["home_p99_under_50ms"]["pass"]
    assert aims["detail_at_least_half_of_bare"]["pass"]
    assert aims["home_weight_under_100KB"] == {
        "label": "home first visit (HTML + CSS + JS)", "value_bytes": 100_000, "path": "/?lang=de",
        "aim_bytes": 100_000, "pass": False}
    assert summary["starlette_baseline_requests_per_second"] == 12_000
    assert report.aim_line("x", aims["addon-page_at_least_quarter_of_bare"]) == (
        "- x at least 0.25 × bare starlette: **PASS** (0.250 × bare starlette)")
    assert "100,000 bytes" in report.aim_line("x", aims["home_weight_under_100KB"])


def test_without_pages_the_report_keeps_one_baseline():
    results = {"bare (first)": result(4_000), "detail": result(1_000), "bare (last)": result(4_000)}
    summary = report.summarise(results)
    assert summary["starlette_baseline_requests_per_second"] is None
    assert set(summary["aims"]) == {"detail_at_least_half_of_bare"}
    assert "(bare)" not in "\n".join(report.results_table(results))


def test_searches_are_judged_against_the_starlette_baseline_with_and_without_the_cache():
    results = {"bare (first)": result(4_000), "bare starlette (first)": result(20_000),
               "search": result(3_000, 8.0), "search (uncached)": result(100, 400.0),
               "autocomplete": result(3_000, 12.0), "autocomplete (uncached)": result(90, 9.0),
               "bare starlette (last)": result(20_000), "bare (last)": result(4_000)}
    probes = [{"endpoint": "search (uncached)", "kind": "typo", "max_ms": 6.0, "slowest": "/api/v4/addons/search/?q=tabb"},
              {"endpoint": "search (uncached)", "kind": "filtered", "max_ms": 35.5,
               "slowest": "/api/v4/addons/search/?q=tab&app=firefox"},
              {"endpoint": "search", "kind": "filtered", "max_ms": 0.5, "slowest": "/api/v4/addons/search/?q=tab"}]
    aims = report.summarise(results, probes=probes)["aims"]
    assert results["search"]["baseline"] == results["search (uncached)"]["baseline"] == "bare starlette"
    assert [aims[name]["pass"] for name in ("search p99", "search throughput", "search (uncached) p99",
                                            "search (uncached) throughput")] == [True, True, False, False]
    assert not aims["autocomplete p99"]["pass"] and aims["autocomplete (uncached) p99"]["pass"]
    assert report.aim_line("x", aims["single search"]) == "- x under 20 ms: **FAIL** (`q=tab&app=firefox` 35.5 ms)"
