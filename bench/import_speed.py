"""How fast `addonhub import` takes in a catalogue: add-ons per second, into a fresh store.

    .venv/bin/python bench/import_speed.py --addons 2000,10000 [--again] [--profile]

For each size, generates that many add-ons of bench/synthetic.py's catalogue (fixed seed), writes
them as one AMO-shaped JSON file, and runs `addonhub import` on it in-process (the CLI's own
function, so one transaction, as an operator runs it) into a new data directory whose schema is
already migrated: the time is reading the file, validating, writing and indexing, and the commit.
`--again` then imports the same file a second time into the same store, the update-in-place path
(every add-on already exists). `--profile` runs the imports under cProfile and prints the
functions of most own and most cumulative time.
"""

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

from addonhub import cli
from addonhub.config import Settings
from addonhub.store import Store

from synthetic import CatalogueGenerator


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


def measure(addons: int, again: bool, profiler: cProfile.Profile | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="addonhub-import-") as scratch:
        catalogue, data_dir = Path(scratch) / "catalogue.json", Path(scratch) / "store"
        catalogue.write_text(json.dumps({"addons": list(CatalogueGenerator().records(addons))}))
        Store(Settings(data_dir=data_dir)).db.engine.dispose()  # migrated beforehand: not part of an import
        result = {"addons": addons, "file_bytes": catalogue.stat().st_size}
        result["new_seconds"] = timed_import(data_dir, catalogue, profiler)
        if again:
            result["again_seconds"] = timed_import(data_dir, catalogue, profiler)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--addons", default="2000,10000", help="comma-separated catalogue sizes (default 2000,10000)")
    parser.add_argument("--again", action="store_true", help="also import each file a second time (updates in place)")
    parser.add_argument("--profile", action="store_true", help="cProfile the imports and print the hotspots")
    parser.add_argument("--top", type=int, default=35, help="functions listed per profile order (default 35)")
    args = parser.parse_args(argv)
    profiler = cProfile.Profile() if args.profile else None
    for size in (int(value) for value in args.addons.split(",")):
        result = measure(size, args.again, profiler)
        line = (f"{size:>7,} add-ons ({result['file_bytes'] / 1e6:.1f} MB): new {result['new_seconds']:6.2f} s "
                f"= {size / result['new_seconds']:6.0f} add-ons/s")
        if args.again:
            line += f"; again {result['again_seconds']:6.2f} s = {size / result['again_seconds']:6.0f} add-ons/s"
        print(line + (" (under cProfile)" if profiler else ""), flush=True)
    if profiler:
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(args.top)


if __name__ == "__main__":
    main()
