"""Headless Firefox ESR on a fresh profile, and what its extensions.json says it installed.

Debian does not package geckodriver, and needs none: the profile's `extensions.json` lists every
add-on with its version and state (shared notes section 3). The profile's user.js makes the
add-on update timer fire within seconds instead of once a day, sends everything that is not
loopback to a refusing proxy, and has Firefox log its policy and add-on manager decisions, so a
failed test shows why.
"""

import json
import time
from pathlib import Path

from tests.browsers.browser import Browser

FIREFOX = Path("/usr/bin/firefox-esr")

FAST_UPDATES = {
    "extensions.update.interval": 5,       # seconds between add-on update checks (default a day)
    "app.update.timerMinimumDelay": 5,     # seconds between the update timer manager's rounds
    "app.update.timerFirstInterval": 3000,  # milliseconds before its first round
}
DIAGNOSTICS = {
    "browser.policies.loglevel": "debug",
    "extensions.logging.enabled": True,
    "devtools.console.stdout.chrome": True,
}
QUIET = {  # no first-run pages or prompts in a headless profile
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
}


def proxy_prefs(port: int) -> dict:
    """Everything through the refusing proxy on 127.0.0.1:port, except loopback (never proxied)."""
    return {"network.proxy.type": 1, "network.proxy.http": "127.0.0.1", "network.proxy.http_port": port,
            "network.proxy.ssl": "127.0.0.1", "network.proxy.ssl_port": port,
            "network.proxy.allow_hijacking_localhost": False}


def user_js(prefs: dict) -> str:
    return "".join(f"user_pref({json.dumps(name)}, {json.dumps(value)});\n" for name, value in prefs.items())


class Firefox(Browser):
    """`with Firefox(profile_dir, proxy_port, log_path) as browser:` headless Firefox until the block ends."""

    def __enter__(self) -> "Firefox":
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        prefs = {**FAST_UPDATES, **DIAGNOSTICS, **QUIET, **proxy_prefs(self.proxy_port)}
        (self.profile_dir / "user.js").write_text(user_js(prefs))
        self._start([str(FIREFOX), "--headless", "--no-remote", "--profile", str(self.profile_dir), "about:blank"])
        return self

    def addons(self) -> dict[str, dict]:
        """The profile's add-ons by id (version, active, appDisabled, signedState, sourceURI...);
        empty until Firefox first writes extensions.json."""
        path = self.profile_dir / "extensions.json"
        try:
            database = json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):  # not written yet, or being rewritten
            return {}
        return {addon["id"]: addon for addon in database.get("addons", [])}

    def wait_for_version(self, addon_id: str, version: str, timeout: float = 90) -> dict:
        """The add-on's entry once it is installed, active, at `version`."""
        deadline = time.monotonic() + timeout
        while True:
            addon = self.addons().get(addon_id)
            if addon is not None and addon["version"] == version and addon["active"]:
                return addon
            if self.process.poll() is not None:
                raise AssertionError(f"firefox exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                state = {key: addon.get(key) for key in ("version", "active", "appDisabled", "signedState")} \
                    if addon else None
                raise AssertionError(f"{addon_id} is not active at {version} after {timeout} s ({state}):\n"
                                     f"{self.log()}")
            time.sleep(0.25)
