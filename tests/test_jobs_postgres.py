"""The job queue on a real PostgreSQL server, whatever ADDONHUB_TEST_DATABASE says: workers in
separate processes claim jobs with FOR UPDATE SKIP LOCKED, and none runs twice or is lost; an
idle worker LISTENs, and wakes when a job is committed."""

import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlalchemy import select, text

from addonhub.db import Database
from addonhub.jobs import DONE, JOBS_CHANNEL, RUNNING, Job, Worker, enqueue

JOBS = 200

WORKER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from sqlalchemy import text
    from addonhub.db import Database
    from addonhub.jobs import Worker

    url, directory = sys.argv[1], Path(sys.argv[2])

    def record(session, payload):
        session.execute(text("INSERT INTO job_runs (n, pid) VALUES (:n, :pid)"), {"n": payload["n"], "pid": os.getpid()})
        time.sleep(0.005)  # long enough that both workers are claiming while the other runs

    database = Database(url)
    (directory / f"ready-{os.getpid()}").touch()
    while not (directory / "go").exists():
        time.sleep(0.01)
    Worker(database, {"record": record}).drain(timeout=120)
""")


@pytest.fixture
def database(postgres_server) -> Database:
    database = Database(postgres_server.url(postgres_server.create_database()))
    database.migrate()
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE job_runs (n INTEGER NOT NULL, pid INTEGER NOT NULL)"))
    yield database
    database.engine.dispose()


def test_two_worker_processes_run_every_job_exactly_once(database, tmp_path):
    with database.session() as session:
        for n in range(JOBS):
            enqueue(session, "record", {"n": n})
    url = database.engine.url.render_as_string(hide_password=False)
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(tmp_path)]) for _ in range(2)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    (tmp_path / "go").touch()  # both start claiming at once
    assert [worker.wait(180) for worker in workers] == [0, 0]

    with database.engine.connect() as connection:
        runs = connection.execute(text("SELECT n, pid FROM job_runs")).all()
        statuses = set(connection.scalars(select(Job.status)))
    assert sorted(n for n, _ in runs) == list(range(JOBS))  # none twice, none lost
    assert statuses == {DONE}
    assert {pid for _, pid in runs} == {worker.pid for worker in workers}  # both took part


def test_a_worker_passes_over_a_job_another_is_claiming_instead_of_waiting(database):
    with database.session() as session:
        first, second = enqueue(session, "record", {"n": 1}).id, enqueue(session, "record", {"n": 2}).id
    with database.engine.connect() as other_worker:
        # Another worker's claim of the first job, caught between its SELECT ... FOR UPDATE and its commit.
        locked = other_worker.execute(text("SELECT id FROM jobs WHERE id = :id FOR UPDATE"), {"id": first}).scalar()
        assert locked == first
        claimed = Worker(database, {})._claim()
        assert claimed.id == second and claimed.status == RUNNING
        other_worker.rollback()
    with database.session() as session:
        assert session.get(Job, first).status == "queued"


class _RunningWorker:
    """A worker thread idle on its LISTEN connection, whose polling fallback (30 s) is far longer
    than any wait the tests allow: a job it runs within seconds, it ran because it was told."""
    FALLBACK_SECONDS = 30.0

    def __init__(self, database: Database, handlers: dict):
        self.stop = threading.Event()
        self.thread = threading.Thread(target=Worker(database, handlers).run_until,
                                       args=(self.stop, self.FALLBACK_SECONDS), daemon=True)

    def __enter__(self) -> "_RunningWorker":
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join(10)


def _listeners(database: Database) -> int:
    with database.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE query = :listen"),
                                  {"listen": f"LISTEN {JOBS_CHANNEL}"}).scalar()


def _until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _status(database: Database, job_id: int) -> str:
    with database.session() as session:
        return session.get(Job, job_id).status


def test_an_idle_worker_wakes_for_a_job_another_connection_commits(database):
    ran = threading.Event()
    with _RunningWorker(database, {"record": lambda session, payload: ran.set()}):
        assert _until(lambda: _listeners(database) == 1)  # idle, on its LISTEN connection
        with database.session() as session:
            job_id = enqueue(session, "record", {"n": 1}).id
        assert ran.wait(_RunningWorker.FALLBACK_SECONDS / 2), "the worker did not wake for the committed job before its polling fallback"
        assert _until(lambda: _status(database, job_id) == DONE)


def test_a_rolled_back_enqueue_wakes_nobody_and_loses_nothing(database):
    runs = []
    with _RunningWorker(database, {"record": lambda session, payload: runs.append(payload["n"])}):
        assert _until(lambda: _listeners(database) == 1)
        with pytest.raises(RuntimeError), database.session() as session:
            enqueue(session, "record", {"n": 1})
            raise RuntimeError("the change that needed the job failed")
        with database.session() as session:
            kept = enqueue(session, "record", {"n": 2}).id
        assert _until(lambda: _status(database, kept) == DONE)
    assert runs == [2]
    with database.session() as session:
        assert session.scalars(select(Job.id)).all() == [kept]


def test_stop_ends_an_idle_listen_wait(database):
    worker = _RunningWorker(database, {})
    with worker:
        assert _until(lambda: _listeners(database) == 1)
    assert not worker.thread.is_alive()
    assert _until(lambda: _listeners(database) == 0)  # its connection closed with it
