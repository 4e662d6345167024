"""bench/REPORT.md and bench/report.json from one run's measurements."""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

# Issue 13's aims for searches, at 16 connections: p99 and throughput (against bare starlette) on
# the realistic mix, autocomplete's p99, and the slowest single search asked alone.
SEARCH_P99_AIM_MS = 20.0
SEARCH_RATIO_AIM = 0.1
AUTOCOMPLETE_P99_AIM_MS = 10.0
SINGLE_SEARCH_AIM_MS = 20.0
SEARCH_SCENARIOS = ("search", "autocomplete")
UNCACHED = " (uncached)"
DETAIL_RATIO_AIM = 0.5
PAGE_P99_AIM_MS = 50.0
ADDON_PAGE_RATIO_AIM = 0.25
PAGE_WEIGHT_AIM_BYTES = 100_000  # 100 KB, of 1,000 bytes
# The two baselines, each run first and last: the FastAPI `def` route the API scenarios are
# compared with, and the async Starlette route (the stack's limit) the pages are compared with.
BASELINES = {"bare": ("bare (first)", "bare (last)"), "bare starlette": ("bare starlette (first)", "bare starlette (last)")}
NOISE_CORES = 0.25  # other processes busier than this during a scenario make its figures suspect
PACKAGES = ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "sqlalchemy", "orjson")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(wrk: str) -> dict:
    version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.splitlines()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "wrk": version[0] if version else "unknown",
        "packages": {name: _version(name) for name in PACKAGES},
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _baseline_of(name: str, page_scenarios) -> str:
    compared_with_starlette = (*page_scenarios, *BASELINES["bare starlette"], *SEARCH_SCENARIOS,
                               *(name + UNCACHED for name in SEARCH_SCENARIOS))
    return "bare starlette" if name in compared_with_starlette else "bare"


def summarise(results: dict[str, dict], page_scenarios=(), page_weights=None, probes=()) -> dict:
    """Adds each baseline (mean of its two bare runs), each scenario's ratio to its baseline (the
    pages' and the searches': bare starlette's), and the aims' verdicts."""
    baselines, drifts = {}, {}
    for kind, names in BASELINES.items():
        bare_runs = [results[name]["requests_per_second"] for name in names if name in results]
        baselines[kind] = statistics.fmean(bare_runs) if bare_runs else None
        drifts[kind] = (bare_runs[-1] - bare_runs[0]) / bare_runs[0] if len(bare_runs) == 2 else None
    for name, result in results.items():
        result["baseline"] = _baseline_of(name, page_scenarios)
        baseline = baselines[result["baseline"]]
        result["ratio_to_bare"] = round(result["requests_per_second"] / baseline, 3) if baseline else None
    baseline, drift = baselines["bare"], drifts["bare"]
    aims = search_aims(results, probes)
    if "detail" in results and baseline:
        ratio = results["detail"]["ratio_to_bare"]
        aims["detail_at_least_half_of_bare"] = {"ratio": ratio, "aim": DETAIL_RATIO_AIM, "pass": ratio >= DETAIL_RATIO_AIM}
    aims.update(page_aims(results, page_scenarios, page_weights or {}))
    starlette, starlette_drift = baselines["bare starlette"], drifts["bare starlette"]
    return {"baseline_requests_per_second": round(baseline, 1) if baseline else None,
            "bare_drift": round(drift, 3) if drift is not None else None,
            "starlette_baseline_requests_per_second": round(starlette, 1) if starlette else None,
            "starlette_bare_drift": round(starlette_drift, 3) if starlette_drift is not None else None,
            "aims": aims}


def search_aims(results: dict[str, dict], probes) -> dict:
    """Issue 13's aims, for the store's defaults and, where it ran, the store without its cache:
    search p99 and throughput, autocomplete p99, and the slowest search asked alone (of the
    uncached store's probes, where each is computed)."""
    aims = {}
    for name in (*SEARCH_SCENARIOS, *(name + UNCACHED for name in SEARCH_SCENARIOS)):
        if name not in results:
            continue
        p99, aim_ms = results[name]["p99_ms"], SEARCH_P99_AIM_MS if name.startswith("search") else AUTOCOMPLETE_P99_AIM_MS
        aims[f"{name} p99"] = {"label": f"{name} p99", "value_ms": p99, "aim_ms": aim_ms,
                               "pass": p99 is not None and p99 < aim_ms}
        ratio = results[name]["ratio_to_bare"]
        if name.startswith("search") and ratio is not None:
            aims[f"{name} throughput"] = {"label": f"{name} throughput", "ratio": ratio, "aim": SEARCH_RATIO_AIM,
                                          "baseline": "bare starlette", "pass": ratio >= SEARCH_RATIO_AIM}
    alone = [row for row in probes if row["endpoint"] == "search" + UNCACHED]
    if alone:
        slowest = max(alone, key=lambda row: row["max_ms"])
        aims["single search"] = {"label": "slowest single search (uncached)", "value_ms": slowest["max_ms"],
                                 "measure": f"`{slowest['slowest'].split('?', 1)[-1]}`", "aim_ms": SINGLE_SEARCH_AIM_MS,
                                 "pass": slowest["max_ms"] < SINGLE_SEARCH_AIM_MS}
    return aims


