"""Builds (or reuses) a synthetic store of N add-ons through the project's own import path."""

import contextlib
import cProfile
import hashlib
import io
import itertools
import json
import os
import pstats
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from addonhub.catalog.importer import import_catalogue
from addonhub.catalog.models import Addon, AddonDocument
from addonhub.config import Settings
from addonhub.store import Store

from cpu import CpuMeter
from synthetic import SEED, CatalogueGenerator

BATCH_SIZE = 2_000
MARKER = "COMPLETE.json"
SRC = Path(__file__).resolve().parent.parent / "src" / "addonhub"
# The code that decides what an import stores; a catalogue built by other code may differ. (New
# schema migrations are not listed: the store applies them when it opens the catalogue.)
DATA_CODE = ("catalog/importer.py", "catalog/indexing.py", "catalog/serializers.py", "catalog/models.py",
             "search")


def data_code_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in DATA_CODE:
        path = SRC / name
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(SRC).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def git_commit() -> str:
    def git(*args):
        return subprocess.run(["git", *args], cwd=SRC, capture_output=True, text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+changes" if git("status", "--porcelain", "--", str(SRC)) else "")


def catalogue_dir(work: Path, addons: int) -> Path:
    return work / f"catalogue-{addons}"


def load_marker(directory: Path) -> dict | None:
    """The build record of a complete catalogue, or None if it is missing or half-built."""
    try:
        return json.loads((directory / MARKER).read_text())
    except (OSError, ValueError):
        return None


def ensure_catalogue(work: Path, addons: int, rebuild: bool) -> tuple[Path, dict]:
    directory = catalogue_dir(work, addons)
    marker = load_marker(directory)
    if marker and marker.get("seed") == SEED and not rebuild:
        print(f"Reusing {directory} (built {marker['built_at']} in {marker['build_seconds']:.0f} s)", flush=True)
        stale = marker.get("data_code") != data_code_fingerprint()
        if stale:
            print("  it was built by other import/indexing code: --rebuild to rebuild it with this code", flush=True)
        return directory, dict(marker, reused=True, built_by_other_code=stale)
    if directory.exists():
        shutil.rmtree(directory)
    marker = build(directory, addons)
    (directory / MARKER).write_text(json.dumps(marker, indent=2))
    return directory, dict(marker, reused=False, built_by_other_code=False)


def _batches(records, size: int):
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def import_records(store: Store, records, total: int) -> None:
    done, started = 0, time.perf_counter()
    for batch in _batches(records, BATCH_SIZE):
        with store.db.session() as session:
            import_catalogue(session, batch)
        done += len(batch)
        elapsed = time.perf_counter() - started
        print(f"  imported {done:>7,}/{total:,} add-ons  {done / elapsed:6.0f}/s  "
              f"(eta {(total - done) * elapsed / done:5.0f} s)", flush=True)


def ensure_postgres_catalogue(work: Path, addons: int, database_url: str) -> tuple[Path, dict]:
    """The same catalogue imported into an empty PostgreSQL database (a throwaway cluster's, so
    built every run); the data directory beside it holds what the store keeps outside its
    database."""
    directory = catalogue_dir(work, addons).with_name(f"catalogue-{addons}-postgresql")
    if directory.exists():
        shutil.rmtree(directory)
    marker = build(directory, addons, database_url)
    return directory, dict(marker, reused=False, built_by_other_code=False)


def open_store(directory: Path, database_url: str | None = None) -> Store:
    """The catalogue's store: the SQLite file in `directory`, or the PostgreSQL database it was built in."""
    return Store(Settings(data_dir=directory, database_url=database_url))


def build(directory: Path, addons: int, database_url: str | None = None) -> dict:
    print(f"Building a {addons:,} add-on catalogue in {database_url or directory} ...", flush=True)
    started = time.perf_counter()
    with CpuMeter(os.getpid()) as meter:
        store = open_store(directory, database_url)
        import_records(store, CatalogueGenerator().records(addons), addons)
        if database_url is None:
            with store.db.engine.connect() as connection:  # fold the write-ahead log into the database file
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        store.db.engine.dispose()
    seconds = time.perf_counter() - started
    print(f"Built {addons:,} add-ons in {seconds:.0f} s ({addons / seconds:.0f} add-ons/s); CPU cores: "
          f"this build {meter.cores['server']}, other processes {meter.cores['other']}", flush=True)
    return {
        "addons": addons,
        "seed": SEED,
        "batch_size": BATCH_SIZE,
        "build_seconds": round(seconds, 1),
        "addons_per_second": round(addons / seconds, 1),
        "database_bytes": database_bytes(directory, database_url),
        "build_cpu_cores": meter.cores["server"],
        "other_cpu_cores_during_build": meter.cores["other"],
        "built_at": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "git_commit": git_commit(),
        "data_code": data_code_fingerprint(),
    }


def listed_addons(directory: Path, database_url: str | None = None) -> list[tuple[int, str]]:
    """(id, slug) of every add-on that the public may see, in id order."""
    store = open_store(directory, database_url)
    with store.db.session() as session:
        rows = session.execute(
            select(Addon.id, Addon.slug).join(AddonDocument, AddonDocument.addon_id == Addon.id)
            .where(AddonDocument.is_listed.is_(True)).order_by(Addon.id)
        ).all()
    store.db.engine.dispose()
    return [tuple(row) for row in rows]


def database_bytes(directory: Path, database_url: str | None = None) -> int:
    """The catalogue's size on disk: the SQLite file, or the PostgreSQL database's."""
    if database_url is None:
        return (directory / "addonhub.sqlite3").stat().st_size
    return _scalar(directory, database_url, "SELECT pg_database_size(current_database())")


def _scalar(directory: Path, database_url: str, query: str) -> int:
    """One number asked of the catalogue's database (`%%` for a literal %: the driver formats)."""
    store = open_store(directory, database_url)
    with store.db.engine.connect() as connection:
        value = connection.exec_driver_sql(query).scalar_one()
    store.db.engine.dispose()
    return int(value)


def search_index_bytes(directory: Path, database_url: str | None = None) -> int:
    """What the search index's tables and their indexes take in the database (SQLite's dbstat, or
    PostgreSQL's pg_total_relation_size, which counts their indexes and TOAST)."""
    if database_url is not None:
        return _scalar(directory, database_url,
                       "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class AS c "
                       "JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                       "AND n.nspname = current_schema() AND c.relname LIKE 'addon\\_search%%'")
    with contextlib.closing(sqlite3.connect(directory / "addonhub.sqlite3")) as database:
        return database.execute(
            "SELECT coalesce(sum(pgsize), 0) FROM dbstat JOIN sqlite_schema AS s ON s.name = dbstat.name "
            "WHERE s.tbl_name LIKE 'addon\\_search%' ESCAPE '\\'").fetchone()[0]


def addon_names(directory: Path, ids: list[int], database_url: str | None = None) -> list[str]:
    store = open_store(directory, database_url)
    with store.db.session() as session:
        names = session.execute(select(Addon.name).where(Addon.id.in_(ids))).scalars().all()
    store.db.engine.dispose()
    return [name.get("en-US") or next(iter(name.values())) for name in names]


def profile_import(records: int = BATCH_SIZE, preload: int = 0, top: int = 30) -> str:
    """cProfile of importing one batch (after `preload` add-ons, so that indexes are not empty);
    returns the report sorted by cumulative and by own time."""
    generator = CatalogueGenerator()
    with tempfile.TemporaryDirectory(prefix="addonhub-bench-") as scratch:
        store = Store(Settings(data_dir=Path(scratch)))
        if preload:
            import_records(store, generator.records(preload), preload)
        batch = [generator.addon(generator_id) for generator_id in range(900_001, 900_001 + records)]
        profiler = cProfile.Profile()
        started = time.perf_counter()
        with store.db.session() as session:
            profiler.enable()
            import_catalogue(session, batch)
            profiler.disable()
        seconds = time.perf_counter() - started
        store.db.engine.dispose()
    out = io.StringIO()
    out.write(f"import_catalogue of {records} records after {preload} others: {seconds:.2f} s "
              f"({seconds / records * 1000:.2f} ms per record, wall, with profiler)\n\n")
    for order in ("cumulative", "tottime"):
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(top)
    return out.getvalue()


if __name__ == "__main__":
    print(profile_import(preload=int(sys.argv[1]) if len(sys.argv) > 1 else 0))
