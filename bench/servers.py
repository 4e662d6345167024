"""The servers under test, each a subprocess on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
HEARTBEAT_TIMEOUT = 120  # seconds; opening (and migrating) a big store takes a while
BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _clean_environment(settings: dict[str, str] | None = None) -> dict:
    """The caller's environment without ADDONHUB_* settings, which would change what is measured,
    and with the run's own `settings` (environment variables), if any."""
    return {**{key: value for key, value in os.environ.items() if not key.startswith("ADDONHUB_")}, **(settings or {})}


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = HEARTBEAT_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout} s")


@dataclass
class Server:
    url: str
    pid: int

    def memory(self) -> dict[str, int]:
        """The process's resident memory now and at its peak, in bytes (Linux's VmRSS, VmHWM)."""
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.pid}/status").read_text().splitlines())
        return {"rss_bytes": int(fields["VmRSS"].split()[0]) * 1024, "peak_rss_bytes": int(fields["VmHWM"].split()[0]) * 1024}


@contextmanager
def running(command: list[str], heartbeat_path: str, port: int, log: Path, settings: dict[str, str] | None = None):
    """Runs the command (with `settings` in its environment), waits for heartbeat_path to answer
    200, yields the Server, then stops it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=_clean_environment(settings))
        try:
            base_url = f"http://{HOST}:{port}"
            wait_until_up(base_url + heartbeat_path, process)
            yield Server(base_url, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def store_command(data_dir: Path, port: int) -> list[str]:
    return [str(VENV_BIN / "addonhub"), "serve", "--data-dir", str(data_dir), "--host", HOST, "--port", str(port)]


def bare_command(port: int, app: str = "fastapi") -> list[str]:
    """The baseline server: `app` is one of bare_app.APPS."""
    return [sys.executable, str(BENCH_DIR / "bare_app.py"), "--host", HOST, "--port", str(port), "--app", app]
