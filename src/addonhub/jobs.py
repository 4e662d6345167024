"""A durable job queue in the database, and the workers that run it.

A job is enqueued in the same transaction as the change that needs it, so it exists exactly
when that change does. A worker claims a job with a conditional update (safe with several
workers, on SQLite and PostgreSQL alike; on PostgreSQL it first locks the row with FOR UPDATE
SKIP LOCKED, so that workers on many hosts pass over each other's claims instead of waiting for
them), runs its handler in one transaction that also marks the job done, and on failure records the error and retries with backoff. A worker killed
mid-job leaves nothing committed; the job is claimed again once its lease runs out, or as soon
as a worker starting on the same host sees the dead one's process gone. A job that fails on its
last attempt gets its kind's give-up handler, so that what waited on it learns it will not come.

An idle worker waits for new work through a Wakeup, chosen by the database's dialect: on
PostgreSQL it LISTENs on a channel that every enqueue NOTIFYs in the enqueuing transaction (so the
word arrives on commit, and never for a rolled-back job); on SQLite, one machine, it polls. Either
way it also looks every `idle_wait` seconds, for what no notification announces (retries and
periodic jobs whose time comes, expired leases, a notification missed while reconnecting).

Periodic jobs (clean-up) are queued by the workers themselves, as jobs with a unique key: the
database holds at most one queued or running job with a given key, so however many workers look
at once one job is queued, and the next one only an interval after the last one finished.
"""

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, and_, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from addonhub.db import Base, Database
from addonhub.logs import REQUEST_ID

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
Handler = Callable[[Session, dict], None]
GiveUp = Callable[[Session, dict, str], None]
# Tells this process from an earlier one that had the same pid (a restarted container is pid 1 again).
_PROCESS_TOKEN = secrets.token_hex(4)
# How often a worker looks whether a periodic job is due: a cheap read, but not one per poll.
_SCHEDULE_CHECK_SECONDS = 60.0
# How often drain(wait_for_others=True) looks whether the other workers are done.
_OTHERS_POLL_SECONDS = 0.1
# The PostgreSQL channel every enqueue notifies and idle workers listen on.
JOBS_CHANNEL = "addonhub_jobs"
# How long a LISTENing worker waits on its socket before it looks at its stop event again.
_STOP_CHECK_SECONDS = 0.1


def utcnow() -> datetime:
    return datetime.utcnow()


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    worker: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished: Mapped[datetime | None] = mapped_column(DateTime)
    # The request that queued it, so that its log lines can be followed into the job's.
    request_id: Mapped[str | None] = mapped_column(String(128))
    # At most one queued or running job has a given key (the index below): periodic jobs.
    unique_key: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_jobs_runnable", "status", "run_after"),
        Index("ux_jobs_live_unique_key", "unique_key", unique=True,
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
    )


def enqueue(session: Session, kind: str, payload: dict, max_attempts: int = 5) -> Job:
    """Adds a job to the caller's transaction: it runs only if that transaction commits."""
    job = Job(kind=kind, payload=payload, max_attempts=max_attempts, status=QUEUED, run_after=utcnow(),
              request_id=REQUEST_ID.get())
    session.add(job)
    session.flush()
    wakeup_kind(session.get_bind().dialect.name).announce(session)
    return job


@dataclass(frozen=True)
class Periodic:
    """A job the workers queue themselves, to run at most once every `every`."""
    kind: str
    every: timedelta


def schedule(db: Database, periodic: Periodic) -> bool:
    """Queues the periodic job unless one is queued or running; it runs `every` after the last
    one finished (at once if none ever did). Says whether this call queued it."""
    try:
        with db.session() as session:
            live = select(Job.id).where(Job.unique_key == periodic.kind, Job.status.in_((QUEUED, RUNNING)))
            if session.scalar(live.limit(1)) is not None:
                return False
            last = session.scalar(select(func.max(Job.finished)).where(Job.unique_key == periodic.kind))
            now = utcnow()
            session.add(Job(kind=periodic.kind, payload={}, unique_key=periodic.kind, status=QUEUED,
                            run_after=max(now, last + periodic.every) if last else now))
        return True
    except IntegrityError:  # another worker queued it between our look and our insert
        return False


def oldest_waiting_job(session: Session) -> datetime | None:
    """Since when the longest-waiting runnable job has waited (None when none waits): a queue
    that workers take from keeps this close to now."""
    return session.scalar(select(func.min(Job.run_after)).where(_runnable(utcnow())))


def _runnable(now: datetime):
    """Queued and due, or claimed by a worker whose lease has run out."""
    return or_(and_(Job.status == QUEUED, Job.run_after <= now), and_(Job.status == RUNNING, Job.lease_until < now))


