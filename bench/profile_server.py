"""Where a server's time goes under load: py-spy samples `addonhub serve` while wrk drives one
scenario of a catalogue that bench/run.py built.

    python -m venv /tmp/pyspy && /tmp/pyspy/bin/pip install py-spy
    .venv/bin/python bench/profile_server.py --py-spy /tmp/pyspy/bin/py-spy --scenario search

With --updates, the store and scripts of bench/updates/run.py instead (`--updates --scenario
chromium-1`).

Writes the collapsed stacks to bench/work/profiles/ and prints the functions with the most samples,
inclusive (on the stack) and exclusive (at the top of the stack), as shares of all samples.
"""

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import run  # noqa: F401  (re-runs with the project's virtualenv when needed)
import catalogue
import loadgen
import servers

WORK = Path(__file__).resolve().parent / "work"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--py-spy", required=True, help="the py-spy executable")
    parser.add_argument("--scenario", choices=("detail", "search", "autocomplete", "home", "search-page", "addon-page",
                                               "chromium-1", "chromium-20", "versioncheck"), default="search")
    parser.add_argument("--updates", action="store_true", help="profile bench/updates/run.py's store and scenarios")
    parser.add_argument("--addons", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3,
                        help="seconds of unprofiled load first (long enough to fill the page caches)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--gil", action="store_true", help="sample only the thread holding the GIL")
    parser.add_argument("--top", type=int, default=25)
    return parser.parse_args(argv)


_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^():]+)(?::\d+)?\)$")


def _short(frame: str) -> str:
    """`function (path/to/file.py:12)` -> `file.py:function`, the line dropped so that calls add up."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    return f"{Path(match['file']).name}:{match['function']}"


def summarise(collapsed: Path, top: int) -> str:
    inclusive, exclusive, total = Counter(), Counter(), 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames, samples = [_short(frame) for frame in stack.split(";")], int(count)
        total += samples
        exclusive[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    lines = [f"{total} samples"]
    for title, counter in (("inclusive", inclusive), ("exclusive", exclusive)):
        lines += ["", f"{title}:"]
        lines += [f"  {count / total:6.1%}  {frame}" for frame, count in counter.most_common(top)]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    work = WORK / "updates" if args.updates else WORK
    runner = "bench/updates/run.py" if args.updates else "bench/run.py"
    data_dir = catalogue.catalogue_dir(work, args.addons)
    if not catalogue.load_marker(data_dir):
        sys.exit(f"{data_dir} is not a complete catalogue: run {runner} --addons {args.addons} first")
    script = work / "scripts" / f"{args.scenario}.lua"
    if not script.exists():
        sys.exit(f"{script} is missing: run {runner} first")
    wrk = loadgen.ensure_wrk()
    port = servers.free_port()
    out = WORK / "profiles" / f"{args.scenario}{'-gil' if args.gil else ''}.collapsed"
    out.parent.mkdir(parents=True, exist_ok=True)
    with servers.running(servers.store_command(data_dir, port), "/__heartbeat__", port, WORK / "logs" / "profile-server.log") as server:
        loadgen.run(wrk, server.url, script, args.warmup, args.connections, 10, WORK / "logs" / "profile-warmup.txt")
        spy = subprocess.Popen([args.py_spy, "record", "--pid", str(server.pid), "--duration", str(args.duration),
                                "--rate", "100", "--format", "raw", "--output", str(out), "--nonblocking",
                                *(["--gil"] if args.gil else [])])
        result = loadgen.run(wrk, server.url, script, args.duration, args.connections, 10, WORK / "logs" / "profile-wrk.txt")
        spy.wait()
    print(f"{args.scenario}: {result.requests_per_second:,.0f} requests/s, p50 {result.p50_ms} ms, p99 {result.p99_ms} ms "
          f"while profiled")
    print(summarise(out, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
