"""The deployment of docs/deploy.md, run from its own files (docs/deploy/): Debian's nginx in front
of two `addonhub serve` and beside two `addonhub worker` processes, started as their systemd units
say, on a PostgreSQL cluster, a Redis and a SeaweedFS bucket, all on loopback. The real publishing
clients go through nginx; a server and a worker killed with SIGKILL mid-submission lose nothing
once restarted; a throttle counts across both servers."""

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet

from tests.interop.clients import amo_auth_header, sign_addon, web_ext_sign
from tests.interop.edge_accounts import NAME, api_key_headers, edge_account
from tests.interop.packages import ADDON_ID, manifest, source_dir, xpi
from tests.interop.test_crash_recovery import STATUS, assert_downloads_verified, submit, wait_until_signed
from tests.interop.test_edge_clients import (product_statuses, publish_with_curl_samples,
                                             publish_with_edge_addons_api, wait_for)
from tests.packages.builders import chromium_extension
from tests.processes import free_port, stop
from tests.s3 import ACCESS_KEY, SECRET_KEY
from tests.web.conftest import csrf_of

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "docs" / "deploy"
NGINX = Path("/usr/sbin/nginx")
ADDONHUB = Path(sys.executable).parent / "addonhub"


def templated(path: Path, replacements: dict[str, str]) -> str:
    """The file's text with each string replaced by the test's value; each must be there, so that
    an edit of the file that the test would no longer exercise fails here instead."""
    text = path.read_text()
    for old, new in replacements.items():
        assert old in text, f"{path.name} no longer says {old!r}"
        text = text.replace(old, new)
    return text


def assignments(lines) -> list[tuple[str, str]]:
    """KEY=VALUE lines (systemd's unit and environment files), comments and blank lines aside."""
    return [tuple(line.split("=", 1)) for line in (raw.strip() for raw in lines)
            if line and not line.startswith(("#", ";", "[")) and "=" in line]


def service_settings(unit_text: str) -> list[tuple[str, str]]:
    section, settings = None, []
    for line in unit_text.splitlines():
        if line.startswith("["):
            section = line.strip()
        elif section == "[Service]":
            settings += assignments([line])
    return settings


class Unit:
    """One instance of a systemd template unit, started as systemd starts it: the environment of its
    EnvironmentFile= and Environment= lines, its StateDirectory=, its ExecStart= command. (As the
    tests' user, without the unit's sandboxing: User=, Protect*= need systemd itself.)"""

    def __init__(self, template: Path, instance: str, paths: dict[str, str], log: Path):
        settings = service_settings(templated(template, paths).replace("%i", instance))
        self.command = shlex.split(dict(settings)["ExecStart"])
        self.environment: dict[str, str] = {}
        for key, value in settings:
            if key == "EnvironmentFile":
                self.environment.update(assignments(Path(value).read_text().splitlines()))
            elif key == "Environment":
                self.environment.update([value.split("=", 1)])
        self.state_directory = Path(paths["/var/lib/addonhub"]) / dict(settings)["StateDirectory"].split("/", 1)[1]
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.state_directory.mkdir(parents=True, exist_ok=True)
        # Nothing of the developer's (nor of the session's S3 fixture) leaks in: only the unit's environment.
        env = {key: value for key, value in os.environ.items() if not key.startswith(("ADDONHUB_", "AWS_"))}
        env.update(self.environment, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   AWS_EC2_METADATA_DISABLED="true", PYTHONUNBUFFERED="1")
        with self.log.open("a") as log:
            self.process = subprocess.Popen(self.command, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process, seconds=30)


def answers(url: str) -> bool | None:
    try:
        return True if httpx.get(url, timeout=2).status_code == 200 else None
    except httpx.TransportError:
        return None


# The main configuration, which Debian's /etc/nginx/nginx.conf is in production (its http block
# includes sites-enabled/): here everything nginx writes goes to one throwaway directory.
NGINX_MAIN = """worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/addonhub.conf;
}}
"""