def _claimant_is_alive(worker: str) -> bool:
    """Whether the process named in a worker name (host:pid:token:thread) of this host still runs."""
    parts = worker.split(":")
    if len(parts) != 4 or not parts[1].isdigit():
        return False  # not a name this code writes: nobody will finish that job
    _, pid, token, _ = parts
    if int(pid) == os.getpid():
        return token == _PROCESS_TOKEN
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PollingWakeup:
    """How an idle worker waits for work where the database cannot tell it: it sleeps the polling
    interval (SQLite: one machine, where a claim is a cheap read of a local file)."""
    default_idle_wait = 0.25

    def __init__(self, db: Database):
        self.db = db

    @staticmethod
    def announce(session: Session) -> None:
        """Tells idle workers that the session's transaction queues a job (a poller needs no word)."""

    def open(self) -> None:
        """Gets ready to hear of jobs committed from now on (a worker calls it before each look at
        the queue, so that none committed after the look goes unheard; a poller needs nothing)."""

    def wait(self, stop: threading.Event, seconds: float) -> None:
        """Returns when new work may be there, `stop` is set, or `seconds` have passed."""
        stop.wait(seconds)

    def close(self) -> None:
        pass


class ListenWakeup(PollingWakeup):
    """PostgreSQL: the worker LISTENs on its own connection (outside the pool, so that it never
    holds a request's slot) and wakes when an enqueuing transaction commits; the polling interval
    is only the fallback, so it can be long, and idle workers on many hosts cost the database
    little. A broken connection falls back to polling until it is opened again."""
    default_idle_wait = 5.0

    def __init__(self, db: Database):
        super().__init__(db)
        self._connection = None

    @staticmethod
    def announce(session: Session) -> None:
        # Sent when the transaction commits, not at all if it rolls back; PostgreSQL folds the
        # identical notifications of one transaction into one.
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": JOBS_CHANNEL})

    def open(self) -> None:
        if self._connection is not None:
            return
        pooled = self.db.engine.raw_connection()
        connection = pooled.driver_connection
        pooled.detach()  # ours for good: closing it closes it, and the pool does not count it
        connection.rollback()
        connection.autocommit = True
        connection.execute(f"LISTEN {JOBS_CHANNEL}")
        self._connection = connection

    def wait(self, stop: threading.Event, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            self.open()
            while not stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                # One notification ends the wait (a batch read at once is taken whole); the
                # timeout is short so that a stop is seen promptly.
                if list(self._connection.notifies(timeout=min(remaining, _STOP_CHECK_SECONDS), stop_after=1)):
                    return
        except Exception:  # the server restarted, the network broke: poll until it is back
            log.exception("the job notifications connection failed; polling instead")
            self.close()
            stop.wait(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None


_WAKEUPS: dict[str, type[PollingWakeup]] = {"postgresql": ListenWakeup}


def wakeup_kind(dialect: str) -> type[PollingWakeup]:
    """How workers of a database of this dialect learn of new jobs."""
    return _WAKEUPS.get(dialect, PollingWakeup)


class LostLease(Exception):
    pass


class Worker:
    def __init__(self, db: Database, handlers: dict[str, Handler], lease_seconds: int = 600,
                 give_up: dict[str, GiveUp] | None = None, periodic: Sequence[Periodic] = ()):
        self.db, self.handlers, self.give_up, self.periodic = db, handlers, give_up or {}, tuple(periodic)
        self._next_schedule = 0.0
        self.lease = timedelta(seconds=lease_seconds)
        self.host = socket.gethostname()
        self.name = f"{self.host}:{os.getpid()}:{_PROCESS_TOKEN}:{threading.get_ident()}"

    def reclaim_orphans(self) -> int:
        """Requeues jobs left running by dead workers of this host (a crash, a kill -9)."""
        with self.db.session() as session:
            running = session.scalars(select(Job).where(Job.status == RUNNING, Job.worker.like(f"{self.host}:%"))).all()
            orphans = [job for job in running if not _claimant_is_alive(job.worker)]
            for job in orphans:
                job.status, job.worker, job.lease_until = QUEUED, None, None
            return len(orphans)

    def _claim(self) -> Job | None:
        now = utcnow()
        runnable = _runnable(now)
        with self.db.session() as session:
            candidates = select(Job.id).where(runnable).order_by(Job.id)
            if session.get_bind().dialect.name == "postgresql":
                # The first runnable job that no other worker is claiming this moment, locked until
                # our commit: workers never wait for one another nor try the same job.
                candidates = candidates.limit(1).with_for_update(skip_locked=True)
            else:
                # SQLite has one writer at a time and no row locks: a few candidates, so that a
                # job another worker took meanwhile (the update then changes no row) is not the end.
                candidates = candidates.limit(5)
            for job_id in session.scalars(candidates).all():
                claimed = session.execute(
                    update(Job).where(Job.id == job_id, runnable)
                    .values(status=RUNNING, worker=self.name, lease_until=now + self.lease, attempts=Job.attempts + 1)
                )
                if claimed.rowcount == 1:
                    session.commit()
                    return session.get(Job, job_id)
        return None

    def run_once(self) -> bool:
        """Runs one runnable job, if there is one; says whether it did."""
        job = self._claim()
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        token = REQUEST_ID.set(job.request_id)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            with self.db.session() as session:
                handler(session, dict(job.payload))
                if not self._finish(session, job.id, DONE):
                    # Our lease ran out and another worker took the job: its run counts, not ours.
                    raise LostLease(f"job {job.id} was claimed by another worker")
        except Exception as error:  # a failing job must never stop the worker
            log.exception("job %s (%s) failed", job.id, job.kind)
            self._failed(job, error)
        finally:
            REQUEST_ID.reset(token)
        return True

    def _finish(self, session: Session, job_id: int, status: str, error: str | None = None) -> bool:
        finished = session.execute(update(Job).where(Job.id == job_id, Job.worker == self.name).values(
            status=status, finished=utcnow(), lease_until=None, last_error=error))
        return finished.rowcount == 1

    def _failed(self, job: Job, error: Exception) -> None:
        if isinstance(error, LostLease):
            return
        message = f"{type(error).__name__}: {error}"
        with self.db.session() as session:
            if job.attempts >= job.max_attempts:
                if self._finish(session, job.id, FAILED, message) and job.kind in self.give_up:
                    self.give_up[job.kind](session, dict(job.payload), message)
            else:
                backoff = timedelta(seconds=min(300, 2 ** job.attempts))
                session.execute(update(Job).where(Job.id == job.id, Job.worker == self.name).values(
                    status=QUEUED, worker=None, lease_until=None, last_error=message, run_after=utcnow() + backoff))

    def reclaim_orphans_safely(self) -> int:
        try:
            return self.reclaim_orphans()
        except Exception:  # a locked database must not keep the workers from starting
            log.exception("could not look for orphaned jobs")
            return 0

    def schedule_periodic(self) -> None:
        """Queues the periodic jobs that are not queued yet, at most once a minute per worker."""
        if not self.periodic or time.monotonic() < self._next_schedule:
            return
        self._next_schedule = time.monotonic() + _SCHEDULE_CHECK_SECONDS
        for periodic in self.periodic:
            schedule(self.db, periodic)

    def run_until(self, stop: threading.Event, idle_wait: float | None = None) -> None:
        """Runs jobs until `stop` is set; whenever none is runnable, waits for new work (see
        Wakeup), and looks again after `idle_wait` seconds at most (the wakeup's default if None)."""
        wakeup = wakeup_kind(self.db.engine.dialect.name)(self.db)
        idle_wait = wakeup.default_idle_wait if idle_wait is None else idle_wait
        try:
            while not stop.is_set():
                try:
                    wakeup.open()
                    self.schedule_periodic()
                    ran = self.run_once()
                except Exception:  # the database may be briefly unavailable; never let the worker die
                    log.exception("worker %s could not claim a job", self.name)
                    ran = False
                if not ran:
                    wakeup.wait(stop, idle_wait)
        finally:
            wakeup.close()

    def drain(self, timeout: float = 30.0, wait_for_others: bool = False) -> None:
        """Runs jobs until none is runnable (for the CLI and tests). With `wait_for_others`, also
        until no live worker runs one: a server's workers may have claimed the very job the
        caller needs done (what `addonhub demo` waits for, beside a running store)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.run_once():
                continue
            if not wait_for_others or not self._others_running():
                return
            time.sleep(_OTHERS_POLL_SECONDS)

    def _others_running(self) -> bool:
        """Whether another worker holds a job under a live lease (this host's dead ones aside)."""
        with self.db.session() as session:
            claimants = session.scalars(select(Job.worker).where(Job.status == RUNNING, Job.lease_until >= utcnow())).all()
        return any(claimant != self.name and (not claimant.startswith(f"{self.host}:") or _claimant_is_alive(claimant))
                   for claimant in claimants)


class WorkerThreads:
    """Workers running in threads of this process (what `addonhub serve` uses)."""

    def __init__(self, db: Database, handlers: dict[str, Handler], count: int,
                 give_up: dict[str, GiveUp] | None = None, periodic: Sequence[Periodic] = ()):
        self.db, self.handlers = db, handlers
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(db, handlers, give_up, periodic),
                                         name=f"worker-{n}", daemon=True)
                        for n in range(count)]

    def _run(self, db: Database, handlers: dict[str, Handler], give_up: dict[str, GiveUp] | None,
             periodic: Sequence[Periodic]) -> None:
        worker = Worker(db, handlers, give_up=give_up, periodic=periodic)
        worker.run_until(self.stop_event)

    def start(self) -> "WorkerThreads":
        if self.threads:
            # Once per process, before any thread claims a job: a job claimed by this process is never an orphan.
            Worker(self.db, self.handlers).reclaim_orphans_safely()
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout)
