"""addonhub's update-check benchmark: `make bench-updates`, or `.venv/bin/python bench/updates/run.py --help`.

Serves a 100,000 add-on store (bench/catalogue.py's synthetic catalogue, extensions also deployed
to Chromium: deploy.py) with `addonhub serve`, next to a bare async Starlette endpoint returning a
fixed body (bench/bare_app.py), and drives with wrk, one scenario at a time: Chromium update
checks naming 1 and 20 extensions, Firefox VersionCheck. Every request path is first sent once
alone and its answer checked against what the bench deployed (checks.py). Writes
bench/updates/REPORT.md and report.json. See bench/README.md ("Update checks").
"""

import argparse
import json
import os
import random
import signal
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH_DIR = HERE.parent
sys.path.insert(0, str(BENCH_DIR))

import run as bench_run  # noqa: E402  (re-runs this script with the project's virtualenv when needed)
import cpu  # noqa: E402
import loadgen  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
import synthetic  # noqa: E402

import checks  # noqa: E402
import deploy  # noqa: E402
import summary  # noqa: E402

WORK = bench_run.WORK / "updates"
SCENARIOS = ("chromium-1", "chromium-20", "versioncheck")
REQUESTS_PER_SCENARIO = {"chromium-1": 2_000, "chromium-20": 500, "versioncheck": 2_000}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench_run.load_arguments(parser, SCENARIOS, "rebuild the catalogue and its Chromium deployments")
    parser.add_argument("--out", type=Path, default=HERE, help="where REPORT.md and report.json go (default bench/updates/)")
    return bench_run.parsed_scenarios(parser, parser.parse_args(argv), SCENARIOS)


def scenario_checks(data_dir: Path) -> dict[str, list[checks.Check]]:
    """The requests of every scenario, derived deterministically from the deployed store."""
    rng = random.Random(synthetic.SEED + 11)
    chromium = deploy.chromium_deployments(data_dir)
    firefox = deploy.firefox_deployments(data_dir)
    return {
        "chromium-1": checks.chromium_checks(rng, chromium, 1, REQUESTS_PER_SCENARIO["chromium-1"]),
        "chromium-20": checks.chromium_checks(rng, chromium, 20, REQUESTS_PER_SCENARIO["chromium-20"]),
        "versioncheck": checks.versioncheck_checks(rng, firefox, REQUESTS_PER_SCENARIO["versioncheck"]),
    }


ANSWER_READERS = {"chromium-1": checks.gupdate_answer, "chromium-20": checks.gupdate_answer,
                  "versioncheck": checks.versioncheck_answer}


def probe(base_url: str, name: str, scenario: list[checks.Check]) -> tuple[list[dict], list[dict]]:
    """Sends every request of the scenario alone (twice, timing the second) and checks each answer:
    (probe rows, wrong answers)."""
    rows = bench_run.probe(base_url, [(check.kind, check.path) for check in scenario], ANSWER_READERS[name])
    wrong = []
    for check, row in zip(scenario, rows):
        problem = f"status {row['status']}" if row["status"] != 200 else checks.mismatch(check, row["answer"])
        if problem:
            wrong.append({"path": check.path, "problem": problem})
        row["answer"] = None  # the per-id answers were for the check; the report keeps the timings
    return rows, wrong


def response_headers(base_url: str, path: str) -> dict:
    """The headers a cache in front of the store sees on one answer."""
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        return {name: response.headers[name] for name in ("content-type", "cache-control", "etag", "vary")
                if response.headers[name] is not None}


def measure(wrk: str, data_dir: Path, args) -> dict:
    scenarios = scenario_checks(data_dir)
    store_port, bare_port = servers.free_port(), servers.free_port()
    results, probes, wrong, headers = {}, {}, {}, {}
    logs = WORK / "logs"
    with servers.running(servers.bare_command(bare_port, "starlette"), "/bare", bare_port, logs / "bare-server.log") as bare, \
            servers.running(servers.store_command(data_dir, store_port), "/__heartbeat__", store_port,
                            logs / "store-server.log") as store:
        for name in args.scenarios:
            print(f"[{name}] probing {len(scenarios[name])} requests one by one", flush=True)
            probes[name], wrong[name] = probe(store.url, name, scenarios[name])
            headers[name] = response_headers(store.url, scenarios[name][0].path)
            print(f"[{name}] {len(wrong[name])} wrong answers", flush=True)
        results["bare (first)"] = bench_run.drive(wrk, "bare (first)", bare, ["/bare"], args, WORK)
        for name in args.scenarios:
            results[name] = bench_run.drive(wrk, name, store, [check.path for check in scenarios[name]], args, WORK)
        results["bare (last)"] = bench_run.drive(wrk, "bare (last)", bare, ["/bare"], args, WORK)
    return {"results": results, "probes": probes, "wrong": wrong, "headers": headers,
            "mix": {name: _mix(scenario) for name, scenario in scenarios.items() if name in args.scenarios}}


def _mix(scenario: list[checks.Check]) -> dict:
    """How many ids the scenario's requests name, and how many of them should get an update."""
    ids = [allowed for check in scenario for allowed in check.expected.values()]
    return {"requests": len(scenario), "ids": len(ids), "ids_with_update": sum(None not in allowed for allowed in ids)}


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the servers
    wrk = loadgen.ensure_wrk()
    started = report.now()
    data_dir, built = deploy.ensure_store(bench_run.WORK, WORK, args.addons, args.rebuild)
    if args.wait_quiet:
        cpu.wait_for_quiet(args.wait_quiet)
    machine = report.machine(wrk)
    measured = measure(wrk, data_dir, args)
    run = {
        "date": started,
        "command": " ".join(["bench/updates/run.py", *sys.argv[1:]]),
        "machine": machine,
        "load_average_at_end": [round(load, 2) for load in os.getloadavg()],
        "catalogue": dict(built, directory=str(data_dir.relative_to(bench_run.ROOT)),
                          database_bytes=(data_dir / "addonhub.sqlite3").stat().st_size),
        "settings": {key: getattr(args, key) for key in ("duration", "warmup", "connections", "timeout", "scenarios")},
        "results": measured["results"],
        "probes": report.summarise_probes(measured["probes"]),
        "wrong_answers": measured["wrong"],
        "response_headers": measured["headers"],
        "mix": measured["mix"],
    }
    (WORK / "probes.json").write_text(json.dumps(measured["probes"], indent=1))
    run["summary"] = summary.summarise(run)
    summary.write(args.out, run)
    print((args.out / "REPORT.md").read_text())
    return 1 if any(measured["wrong"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
