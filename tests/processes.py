"""What the tests' own servers (PostgreSQL, Redis, SeaweedFS, addonhub itself) share: a free
loopback port to listen on, and a stop that cannot hang a test session."""

import signal
import socket
import subprocess


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen, stop_signal: int = signal.SIGTERM, seconds: float = 15) -> None:
    """Asks the server to stop with its own signal, and kills it if it has not within `seconds`,
    so that a stuck server never keeps the session from ending."""
    process.send_signal(stop_signal)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
