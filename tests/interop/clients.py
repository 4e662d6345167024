"""Real publishing clients, pointed at a live store on 127.0.0.1.

`credentials` is an account as LiveStore.create_user() returns it, or just its "amo" object.
The npm clients are pinned in package-lock.json here (`make test` installs them); without them
the helpers skip the test.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
WEB_EXT = NODE_MODULES / "web-ext" / "bin" / "web-ext.js"
SIGN_ADDON_SCRIPT = HERE / "sign_addon.js"
AMO_UPLOAD_SCRIPT = HERE / "amo_upload.js"
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy"}


def _amo(credentials: dict) -> dict:
    return credentials.get("amo", credentials)


def amo_auth_header(credentials: dict, lifetime: int = 60) -> dict[str, str]:
    """`Authorization: JWT ...` as web-ext and sign-addon build it (iss, iat, exp; no jti)."""
    amo, now = _amo(credentials), int(time.time())
    token = jwt.encode({"iss": amo["jwt_issuer"], "iat": now, "exp": now + lifetime}, amo["jwt_secret"], "HS256")
    return {"Authorization": f"JWT {token}"}


def node_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the npm clients: nothing that reaches beyond 127.0.0.1 or changes their options."""
    env = {key: value for key, value in os.environ.items()
           # web-ext reads every WEB_EXT_* variable as an option (a developer's API key...).
           if not key.startswith("WEB_EXT_") and key.lower() not in PROXY_VARIABLES}
    env.update(
        NO_UPDATE_NOTIFIER="1",  # web-ext's update-notifier would ask the npm registry for a newer web-ext
        npm_config_update_notifier="false",
        NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",  # `request` (sign-addon) honours proxies
    )
    env.update(extra or {})
    return env


def _require(path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not path.exists():
        pytest.skip(f"{path.relative_to(HERE)} is missing: `make test` installs the interop clients "
                    "(npm ci --prefix tests/interop)")


def web_ext_sign(base_url: str, credentials: dict, source_dir: Path, artifacts_dir: Path, *,
                 channel: str = "unlisted", approval_timeout: int | None = None, timeout: int = 60_000,
                 metadata: dict | None = None, upload_source_code: Path | None = None,
                 fresh: bool = True, args: tuple[str, ...] = (), env: dict[str, str] | None = None,
                 run_timeout: float = 180) -> subprocess.CompletedProcess:
    """`web-ext sign` against the store's v5 API at base_url (http://127.0.0.1:PORT).

    timeout and approval_timeout are web-ext's, in milliseconds; approval_timeout defaults to 0
    (do not wait for approval) for listed and to timeout for unlisted. `fresh` forgets the upload
    web-ext cached in SOURCE_DIR/.amo-upload-uuid (it would skip uploading an unchanged package);
    SOURCE_DIR/.web-extension-id, where it saves an id the store generated, is left alone.
    The signed file, when web-ext downloads one, lands in artifacts_dir.
    """
    _require(WEB_EXT)
    amo = _amo(credentials)
    if fresh:
        (source_dir / ".amo-upload-uuid").unlink(missing_ok=True)
    if approval_timeout is None and channel == "listed":
        approval_timeout = 0
    command = ["node", str(WEB_EXT), "sign", "--no-config-discovery", "--no-input", "--verbose",
               "--amo-base-url", f"{base_url}/api/v5/", "--api-key", amo["jwt_issuer"],
               "--api-secret", amo["jwt_secret"], "--source-dir", str(source_dir),
               "--artifacts-dir", str(artifacts_dir), "--channel", channel, "--timeout", str(timeout)]
    if approval_timeout is not None:
        command += ["--approval-timeout", str(approval_timeout)]
    if upload_source_code is not None:
        command += ["--upload-source-code", str(upload_source_code)]
    with tempfile.TemporaryDirectory() as scratch:
        if metadata is not None:
            metadata_path = Path(scratch) / "amo-metadata.json"
            metadata_path.write_text(json.dumps(metadata))
            command += ["--amo-metadata", str(metadata_path)]
        return subprocess.run([*command, *args], cwd=scratch, env=node_environment(env), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=run_timeout)


@dataclass
class SignAddonRun:
    returncode: int  # 0 signed and downloaded, 1 success: false, 2 the client threw
    result: dict     # signAddon()'s result, or {"success": false, "error", "stack"}
    log: str         # everything sign-addon printed
    stdout: str


def sign_addon(base_url: str, credentials: dict, xpi_path: Path, version: str, download_dir: Path, *,
               addon_id: str | None = None, channel: str | None = None, api: str = "v4",
               timeout: int = 60_000, verbose: bool = False, env: dict[str, str] | None = None,
               run_timeout: float = 180) -> SignAddonRun:
    """sign-addon's signAddon() against the store's v3/v4 signing API at base_url (http://127.0.0.1:PORT).

    With addon_id: PUT addons/{id}/versions/{version}/ (channel sent if given); without: POST addons/.
    timeout is sign-addon's wait for validation and signing, in milliseconds.
    """
    _require(NODE_MODULES / "sign-addon")
    download_dir.mkdir(parents=True, exist_ok=True)
    amo = _amo(credentials)
    options = {"xpiPath": str(xpi_path), "version": version, "apiKey": amo["jwt_issuer"],
               "apiSecret": amo["jwt_secret"], "apiUrlPrefix": f"{base_url}/api/{api}",
               "downloadDir": str(download_dir), "timeout": timeout, "verbose": verbose}
    if addon_id is not None:
        options["id"] = addon_id
    if channel is not None:
        options["channel"] = channel
    completed = subprocess.run(["node", str(SIGN_ADDON_SCRIPT), json.dumps(options)], cwd=download_dir,
                               env=node_environment(env), stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, timeout=run_timeout)
    lines = completed.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"success": False, "error": f"no result from sign_addon.js (exit {completed.returncode})"}
    return SignAddonRun(completed.returncode, result, completed.stderr, completed.stdout)


