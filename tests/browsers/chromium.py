"""Headless Chromium with a DevTools protocol client, to see what the browser installed.

Launched as the shared notes' recipe says (section 2 and 4): Debian's binary itself
(`/usr/lib/chromium/chromium`, not the wrapper, which may add --disable-background-networking:
that flag stops extension updates), `--headless=new` (the old headless mode loads no extension),
`--enable-crx-hash-check` (else a wrong `hash_sha256` in an update answer goes unnoticed), a
fresh profile, and a proxy that refuses everything. The extensions page's own API
(`chrome.developerPrivate`) says which extensions are installed, at which version, and checks for
updates on demand, as its Update button does.
"""

import contextlib
import itertools
import json
import time
from pathlib import Path

from websockets.sync.client import connect

from tests.browsers.browser import Browser

CHROMIUM = Path("/usr/lib/chromium/chromium")
EXTENSIONS_PAGE = "chrome://extensions/"


class DevToolsError(RuntimeError):
    pass


class DevTools:
    """A DevTools protocol connection to the browser (an open websocket), with one session on a
    chrome://extensions tab."""

    def __init__(self, websocket):
        self._socket = websocket
        self._ids = itertools.count(1)
        self._session: str | None = None

    def call(self, method: str, params: dict | None = None, *, session: str | None = None, timeout: float = 30) -> dict:
        """Sends one command and returns its result, skipping the events that arrive meanwhile."""
        message_id = next(self._ids)
        message = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self._socket.recv(timeout=max(deadline - time.monotonic(), 0.01)))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression: str, timeout: float = 30):
        """The value of a JavaScript expression (awaited if a promise) on the extensions page."""
        if self._session is None:
            self._session = self._open_extensions_page()
        result = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True}, session=self._session, timeout=timeout)
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def _open_extensions_page(self) -> str:
        target = self.call("Target.createTarget", {"url": EXTENSIONS_PAGE})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        deadline = time.monotonic() + 30
        while True:  # the page's bindings exist once it has loaded
            result = self.call("Runtime.evaluate", {"expression": "typeof chrome.developerPrivate",
                                                    "returnByValue": True}, session=session)
            if result["result"].get("value") == "object":
                return session
            if time.monotonic() > deadline:
                raise DevToolsError(f"{EXTENSIONS_PAGE} did not offer chrome.developerPrivate")
            time.sleep(0.1)


class Chromium(Browser):
    """`with Chromium(profile_dir, proxy_port, log_path) as browser:` a headless Chromium until the block ends."""

    devtools: DevTools | None = None
    _connections: contextlib.ExitStack | None = None

    def command(self) -> list[str]:
        return [str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-crx-hash-check",
                f"--proxy-server=127.0.0.1:{self.proxy_port}", f"--user-data-dir={self.profile_dir}",
                "--remote-debugging-port=0", "--no-first-run", "--no-default-browser-check",
                "--enable-logging=stderr", "about:blank"]

    def __enter__(self) -> "Chromium":
        self._start(self.command())
        self._connections = contextlib.ExitStack()
        try:
            websocket_url = self._websocket_url(self.profile_dir / "DevToolsActivePort")
            self.devtools = DevTools(self._connections.enter_context(
                connect(websocket_url, max_size=None, open_timeout=10, legacy=False)))
        except BaseException:
            self._stop()
            raise
        return self

    def _websocket_url(self, active_port: Path, timeout: float = 60) -> str:
        """--remote-debugging-port=0 picks a free port; Chromium writes it and the browser's
        DevTools path to DevToolsActivePort once it listens."""
        deadline = time.monotonic() + timeout
        while True:
            lines = active_port.read_text().split() if active_port.exists() else []
            if len(lines) == 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not open its DevTools port in {timeout} s:\n{self.log()}")
            time.sleep(0.05)

    def _stop(self, timeout: float = 15) -> None:
        if self._connections is not None:
            self._connections.close()
        super()._stop(timeout)

    def extensions(self) -> dict[str, dict]:
        """The installed extensions by id, as chrome://extensions knows them (version, state,
        `controlledInfo` when a policy installed them...)."""
        infos = self.devtools.evaluate("new Promise(done => chrome.developerPrivate.getExtensionsInfo("
                                       "{includeDisabled: true, includeTerminated: true}, done))")
        return {info["id"]: info for info in infos}

    def check_for_updates(self) -> None:
        """What the extensions page's Update button does: an update check of every extension now."""
        self.devtools.evaluate("new Promise(done => chrome.developerPrivate.autoUpdate(done))", timeout=60)

    def wait_for_version(self, extension_id: str, version: str, timeout: float = 60) -> dict:
        """The extension's info once it is installed at `version`."""
        deadline = time.monotonic() + timeout
        while True:
            info = self.extensions().get(extension_id)
            if info is not None and info["version"] == version:
                return info
            if time.monotonic() > deadline:
                raise AssertionError(f"{extension_id} is not at {version} after {timeout} s (installed: {info}):\n"
                                     f"{self.log()}")
            time.sleep(0.2)
