"""A real PostgreSQL 15 server for the tests: Debian's postgresql-15 (the Makefile installs it), a
throwaway cluster in a temporary directory, listening on 127.0.0.1 only, on a free port, with its
unix socket in that directory.

PostgreSQL refuses to run as root (initdb and postgres both exit), and the tests run as root in CI:
then the cluster's directory belongs to `nobody` and both programs run as that user (setpriv, which
execs the program itself, so that the signals that stop the server reach it).
Durability is off (fsync, synchronous_commit, full_page_writes): a test cluster that a crash loses
costs nothing, and the suite creates a database for every test.
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port, stop

BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "postgres"
START_SECONDS = 60
# The unprivileged user a root process runs the cluster as: it exists on every Debian system.
UNPRIVILEGED_USER = "nobody"


def available() -> bool:
    return (BIN / "initdb").is_file() and (BIN / "postgres").is_file()


def _as_cluster_owner(command: list[str]) -> list[str]:
    """The command as it must run: as the unprivileged user when we are root."""
    if os.geteuid() != 0:
        return command
    owner = pwd.getpwnam(UNPRIVILEGED_USER)
    return ["setpriv", f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}", "--clear-groups", "--", *command]


@dataclass
class PostgresServer:
    directory: Path
    port: int
    process: subprocess.Popen

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of one of its databases (psycopg 3, TCP on loopback, trust auth)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg
        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=database,
                               autocommit=True, connect_timeout=5)

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """Creates a database (a copy of `template` if given; FILE_COPY is the quick way for a small
        one) and returns its name."""
        name = name or f"t_{uuid.uuid4().hex}"
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with self.connect() as connection:
            connection.execute(f'CREATE DATABASE "{name}"{clause}')
        return name

    def drop_database(self, name: str) -> None:
        """Drops a database even if connections are left open on it (a test's pool)."""
        with self.connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        # SIGINT is PostgreSQL's fast shutdown: clients are disconnected, nothing waits for them.
        stop(self.process, signal.SIGINT, seconds=30)
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """Starts a fresh cluster. Its directory is not under pytest's tmp_path: that is private to
    root (mode 0700), and the cluster's owner must be able to reach its own directory."""
    directory = Path(tempfile.mkdtemp(prefix="addonhub-postgres-"))
    data = directory / "data"
    if os.geteuid() == 0:
        owner = pwd.getpwnam(UNPRIVILEGED_USER)
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    log = open(directory / "server.log", "wb")
    try:
        subprocess.run(_as_cluster_owner([str(BIN / "initdb"), "--pgdata", str(data), "--username", SUPERUSER,
                                          "--auth", "trust", "--encoding", "UTF8", "--locale", "C.UTF-8",
                                          "--no-sync", "--no-instructions"]),
                       check=True, stdout=log, stderr=subprocess.STDOUT, cwd=directory)
    except subprocess.CalledProcessError:
        raise RuntimeError(f"initdb failed: see {directory / 'server.log'}") from None
    port = free_port()
    process = subprocess.Popen(
        _as_cluster_owner([str(BIN / "postgres"), "-D", str(data), "-p", str(port),
                           "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={directory}",
                           "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                           # Every test's store holds a pool of its own until its database is dropped.
                           "-c", "max_connections=200"]),
        stdout=log, stderr=subprocess.STDOUT, cwd=directory)
    server = PostgresServer(directory, port, process)
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"postgres exited with {process.returncode}: see {directory / 'server.log'}")
        try:
            server.connect().close()
            return server
        except Exception:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"postgres did not accept connections within {START_SECONDS} s") from None
            time.sleep(0.1)