class Deployment:
    """The running deployment, and what an operator does on it: `addonhub` commands with the shared
    environment (`cli`, `create_user`, as tests.interop.conftest.LiveStore offers them), restarts."""

    def __init__(self, root: Path, database_url: str, redis_url: str, blob_url: str):
        self.root = root
        self.data_dir = root / "operator"  # the operator's own scratch directory for commands
        self.env_file = root / "addonhub.env"
        shared = {"ADDONHUB_DATABASE_URL": database_url, "ADDONHUB_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                  "ADDONHUB_RATE_LIMIT_STORAGE": redis_url, "ADDONHUB_BLOB_URL": blob_url,
                  "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        example = assignments((DEPLOY / "addonhub.env").read_text().splitlines())
        assert set(shared) <= {key for key, _ in example}, "addonhub.env lacks a setting the deployment needs"
        self.env_file.write_text("".join(f"{key}={shared.get(key, value)}\n" for key, value in example))
        self.ports = [free_port(), free_port()]
        paths = {"/opt/addonhub/bin/addonhub": str(ADDONHUB), "/etc/addonhub/addonhub.env": str(self.env_file),
                 "/var/lib/addonhub": str(root / "state")}
        self.servers = [Unit(DEPLOY / "addonhub-serve@.service", str(port), paths, root / f"serve-{port}.log")
                        for port in self.ports]
        self.workers = [Unit(DEPLOY / "addonhub-worker@.service", str(number), paths, root / f"worker-{number}.log")
                        for number in (1, 2)]
        self.nginx_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.nginx_port}"
        # Not under pytest's tmp_path, which is private to the user running the tests: nginx's
        # worker runs as `nobody` when that user is root, and writes the responses it buffers (a
        # large download to a client slower than the server) under this directory.
        self.nginx_directory = Path(tempfile.mkdtemp(prefix="addonhub-nginx-"))
        self.nginx_directory.chmod(0o755)
        self.access_log = self.nginx_directory / "access.log"
        self.nginx: subprocess.Popen | None = None

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("ADDONHUB_", "AWS_"))}
        env.update(assignments(self.env_file.read_text().splitlines()), ADDONHUB_DATA_DIR=str(self.data_dir))
        result = subprocess.run([str(ADDONHUB), *args], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=120)
        assert not check or result.returncode == 0, f"addonhub {' '.join(args)}: {result.stdout}{result.stderr}"
        return result

    def create_user(self, email: str, role: str = "developer") -> dict:
        return json.loads(self.cli("users", "create", "--email", email, "--role", role, "--json").stdout)

    def start_nginx(self) -> None:
        directory = self.nginx_directory
        site = templated(DEPLOY / "addonhub.nginx", {
            "listen 80;": f"listen 127.0.0.1:{self.nginx_port};",
            "server 127.0.0.1:8001 ": f"server 127.0.0.1:{self.ports[0]} ",
            "server 127.0.0.1:8002 ": f"server 127.0.0.1:{self.ports[1]} ",
            "/var/log/nginx/addonhub.access.log": str(self.access_log)})
        (directory / "addonhub.conf").write_text(site)
        (directory / "nginx.conf").write_text(NGINX_MAIN.format(root=directory))
        self.nginx = subprocess.Popen([str(NGINX), "-p", str(directory), "-c", str(directory / "nginx.conf"),
                                       "-g", "daemon off;"], stdin=subprocess.DEVNULL,
                                      stdout=(directory / "stdout.log").open("wb"), stderr=subprocess.STDOUT)

    def wait_until_serving(self) -> None:
        for port in self.ports:
            wait_for(lambda: answers(f"http://127.0.0.1:{port}/__heartbeat__"))
        wait_for(lambda: answers(f"{self.base_url}/__heartbeat__"))

    def upstreams(self, request_start: str) -> list[str]:
        """The instance (address:port) that answered each request of the access log beginning so."""
        return [line.split("upstream=", 1)[1].split()[0] for line in self.access_log.read_text().splitlines()
                if f'"{request_start}' in line]

    def stop(self) -> None:
        if self.nginx is not None:
            stop(self.nginx, signal.SIGQUIT)
        for log in ("error.log", "access.log"):  # kept with the servers' logs, for a failure's post-mortem
            if (self.nginx_directory / log).exists():
                shutil.copy(self.nginx_directory / log, self.root / f"nginx-{log}")
        shutil.rmtree(self.nginx_directory, ignore_errors=True)
        for unit in [*self.servers, *self.workers]:
            unit.stop()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, postgres_server, redis_server, s3_server):
    if not NGINX.exists():
        pytest.skip("nginx is not installed: `make nginx` installs Debian's")
    redis_server.client(1).flushdb()
    running = Deployment(tmp_path_factory.mktemp("deployment"), postgres_server.url(postgres_server.create_database()),
                         redis_server.url(1), s3_server.blob_url())
    try:
        # As an operator sets up: one command first (it migrates the new database), then the services.
        running.create_user("admin@example.org", role="admin")
        for unit in [*running.servers, *running.workers]:
            unit.start()
        running.start_nginx()
        running.wait_until_serving()
        yield running
    finally:
        running.stop()


