"""A live addonhub server in a subprocess, for the real publishing clients to talk to over HTTP."""

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.processes import free_port

STORES = pytest.StashKey[list]()
LOG_TAIL = 20_000  # characters of the server log shown under a failed test


class LiveStore:
    """`addonhub serve` on 127.0.0.1, on a data directory and port that survive restarts.

    `env` holds extra environment variables (ADDONHUB_* settings...) for the server and for `cli()`;
    change it between stop() and start() to restart with other settings. With `tls` (an object with
    `cert`, `key` and the `ca` that issued them, as tests.certificates makes) it serves HTTPS
    (`serve --tls-cert --tls-key`); pass `verify` to httpx to trust it.
    """

    def __init__(self, root: Path, env: dict[str, str] | None = None, tls=None):
        self.data_dir = root / "data"
        self.log_path = root / "server.log"
        self.port = free_port()
        self.tls = tls
        self.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=tls.ca) if tls else True
        self.env = dict(env or {})
        self.process: subprocess.Popen | None = None

    def _environment(self) -> dict[str, str]:
        # The developer's own ADDONHUB_* settings must not leak into the store under test.
        env = {key: value for key, value in os.environ.items() if not key.startswith("ADDONHUB_")}
        env.update(self.env, ADDONHUB_DATA_DIR=str(self.data_dir), PYTHONUNBUFFERED="1")
        return env

    def start(self, timeout: float = 30) -> None:
        assert self.process is None, "the server is already running"
        command = [sys.executable, "-m", "addonhub.cli", "serve", "--data-dir", str(self.data_dir),
                   "--host", "127.0.0.1", "--port", str(self.port)]
        if self.tls:
            command += ["--tls-cert", str(self.tls.cert), "--tls-key", str(self.tls.key)]
        with self.log_path.open("a") as log:
            log.write(f"--- addonhub serve, port {self.port} ---\n")
            log.flush()
            self.process = subprocess.Popen(command, env=self._environment(), stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                code, self.process = self.process.returncode, None
                raise RuntimeError(f"addonhub serve exited with {code} while starting:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/__heartbeat__", timeout=1, verify=self.verify).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"addonhub serve did not answer /__heartbeat__ in {timeout} s:\n{self.log()}")
            time.sleep(0.05)

    def stop(self, timeout: float = 10) -> None:
        """Stops the server as an operator would (SIGTERM), killing it if it does not stop in time."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def kill(self) -> None:
        """Kills the server at once (SIGKILL), as a crash or a power cut would."""
        if self.process is None:
            return
        self.process.kill()
        self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def cli(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        """Runs `addonhub ARGS...` on this store's data directory (through ADDONHUB_DATA_DIR)."""
        result = subprocess.run([sys.executable, "-m", "addonhub.cli", *args], env=self._environment(),
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"addonhub {' '.join(args)} exited with {result.returncode}:\n"
                                 f"{result.stdout}{result.stderr}")
        return result

    def create_user(self, email: str, role: str = "developer") -> dict:
        """The account as `users create --json` prints it: id, email, token, "amo" credentials..."""
        result = self.cli("users", "create", "--data-dir", str(self.data_dir), "--email", email,
                          "--role", role, "--json")
        return json.loads(result.stdout)

    def log(self) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text if len(text) <= LOG_TAIL else "...\n" + text[-LOG_TAIL:]


@pytest.fixture
def live_store_factory(request, tmp_path_factory):
    """Starts stores: `live_store_factory(env={"ADDONHUB_...": "..."}, tls=...)`; all are killed after the test."""
    stores = request.node.stash.setdefault(STORES, [])

    def start(env: dict[str, str] | None = None, tls=None) -> LiveStore:
        store = LiveStore(tmp_path_factory.mktemp("live-store"), env, tls)
        stores.append(store)
        store.start()
        return store

    yield start
    for store in stores:
        store.kill()


@pytest.fixture
def live_store(live_store_factory) -> LiveStore:
    """A fresh store per test: a test may kill or reconfigure it without touching the others."""
    return live_store_factory()


def store_log_sections(item) -> list[tuple[str, str]]:
    """The logs of the stores a test started, as report sections."""
    return [(f"addonhub server log {number} ({store.log_path})", store.log())
            for number, store in enumerate(item.stash.get(STORES, []), 1)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        report.sections.extend(store_log_sections(item))
    return report
