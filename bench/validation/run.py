"""Validation benchmark: addonhub's validator against addons-linter on the corpus of real extensions.

For every package of the corpus (tests/corpus/build.py, built here if needed) it runs, in the same
run and alternating, `addonhub validate --json` and `addons-linter --output json` as subprocesses,
in the same mode (unlisted / --self-hosted for self-hosted packages), a few times each after one
discarded warm-up run; it measures each run's wall time, CPU time and peak resident memory (with
/usr/bin/time, Debian's `time` package, installed when missing), compares the verdicts (any error
or none), and times `validate_package()` in this process too, without Python's start-up. It also
times what starting each tool costs. It writes bench/validation/REPORT.md and report.json.

    python bench/validation/run.py [--repeat N] [--in-process-repeat M] [--only NAME ...] [--out DIR]
    python bench/validation/run.py --render     # REPORT.md again from report.json
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LINTER = HERE / "node_modules" / ".bin" / "addons-linter"
ADDONHUB = Path(sys.executable).with_name("addonhub")


def _load_builder():
    spec = importlib.util.spec_from_file_location("corpus_build", ROOT / "tests" / "corpus" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


TIME = Path("/usr/bin/time")
# Without GNU time: a bare Python process forks the command and reports wait4()'s figures.
_LAUNCHER = """import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_utime} {usage.ru_stime} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def ensure_time() -> None:
    """GNU time (Debian's `time` package), installed when missing and root."""
    if TIME.exists() or os.geteuid() != 0:
        return
    print("installing Debian's time package for peak memory figures", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "time"], capture_output=True)
    if not TIME.exists():
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "time"], capture_output=True)


