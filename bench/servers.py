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


def _clean_environment() -> dict:
    """The caller's environment without ADDONHUB_* settings, which would change what is measured."""
    return {key: value for key, value in os.environ.items() if not key.startswith("ADDONHUB_")}


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


@contextmanager
def running(command: list[str], heartbeat_path: str, port: int, log: Path):
    """Runs the command, waits for heartbeat_path to answer 200, yields the Server, then stops it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=_clean_environment())
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
