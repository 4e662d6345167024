"""Publishing to a live store as its developers and reviewers do, for the browsers to install from:
the Edge API (v1.1, `ApiKey` + `X-ClientID`) for Chromium packages, web-ext for Firefox ones, and
`addonhub review approve` for what waits for review."""

import time
from pathlib import Path

import httpx

from tests.interop.clients import web_ext_sign
from tests.interop.edge_accounts import api_key_headers

OPERATION_TIMEOUT = 60  # seconds for an upload's validation or a publish to finish


def _wait_for_operation(store, status_url: str, headers: dict) -> dict:
    deadline = time.monotonic() + OPERATION_TIMEOUT
    while True:
        status = httpx.get(status_url, headers=headers, verify=store.verify).json()
        if status["status"] != "InProgress":
            return status
        assert time.monotonic() < deadline, f"{status_url} still in progress after {OPERATION_TIMEOUT} s"
        time.sleep(0.2)


def edge_publish(store, account: dict, product: dict, package: Path, version: str) -> None:
    """Uploads the package to the product's draft, publishes it, and has a reviewer approve it:
    the version is then public, as a CRX."""
    headers = api_key_headers(account)
    submissions = f"{store.base_url}/v1/products/{product['id']}/submissions"
    upload = httpx.post(f"{submissions}/draft/package", content=package.read_bytes(), verify=store.verify,
                        headers={**headers, "Content-Type": "application/zip"})
    assert upload.status_code == 202, upload.text
    uploaded = _wait_for_operation(store, f"{submissions}/draft/package/operations/{upload.headers['Location']}",
                                   headers)
    assert uploaded["status"] == "Succeeded", uploaded
    publish = httpx.post(submissions, json={"notes": f"Version {version}."}, headers=headers, verify=store.verify)
    assert publish.status_code == 202, publish.text
    published = _wait_for_operation(store, f"{submissions}/operations/{publish.headers['Location']}", headers)
    assert published["status"] == "Succeeded", published
    store.cli("review", "approve", product["guid"], version)


def web_ext_publish(store, account: dict, source: Path, artifacts: Path, guid: str, version: str, channel: str) -> None:
    """`web-ext sign` of the source directory: an unlisted version is signed at once, a listed one
    waits for review (web-ext does not wait) and is approved."""
    env = {"NODE_EXTRA_CA_CERTS": str(store.tls.ca)} if store.tls else None  # node trusts the test CA
    run = web_ext_sign(store.base_url, account, source, artifacts, channel=channel, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    if channel == "listed":
        store.cli("review", "approve", guid, version)