def measure(command: list[str]) -> dict:
    """Runs command once: wall and CPU seconds, peak RSS in MiB, exit status, stdout.

    The command runs under /usr/bin/time (or a bare Python launcher), not as a child of this
    process: a child's ru_maxrss starts from its parent's resident size, and this process holds the
    validator it has been timing in process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".usage") as usage:
        if TIME.exists():
            wrapped = [str(TIME), "-q", "-f", "%U %S %M", "-o", usage.name, *command]
        else:
            wrapped = [sys.executable, "-S", "-c", _LAUNCHER, usage.name, *command]
        start = time.perf_counter()
        status = subprocess.run(wrapped, stdout=out, stderr=err, stdin=subprocess.DEVNULL).returncode
        wall = time.perf_counter() - start
        user, system, peak_kib = usage.read().split()[-3:]
        out.seek(0)
        err.seek(0)
        return {"seconds": wall, "cpu_seconds": float(user) + float(system), "peak_mib": int(peak_kib) / 1024,
                "status": status, "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace")}


def ours_command(path: Path, listed: bool, target: str) -> list[str]:
    return [str(ADDONHUB), "validate", "--json", "--listed" if listed else "--unlisted", "--target", target, str(path)]


def linter_command(path: Path, listed: bool) -> list[str]:
    return [str(LINTER), "--output", "json", *([] if listed else ["--self-hosted"]), str(path)]


def ours_verdict(run: dict) -> dict:
    if run["status"] not in (0, 1):
        raise RuntimeError(f"addonhub validate exited {run['status']}: {run['stderr'][-2000:]}")
    body = json.loads(run["stdout"])
    codes = sorted({m["id"][0] for m in body["messages"] if m["type"] == "error"})
    return {"errors": body["errors"], "warnings": body["warnings"], "notices": body["notices"], "error_codes": codes}


def linter_verdict(run: dict) -> dict:
    try:
        body = json.loads(run["stdout"])
    except ValueError:
        raise RuntimeError(f"addons-linter exited {run['status']} without JSON: {run['stderr'][-2000:]}") from None
    codes = sorted({m["code"] for m in body["errors"]})
    return {"errors": body["summary"]["errors"], "warnings": body["summary"]["warnings"],
            "notices": body["summary"]["notices"], "error_codes": codes}


def in_process_seconds(path: Path, listed: bool, target: str, repeat: int) -> list[float]:
    from addonhub.packages.validation import ValidationOptions, validate_package
    options = ValidationOptions(listed=listed, target=target)
    validate_package(path, options)  # warm-up: imports, regex compilation, page cache
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        validate_package(path, options).as_amo_json()
        times.append(time.perf_counter() - start)
    return times


def start_up_probes(repeat: int) -> list[dict]:
    """What starting each tool costs before it looks at a package: the floor of the subprocess figures."""
    python = sys.executable
    probes = [
        ("python -c pass", [python, "-c", "pass"]),
        ("python -c 'import addonhub.packages.validation'", [python, "-c", "import addonhub.packages.validation"]),
        ("python -c 'import addonhub.cli'", [python, "-c", "import addonhub.cli"]),
        ("node -e 0", ["node", "-e", "0"]),
        ("addons-linter --version", [str(LINTER), "--version"]),
    ]
    results = []
    for label, command in probes:
        runs = [measure(command) for _ in range(repeat + 1)][1:]
        results.append({"probe": label, "command": command,
                        "median_seconds": statistics.median(r["seconds"] for r in runs),
                        "peak_mib_max": max(r["peak_mib"] for r in runs)})
    return results


def firefox_rules_error_codes(path: Path, listed: bool) -> list[str]:
    from addonhub.packages.validation import ValidationOptions, validate_package
    report = validate_package(path, ValidationOptions(listed=listed, target="firefox"))
    return sorted({m.code for m in report.messages if m.type == "error"})


def _version(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip()
    except OSError:
        return "?"


def _machine() -> dict:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) // 1024} MiB"
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
    except OSError:
        cpu = platform.processor()
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": memory, "system": platform.platform(),
            "python": platform.python_version(), "node": _version(["node", "--version"]),
            "addons_linter": _version([str(LINTER), "--version"])}


def run(args) -> dict:
    build = _load_builder()
    entries = build.build_corpus(quiet=False)
    if args.only:
        entries = [e for e in entries if e.name in args.only or e.file in args.only]
        if not entries:
            raise SystemExit(f"no corpus package named {args.only}")
    if not LINTER.exists():
        raise SystemExit(f"{LINTER} is missing: run `npm ci --prefix bench/validation` (or `make bench-validation`).")

    ensure_time()
    machine = _machine()
    machine["measured_with"] = "/usr/bin/time" if TIME.exists() else "a bare Python launcher (wait4)"
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    print(f"validation benchmark: {len(entries)} packages, {args.repeat} runs each (+1 warm-up), "
          f"addons-linter {machine['addons_linter']}, load {load_before[0]:.2f}", file=sys.stderr, flush=True)
    probes = start_up_probes(args.repeat)
    rows = []
    for entry in entries:
        path = entry.path(build.DEFAULT_OUT)
        ours_cmd = ours_command(path, entry.listed, entry.target)
        linter_cmd = linter_command(path, entry.listed)
        load = os.getloadavg()[0]
        ours_runs, linter_runs = [], []
        for index in range(args.repeat + 1):  # run 0 is the warm-up; the two tools alternate
            ours, linter = measure(ours_cmd), measure(linter_cmd)
            if index:
                ours_runs.append(ours)
                linter_runs.append(linter)
        ours_v, linter_v = ours_verdict(ours_runs[0]), linter_verdict(linter_runs[0])
        for other in ours_runs[1:]:
            assert ours_verdict(other) == ours_v, f"{entry.file}: addonhub validate is not deterministic"
        in_process = in_process_seconds(path, entry.listed, entry.target, args.in_process_repeat)
        row = {
            "name": entry.name, "file": entry.file, "package": entry.package, "debian_version": entry.version,
            "addon_version": entry.addon_version, "application": entry.application, "target": entry.target,
            "listed": entry.listed, "files": entry.files, "size": entry.size, "load_average": load,
            "ours": {"seconds": [r["seconds"] for r in ours_runs], "peak_mib": [r["peak_mib"] for r in ours_runs],
                     "cpu_seconds": [r["cpu_seconds"] for r in ours_runs],
                     "median_seconds": statistics.median(r["seconds"] for r in ours_runs),
                     "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in ours_runs),
                     "peak_mib_max": max(r["peak_mib"] for r in ours_runs), "command": ours_cmd, **ours_v},
            "linter": {"seconds": [r["seconds"] for r in linter_runs],
                       "peak_mib": [r["peak_mib"] for r in linter_runs],
                       "cpu_seconds": [r["cpu_seconds"] for r in linter_runs],
                       "median_seconds": statistics.median(r["seconds"] for r in linter_runs),
                       "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in linter_runs),
                       "peak_mib_max": max(r["peak_mib"] for r in linter_runs), "command": linter_cmd, **linter_v},
            "in_process": {"seconds": in_process, "median_seconds": statistics.median(in_process)},
        }
        row["ratio"] = row["linter"]["median_seconds"] / row["ours"]["median_seconds"]
        row["ratio_cpu"] = row["linter"]["median_cpu_seconds"] / row["ours"]["median_cpu_seconds"]
        row["ratio_in_process"] = row["linter"]["median_seconds"] / row["in_process"]["median_seconds"]
        row["ours_valid"] = row["ours"]["errors"] == 0
        row["linter_valid"] = row["linter"]["errors"] == 0
        row["verdicts_agree"] = row["ours_valid"] == row["linter_valid"]
        if entry.target != "firefox":
            # addons-linter applies Firefox's rules to every package: ours with the same rules.
            codes = firefox_rules_error_codes(path, entry.listed)
            row["ours_firefox_rules"] = {"error_codes": codes, "valid": not codes}
        row["verdicts_agree_firefox_rules"] = row.get("ours_firefox_rules", {"valid": row["ours_valid"]})["valid"] \
            == row["linter_valid"]
        # Both invalid, but for no common reason: the verdicts agree by accident.
        row["different_reasons"] = (not row["ours_valid"] and not row["linter_valid"]
                                    and not set(row["ours"]["error_codes"]) & set(row["linter"]["error_codes"]))
        rows.append(row)
        print(f"  {entry.file:36} ours {row['ours']['median_seconds'] * 1000:7.0f} ms "
              f"(in-process {row['in_process']['median_seconds'] * 1000:6.1f} ms)  linter "
              f"{row['linter']['median_seconds'] * 1000:7.0f} ms  x{row['ratio']:5.1f}  "
              f"verdicts {'agree' if row['verdicts_agree'] else 'DIFFER'}", file=sys.stderr, flush=True)

    ratios = [r["ratio"] for r in rows]
    in_process_ratios = [r["ratio_in_process"] for r in rows]
    summary = {
        "packages": len(rows),
        "median_ratio": statistics.median(ratios), "min_ratio": min(ratios), "max_ratio": max(ratios),
        "median_ratio_cpu": statistics.median(r["ratio_cpu"] for r in rows),
        "min_ratio_cpu": min(r["ratio_cpu"] for r in rows),
        "median_ratio_in_process": statistics.median(in_process_ratios), "min_ratio_in_process": min(in_process_ratios),
        "total_ours_seconds": sum(r["ours"]["median_seconds"] for r in rows),
        "total_linter_seconds": sum(r["linter"]["median_seconds"] for r in rows),
        "total_in_process_seconds": sum(r["in_process"]["median_seconds"] for r in rows),
        "ours_peak_mib": max(r["ours"]["peak_mib_max"] for r in rows),
        "linter_peak_mib": max(r["linter"]["peak_mib_max"] for r in rows),
        "verdicts_agree": sum(r["verdicts_agree"] for r in rows),
        "all_verdicts_agree": all(r["verdicts_agree"] for r in rows),
        "disagreements": [r["name"] for r in rows if not r["verdicts_agree"]],
        "agree_for_different_reasons": [r["name"] for r in rows if r["verdicts_agree"] and r["different_reasons"]],
        "verdicts_agree_firefox_rules": sum(r["verdicts_agree_firefox_rules"] for r in rows),
        "disagreements_firefox_rules": [r["name"] for r in rows if not r["verdicts_agree_firefox_rules"]],
        "at_least_10x_everywhere": min(ratios) >= 10,
    }
    summary["total_ratio"] = summary["total_linter_seconds"] / summary["total_ours_seconds"]
    return {
        "started": started.isoformat(timespec="seconds"),
        "seconds": (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds(),
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "machine": machine, "repeat": args.repeat, "in_process_repeat": args.in_process_repeat,
        "command": "make bench-validation  (python bench/validation/run.py"
                   + (f" --repeat {args.repeat}" if args.repeat != 3 else "")
                   + (f" --in-process-repeat {args.in_process_repeat}" if args.in_process_repeat != 10 else "")
                   + (f" --only {' '.join(args.only)}" if args.only else "") + ")",
        "summary": summary, "start_up": probes, "packages": rows,
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:.1f}"


def _agreement(row: dict) -> str:
    if row["verdicts_agree"]:
        return "yes"
    firefox = row.get("ours_firefox_rules")
    if firefox is not None and row.get("verdicts_agree_firefox_rules"):
        return f"no; yes with Firefox rules ({', '.join(firefox['error_codes']) or 'no error'})"
    return "**no**"


def _codes(side: dict) -> str:
    return ", ".join(side["error_codes"]) or "-"


def report_markdown(data: dict) -> str:
    s, m = data["summary"], data["machine"]
    verdict_line = ("all verdicts agree" if s["all_verdicts_agree"] else
                    f"verdicts agree on {s['verdicts_agree']} of {s['packages']}; differ on: "
                    + ", ".join(s["disagreements"]))
    if "verdicts_agree_firefox_rules" in s and not s["all_verdicts_agree"]:
        explained = [n for n in s["disagreements"] if n not in s["disagreements_firefox_rules"]]
        if explained:
            verdict_line += (f". {', '.join(explained)} {'is a Chromium package' if len(explained) == 1 else 'are Chromium packages'}"
                             ", which addonhub validates with Chromium's rules and addons-linter, knowing only Firefox, "
                             "with Firefox's; with Firefox's rules addonhub's verdict agrees on "
                             f"{s['verdicts_agree_firefox_rules']} of {s['packages']}")
    if s.get("agree_for_different_reasons"):
        verdict_line += ("; of the agreeing ones, " + ", ".join(s["agree_for_different_reasons"])
                         + " are invalid for both but for no common error code")
    lines = [
        "# Validation benchmark: addonhub against addons-linter",
        "",
        f"Run {data['started']} with `{data['command']}`, {data['seconds']:.0f} s. "
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory']}, {m['system']}; Python {m['python']}, "
        f"Node {m['node']}, addons-linter {m['addons_linter']}. Load average before/after: "
        f"{data['load_average_before'][0]:.2f} / {data['load_average_after'][0]:.2f} (1 minute; between "
        f"{min(r['load_average'] for r in data['packages']):.2f} and "
        f"{max(r['load_average'] for r in data['packages']):.2f} at the start of each package).",
        "",
        "## Summary",
        "",
        f"- **{s['packages']} packages**, each validated by both tools in the same mode, {data['repeat']} timed run(s) "
        "each (after one discarded warm-up), the two tools alternating; figures are medians.",
        f"- **Speed, subprocess against subprocess** (`addonhub validate --json` includes Python's start-up and "
        f"imports): median **{s['median_ratio']:.1f}x** faster than addons-linter, minimum {s['min_ratio']:.1f}x, "
        f"maximum {s['max_ratio']:.1f}x; whole corpus {_ms(s['total_ours_seconds'])} ms against "
        f"{_ms(s['total_linter_seconds'])} ms ({s['total_ratio']:.1f}x).",
        f"- **CPU time, subprocess against subprocess** (user + system, less sensitive to other load on the "
        f"machine; Node's GC threads count): median **{s['median_ratio_cpu']:.1f}x**, minimum {s['min_ratio_cpu']:.1f}x.",
        f"- **Speed, in-process** (`validate_package()` in a loop, {data['in_process_repeat']} runs, against the "
        f"same addons-linter subprocess times, which include Node's start-up): median "
        f"**{s['median_ratio_in_process']:.0f}x**, minimum {s['min_ratio_in_process']:.0f}x; whole corpus "
        f"{_ms(s['total_in_process_seconds'])} ms.",
        f"- **Peak memory** (resident, per process): addonhub at most {s['ours_peak_mib']:.0f} MiB, addons-linter at "
        f"most {s['linter_peak_mib']:.0f} MiB.",
        f"- **Verdicts** (valid = no error): {verdict_line}.",
        f"- Aim (at least 10x faster with the same verdict on every package): speed "
        f"{'met' if s['at_least_10x_everywhere'] else 'NOT met'} on every package (subprocess against subprocess); "
        f"verdicts {'met' if s['all_verdicts_agree'] else 'NOT met'} as run"
        + (", met under the same (Firefox) rules" if s.get("disagreements_firefox_rules") == [] and not s["all_verdicts_agree"]
           else "") + ".",
        "",
        "## Per package",
        "",
        "Wall times in milliseconds (median); *ratio CPU* compares user + system CPU time; memory in MiB (largest peak RSS of the runs). *Mode*: listed, or "
        "unlisted (`--unlisted` / `--self-hosted`) for a package with its own update_url. addons-linter has no "
        "Chromium mode: Chromium packages are linted as Firefox ones.",
        "",
        "| package | target | mode | ours ms | in-process ms | addons-linter ms | ratio | ratio in-process "
        "| ratio CPU | ours MiB | linter MiB | ours errors | linter errors | verdicts agree |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for r in data["packages"]:
        lines.append(
            f"| {r['file']} | {r['target']} | {'listed' if r['listed'] else 'unlisted'} "
            f"| {_ms(r['ours']['median_seconds'])} | {_ms(r['in_process']['median_seconds'])} "
            f"| {_ms(r['linter']['median_seconds'])} | {r['ratio']:.1f}x | {r['ratio_in_process']:.0f}x "
            f"| {r['ratio_cpu']:.1f}x "
            f"| {r['ours']['peak_mib_max']:.0f} | {r['linter']['peak_mib_max']:.0f} "
            f"| {r['ours']['errors']} ({_codes(r['ours'])}) | {r['linter']['errors']} ({_codes(r['linter'])}) "
            f"| {_agreement(r)} |")
    if data.get("start_up"):
        lines += [
            "",
            "## Start-up",
            "",
            "What a process costs before it reads a package (median wall time, same run): the floor under the "
            "subprocess figures above. `addonhub validate` runs `addonhub.cli`, then imports the validator.",
            "",
            "| probe | ms | peak MiB |",
            "| --- | ---: | ---: |",
        ]
        for probe in data["start_up"]:
            lines.append(f"| `{probe['probe']}` | {_ms(probe['median_seconds'])} | {probe['peak_mib_max']:.0f} |")
    lines += [
        "",
        "## The packages",
        "",
        "| package | Debian package | Debian version | add-on version | files | size KiB |",
        "| --- | --- | --- | --- | ---: | ---: |",
    ]
    for r in data["packages"]:
        lines.append(f"| {r['file']} | {r['package']} | {r['debian_version']} | {r['addon_version']} "
                     f"| {r['files']} | {r['size'] // 1024} |")
    lines += [
        "",
        "## How",
        "",
        "- Corpus: `tests/corpus/build.py` (see its docstring): Debian's webext-* packages, each extension folder "
        "zipped with its symlinks resolved.",
        "- Commands, per package: `" + " ".join(Path(c).name if i == 0 else c for i, c in
                                                   enumerate(data["packages"][0]["ours"]["command"]))
        + "` and `" + " ".join(Path(c).name if i == 0 else c for i, c in
                                enumerate(data["packages"][0]["linter"]["command"])) + "` (see report.json).",
        "- Wall time with `time.perf_counter()` around each process; CPU time and peak memory (`ru_maxrss`, which "
        f"covers the children a process waited for) from {data['machine'].get('measured_with', '/usr/bin/time')}, "
        "so that the figures do not start from this script's own size.",
        "- The in-process figure calls `validate_package(path, options).as_amo_json()` after one warm-up call; "
        "it is what the store's submission pipeline pays, without the interpreter's start-up.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool and package (default 3)")
    parser.add_argument("--in-process-repeat", type=int, default=10, help="validate_package() calls (default 10)")
    parser.add_argument("--only", nargs="+", help="corpus package names (e.g. ublock-origin-firefox)")
    parser.add_argument("--out", type=Path, default=HERE, help="where REPORT.md and report.json go")
    parser.add_argument("--render", action="store_true", help="only rewrite REPORT.md from the report.json in --out")
    args = parser.parse_args(argv)
    if args.render:
        (args.out / "REPORT.md").write_text(report_markdown(json.loads((args.out / "report.json").read_text())))
        return 0
    data = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(data, indent=2) + "\n")
    (args.out / "REPORT.md").write_text(report_markdown(data))
    s = data["summary"]
    print(f"median {s['median_ratio']:.1f}x (min {s['min_ratio']:.1f}x) subprocess, "
          f"{s['median_ratio_in_process']:.0f}x in-process; verdicts agree on {s['verdicts_agree']}/{s['packages']}; "
          f"wrote {args.out / 'REPORT.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