def verified(deployment, path: Path, addon_id: str) -> None:
    deployment.cli("verify", str(path), "--id", addon_id)


def test_web_ext_signs_through_nginx(deployment, tmp_path):
    user = deployment.create_user("web-ext@example.org")
    source = source_dir(tmp_path / "src", manifest(addon_id="web-ext@example.org"))
    run = web_ext_sign(deployment.base_url, user, source, tmp_path / "artifacts")
    assert run.returncode == 0, run.stdout + run.stderr
    [signed] = (tmp_path / "artifacts").glob("*.xpi")
    verified(deployment, signed, "web-ext@example.org")


def test_sign_addon_signs_through_nginx(deployment, tmp_path):
    user = deployment.create_user("sign-addon@example.org")
    package = xpi(tmp_path / "addon.xpi", manifest(addon_id="sign-addon@example.org"))
    run = sign_addon(deployment.base_url, user, package, "1.0", tmp_path / "signed", addon_id="sign-addon@example.org")
    assert run.returncode == 0 and run.result["success"], run.log
    [signed] = run.result["downloadedFiles"]
    verified(deployment, Path(signed), "sign-addon@example.org")


@pytest.mark.parametrize("publish", [publish_with_edge_addons_api, publish_with_curl_samples],
                         ids=["edge-addons-api", "curl-samples"])
def test_edge_clients_publish_through_nginx(deployment, tmp_path, publish):
    account, product = edge_account(deployment, f"{publish.__name__}@example.org")
    publish(deployment, account, product, chromium_extension(tmp_path / "tab-tamer.zip", "1.0.0", NAME))
    headers = api_key_headers(account)
    assert product_statuses(deployment, headers) == ["In Review"]
    deployment.cli("review", "approve", product["guid"], "1.0.0")
    assert product_statuses(deployment, headers) == ["In the Store"]


def backend_holding_a_request(deployment) -> Unit:
    """The server nginx is streaming a request body to now: the one with an open connection from it
    (nginx keeps none open between requests to the upstream)."""
    def holding():
        # ss's columns, with a state filter: Recv-Q Send-Q Local-Address:Port Peer-Address:Port
        listed = subprocess.run(["ss", "-Htn", "state", "established"], capture_output=True, text=True).stdout
        local_ports = {line.split()[2].rsplit(":", 1)[1] for line in listed.splitlines()}
        holders = [unit for unit, port in zip(deployment.servers, deployment.ports) if str(port) in local_ports]
        return holders[0] if len(holders) == 1 else None
    return wait_for(holding, timeout=30)


def running_job_pids(deployment) -> set[int]:
    """The processes holding a running job (a job's worker is named host:pid:token:thread)."""
    url = dict(assignments(deployment.env_file.read_text().splitlines()))["ADDONHUB_DATABASE_URL"]
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        claimed = [row[0] for row in connection.execute("SELECT worker FROM jobs WHERE status = 'running'")]
    return {int(name.split(":")[1]) for name in claimed}