@dataclass
class AmoUploadRun:
    returncode: int  # 0 signed and downloaded, 1 the store said no or the client gave up, 2 the client threw
    result: dict     # {"success": true, "path"} or {"success": false, "error", "status", "url", "data"...}
    log: str         # amo-upload's debug log (stderr)


def amo_upload(base_url: str, credentials: dict, addon_id: str, version: str, xpi_path: Path | None,
               output_dir: Path, *, channel: str = "unlisted", poll_interval: int = 1_000, poll_retry: int = 10,
               env: dict[str, str] | None = None, run_timeout: float = 180, **options) -> AmoUploadRun:
    """amo-upload's signAddon() against the store's v5 API at base_url (http://127.0.0.1:PORT).

    It only adds versions to an existing add-on. poll_interval (ms) is its wait before looking for
    the signed file; it polls upload validation every 5 s on its own. Other options (sourceFile,
    approvalNotes, releaseNotes, compatibility, override...) are passed through as given.
    """
    _require(NODE_MODULES / "amo-upload")
    output_dir.mkdir(parents=True, exist_ok=True)
    amo = _amo(credentials)
    options = {"apiKey": amo["jwt_issuer"], "apiSecret": amo["jwt_secret"], "apiPrefix": base_url,
               "addonId": addon_id, "addonVersion": version, "channel": channel, "output": str(output_dir),
               "pollInterval": poll_interval, "pollRetry": poll_retry, **options}
    if xpi_path is not None:
        options["distFile"] = str(xpi_path)
    completed = subprocess.run(["node", str(AMO_UPLOAD_SCRIPT), json.dumps(options)], cwd=output_dir,
                               env=node_environment({"DEBUG": "amo-upload", **(env or {})}),
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=run_timeout)
    lines = completed.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"success": False, "error": f"no result from amo_upload.js (exit {completed.returncode})"}
    return AmoUploadRun(completed.returncode, result, completed.stderr)


def edge_client(base_url: str, *, product_id: str, client_id: str, api_key: str,
                retry_count: int = 10, sleep_seconds: int = 1):
    """edge-addons-api's Client (Edge API v1.1: `ApiKey` + `X-ClientID`) on the store at base_url.

    client.submit(file_path, notes) uploads, polls and publishes, returning the publish Location;
    client.fetch_publish_status(operation_id) returns the status JSON. It raises
    requests.HTTPError on non-2xx, and edge_addons_api.exceptions.UploadException (a
    BaseException, not an Exception) when the upload status is "Failed".
    """
    from edge_addons_api.client import Client, Options
    client = Client(Options(product_id=product_id, client_id=client_id, api_key=api_key,
                            retry_count=retry_count, sleep_seconds=sleep_seconds))
    client.BASE_URL = base_url  # on the instance, leaving the class's (Microsoft's host) alone
    return client
