"""bench/updates/REPORT.md and report.json from one run of bench/updates/run.py."""

import json
from pathlib import Path

import bare_app
import report

SINGLE_ID = "chromium-1"
RATIO_AIM = 0.5  # single-id checks: at least half of the bare endpoint's requests/s
P99_AIM_MS = 10.0  # at 16 connections
SECONDS_PER_DAY = 86_400


def summarise(run: dict) -> dict:
    """The baseline and ratios (report.summarise), the issue's two aims for single-id checks, and
    what one core of the server serves in each scenario."""
    results = run["results"]
    summary = report.summarise(results)
    aims = {}
    if SINGLE_ID in results and summary["baseline_requests_per_second"]:
        single = results[SINGLE_ID]
        aims["single_id_ratio"] = {"ratio": single["ratio_to_bare"], "aim": RATIO_AIM,
                                   "pass": single["ratio_to_bare"] >= RATIO_AIM}
        aims["single_id_p99"] = {"value_ms": single["p99_ms"], "aim_ms": P99_AIM_MS,
                                 "pass": single["p99_ms"] is not None and single["p99_ms"] < P99_AIM_MS}
    summary["aims"] = aims
    summary["per_server_core"] = {name: round(r["requests_per_second"] / r["cpu_cores"]["server"])
                                  for name, r in results.items() if r["cpu_cores"].get("server")}
    return summary


def _aim_lines(aims: dict) -> list[str]:
    labels = {"single_id_ratio": "Single-id Chromium checks", "single_id_p99": "Single-id Chromium checks p99"}
    return [report.aim_line(label, aims[key]) for key, label in labels.items() if key in aims]


def _correctness_lines(run: dict) -> list[str]:
    lines = []
    for name, mix in run["mix"].items():
        wrong = run["wrong_answers"][name]
        verdict = (f"all {mix['requests']:,} answers correct" if not wrong else
                   f"**{len(wrong):,} of {mix['requests']:,} answers WRONG**, e.g. `{wrong[0]['problem']}` for "
                   f"`{wrong[0]['path'][:300]}`")
        lines.append(f"- {name}: {mix['requests']:,} distinct requests naming {mix['ids']:,} ids, "
                     f"{mix['ids_with_update']:,} of which should get an update; {verdict}.")
    return lines


def _per_core_lines(summary: dict, results: dict) -> list[str]:
    lines = ["| scenario | requests/s per busy server core | update checks a day per core |", "|---|---:|---:|"]
    for name, rate in summary["per_server_core"].items():
        ids = 20 if name == "chromium-20" else 1
        checks = "–" if name.startswith("bare") else f"{rate * ids * SECONDS_PER_DAY / 1e6:,.0f} million"
        lines.append(f"| {name} | {rate:,} | {checks} |")
    return lines


def write(out_dir: Path, run: dict) -> None:
    results, summary, catalogue = run["results"], run["summary"], run["catalogue"]
    m, settings, drift = run["machine"], run["settings"], summary["bare_drift"]
    updates = catalogue["updates"]
    lines = [
        "# addonhub update-check benchmark report",
        "",
        f"Run {run['date']} with `{run['command']}` (`make bench-updates`). See bench/README.md, \"Update checks\".",
        "",
        "## Results",
        "",
        *report.results_table(results),
        "",
        f"Baseline, a bare async Starlette endpoint returning a fixed {len(bare_app.FIXED_BODY)}-byte body: "
        f"{summary['baseline_requests_per_second']:,.0f} requests/s (mean of the two bare runs)"
        + (f"; the second bare run differs from the first by {drift:+.1%}." if drift is not None else "."),
        "",
        *_aim_lines(summary["aims"]),
        "",
        *(report.warnings(results, run["probes"], {"sqlite": catalogue}) or ["No scenario had non-2xx responses, socket errors or noisy neighbours."]),
        "",
        "CPU cores: the average number of CPUs kept busy during the measured run by the server under test, by wrk, "
        "and by everything else (the other, idle server, this script and any other process on the machine).",
        "",
        "## What one server core serves",
        "",
        "Requests/s divided by the CPU the server process used meanwhile (one uvicorn worker uses at most about one "
        "core); a Chromium request naming 20 extensions is 20 update checks.",
        "",
        *_per_core_lines(summary, results),
        "",
        "## Answers",
        "",
        "Before the load, every request was sent alone and its answer compared with what the bench deployed "
        "(bench/updates/checks.py: current installs get no update, outdated ones the store's version, unknown ids "
        "and add-ons that are not public nothing).",
        "",
        *_correctness_lines(run),
        "",
        "Headers of an answer, as a cache in front of the store sees them:",
        "",
        *[f"- {name}: " + ", ".join(f"`{key}: {value}`" for key, value in headers.items())
          for name, headers in run["response_headers"].items()],
        "",
        "## Single requests, no load (one at a time on one keep-alive connection; the second of two passes)",
        "",
        *report.probe_table(run["probes"], slowest=False),
        "",
        "## Setup",
        "",
        *report.machine_lines(m),
        f"- Store: `make bench`'s synthetic catalogue of {catalogue['addons']:,} add-ons (built through `import_catalogue` "
        f"on {catalogue['built_at']}, code {catalogue.get('git_commit', 'unknown')}), copied, with "
        f"{updates['chromium_addons']:,} extensions deployed to Chromium (a crx id and a public CRX each, "
        f"bench/updates/deploy.py); SQLite {catalogue['database_bytes'] / 1e6:,.0f} MB.",
        "- Servers: `addonhub serve` and `bench/bare_app.py --app starlette`, each uvicorn with one worker on "
        "127.0.0.1 through `addonhub.server.serve`, both running during the whole run; wrk, both servers and this "
        "script share the machine.",
        f"- Load: each scenario is a {settings['warmup']} s warm-up (discarded) then {settings['duration']} s measured, "
        f"one scenario at a time; {settings['connections']} connections, 1 wrk thread.",
        "",
        "wrk command lines (the Lua scripts are in bench/work/updates/scripts/):",
        "",
        *[f"- {name}: `{r['command']}`" for name, r in results.items()],
        "",
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "REPORT.md").write_text("\n".join(lines))
    (out_dir / "report.json").write_text(json.dumps(run, indent=2) + "\n")
