"""What the test browsers share: a profile of their own, a refusing proxy, a log, and a process
that is stopped (killed if it must be) when the test is done with it."""

import subprocess
from pathlib import Path


class Browser:
    """A browser process; subclasses say how to start it (`__enter__`) and what it installed."""

    def __init__(self, profile_dir: Path, proxy_port: int, log_path: Path):
        self.profile_dir = profile_dir
        self.proxy_port = proxy_port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def _start(self, command: list[str]) -> None:
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def __exit__(self, *exc) -> None:
        self._stop()

    def _stop(self, timeout: float = 15) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self, tail: int = 30_000) -> str:
        """The end of what the browser printed (its own logging, which the profiles turn on)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-tail:]
