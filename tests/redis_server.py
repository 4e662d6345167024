"""A real Redis for the tests: Debian's redis-server (the Makefile installs it), on a free loopback
port, in a throwaway directory, keeping nothing on disk."""

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.processes import free_port, stop

REDIS_SERVER = "/usr/bin/redis-server"
START_SECONDS = 30


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def client(self, database: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=database)

    def stop(self) -> None:
        stop(self.process)


def start_redis(directory: Path) -> RedisServer:
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
         # Nothing written to disk (no snapshots, no append-only file), nothing but loopback; the
         # daemon stays in the foreground so that stopping this process stops it.
         "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
         "--logfile", str(directory / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = RedisServer(port, process)
    client = server.client()
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}: see {directory / 'redis.log'}")
        try:
            client.ping()
            return server
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"redis-server did not answer within {START_SECONDS} s") from None
            time.sleep(0.05)
