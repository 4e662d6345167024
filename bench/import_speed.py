"""How fast `addonhub import` takes in a catalogue: add-ons per second, into a fresh store.

    .venv/bin/python bench/import_speed.py --addons 2000,10000 [--database sqlite,postgresql] [--again] [--profile]

For each database and size, generates that many add-ons of bench/synthetic.py's catalogue (fixed
seed), writes them as one AMO-shaped JSON file, and runs `addonhub import` on it in-process (the
CLI's own function, so one transaction, as an operator runs it) into a new store whose schema is
already migrated: the time is reading the file, validating, writing and indexing, and the commit.
PostgreSQL is a throwaway cluster of tests/postgres.py (Debian's postgresql-15, `make
postgresql`), a new database for each size. `--again` then imports the same file a second time
into the same store, the update-in-place path (every add-on already exists). `--profile` runs
the imports under cProfile and prints the functions of most own and most cumulative time.

The baseline, measured in the same run on the same database: the add-ons' id, guid, slug, name,
summary and description inserted with the driver's own executemany into a bare table, in one
transaction (the fastest of five): the least a database can do to take the catalogue in. The
ratio says how many times slower than that the import is, which the machine's load moves far
less than add-ons per second.
"""

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

from addonhub import cli
from addonhub.config import Settings
from addonhub.store import Store

from synthetic import CatalogueGenerator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.postgres starts the PostgreSQL cluster
from tests.postgres import available, start_postgres  # noqa: E402


def timed_import(data_dir: Path, catalogue: Path, profiler: cProfile.Profile | None) -> float:
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    status = cli.main(["import", "--data-dir", str(data_dir), str(catalogue)])
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    if status != 0:
        sys.exit(f"the import failed (exit status {status})")
    return seconds


BASELINE_REPEATS = 5


def baseline_seconds(database_url: str, records: list[dict]) -> float:
    """The bare-table baseline (see the module's docstring): the driver's executemany, one commit."""
    rows = [(record["id"], record["guid"], record["slug"], json.dumps(record["name"]),
             json.dumps(record.get("summary")), json.dumps(record.get("description"))) for record in records]
    engine = create_engine(database_url)
    placeholder = "?" if engine.dialect.name == "sqlite" else "%s"
    connection = engine.raw_connection()
    timings = []
    try:
        cursor = connection.cursor()
        # The fastest of a few: one insert takes milliseconds, which a busy machine's noise swamps.
        for _ in range(BASELINE_REPEATS):
            cursor.execute("CREATE TABLE bench_baseline (id integer PRIMARY KEY, guid text, slug text, name text, "
                           "summary text, description text)")
            connection.commit()
            started = time.perf_counter()
            cursor.executemany(f"INSERT INTO bench_baseline VALUES ({', '.join([placeholder] * 6)})", rows)
            connection.commit()
            timings.append(time.perf_counter() - started)
            cursor.execute("DROP TABLE bench_baseline")
            connection.commit()
    finally:
        connection.close()
        engine.dispose()
    return min(timings)


def measure(addons: int, database_url: str | None, again: bool, profiler: cProfile.Profile | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="addonhub-import-") as scratch:
        catalogue, data_dir = Path(scratch) / "catalogue.json", Path(scratch) / "store"
        records = list(CatalogueGenerator().records(addons))
        catalogue.write_text(json.dumps({"addons": records}))
        settings = Settings(data_dir=data_dir, database_url=database_url)
        Store(settings).db.engine.dispose()  # migrated beforehand: not part of an import
        result = {"addons": addons, "file_bytes": catalogue.stat().st_size,
                  "baseline_seconds": baseline_seconds(settings.effective_database_url, records)}
        result["new_seconds"] = timed_import(data_dir, catalogue, profiler)
        if again:
            result["again_seconds"] = timed_import(data_dir, catalogue, profiler)
    return result


@contextlib.contextmanager
def databases(names: list[str]):
    """Yields a function giving, for a database kind, a new database's URL (None: the data
    directory's SQLite file); a PostgreSQL cluster is started when one is asked for."""
    server = None
    if "postgresql" in names:
        if not available():
            sys.exit("PostgreSQL 15 is not installed: make postgresql")
        server = start_postgres()
    try:
        yield lambda name: server.url(server.create_database()) if name == "postgresql" else None
    finally:
        if server:
            server.stop()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--addons", default="2000,10000", help="comma-separated catalogue sizes (default 2000,10000)")
    parser.add_argument("--database", default="sqlite,postgresql", help="sqlite, postgresql or both (the default)")
    parser.add_argument("--again", action="store_true", help="also import each file a second time (updates in place)")
    parser.add_argument("--profile", action="store_true", help="cProfile the imports and print the hotspots")
    parser.add_argument("--top", type=int, default=35, help="functions listed per profile order (default 35)")
    args = parser.parse_args(argv)
    kinds = args.database.split(",")
    if set(kinds) - {"sqlite", "postgresql"}:
        parser.error("--database takes sqlite, postgresql or both")
    profiler = cProfile.Profile() if args.profile else None
    with databases(kinds) as new_database:
        for kind in kinds:
            for size in (int(value) for value in args.addons.split(",")):
                url = new_database(kind)
                # The CLI reads its database where an operator sets it; unset, the data directory's SQLite.
                os.environ.pop("ADDONHUB_DATABASE_URL", None)
                if url:
                    os.environ["ADDONHUB_DATABASE_URL"] = url
                result = measure(size, url, args.again, profiler)
                print(report_line(kind, result) + (" (under cProfile)" if profiler else ""), flush=True)
    if profiler:
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(args.top)


def report_line(kind: str, result: dict) -> str:
    size, baseline = result["addons"], result["addons"] / result["baseline_seconds"]
    line = (f"{kind:>10} {size:>7,} add-ons ({result['file_bytes'] / 1e6:.1f} MB): baseline {baseline:8.0f}/s; "
            f"new {result['new_seconds']:6.2f} s = {size / result['new_seconds']:5.0f} add-ons/s "
            f"(baseline/new {baseline * result['new_seconds'] / size:5.1f})")
    if "again_seconds" in result:
        line += (f"; again {result['again_seconds']:6.2f} s = {size / result['again_seconds']:5.0f} add-ons/s "
                 f"(baseline/again {baseline * result['again_seconds'] / size:5.1f})")
    return line


if __name__ == "__main__":
    main()
