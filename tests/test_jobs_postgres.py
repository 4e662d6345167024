"""The job queue on a real PostgreSQL server, whatever ADDONHUB_TEST_DATABASE says: workers in
separate processes claim jobs with FOR UPDATE SKIP LOCKED, and none runs twice or is lost."""

import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import select, text

from addonhub.db import Database
from addonhub.jobs import DONE, RUNNING, Job, Worker, enqueue

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