def page_aims(results: dict[str, dict], page_scenarios, page_weights: dict[str, list[dict]]) -> dict:
    """Issue 12's aims for the pages: each page's p99 under 50 ms, the add-on page at least a
    quarter of the Starlette endpoint's throughput, and each page's first visit (its heaviest
    weighed variant) under 100 KB as served."""
    aims = {}
    for name in page_scenarios:
        if name in results:
            p99 = results[name]["p99_ms"]
            aims[f"{name}_p99_under_50ms"] = {"label": f"{name} p99", "value_ms": p99, "aim_ms": PAGE_P99_AIM_MS,
                                              "pass": p99 is not None and p99 < PAGE_P99_AIM_MS}
    if "addon-page" in results and results["addon-page"]["ratio_to_bare"] is not None:
        ratio = results["addon-page"]["ratio_to_bare"]
        aims["addon-page_at_least_quarter_of_bare"] = {
            "label": "add-on page throughput", "ratio": ratio, "aim": ADDON_PAGE_RATIO_AIM, "baseline": "bare starlette",
            "pass": ratio >= ADDON_PAGE_RATIO_AIM}
    for name, weights in page_weights.items():
        if weights:
            heaviest = max(weights, key=lambda weight: weight["total_bytes"])
            aims[f"{name}_weight_under_100KB"] = {
                "label": f"{name} first visit (HTML + CSS + JS)", "value_bytes": heaviest["total_bytes"],
                "path": heaviest["path"], "aim_bytes": PAGE_WEIGHT_AIM_BYTES,
                "pass": heaviest["total_bytes"] < PAGE_WEIGHT_AIM_BYTES}
    return aims