def job_runner(deployment) -> Unit | None:
    """The worker running a job now, if one is."""
    pids = running_job_pids(deployment)
    return next((unit for unit in deployment.workers if unit.process.pid in pids), None)


def test_a_server_and_a_worker_killed_mid_submission_lose_nothing(deployment, tmp_path):
    user = deployment.create_user("crash@example.org")
    # Incompressible content: the upload and the validation and signing take long enough to be caught.
    package = xpi(tmp_path / "big.xpi", manifest(), files={"data/blob.bin": os.urandom(32 * 1024 * 1024)})
    body = package.read_bytes()

    # A server killed while an upload streams through nginx to it: the client sees the failure.
    half_sent, release, outcome = threading.Event(), threading.Event(), {}

    def multipart():
        """The signing API's form, its package sent in two halves with a pause between them."""
        yield (b'--cut\r\nContent-Disposition: form-data; name="upload"; filename="big.xpi"\r\n'
               b"Content-Type: application/x-xpinstall\r\n\r\n")
        yield body[:len(body) // 2]
        half_sent.set()
        release.wait(30)
        yield body[len(body) // 2:] + b"\r\n--cut--\r\n"

    def upload():
        try:
            outcome["response"] = httpx.put(
                deployment.base_url + STATUS.format(guid=ADDON_ID, version="1.0"), content=multipart(), timeout=60,
                headers={**amo_auth_header(user), "Content-Type": "multipart/form-data; boundary=cut"})
        except httpx.TransportError as error:
            outcome["error"] = error
    uploading = threading.Thread(target=upload)
    uploading.start()
    assert half_sent.wait(30)
    receiving = backend_holding_a_request(deployment)
    receiving.kill()
    release.set()
    uploading.join(60)
    assert "error" in outcome or outcome["response"].status_code == 502, outcome
    receiving.start()  # Restart=always
    deployment.wait_until_serving()
    # Nothing of the cut-off upload became a version.
    assert httpx.get(deployment.base_url + STATUS.format(guid=ADDON_ID, version="1.0"),
                     headers=amo_auth_header(user)).status_code == 404

    # The client submits again; a worker is killed while it validates or signs.
    submit(deployment, user, package)
    runner = wait_for(lambda: job_runner(deployment), timeout=30,
                      interval=0.005)
    dead = runner.process.pid
    runner.kill()
    # It died mid-job: its claim is still there (the handler commits with the job's end), and the
    # other worker leaves it alone while its lease lasts.
    assert dead in running_job_pids(deployment)
    runner.start()  # Restart=always: it puts the dead one's job back in the queue

    assert_downloads_verified(deployment, user, wait_until_signed(deployment, user, timeout=90), tmp_path)
    versions = httpx.get(f"{deployment.base_url}/api/v4/addons/addon/{ADDON_ID}/versions/?filter=all_with_unlisted",
                         headers=amo_auth_header(user)).json()
    assert [version["version"] for version in versions["results"]] == ["1.0"]


def test_failed_log_ins_are_counted_across_both_servers(deployment):
    deployment.create_user("pat@example.org")
    limit = 10  # the store's default: 10 failed log-ins per account in 15 minutes
    with httpx.Client(base_url=deployment.base_url) as browser:
        token = csrf_of(browser.get("/login"))
        statuses = []
        for _ in range(limit + 1):
            answer = browser.post("/login", data={"csrf_token": token, "email": "pat@example.org", "password": "guess"})
            statuses.append(answer.status_code)
            if answer.status_code == 400:
                token = csrf_of(answer)
    assert statuses == [400] * limit + [429]
    # Both servers answered some of them: each alone would have seen fewer than the limit.
    answered_by = deployment.upstreams("POST /login")[-(limit + 1):]
    assert set(answered_by) == {f"127.0.0.1:{port}" for port in deployment.ports}, answered_by
