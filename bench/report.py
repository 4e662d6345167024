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
# The scenarios a second store, with its page cache off, runs too: the searches and the listings.
UNCACHED_SCENARIOS = (*SEARCH_SCENARIOS, "listing")
# Issue 14's aims for PostgreSQL: searches and listings within 1.5 x of SQLite's throughput (the
# same scenario, the same run), and search p99 under 50 ms at 16 connections.
POSTGRES_SLOWDOWN_AIM = 1.5
POSTGRES_SEARCH_P99_AIM_MS = 50.0
COMPARED_ON_POSTGRES = ("search", "search" + UNCACHED, "listing", "listing" + UNCACHED)
DATABASE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
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


def labelled(name: str, database: str) -> str:
    """A scenario's (or server's) name in a run's results: SQLite's as it always was, another
    database's with its name after it, e.g. `search [PostgreSQL]`."""
    return name if database == "sqlite" else f"{name} [{DATABASE_NAMES[database]}]"


def _baseline_of(name: str, page_scenarios) -> str:
    compared_with_starlette = (*page_scenarios, *BASELINES["bare starlette"], *UNCACHED_SCENARIOS,
                               *(name + UNCACHED for name in UNCACHED_SCENARIOS))
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
        aims["detail_at_least_half_of_bare"] = {"label": "Detail throughput", "ratio": ratio, "aim": DETAIL_RATIO_AIM,
                                                "pass": ratio >= DETAIL_RATIO_AIM}
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
    with_database = any("database" in r["cpu_cores"] for r in results.values())
    lines = ["| scenario | requests/s | p50 ms | p90 ms | p99 ms | max ms | ratio to bare | non-2xx | socket errors "
             f"| CPU cores: server{' / database' if with_database else ''} / wrk / other |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    several_baselines = len({r.get("baseline") for r in results.values()}) > 1
    for name, r in results.items():
        ratio = "–" if r["ratio_to_bare"] is None else f"{r['ratio_to_bare']:.3f}"
        if several_baselines and r["ratio_to_bare"] is not None:
            ratio += f" ({r['baseline']})"
        cores = r["cpu_cores"]
        lines.append(f"| {name} | {r['requests_per_second']:,.0f} | {ms(r['p50_ms'])} | {ms(r['p90_ms'])} | "
                     f"{ms(r['p99_ms'])} | {ms(r['max_ms'])} | {ratio} | {r['non_2xx']} | "
                     f"{sum(r['socket_errors'].values())} | {cores['server']:.2f} / "
                     + (f"{cores['database']:.2f} / " if "database" in cores else "– / " if with_database else "")
                     + f"{cores['wrk']:.2f} / {cores['other']:.2f} |")
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
    """One aim's verdict: a latency (value_ms against aim_ms), a weight, a slowdown against SQLite
    (value_x against aim_x) or a ratio to bare (against aim)."""
    verdict = "PASS" if aim["pass"] else "FAIL"
    if "aim_x" in aim:
        return (f"- {label} within {aim['aim_x']} × of SQLite's: **{verdict}** "
                f"(SQLite serves {aim['value_x']:.2f} × as many requests/s)")
    if "aim_ms" in aim:
        return (f"- {label} under {aim['aim_ms']:.0f} ms: **{verdict}** "
                f"({aim.get('measure', 'p99')} {ms(aim['value_ms'])} ms)")
    if "aim_bytes" in aim:
        return (f"- {label} under {aim['aim_bytes'] / 1000:.0f} KB: **{verdict}** ({aim['value_bytes']:,} bytes, "
                f"`{aim['path']}`)")
    bare = aim.get("baseline", "bare")
    return f"- {label} at least {aim['aim']} × {bare}: **{verdict}** ({aim['ratio']:.3f} × {bare})"


def _aim_lines(summary: dict) -> list[str]:
    return [aim_line(aim["label"], aim) for aim in summary["aims"].values()]


def summarise_databases(results: dict[str, dict], databases, page_scenarios=(), page_weights=None, probes=()) -> dict:
    """summarise() for each database's rows beside the same bare runs, every aim labelled with its
    database (but SQLite's), and, with both databases, PostgreSQL's rows against SQLite's."""
    summary, aims = None, {}
    for database in databases:
        rows = {name: result for name, result in results.items() if _is_bare(name)}
        rows.update({name: results[labelled(name, database)] for name in _scenarios_of(results, database)})
        renamed = [dict(row, endpoint=row["endpoint"].removesuffix(labelled("", database)))
                   for row in probes if row["endpoint"].endswith(labelled("", database))]
        # The pages weigh the same on every database: weighed once, judged with the first.
        of_database = summarise(rows, page_scenarios, page_weights if database == databases[0] else {}, renamed)
        summary = summary or of_database
        aims.update({labelled(key, database): dict(aim, label=labelled(aim["label"], database))
                     for key, aim in of_database["aims"].items()})
    summary["aims"] = aims
    if len(databases) > 1:
        summary["databases"] = compare_databases(results, probes)
        aims.update(summary["databases"]["aims"])
    return summary


def _is_bare(name: str) -> bool:
    return any(name in names for names in BASELINES.values())


def _scenarios_of(results: dict[str, dict], database: str) -> list[str]:
    """The names of a database's scenarios in the results, without the database's label."""
    suffix = labelled("", database)
    others = [labelled("", other) for other in DATABASE_NAMES if other != database and labelled("", other)]
    return [name.removesuffix(suffix) for name in results
            if not _is_bare(name) and name.endswith(suffix) and not any(name.endswith(other) for other in others)]


def compare_databases(results: dict[str, dict], probes) -> dict:
    """PostgreSQL's scenarios against SQLite's of the same run: throughput and p99 ratios, the
    single requests' medians per kind, and issue 14's aims for searches and listings."""
    rows, aims = [], {}
    for name in _scenarios_of(results, "sqlite"):
        other = results.get(labelled(name, "postgresql"))
        if other is None:
            continue
        mine = results[name]
        rows.append({"scenario": name, "sqlite_rps": mine["requests_per_second"], "postgresql_rps": other["requests_per_second"],
                     "rps_ratio": round(other["requests_per_second"] / mine["requests_per_second"], 3),
                     "sqlite_p99_ms": mine["p99_ms"], "postgresql_p99_ms": other["p99_ms"],
                     "p99_ratio": round(other["p99_ms"] / mine["p99_ms"], 3) if mine["p99_ms"] and other["p99_ms"] else None,
                     "postgresql_ratio_to_bare": other.get("ratio_to_bare"),
                     "postgresql_database_cores": other["cpu_cores"].get("database")})
        if name in COMPARED_ON_POSTGRES:
            slowdown = mine["requests_per_second"] / other["requests_per_second"]
            aims[f"{name} postgresql within 1.5x"] = {
                "label": f"{name} [PostgreSQL] throughput", "value_x": round(slowdown, 3),
                "aim_x": POSTGRES_SLOWDOWN_AIM, "pass": slowdown <= POSTGRES_SLOWDOWN_AIM}
        if name.startswith("search"):
            p99 = other["p99_ms"]
            aims[f"{name} postgresql p99"] = {"label": f"{name} [PostgreSQL] p99", "value_ms": p99,
                                              "aim_ms": POSTGRES_SEARCH_P99_AIM_MS,
                                              "pass": p99 is not None and p99 < POSTGRES_SEARCH_P99_AIM_MS}
    singles = []
    by_key = {(row["endpoint"], row["kind"]): row for row in probes}
    for (endpoint, kind), row in by_key.items():
        other = by_key.get((labelled(endpoint, "postgresql"), kind))
        if other is not None:
            singles.append({"endpoint": endpoint, "kind": kind, "sqlite_median_ms": row["median_ms"],
                            "postgresql_median_ms": other["median_ms"],
                            "ratio": round(other["median_ms"] / row["median_ms"], 2) if row["median_ms"] else None})
    return {"scenarios": rows, "single_requests": singles, "aims": aims}


def comparison_section(comparison: dict | None) -> list[str]:
    """PostgreSQL beside SQLite: each scenario under load, then each kind of request alone."""
    if not comparison:
        return []
    lines = ["## PostgreSQL beside SQLite", "",
             "The same catalogue, scenarios and load, PostgreSQL's rows measured after SQLite's in the same run. "
             "A throughput ratio of 0.8 means PostgreSQL's store served 80 % of the requests per second SQLite's did; "
             "\"database cores\" is the CPU PostgreSQL's own processes used beside the store's.", "",
             "| scenario | SQLite requests/s | PostgreSQL requests/s | PostgreSQL / SQLite | SQLite p99 ms "
             "| PostgreSQL p99 ms | p99 PostgreSQL / SQLite | PostgreSQL ratio to bare | database cores |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in comparison["scenarios"]:
        p99_ratio = "–" if row["p99_ratio"] is None else f"{row['p99_ratio']:.2f}"
        bare = "–" if row["postgresql_ratio_to_bare"] is None else f"{row['postgresql_ratio_to_bare']:.3f}"
        cores = "–" if row["postgresql_database_cores"] is None else f"{row['postgresql_database_cores']:.2f}"
        lines.append(f"| {row['scenario']} | {row['sqlite_rps']:,.0f} | {row['postgresql_rps']:,.0f} | "
                     f"{row['rps_ratio']:.2f} | {ms(row['sqlite_p99_ms'])} | {ms(row['postgresql_p99_ms'])} | "
                     f"{p99_ratio} | {bare} | {cores} |")
    lines += ["", "Single requests, no load (median ms of each kind, the second of two passes):", "",
              "| endpoint | kind | SQLite | PostgreSQL | PostgreSQL / SQLite |", "|---|---|---:|---:|---:|"]
    for row in comparison["single_requests"]:
        ratio = "–" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(f"| {row['endpoint']} | {row['kind']} | {row['sqlite_median_ms']:.1f} | "
                     f"{row['postgresql_median_ms']:.1f} | {ratio} |")
    return [*lines, ""]


def warnings(results: dict[str, dict], probes: list[dict], catalogues: dict[str, dict]) -> list[str]:
    lines = []
    for name, r in results.items():
        if r["non_2xx"] or sum(r["socket_errors"].values()):
            lines.append(f"- **WARNING**: {name}: {r['non_2xx']} non-2xx responses and socket errors "
                         f"{r['socket_errors']}; its figures do not measure successful requests.")
        if r["cpu_cores"]["other"] > NOISE_CORES:
            lines.append(f"- **NOISE**: during {name}, other processes kept {r['cpu_cores']['other']:.2f} of the "
                         f"{len(os.sched_getaffinity(0))} CPUs busy; its figures are lower than on a quiet machine.")
    if any(built.get("built_by_other_code") for built in catalogues.values()):
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


def memory_lines(memory: dict[str, dict], catalogues: dict[str, dict]) -> list[str]:
    """Each store server's resident memory after the run, beside the search index's size on disk."""
    if not memory:
        return []
    lines = ["## Memory", "", "| server | resident MB at the end | peak resident MB |", "|---|---:|---:|"]
    lines += [f"| {name} | {m['rss_bytes'] / 1e6:,.0f} | {m['peak_rss_bytes'] / 1e6:,.0f} |" for name, m in memory.items()]
    how = {"sqlite": "in the SQLite file, by dbstat", "postgresql": "in PostgreSQL, by pg_total_relation_size"}
    for database, built in catalogues.items():
        if built.get("search_index_bytes") is not None:
            lines += ["", f"The search index on {DATABASE_NAMES[database]} (its tables and their indexes {how[database]}): "
                      f"{built['search_index_bytes'] / 1e6:,.0f} MB of the database's {built['database_bytes'] / 1e6:,.0f} MB."]
    if "postgresql" in catalogues:
        lines += ["", "A PostgreSQL store's memory is its own process's: PostgreSQL's processes (shared buffers, "
                  "one backend per pooled connection) are not counted in it."]
    return [*lines, ""]


def catalogue_line(database: str, built: dict) -> str:
    """How a run's catalogue was built, in which database, and how big it is there."""
    return (f"- Catalogue on {DATABASE_NAMES[database]}: {built['addons']:,} add-ons ({built['listed']:,} listed), "
            f"{built['database_bytes'] / 1e6:,.0f} MB, built through `import_catalogue` in batches of "
            f"{built['batch_size']:,} in {built['build_seconds']:,.0f} s ({built['addons_per_second']:,.0f} add-ons/s)"
            + (f" while other processes kept {built['other_cpu_cores_during_build']:.2f} CPUs busy"
               if "other_cpu_cores_during_build" in built else "")
            + f", on {built['built_at']} (code {built.get('git_commit', 'unknown')})"
            + ("; reused by this run." if built["reused"] else "."))


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
    catalogues, settings = run["catalogues"], run["settings"]
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
        *(warnings(results, run["probes"], catalogues) or ["No scenario had non-2xx responses, socket errors or noisy neighbours."]),
        "",
        "CPU cores: the average number of CPUs kept busy during the measured run by the server under test, by wrk, "
        "and by everything else (the other, idle server, this script and any other process on the machine)"
        + ("; for a PostgreSQL row, \"database\" is PostgreSQL's processes." if "postgresql" in catalogues else "."),
        "",
        *comparison_section(summary.get("databases")),
        "## Single requests, no load (one at a time on one keep-alive connection; the second of two passes)",
        "",
        *probe_table(run["probes"]),
        "",
        "Pages: \"(rendered)\" is the first pass, each page rendered; the page's own row, the second, is each "
        "answered from the anonymous page cache, as the load runs see them after their warm-up. A page is "
        "rendered again after any change to the catalogue (web/page_cache.py). The API's searches, listings "
        "and autocompletes are kept the same way: their own rows are answers from the cache (the store's defaults), "
        "their \"(uncached)\" rows those of a second store with the cache off (`ADDONHUB_PAGE_CACHE_MB=0`), "
        "which computes every one.",
        "",
        *memory_lines(run.get("memory") or {}, catalogues),
        *weight_section(run.get("page_weights") or {}),
        "## Setup",
        "",
        *machine_lines(m),
        *[catalogue_line(database, built) for database, built in catalogues.items()],
        *(["- PostgreSQL: Debian's postgresql-15, a throwaway cluster on 127.0.0.1 (tests/postgres.py: the "
           "defaults but fsync, synchronous_commit and full_page_writes off, max_connections 200), the catalogue "
           "imported into it at the start of the run."] if "postgresql" in catalogues else []),
        f"- Blobs: {'S3, a throwaway SeaweedFS on 127.0.0.1 (tests/s3.py)' if run.get('blobs') == 's3' else 'the data directory'}.",
        "- Servers: `addonhub serve` per database (with searches and listings, a second one without its cache), `bench/bare_app.py` and "
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