def ms(value) -> str:
    return "–" if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def results_table(results: dict[str, dict]) -> list[str]:
    lines = ["| scenario | requests/s | p50 ms | p90 ms | p99 ms | max ms | ratio to bare | non-2xx | socket errors "
             "| CPU cores: server / wrk / other |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    several_baselines = len({r.get("baseline") for r in results.values()}) > 1
    for name, r in results.items():
        ratio = "–" if r["ratio_to_bare"] is None else f"{r['ratio_to_bare']:.3f}"
        if several_baselines and r["ratio_to_bare"] is not None:
            ratio += f" ({r['baseline']})"
        cores = r["cpu_cores"]
        lines.append(f"| {name} | {r['requests_per_second']:,.0f} | {ms(r['p50_ms'])} | {ms(r['p90_ms'])} | "
                     f"{ms(r['p99_ms'])} | {ms(r['max_ms'])} | {ratio} | {r['non_2xx']} | "
                     f"{sum(r['socket_errors'].values())} | {cores['server']:.2f} / {cores['wrk']:.2f} / {cores['other']:.2f} |")
    return lines


def summarise_probes(probes: dict[str, list[dict]], pages=()) -> list[dict]:
    """One row per endpoint and kind of request: how long one request takes alone. Endpoints in
    `pages` must answer HTML pages: the paths that did not are listed."""
    summary = []
    for endpoint, rows in probes.items():
        for kind in dict.fromkeys(row["kind"] for row in rows):
            group = [row for row in rows if row["kind"] == kind]
            slowest = max(group, key=lambda row: row["ms"])
            counts = [row["answer"] for row in group if isinstance(row["answer"], (int, float))]
            summary.append({
                "endpoint": endpoint, "kind": kind, "requests": len(group),
                "median_ms": round(statistics.median(row["ms"] for row in group), 2),
                "mean_ms": round(statistics.fmean(row["ms"] for row in group), 2),
                "max_ms": slowest["ms"], "slowest": slowest["path"],
                "median_hits": statistics.median(counts) if counts else None,
                "not_200": [row["path"] for row in group if row["status"] != 200],
                **({"not_html": [row["path"] for row in group if not row["html"]]} if endpoint in pages else {}),
            })
    return summary


def probe_table(probe_summary: list[dict], slowest: bool = True) -> list[str]:
    """The single-request timings; `slowest=False` leaves out the slowest query and the hits (for
    requests whose query is too long to show and whose answer has no count)."""
    extra = [" slowest |", " hits (median) |"] if slowest else []
    lines = ["| endpoint | kind | requests | median ms | mean ms | max ms |" + "".join(extra),
             "|---|---|---:|---:|---:|---:|" + ("---|---:|" if slowest else "")]
    for row in probe_summary:
        hits = "–" if row["median_hits"] is None else f"{row['median_hits']:,.0f}"
        line = (f"| {row['endpoint']} | {row['kind']} | {row['requests']} | {row['median_ms']:.1f} | "
                f"{row['mean_ms']:.1f} | {row['max_ms']:.1f} |")
        lines.append(line + (f" `{row['slowest'].split('?', 1)[-1]}` | {hits} |" if slowest else ""))
    return lines


def machine_lines(m: dict) -> list[str]:
    """The machine and the packages a run was measured with, for a report's Setup section."""
    return [f"- Machine: {m['nproc']} CPUs usable ({m['cpu_model']}), load average {m['load_average']} at the start, "
            f"kernel {m['kernel']}, Python {m['python']}, {m['wrk']}.",
            f"- Packages: {', '.join(f'{k} {v}' for k, v in m['packages'].items())}."]


def aim_line(label: str, aim: dict) -> str:
    """One aim's verdict: a latency (value_ms against aim_ms) or a ratio to bare (against aim)."""
    verdict = "PASS" if aim["pass"] else "FAIL"
    if "aim_ms" in aim:
        return (f"- {label} under {aim['aim_ms']:.0f} ms: **{verdict}** "
                f"({aim.get('measure', 'p99')} {ms(aim['value_ms'])} ms)")
    if "aim_bytes" in aim:
        return (f"- {label} under {aim['aim_bytes'] / 1000:.0f} KB: **{verdict}** ({aim['value_bytes']:,} bytes, "
                f"`{aim['path']}`)")
    bare = aim.get("baseline", "bare")
    return f"- {label} at least {aim['aim']} × {bare}: **{verdict}** ({aim['ratio']:.3f} × {bare})"


def _aim_lines(summary: dict) -> list[str]:
    labels = {"detail_at_least_half_of_bare": "Detail throughput"}
    return [aim_line(aim.get("label") or labels[key], aim) for key, aim in summary["aims"].items()]


def warnings(results: dict[str, dict], probes: list[dict], run_catalogue: dict) -> list[str]:
    lines = []
    for name, r in results.items():
        if r["non_2xx"] or sum(r["socket_errors"].values()):
            lines.append(f"- **WARNING**: {name}: {r['non_2xx']} non-2xx responses and socket errors "
                         f"{r['socket_errors']}; its figures do not measure successful requests.")
        if r["cpu_cores"]["other"] > NOISE_CORES:
            lines.append(f"- **NOISE**: during {name}, other processes kept {r['cpu_cores']['other']:.2f} of the "
                         f"{len(os.sched_getaffinity(0))} CPUs busy; its figures are lower than on a quiet machine.")
    if run_catalogue.get("built_by_other_code"):
        lines.append("- **STALE CATALOGUE**: it was built by other import/indexing code than this run's (schema "
                     "migrations were applied when it was opened); run with --rebuild to measure data this code writes.")
    for row in probes:
        if row["not_200"]:
            lines.append(f"- **WARNING**: {row['endpoint']} ({row['kind']}): {len(row['not_200'])} of the "
                         f"{row['requests']} paths did not answer 200, e.g. `{row['not_200'][0]}`.")
        if row.get("not_html"):
            lines.append(f"- **WARNING**: {row['endpoint']} ({row['kind']}): {len(row['not_html'])} of the "
                         f"{row['requests']} paths did not answer an HTML page, e.g. `{row['not_html'][0]}`.")
    return lines


def _starlette_baseline_lines(summary: dict) -> list[str]:
    starlette = summary.get("starlette_baseline_requests_per_second")
    if not starlette:
        return []
    drift = summary["starlette_bare_drift"]
    return ["", f"Pages and searches are compared with the async Starlette endpoint returning a fixed body (`bare starlette`, the "
            f"stack's limit; mean of its two runs): {starlette:,.0f} requests/s"
            + (f", the second run {drift:+.1%} from the first" if drift is not None else "")
            + "; the other API scenarios with the FastAPI `def` endpoint (`bare`)."]


def memory_lines(memory: dict[str, dict], catalogue: dict) -> list[str]:
    """Each store server's resident memory after the run, beside the search index's size on disk."""
    if not memory:
        return []
    lines = ["## Memory", "", "| server | resident MB at the end | peak resident MB |", "|---|---:|---:|"]
    lines += [f"| {name} | {m['rss_bytes'] / 1e6:,.0f} | {m['peak_rss_bytes'] / 1e6:,.0f} |" for name, m in memory.items()]
    index = catalogue.get("search_index_bytes")
    if index is not None:
        lines += ["", f"The search index (its tables and their indexes in the SQLite file, by dbstat): "
                  f"{index / 1e6:,.0f} MB of the database's {catalogue['database_bytes'] / 1e6:,.0f} MB."]
    return [*lines, ""]


def weight_section(page_weights: dict[str, list[dict]]) -> list[str]:
    """The first visit's bytes per page: the HTML and the CSS and JS it references, as served."""
    if not page_weights:
        return []
    compresses = any(weight["store_compresses"] for weights in page_weights.values() for weight in weights)
    lines = ["## Page weight, first visit (HTML + the CSS and JS it references from the store, as served)", "",
             "| page | path | HTML bytes | CSS bytes | JS bytes | total bytes | asking for gzip | gzip -6 would be |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, weights in page_weights.items():
        for w in weights:
            lines.append(f"| {name} | `{w['path']}` | {w['html_bytes']:,} | {w['css_bytes']:,} | {w['js_bytes']:,} | "
                         f"{w['total_bytes']:,} | {w['total_bytes_accepting_gzip']:,} | {w['total_gzip6_bytes']:,} |")
    lines += ["", "Each page's median-sized and largest HTML of its probed paths. \"Asking for gzip\" is what the store "
              "sent with `Accept-Encoding: gzip`" + ("." if compresses else
              ": the store does not compress, so it is the same; \"gzip -6\" is what compressing would send.")
              + " Images (icons, screenshots, the favicon) are not counted.", ""]
    return lines


def write(out_dir: Path, run: dict) -> None:
    results, summary = run["results"], run["summary"]
    catalogue, settings = run["catalogue"], run["settings"]
    m = run["machine"]
    drift = summary["bare_drift"]
    lines = [
        "# addonhub benchmark report",
        "",
        f"Run {run['date']} with `{run['command']}`.",
        "",
        "## Results",
        "",
        *results_table(results),
        "",
        f"Baseline (mean of the two bare runs): {summary['baseline_requests_per_second']:,.0f} requests/s"
        + (f"; the second bare run differs from the first by {drift:+.1%}." if drift is not None else "."),
        *_starlette_baseline_lines(summary),
        "",
        *_aim_lines(summary),
        "",
        *(warnings(results, run["probes"], catalogue) or ["No scenario had non-2xx responses, socket errors or noisy neighbours."]),
        "",
        "CPU cores: the average number of CPUs kept busy during the measured run by the server under test, by wrk, "
        "and by everything else (the other, idle server, this script and any other process on the machine).",
        "",
        "## Single requests, no load (one at a time on one keep-alive connection; the second of two passes)",
        "",
        *probe_table(run["probes"]),
        "",
        "Pages: \"(rendered)\" is the first pass, each page rendered; the page's own row, the second, is each "
        "answered from the anonymous page cache, as the load runs see them after their warm-up. A page is "
        "rendered again after any change to the catalogue (web/page_cache.py). The API's searches and "
        "autocompletes are kept the same way: their own rows are answers from the cache (the store's defaults), "
        "their \"(uncached)\" rows those of a second store with the cache off (`ADDONHUB_PAGE_CACHE_MB=0`), "
        "which computes every one.",
        "",
        *memory_lines(run.get("memory") or {}, catalogue),
        *weight_section(run.get("page_weights") or {}),
        "## Setup",
        "",
        *machine_lines(m),
        f"- Catalogue: {catalogue['addons']:,} add-ons ({catalogue['listed']:,} listed), "
        f"SQLite {catalogue['database_bytes'] / 1e6:,.0f} MB, built through `import_catalogue` in batches of "
        f"{catalogue['batch_size']:,} in {catalogue['build_seconds']:,.0f} s ({catalogue['addons_per_second']:,.0f} add-ons/s)"
        + (f" while other processes kept {catalogue['other_cpu_cores_during_build']:.2f} CPUs busy"
           if "other_cpu_cores_during_build" in catalogue else "")
        + f", on {catalogue['built_at']} (code {catalogue.get('git_commit', 'unknown')})"
        + ("; reused by this run." if catalogue["reused"] else "."),
        "- Servers: `addonhub serve` (with searches, a second one without its cache), `bench/bare_app.py` and "
        "`bench/bare_app.py --app starlette`, each uvicorn with one worker on 127.0.0.1, all running during the "
        "whole run; wrk, the servers and this script share the machine.",
        f"- Load: each scenario is a {settings['warmup']} s warm-up (discarded) then {settings['duration']} s measured, "
        f"one scenario at a time; {settings['connections']} connections, 1 wrk thread.",
        "",
        "wrk command lines (the Lua scripts are in bench/work/scripts/):",
        "",
        *[f"- {name}: `{r['command']}`" for name, r in results.items()],
        "",
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "REPORT.md").write_text("\n".join(lines))
    (out_dir / "report.json").write_text(json.dumps(run, indent=2) + "\n")


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %z")
