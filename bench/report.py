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

SEARCH_P99_AIM_MS = 50.0
DETAIL_RATIO_AIM = 0.5
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


def summarise(results: dict[str, dict]) -> dict:
    """Adds the baseline (mean of the two bare runs) and each scenario's ratio to it."""
    bare_runs = [results[name]["requests_per_second"] for name in ("bare (first)", "bare (last)") if name in results]
    baseline = statistics.fmean(bare_runs) if bare_runs else None
    for result in results.values():
        result["ratio_to_bare"] = round(result["requests_per_second"] / baseline, 3) if baseline else None
    drift = (bare_runs[-1] - bare_runs[0]) / bare_runs[0] if len(bare_runs) == 2 else None
    aims = {}
    if "search" in results:
        p99 = results["search"]["p99_ms"]
        aims["search_p99_under_50ms"] = {"value_ms": p99, "aim_ms": SEARCH_P99_AIM_MS,
                                         "pass": p99 is not None and p99 < SEARCH_P99_AIM_MS}
    if "detail" in results and baseline:
        ratio = results["detail"]["ratio_to_bare"]
        aims["detail_at_least_half_of_bare"] = {"ratio": ratio, "aim": DETAIL_RATIO_AIM, "pass": ratio >= DETAIL_RATIO_AIM}
    return {"baseline_requests_per_second": round(baseline, 1) if baseline else None,
            "bare_drift": round(drift, 3) if drift is not None else None, "aims": aims}


def ms(value) -> str:
    return "–" if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def results_table(results: dict[str, dict]) -> list[str]:
    lines = ["| scenario | requests/s | p50 ms | p90 ms | p99 ms | max ms | ratio to bare | non-2xx | socket errors "
             "| CPU cores: server / wrk / other |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        ratio = "–" if r["ratio_to_bare"] is None else f"{r['ratio_to_bare']:.3f}"
        cores = r["cpu_cores"]
        lines.append(f"| {name} | {r['requests_per_second']:,.0f} | {ms(r['p50_ms'])} | {ms(r['p90_ms'])} | "
                     f"{ms(r['p99_ms'])} | {ms(r['max_ms'])} | {ratio} | {r['non_2xx']} | "
                     f"{sum(r['socket_errors'].values())} | {cores['server']:.2f} / {cores['wrk']:.2f} / {cores['other']:.2f} |")
    return lines


def summarise_probes(probes: dict[str, list[dict]]) -> list[dict]:
    """One row per endpoint and kind of request: how long one request takes alone."""
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


def aim_line(label: str, aim: dict) -> str:
    """One aim's verdict: a latency (value_ms against aim_ms) or a ratio to bare (against aim)."""
    verdict = "PASS" if aim["pass"] else "FAIL"
    if "aim_ms" in aim:
        return f"- {label} under {aim['aim_ms']:.0f} ms: **{verdict}** (p99 {ms(aim['value_ms'])} ms)"
    return f"- {label} at least {aim['aim']} × bare: **{verdict}** ({aim['ratio']:.3f} × bare)"


def _aim_lines(summary: dict) -> list[str]:
    labels = {"search_p99_under_50ms": "Search p99", "detail_at_least_half_of_bare": "Detail throughput"}
    return [aim_line(label, summary["aims"][key]) for key, label in labels.items() if key in summary["aims"]]


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
        "## Setup",
        "",
        f"- Machine: {m['nproc']} CPUs usable ({m['cpu_model']}), load average {m['load_average']} at the start, "
        f"kernel {m['kernel']}, Python {m['python']}, {m['wrk']}.",
        f"- Packages: {', '.join(f'{k} {v}' for k, v in m['packages'].items())}.",
        f"- Catalogue: {catalogue['addons']:,} add-ons ({catalogue['listed']:,} listed), "
        f"SQLite {catalogue['database_bytes'] / 1e6:,.0f} MB, built through `import_catalogue` in batches of "
        f"{catalogue['batch_size']:,} in {catalogue['build_seconds']:,.0f} s ({catalogue['addons_per_second']:,.0f} add-ons/s)"
        + (f" while other processes kept {catalogue['other_cpu_cores_during_build']:.2f} CPUs busy"
           if "other_cpu_cores_during_build" in catalogue else "")
        + f", on {catalogue['built_at']} (code {catalogue.get('git_commit', 'unknown')})"
        + ("; reused by this run." if catalogue["reused"] else "."),
        "- Servers: `addonhub serve` and `bench/bare_app.py`, each uvicorn with one worker on 127.0.0.1, "
        "both running during the whole run; wrk, both servers and this script share the machine.",
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
