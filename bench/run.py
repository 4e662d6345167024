"""addonhub's HTTP benchmark: `make bench`, or `.venv/bin/python bench/run.py --help`.

Builds (or reuses) a synthetic catalogue, serves it with `addonhub serve` next to a bare endpoint
of the same framework, drives both with wrk one scenario at a time, and writes bench/REPORT.md and
bench/report.json. See bench/README.md.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
WORK = BENCH_DIR / "work"


def _use_project_venv() -> None:
    """Re-runs this script with the project's virtualenv when started with another Python."""
    try:
        import addonhub  # noqa: F401
    except ImportError:
        venv_python = ROOT / ".venv" / "bin" / "python"
        if venv_python.exists() and Path(sys.executable) != venv_python:
            os.execv(venv_python, [str(venv_python), *sys.argv])
        raise


_use_project_venv()

import catalogue  # noqa: E402
import cpu  # noqa: E402
import loadgen  # noqa: E402
import pages  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
import synthetic  # noqa: E402

sys.path.insert(0, str(ROOT))  # tests/ starts the throwaway PostgreSQL and SeaweedFS servers
from tests import postgres, s3  # noqa: E402

SCENARIOS = ("bare", "detail", "search", "listing", "autocomplete", *pages.SCENARIOS)
DATABASES = {"sqlite": ["sqlite"], "postgresql": ["postgresql"], "both": ["sqlite", "postgresql"]}


