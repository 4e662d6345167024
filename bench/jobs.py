"""How promptly a worker wakes for a new job, and how many jobs a second one and two workers run.

    .venv/bin/python bench/jobs.py [--database sqlite,postgresql] [--wakeups 40] [--jobs 2000]

For each database (SQLite in a temporary file; PostgreSQL a throwaway cluster of tests/postgres.py,
Debian's postgresql-15, `make postgresql`), on a freshly migrated store database:

- **Wake-up**: a worker thread waits idle (as `addonhub worker` does, Worker.run_until with the
  store's defaults); the bench commits one job at a time, at random moments, and notes how long
  after the commit the job's handler starts. On PostgreSQL it is measured twice in the same run:
  with the default LISTEN/NOTIFY wake-up, and with the polling wake-up the store used before it
  (and SQLite uses), at its 0.25 s interval: the baseline, and the ratio between the two.
- **Throughput**: `--jobs` jobs are queued, then one and then two worker processes (each
  Worker.drain, as `addonhub worker` runs jobs) run them all; jobs per second from the first job's
  run to the last one's. Each job's handler inserts one row in its own transaction, the least a
  real job does (validation and signing cost what the package costs, bench/validation measures
  them). The baseline, in the same run: the same inserts done in-process without the queue, one
  transaction each. The ratio is what the queue's claim, lease and completion cost on top.
"""

import argparse
import contextlib
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text

from addonhub import jobs
from addonhub.db import Database
from addonhub.jobs import DONE, Job, PollingWakeup, Worker, enqueue

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.postgres starts the PostgreSQL cluster
from tests.postgres import available, start_postgres  # noqa: E402

KIND = "bench-record"


def record(session, payload: dict) -> None:
    """A job's least work: one row, written in the job's transaction, with when it ran (the clock
    all processes share, so the throughput leaves out the workers' start)."""
    session.execute(text("INSERT INTO bench_records (n, ran) VALUES (:n, :ran)"), {"n": payload["n"], "ran": time.time()})


def fresh_database(url: str) -> Database:
    database = Database(url)
    database.migrate()
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_records"))
        connection.execute(text("CREATE TABLE bench_records (n integer, ran double precision)"))
        connection.execute(text("DELETE FROM jobs"))
    return database


def wakeup_latencies(database: Database, count: int, force_polling: bool) -> list[float]:
    """Seconds from each job's commit to its handler's start, for `count` jobs committed one by one
    while the worker is idle."""
    started: dict[int, float] = {}
    done = threading.Event()

    def handler(session, payload):
        started[payload["n"]] = time.perf_counter()
        done.set()

    stop = threading.Event()
    worker = Worker(database, {KIND: handler})
    saved = dict(jobs._WAKEUPS)
    if force_polling:
        jobs._WAKEUPS.clear()  # every dialect gets PollingWakeup, the store's way before LISTEN
    thread = threading.Thread(target=worker.run_until, args=(stop,), daemon=True)
    thread.start()
    committed: dict[int, float] = {}
    try:
        time.sleep(0.5)  # the worker is idle: on PostgreSQL, on its LISTEN connection
        for n in range(count):
            time.sleep(random.uniform(0.05, 0.3))  # a moment of the polling interval the job cannot know
            done.clear()
            with database.session() as session:
                enqueue(session, KIND, {"n": n})
            committed[n] = time.perf_counter()
            if not done.wait(30):
                sys.exit(f"job {n} did not run within 30 s")
    finally:
        stop.set()
        thread.join(10)
        jobs._WAKEUPS.clear()
        jobs._WAKEUPS.update(saved)
    return [started[n] - committed[n] for n in range(count)]


def _drain(url: str) -> None:
    Worker(Database(url), {KIND: record}).drain(timeout=600, wait_for_others=True)


def jobs_per_second(url: str, database: Database, count: int, workers: int) -> float:
    with database.session() as session:
        session.execute(text("DELETE FROM jobs"))  # the wake-up's and the last run's, all done
        session.execute(text("DELETE FROM bench_records"))
        for n in range(count):
            enqueue(session, KIND, {"n": n})
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_drain, args=(url,)) for _ in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    with database.session() as session:
        finished = session.query(Job).filter(Job.status == DONE, Job.kind == KIND).count()
        first, last = session.execute(text("SELECT min(ran), max(ran) FROM bench_records")).one()
    if finished != count:
        sys.exit(f"{finished} of {count} jobs done with {workers} workers")
    return (count - 1) / (last - first)


def baseline_per_second(database: Database, count: int) -> float:
    """The same inserts without the queue: one transaction each, in this process."""
    started = time.perf_counter()
    for n in range(count):
        with database.session() as session:
            record(session, {"n": n})
    seconds = time.perf_counter() - started
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM bench_records"))
    return count / seconds


def milliseconds(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms, p99 {p99 * 1000:7.1f} ms"


@contextlib.contextmanager
def database_urls(names: list[str]):
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        server = None
        if "postgresql" in names:
            if not available():
                sys.exit("PostgreSQL 15 is not installed: run `make postgresql`")
            server = start_postgres()
            stack.callback(server.stop)
        yield {name: (f"sqlite:///{scratch}/jobs.db" if name == "sqlite" else server.url(server.create_database()))
               for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite,postgresql")
    parser.add_argument("--wakeups", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2000)
    options = parser.parse_args()
    random.seed(1)
    with database_urls(options.database.split(",")) as urls:
        for name, url in urls.items():
            database = fresh_database(url)
            print(f"== {name}")
            default = wakeup_latencies(database, options.wakeups, force_polling=False)
            print(f"wake-up, the store's default ({jobs.wakeup_kind(database.engine.dialect.name).__name__}): "
                  f"{milliseconds(default)}")
            if jobs.wakeup_kind(database.engine.dialect.name) is not PollingWakeup:
                polled = wakeup_latencies(database, options.wakeups, force_polling=True)
                print(f"wake-up, polling every {PollingWakeup.default_idle_wait} s (baseline): {milliseconds(polled)}; "
                      f"median ratio {statistics.median(default) / statistics.median(polled):.3f}")
            baseline = baseline_per_second(database, options.jobs)
            print(f"baseline, {options.jobs} inserts without the queue: {baseline:8.0f}/s")
            for workers in (1, 2):
                rate = jobs_per_second(url, database, options.jobs, workers)
                print(f"{workers} worker process{'es' if workers > 1 else ''}: {rate:8.0f} jobs/s, "
                      f"{rate / baseline:.3f} x baseline")
            database.engine.dispose()


if __name__ == "__main__":
    main()
