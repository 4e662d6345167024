"""Runs a flow of visitor.js (Playwright driving Debian's headless Chromium) against a live store
and returns what the visitor saw. playwright-core and axe-core are pinned in package-lock.json here
(`make test` installs them); without them, node or Chromium the test is skipped."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browsers.chromium import CHROMIUM
from tests.interop.clients import node_environment

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
VISITOR_SCRIPT = HERE / "visitor.js"
SCREENSHOTS = HERE.parent.parent / "docs" / "screenshots"
FLOW_TIMEOUT = 60  # seconds
BLOCKING_IMPACTS = {"serious", "critical"}  # what axe-core finds that fails a test


class FlowFailed(AssertionError):
    pass


def _require() -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (NODE_MODULES / "playwright-core").exists() or not (NODE_MODULES / "axe-core").exists():
        pytest.skip("tests/storefront/node_modules is missing: `make test` installs playwright-core and axe-core "
                    "(npm ci --prefix tests/storefront)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")


def visit(flow: str, store, proxy, scratch: Path, **options) -> dict:
    """What the visitor saw in `flow` (visitor.js's FLOWS), as the JSON it printed; a step that
    could not be done fails the test with Playwright's error and a screenshot of the page."""
    _require()
    scratch.mkdir(parents=True, exist_ok=True)
    failure_screenshot = scratch / f"{flow}-failure.png"
    arguments = {"flow": flow, "baseUrl": store.base_url, "proxyPort": proxy.port, "chromium": str(CHROMIUM),
                 "failureScreenshot": str(failure_screenshot), **options}
    # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: playwright-core never fetches a browser; said anyway.
    completed = subprocess.run(["node", str(VISITOR_SCRIPT), json.dumps(arguments)], cwd=scratch,
                               env=node_environment({"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}),
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=FLOW_TIMEOUT,
                               check=False)
    if completed.returncode != 0:
        raise FlowFailed(f"visitor.js {flow} exited with {completed.returncode}:\n{completed.stderr}\n"
                         f"where the browser tried to go besides the store: {proxy.refused}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def blocking(violations: list[dict]) -> list[dict]:
    """The axe-core violations (as visitor.js reports them) that fail a test: serious or critical."""
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