def load_arguments(parser: argparse.ArgumentParser, scenarios, rebuild_help: str) -> None:
    """The options every wrk-driven benchmark takes (catalogue size, durations, load, scenarios)."""
    parser.add_argument("--addons", type=int, default=100_000, help="catalogue size (default 100000)")
    parser.add_argument("--rebuild", action="store_true", help=rebuild_help)
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per scenario (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of discarded warm-up per scenario (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--timeout", type=int, default=10, help="wrk request timeout in seconds (default 10)")
    parser.add_argument("--scenarios", default=",".join(scenarios),
                        help=f"comma-separated subset of {','.join(scenarios)} (bare always runs first and last)")
    parser.add_argument("--wait-quiet", type=int, default=0, metavar="S",
                        help="before measuring, wait up to S seconds for other processes to leave the CPUs idle")


def parsed_scenarios(parser: argparse.ArgumentParser, args: argparse.Namespace, scenarios) -> argparse.Namespace:
    args.scenarios = [name for name in args.scenarios.split(",") if name]
    unknown = set(args.scenarios) - set(scenarios)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    return args


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    load_arguments(parser, SCENARIOS, "rebuild the catalogue even if a complete one exists")
    parser.add_argument("--database", choices=DATABASES, default="sqlite",
                        help="the catalogue's database: sqlite (the store's default), postgresql (a throwaway "
                             "PostgreSQL 15 on loopback, the catalogue imported into it each run) or both, "
                             "measured one after the other in the same run (default sqlite)")
    parser.add_argument("--blobs", choices=("local", "s3"), default="local",
                        help="the stores' blobs: local (the data directory) or s3 (a throwaway SeaweedFS on loopback)")
    parser.add_argument("--profile-import", action="store_true",
                        help="only profile import_catalogue on one batch (cProfile) and print the hotspots")
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where REPORT.md and report.json go (default bench/)")
    return parsed_scenarios(parser, parser.parse_args(argv), SCENARIOS)


# --- what each scenario requests ----------------------------------------------------------------

def request_sets(data_dir: Path, database_url: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """(kind, path) per scenario, derived deterministically from the catalogue."""
    rng = random.Random(synthetic.SEED + 1)
    vocabulary = synthetic.CatalogueGenerator().vocabulary
    listed = catalogue.listed_addons(data_dir, database_url)
    if not listed:
        raise RuntimeError(f"{data_dir} has no listed add-ons")
    details = synthetic.detail_paths(rng, listed)
    names = catalogue.addon_names(data_dir, [addon_id for addon_id, _ in rng.sample(listed, min(2_000, len(listed)))],
                                  database_url)
    searches = synthetic.search_queries(rng, vocabulary, names)
    autocompletes = synthetic.autocomplete_paths(rng, vocabulary)
    # Drawn after the API's paths, so that those stay what they were before the pages were added.
    addon_pages = pages.addon_page_paths(rng, listed)
    return {
        "bare": [("bare", "/bare")],
        "detail": [("by id" if path.rstrip("/").split("/")[-1].isdigit() else "by slug", path) for path in details],
        "search": [(kind, synthetic.search_path(params)) for kind, params in searches],
        # The search API without a query: the listings (by users, rating, date...) of the store's pages.
        "listing": [(kind, synthetic.search_path(params)) for kind, params in searches if kind == synthetic.LISTING],
        "autocomplete": [("prefix", path) for path in autocompletes],
        "home": list(pages.HOME_PATHS),
        "search-page": pages.search_page_paths(searches),
        "addon-page": addon_pages,
    }


# --- single requests: every path answers 200, and how long each takes alone ---------------------

def probe(base_url: str, requests: list[tuple[str, str]], describe=None) -> list[dict]:
    """Requests every path twice, one at a time, and times the second pass (the first warms up).
    Each row's "answer" is describe(body) (by default the JSON body's "count"); "html" says whether
    the answer is an HTML page."""
    return probe_passes(base_url, requests, describe)[1]


def probe_passes(base_url: str, requests: list[tuple[str, str]], describe=None) -> tuple[list[dict], list[dict]]:
    """Both passes of probe(): for pages, the first is each page rendered, the second each page
    answered from the anonymous page cache."""
    describe = describe or _count
    return _probe_pass(base_url, requests, describe), _probe_pass(base_url, requests, describe)


def _probe_pass(base_url: str, requests: list[tuple[str, str]], describe) -> list[dict]:
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    rows = []
    for kind, path in requests:
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            status, body = response.status, response.read()
            content_type = response.getheader("content-type", "")
        except (http.client.HTTPException, OSError) as error:  # the server dropped the connection
            connection.close()  # the next request reconnects
            status, body, content_type = type(error).__name__, b"", ""
        elapsed = (time.perf_counter() - started) * 1000
        rows.append({"kind": kind, "path": path, "status": status, "ms": round(elapsed, 2), "answer": describe(body),
                     "bytes": len(body), "html": pages.is_html_page(content_type, body)})
    connection.close()
    return rows


def _count(body: bytes) -> int | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value.get("count") if isinstance(value, dict) else None


# --- the run --------------------------------------------------------------------------------------

def _file_name(name: str) -> str:
    return "-".join(name.replace("(", "").replace(")", "").split())


def drive(wrk: str, name: str, server: servers.Server, paths: list[str], args, work: Path = WORK,
          database_pid: int | None = None) -> dict:
    """One scenario: a discarded warm-up, then the measured wrk run with the server's CPU use (and
    its PostgreSQL's, given the postmaster's pid). Scripts go to work/scripts/, wrk's output to work/logs/."""
    script = loadgen.write_script(work / "scripts" / f"{name.split()[0]}.lua", paths)
    logs = work / "logs"
    print(f"[{name}] warm-up {args.warmup} s, then {args.duration} s with {args.connections} connections", flush=True)
    loadgen.run(wrk, server.url, script, args.warmup, args.connections, args.timeout, logs / f"{_file_name(name)}-warmup.txt")
    time.sleep(1)  # let requests still queued from the warm-up finish
    with cpu.CpuMeter(server.pid, database_pid) as meter:
        result = loadgen.run(wrk, server.url, script, args.duration, args.connections, args.timeout,
                             logs / f"{_file_name(name)}.txt")
    print(f"[{name}] {result.requests_per_second:,.0f} requests/s, p50 {result.p50_ms} ms, p99 {result.p99_ms} ms, "
          f"non-2xx {result.non_2xx}, socket errors {result.socket_errors}, CPU cores {meter.cores}", flush=True)
    time.sleep(1)
    return dict(result.as_dict(), cpu_cores=meter.cores)


# Searches are answered from the anonymous cache once asked (web/page_cache.py), as the store's
# defaults serve them; the same scenarios run again against a second store with the cache off, so
# that the report also shows what computing every search costs.
UNCACHED = report.UNCACHED
UNCACHED_SETTINGS = {"ADDONHUB_PAGE_CACHE_MB": "0"}


@dataclass
class Catalogue:
    """One database holding the synthetic catalogue, and what the stores serving it are given."""
    database: str
    directory: Path
    built: dict
    database_url: str | None = None
    postmaster_pid: int | None = None  # PostgreSQL's, whose processes do the store's queries

    def settings(self, blob_settings: dict[str, str]) -> dict[str, str]:
        """The environment of a store serving this catalogue, its blobs where blob_settings say."""
        return {**blob_settings, **({"ADDONHUB_DATABASE_URL": self.database_url} if self.database_url else {})}


def measure(wrk: str, catalogues: dict[str, Catalogue], blob_settings: dict[str, str], args) -> tuple[dict, dict, dict, dict]:
    """Probes, page weights, wrk runs and the stores' memory, for each database's catalogue in turn
    between the bare runs (a PostgreSQL row's name ends in ` [PostgreSQL]`). The detail scenario is
    compared with the FastAPI `def` baseline (the same thread-pool hop as its route); the pages and
    the searches, as issues 12 and 13 ask, with the async Starlette one (the stack's limit)."""
    first = next(iter(catalogues.values()))
    requests = request_sets(first.directory, first.database_url)
    page_scenarios = [name for name in args.scenarios if name in pages.SCENARIOS]
    uncached_scenarios = [name for name in args.scenarios if name in report.UNCACHED_SCENARIOS]
    results, probes, weights, memory = {}, {}, {}, {}
    bare_paths = [path for _, path in requests["bare"]]
    with contextlib.ExitStack() as stack:
        def start(name: str, command_on, heartbeat: str, settings=None) -> servers.Server:
            port = servers.free_port()
            return stack.enter_context(servers.running(command_on(port), heartbeat, port,
                                                       WORK / "logs" / f"{_file_name(name)}-server.log", settings))

        bare = start("bare", servers.bare_command, "/bare")
        starlette = start("bare-starlette", lambda port: servers.bare_command(port, "starlette"), "/bare")
        stores = {}
        for database, served in catalogues.items():
            command = lambda port, served=served: servers.store_command(served.directory, port)  # noqa: E731
            settings = served.settings(blob_settings)
            stores[database] = (
                start(report.labelled("store", database), command, "/__heartbeat__", settings),
                start(report.labelled("store" + UNCACHED, database), command, "/__heartbeat__",
                      {**settings, **UNCACHED_SETTINGS}) if uncached_scenarios else None)
        for database, (store, uncached) in stores.items():
            probes.update(probe_scenarios(store, uncached, requests, args.scenarios, database))
        store = stores[first.database][0]
        for name in page_scenarios:  # the pages are the same HTML whatever the database
            weighed = pages.weighed_paths(probes[report.labelled(name, first.database)])
            weights[name] = [pages.page_weight(store.url, path) for path in weighed]
        results["bare (first)"] = drive(wrk, "bare (first)", bare, bare_paths, args)
        results["bare starlette (first)"] = drive(wrk, "bare starlette (first)", starlette, bare_paths, args)
        for database, (store, uncached) in stores.items():
            pid = catalogues[database].postmaster_pid
            for name in args.scenarios:
                if name == "bare":
                    continue
                paths = [path for _, path in requests[name]]
                label = report.labelled(name, database)
                results[label] = drive(wrk, label, store, paths, args, database_pid=pid)
                if name in uncached_scenarios:
                    label = report.labelled(name + UNCACHED, database)
                    results[label] = drive(wrk, label, uncached, paths, args, database_pid=pid)
            memory[report.labelled("store", database)] = store.memory()
            if uncached:
                memory[report.labelled("store" + UNCACHED, database)] = uncached.memory()
        results["bare starlette (last)"] = drive(wrk, "bare starlette (last)", starlette, bare_paths, args)
        results["bare (last)"] = drive(wrk, "bare (last)", bare, bare_paths, args)
    return results, probes, weights, memory


def probe_scenarios(store: servers.Server, uncached: servers.Server | None, requests: dict, scenarios: list[str],
                    database: str) -> dict[str, list[dict]]:
    """Every scenario's paths asked one by one of the store (and of the uncached one, for the
    scenarios it serves), keyed by the scenario's label for this database."""
    probes = {}
    for name in scenarios:
        if name == "bare":
            continue
        label = report.labelled(name, database)
        print(f"[{label}] probing {len(requests[name])} paths one by one", flush=True)
        if name in pages.SCENARIOS:
            probes[report.labelled(f"{name} (rendered)", database)], probes[label] = probe_passes(
                store.url, requests[name], _page_title)
        else:
            probes[label] = probe(store.url, requests[name])
        if name in report.UNCACHED_SCENARIOS:
            probes[report.labelled(name + UNCACHED, database)] = probe(uncached.url, requests[name])
    return probes


def _page_title(body: bytes) -> str | None:
    """A page's <title>, to see in probes.json which page answered."""
    start, end = body.find(b"<title>"), body.find(b"</title>")
    return body[start + 7:end].decode("utf-8", "replace") if 0 <= start < end else None


@contextlib.contextmanager
def catalogues_on(databases: list[str], args):
    """The synthetic catalogue in each database: SQLite's built once and reused; PostgreSQL's
    imported into a throwaway cluster (tests/postgres.py), stopped when the run ends."""
    with contextlib.ExitStack() as stack:
        served = {}
        for database in databases:
            if database == "sqlite":
                served[database] = Catalogue(database, *catalogue.ensure_catalogue(WORK, args.addons, args.rebuild))
                continue
            if not postgres.available():
                sys.exit("PostgreSQL 15 is not installed: run `make postgresql`")
            server = postgres.start_postgres()
            stack.callback(server.stop)
            url = server.url(server.create_database("catalogue"))
            directory, built = catalogue.ensure_postgres_catalogue(WORK, args.addons, url)
            served[database] = Catalogue(database, directory, built, url, server.process.pid)
        yield served


@contextlib.contextmanager
def blob_settings_for(blobs: str):
    """The stores' environment for their blobs: nothing (the data directory), or a throwaway
    SeaweedFS's bucket and credentials."""
    if blobs == "local":
        yield {}
        return
    with tempfile.TemporaryDirectory(prefix="addonhub-bench-s3-") as scratch:
        server = s3.start_seaweed(Path(scratch))
        try:
            yield {"ADDONHUB_BLOB_URL": server.blob_url("catalogue-bench"), **s3.CLIENT_ENVIRONMENT}
        finally:
            server.stop()


def catalogue_facts(served: Catalogue) -> dict:
    """What the report says of a catalogue: its build, size and search index in its database."""
    return dict(served.built, database=served.database,
                listed=len(catalogue.listed_addons(served.directory, served.database_url)),
                directory=str(served.directory.relative_to(ROOT)),
                database_bytes=catalogue.database_bytes(served.directory, served.database_url),
                search_index_bytes=catalogue.search_index_bytes(served.directory, served.database_url))


def main(argv=None) -> int:
    args = parse_args(argv)
    # Stopped with SIGTERM, still stop the servers (the context managers' cleanup runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.profile_import:
        print(catalogue.profile_import())
        return 0
    wrk = loadgen.ensure_wrk()
    started = report.now()
    databases = DATABASES[args.database]
    with catalogues_on(databases, args) as catalogues, blob_settings_for(args.blobs) as blob_settings:
        if args.wait_quiet:
            cpu.wait_for_quiet(args.wait_quiet)
        machine = report.machine(wrk)
        results, probes, weights, memory = measure(wrk, catalogues, blob_settings, args)
        facts = {database: catalogue_facts(served) for database, served in catalogues.items()}
    page_probes = [report.labelled(name, database) for database in databases
                   for name in (*pages.SCENARIOS, *(f"{name} (rendered)" for name in pages.SCENARIOS))]
    run = {
        "date": started,
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
        "machine": machine,
        "load_average_at_end": [round(load, 2) for load in os.getloadavg()],
        "databases": databases,
        "blobs": args.blobs,
        "catalogues": facts,
        "memory": memory,
        "settings": {key: getattr(args, key) for key in ("duration", "warmup", "connections", "timeout", "scenarios")},
        "results": results,
        "probes": report.summarise_probes(probes, page_probes),
        "page_weights": weights,
    }
    (WORK / "probes.json").write_text(json.dumps(probes, indent=1))
    run["summary"] = report.summarise_databases(results, databases, [name for name in args.scenarios if name in pages.SCENARIOS],
                                                weights, run["probes"])
    report.write(args.out, run)
    print((args.out / "REPORT.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
