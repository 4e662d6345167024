"""Submission pipeline benchmark: `make bench-uploads`, or `.venv/bin/python bench/uploads/run.py --help`.

Starts `addonhub serve` on 127.0.0.1 with a fresh data directory, and for packages of each size
(1, 50 and 200 MB by default) submits them through AMO's signing API (PUT
/api/v4/addons/{id}/versions/{version}/), polls the status until the version is signed and
active, and downloads the signed file. Next to each upload it times `cp FILE DEST && sha256sum
DEST` on the same file, the floor for "receive a file and hash it" on this machine, and reports
the ratio. It also measures the server's peak resident memory above idle. Writes
bench/uploads/REPORT.md and report.json. See bench/README.md ("Submission pipeline").

Sizes are decimal: 1 MB = 1,000,000 bytes, for packages, throughput and memory alike.
"""

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import httpx
import jwt

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # tests.s3 starts the SeaweedFS server
from tests.s3 import BUCKET, CLIENT_ENVIRONMENT, SeaweedS3, start_seaweed  # noqa: E402

WORK = ROOT / "bench" / "work" / "uploads"  # bench/work/ is gitignored
HOST = "127.0.0.1"
MB = 1_000_000
STATUS_PATH = "/api/v4/addons/{guid}/versions/{version}/"
# The store refuses entries over 100 MiB and archives over 250 MiB (AMO's limits): the random
# payload is split into files no larger than this.
MAX_PART_BYTES = 40 * MB
WRITE_CHUNK = 1024 * 1024
SAMPLE_INTERVAL = 0.010  # seconds between VmRSS samples of the server
MEMORY_AIM_MB = 150
# Generous, so that the throttle of uploads (the signing API's scope) never answers 429 however
# many submissions --repeat asks for.
RELAXED_RATES = {"ADDONHUB_THROTTLE_AMO_UPLOADS_PER_USER": "10000/minute",
                 "ADDONHUB_THROTTLE_AMO_UPLOADS_PER_IP": "10000/minute"}
PACKAGES = ("httpx", "uvicorn", "uvloop", "httptools", "starlette", "python-multipart", "cryptography")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,50,200",
                        help="package sizes in MB (random payload), comma-separated (default 1,50,200)")
    parser.add_argument("--repeat", type=int, default=3, help="submissions per size; medians are reported (default 3)")
    parser.add_argument("--compression", choices=("stored", "deflated"), default="stored",
                        help="zip method of every entry (default stored: random data does not compress, and "
                             "stored keeps package building quick)")
    parser.add_argument("--poll-interval", type=float, default=0.1,
                        help="seconds between status requests while waiting for signing (default 0.1)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds a submission may take to be signed before the run fails (default 900)")
    parser.add_argument("--workers", type=int, default=1,
                        help="ADDONHUB_WORKERS for the server: job-queue threads (default 1, the store's default)")
    parser.add_argument("--blobs", choices=("local", "s3"), default="local",
                        help="where the store keeps blobs: local (its data directory, the default) or s3 (a "
                             "throwaway SeaweedFS on loopback, after the same submissions on local disk, the "
                             "baseline of the same run)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and packages in bench/work/uploads/")
    parser.add_argument("--out", type=Path, default=HERE, help="where REPORT.md and report.json go (default bench/uploads/)")
    args = parser.parse_args(argv)
    try:
        args.sizes = [float(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes takes numbers of MB, e.g. 1,50,200")
    if not args.sizes or min(args.sizes) <= 0 or args.repeat < 1:
        parser.error("--sizes must be positive and --repeat at least 1")
    return args


# --- packages ---------------------------------------------------------------------------------------

@dataclass
class Package:
    path: Path
    guid: str
    version: str
    size: int    # bytes of the .xpi file
    sha256: str


def build_package(path: Path, payload_bytes: int, guid: str, version: str, compression: str) -> Package:
    """A valid MV2 extension with a Gecko id, carrying payload_bytes of random (incompressible) data
    in data/part-NN.bin files of at most MAX_PART_BYTES each. Data is written in 1 MiB chunks so
    that building a 200 MB package does not need 200 MB of memory here."""
    method = zipfile.ZIP_STORED if compression == "stored" else zipfile.ZIP_DEFLATED
    manifest = {
        "manifest_version": 2, "name": f"Upload benchmark {guid}", "version": version,
        "description": "Random payload for bench/uploads/run.py.",
        "browser_specific_settings": {"gecko": {"id": guid}},
        "background": {"scripts": ["background.js"]},
    }
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("background.js", "console.log('upload benchmark');\n")
        remaining, number = payload_bytes, 0
        while remaining > 0:
            part = min(remaining, MAX_PART_BYTES)
            with archive.open(f"data/part-{number:02d}.bin", "w") as entry:
                written = 0
                while written < part:
                    chunk = os.urandom(min(WRITE_CHUNK, part - written))
                    entry.write(chunk)
                    written += len(chunk)
            remaining -= part
            number += 1
    return Package(path, guid, version, path.stat().st_size, sha256_of(path))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(WRITE_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- the baseline: copy and hash the same file with coreutils ------------------------------------

def time_baseline(package: Package, destination: Path) -> float:
    """Wall time of `cp FILE DEST && sha256sum DEST`: what receiving a file into storage and hashing
    it costs at the least on this machine and file system (the store's blob directory's)."""
    command = ["sh", "-c", 'cp "$1" "$2" && sha256sum "$2"', "sh", str(package.path), str(destination)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    destination.unlink(missing_ok=True)
    if result.returncode != 0 or result.stdout.split()[0] != package.sha256:
        raise RuntimeError(f"the baseline failed: {result.returncode} {result.stdout}{result.stderr}")
    return elapsed


S3_PREFIX = "uploads-bench"
S3_PART_BYTES = 8 * 1024 * 1024  # the store's part size (addonhub.s3_blobs.PART_SIZE)


def time_s3_baseline(package: Package, bucket: SeaweedS3) -> float:
    """Wall time of the least a store can do to keep the file in the bucket: read it in 8 MiB
    parts, hash each (sha256) and send it with boto3, one part after another as the store does,
    then complete the multipart upload. The object is deleted afterwards."""
    client, key = bucket.client(), f"{S3_PREFIX}/baseline/{package.path.name}"
    digest, parts = hashlib.sha256(), []
    started = time.perf_counter()
    upload = client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    with package.path.open("rb") as stream:
        while part := stream.read(S3_PART_BYTES):
            digest.update(part)
            answer = client.upload_part(Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=len(parts) + 1, Body=part)
            parts.append({"PartNumber": len(parts) + 1, "ETag": answer["ETag"],
                          **{name: value for name, value in answer.items()
                             if name.startswith("Checksum") and name != "ChecksumType"}})
    client.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload, MultipartUpload={"Parts": parts})
    elapsed = time.perf_counter() - started
    client.delete_object(Bucket=BUCKET, Key=key)
    if digest.hexdigest() != package.sha256:
        raise RuntimeError(f"the S3 baseline read {package.path} differently from how it was built")
    return elapsed


# --- the server -----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _server_environment(workers: int, blob_url: str | None) -> dict[str, str]:
    # The developer's own ADDONHUB_* settings must not change what is measured; proxies must not
    # catch requests to 127.0.0.1.
    env = {key: value for key, value in os.environ.items() if not key.startswith("ADDONHUB_")}
    env.update(RELAXED_RATES, ADDONHUB_WORKERS=str(workers), PYTHONUNBUFFERED="1")
    if blob_url:
        env.update(ADDONHUB_BLOB_URL=blob_url, **CLIENT_ENVIRONMENT)
    return env


BLOB_STORES = {"local": "local disk (the data directory)", "s3": "S3 (SeaweedFS on 127.0.0.1)"}


@dataclass
class Server:
    url: str
    pid: int
    data_dir: Path
    env: dict
    bucket: SeaweedS3 | None = None  # where its blobs are, if not in data_dir


@contextmanager
def running_store(data_dir: Path, log_path: Path, workers: int, blob_url: str | None = None):
    """`addonhub serve` on a free loopback port, as the process itself (not a shell), so that its
    pid is the one whose memory is read; its blobs in `blob_url` (an S3 bucket) if given, else in
    the data directory. Stopped with SIGTERM (killed if it lingers)."""
    port, env = _free_port(), _server_environment(workers, blob_url)
    command = [sys.executable, "-m", "addonhub.cli", "serve", "--data-dir", str(data_dir),
               "--host", HOST, "--port", str(port)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        server = Server(f"http://{HOST}:{port}", process.pid, data_dir, env)
        _wait_for_heartbeat(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_heartbeat(server: Server, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"addonhub serve exited with {process.returncode} while starting")
        try:
            if httpx.get(server.url + "/__heartbeat__", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"addonhub serve did not answer /__heartbeat__ within {timeout} s")


def create_developer(server: Server) -> dict:
    """AMO API credentials ({"jwt_issuer", "jwt_secret"}) of a new account, from `users create --json`."""
    result = subprocess.run([sys.executable, "-m", "addonhub.cli", "users", "create", "--data-dir", str(server.data_dir),
                             "--email", "bench@example.org", "--json"],
                            env=server.env, capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout)["amo"]


# --- server memory --------------------------------------------------------------------------------

def server_cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (all its threads): on a shared machine, less
    disturbed by other processes than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kb(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field_name}")


class MemoryWatch:
    """The server's resident memory: its kernel-kept peak (VmHWM), reset before each submission by
    writing 5 to /proc/PID/clear_refs, and VmRSS sampled every 10 ms in a thread, labelled with the
    phase the submission is in, to tell which step the peak belongs to. When clear_refs cannot be
    written, the sampled maximum stands in for VmHWM."""

    def __init__(self, pid: int):
        self.pid = pid
        self.phase = "idle"
        self.phase_peaks_kb: dict[str, int] = {}
        self.sampled_peak_kb = 0
        self.clear_refs_works = self._reset_works()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def rss_kb(self) -> int:
        return _status_kb(self.pid, "VmRSS")

    def _reset_works(self) -> bool:
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        # Reset means VmHWM dropped to (about) the current VmRSS.
        return _status_kb(self.pid, "VmHWM") <= self.rss_kb() + 1024

    def reset_peak(self) -> None:
        """Starts a new measurement: the kernel's peak (if resettable) and the per-phase samples."""
        if self.clear_refs_works:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        self.phase_peaks_kb, self.sampled_peak_kb = {}, self.rss_kb()

    def peak_kb(self) -> int:
        """The peak since reset_peak(): VmHWM, or the sampled maximum when it cannot be reset."""
        if self.clear_refs_works:
            return max(_status_kb(self.pid, "VmHWM"), self.sampled_peak_kb)
        return self.sampled_peak_kb

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL):
            try:
                rss, phase = self.rss_kb(), self.phase
            except (OSError, RuntimeError):  # the server is gone
                return
            self.sampled_peak_kb = max(self.sampled_peak_kb, rss)
            self.phase_peaks_kb[phase] = max(self.phase_peaks_kb.get(phase, 0), rss)

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- one submission ---------------------------------------------------------------------------------

@dataclass
class Submission:
    ingest_s: float             # PUT start -> 201/202 received
    processed_s: float          # PUT start -> status says processed (validation done)
    signed_s: float             # PUT start -> status says active with a signed file
    downloaded_s: float         # PUT start -> signed file downloaded and its sha256 checked
    status_code: int
    signed_size: int
    server_cpu_s: float         # the server's CPU time over the whole submission
    peak_above_idle_signed_mb: float = 0.0      # server peak through signing, minus idle
    peak_above_idle_downloaded_mb: float = 0.0  # ... through the download as well
    phase_peaks_above_idle_mb: dict = field(default_factory=dict)


class Developer:
    """Requests as an AMO client sends them: `Authorization: JWT` signed with the account's secret,
    a fresh token per request (tokens live 60 s; a slow upload must not outlive its token's check)."""

    def __init__(self, server: Server, credentials: dict):
        self.server, self.credentials = server, credentials
        # trust_env=False: no proxy from the environment may see these requests.
        self.client = httpx.Client(base_url=server.url, trust_env=False, timeout=httpx.Timeout(600, connect=10))

    def headers(self) -> dict[str, str]:
        now = int(time.time())
        token = jwt.encode({"iss": self.credentials["jwt_issuer"], "iat": now, "exp": now + 60},
                           self.credentials["jwt_secret"], "HS256")
        return {"Authorization": f"JWT {token}"}

    def upload(self, package: Package) -> int:
        """PUT the package as multipart `upload`. httpx streams a file object in 64 KiB reads with a
        Content-Length from fstat, so the package is never held whole in memory here either."""
        path = STATUS_PATH.format(guid=package.guid, version=package.version)
        with package.path.open("rb") as stream:
            response = self.client.put(path, headers=self.headers(),
                                       files={"upload": (package.path.name, stream, "application/x-xpinstall")})
        if response.status_code not in (201, 202):
            raise RuntimeError(f"PUT {path} answered {response.status_code}: {response.text[:500]}")
        return response.status_code

    def status(self, package: Package) -> dict:
        response = self.client.get(STATUS_PATH.format(guid=package.guid, version=package.version), headers=self.headers())
        response.raise_for_status()
        return response.json()

    def download(self, url: str, expected_hash: str) -> int:
        """Streams the signed file, hashing it on the way (not kept), and checks files[0].hash."""
        digest, size = hashlib.sha256(), 0
        with self.client.stream("GET", url, headers=self.headers()) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                digest.update(chunk)
                size += len(chunk)
        if f"sha256:{digest.hexdigest()}" != expected_hash:
            raise RuntimeError(f"the download of {url} has sha256 {digest.hexdigest()}, the status said {expected_hash}")
        return size

    def close(self) -> None:
        self.client.close()


def _signed_file(status: dict) -> dict | None:
    files = status.get("files") or []
    return files[0] if status.get("active") and files and files[0].get("signed") else None


def submit(developer: Developer, package: Package, memory: MemoryWatch, idle_kb: int, poll: float,
           timeout: float) -> Submission:
    """One submission timed from the start of the PUT: ingest (until the answer), validation (until
    the status says processed), signing (until active with a signed file), download (complete and
    hash checked). The memory watch is told the phase, and its peak reset just before the PUT."""
    memory.reset_peak()
    memory.phase = "upload"
    cpu_before = server_cpu_s(memory.pid)
    started = time.perf_counter()
    status_code = developer.upload(package)
    ingest = time.perf_counter() - started
    memory.phase = "validate"
    processed_at, signed, deadline = None, None, started + timeout
    while signed is None:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{package.guid} {package.version} not signed after {timeout} s")
        status = developer.status(package)
        if status.get("processed") and not status.get("valid"):
            raise RuntimeError(f"{package.guid} {package.version} failed validation: {status['validation_results']}")
        if status.get("processed") and processed_at is None:
            processed_at = time.perf_counter() - started
            memory.phase = "sign"
        signed = _signed_file(status)
        if signed is None:
            time.sleep(poll)
    signed_at = time.perf_counter() - started
    peak_signed = memory.peak_kb()
    memory.phase = "download"
    size = developer.download(signed["download_url"], signed["hash"])
    downloaded = time.perf_counter() - started
    memory.phase = "idle"
    peak_downloaded = memory.peak_kb()
    cpu = server_cpu_s(memory.pid) - cpu_before
    return Submission(
        ingest_s=ingest, processed_s=processed_at if processed_at is not None else signed_at, signed_s=signed_at,
        downloaded_s=downloaded, status_code=status_code, signed_size=size, server_cpu_s=cpu,
        peak_above_idle_signed_mb=_above(peak_signed, idle_kb), peak_above_idle_downloaded_mb=_above(peak_downloaded, idle_kb),
        phase_peaks_above_idle_mb={phase: _above(kb, idle_kb) for phase, kb in memory.phase_peaks_kb.items()},
    )


def _above(kb: int, idle_kb: int) -> float:
    return round((kb - idle_kb) * 1024 / MB, 1)


# --- the run -----------------------------------------------------------------------------------------

def _label(size_mb: float) -> str:
    return f"{size_mb:g} MB"


def _guid(size_mb: float, repeat: int) -> str:
    # One add-on per submission: every PUT creates an add-on (201), the same path each time.
    return f"bench-{_label(size_mb).replace(' ', '').replace('.', '_').lower()}-{repeat}@uploads.bench"


def warm_up(developer: Developer, work: Path, args, memory: MemoryWatch) -> int:
    """One small submission through signing and download, so that the server has imported and
    initialised everything a submission needs (signing CA included); then the idle VmRSS."""
    package = build_package(work / "warm-up.xpi", MB, "warm-up@uploads.bench", "1.0", args.compression)
    submit(developer, package, memory, memory.rss_kb(), args.poll_interval, args.timeout)
    package.path.unlink()
    time.sleep(1)  # let the worker go back to waiting and the request finish
    return memory.rss_kb()


def measure(server: Server, developer: Developer, work: Path, args) -> dict:
    """For each repeat, each size: build the package, time the baseline on it, submit it. Sizes
    alternate within a repeat, so that a change of load on the machine touches every size."""
    runs: dict[str, list[dict]] = {_label(size): [] for size in args.sizes}
    with MemoryWatch(server.pid) as memory:
        idle_kb = warm_up(developer, work, args, memory)
        print(f"server idle VmRSS after warm-up: {idle_kb * 1024 / MB:.1f} MB "
              f"(peak reset by clear_refs: {'yes' if memory.clear_refs_works else 'no, sampling VmRSS'})", flush=True)
        for repeat in range(1, args.repeat + 1):
            for size in args.sizes:
                runs[_label(size)].append(_one(server, developer, work, args, memory, idle_kb, size, repeat))
        idle_end_kb = memory.rss_kb()
    return {"runs": runs, "idle_mb": round(idle_kb * 1024 / MB, 1), "rss_at_end_mb": round(idle_end_kb * 1024 / MB, 1),
            "clear_refs_works": memory.clear_refs_works}


def _one(server: Server, developer: Developer, work: Path, args, memory: MemoryWatch, idle_kb: int,
         size: float, repeat: int) -> dict:
    label = _label(size)
    package = build_package(work / f"package-{repeat}.xpi", int(size * MB), _guid(size, repeat), f"1.0.{repeat}",
                            args.compression)
    # Each timed step starts with nothing left to write back (the package just built, the
    # baseline's copy), so that neither pays for the other's disk writes.
    os.sync()
    # The baseline's copy lands in the store's data directory: same file system as the blobs.
    baseline = time_baseline(package, server.data_dir / "baseline-copy.xpi")
    os.sync()
    s3_baseline = time_s3_baseline(package, server.bucket) if server.bucket else None
    rss_before_kb = memory.rss_kb()
    result = submit(developer, package, memory, idle_kb, args.poll_interval, args.timeout)
    package.path.unlink()
    row = dict(asdict(result), repeat=repeat, package_bytes=package.size, baseline_s=baseline, s3_baseline_s=s3_baseline,
               rss_before_above_idle_mb=_above(rss_before_kb, idle_kb))
    print(f"[{label} #{repeat}] ingest {result.ingest_s:.2f} s ({package.size / MB / result.ingest_s:.0f} MB/s), "
          f"cp+sha256 {baseline:.2f} s, ratio {result.ingest_s / baseline:.2f}"
          + (f", boto3 multipart {s3_baseline:.2f} s, ratio {result.ingest_s / s3_baseline:.2f}" if s3_baseline else "")
          + f"; validated {result.processed_s:.2f} s, "
          f"signed {result.signed_s:.2f} s, downloaded {result.downloaded_s:.2f} s (server CPU {result.server_cpu_s:.1f} s); "
          f"server peak above idle "
          f"{result.peak_above_idle_signed_mb:.0f} MB through signing, {result.peak_above_idle_downloaded_mb:.0f} MB "
          f"with the download; by phase {result.phase_peaks_above_idle_mb}", flush=True)
    return row


def summarise(runs: dict[str, list[dict]]) -> list[dict]:
    """Medians per size. The ratio is the median of each repeat's ingest / baseline (the two ran
    back to back on the same file), which a load change between repeats disturbs least."""
    rows = []
    for label, repeats in runs.items():
        median = lambda key: statistics.median(run[key] for run in repeats)  # noqa: E731
        size = repeats[0]["package_bytes"]
        ingest, baseline = median("ingest_s"), median("baseline_s")
        ratio = statistics.median(run["ingest_s"] / run["baseline_s"] for run in repeats)
        rows.append({
            "size": label, "package_bytes": size, "repeats": len(repeats),
            "ingest_s": ingest, "ingest_mb_s": size / MB / ingest,
            "baseline_s": baseline, "baseline_mb_s": size / MB / baseline,
            **({"s3_baseline_s": median("s3_baseline_s"),
                "s3_ratio": statistics.median(run["ingest_s"] / run["s3_baseline_s"] for run in repeats)}
               if repeats[0]["s3_baseline_s"] is not None else {}),
            "ratio": ratio, "relative_throughput": 1 / ratio,
            "processed_s": median("processed_s"), "signed_s": median("signed_s"), "downloaded_s": median("downloaded_s"),
            "server_cpu_s": median("server_cpu_s"),
            "peak_signed_mb_max": max(run["peak_above_idle_signed_mb"] for run in repeats),
            "peak_signed_mb_median": median("peak_above_idle_signed_mb"),
            "peak_downloaded_mb_max": max(run["peak_above_idle_downloaded_mb"] for run in repeats),
            "phase_peaks_mb_max": _phase_maxima(repeats),
        })
    return rows


def _phase_maxima(repeats: list[dict]) -> dict[str, float]:
    phases: dict[str, float] = {}
    for run in repeats:
        for phase, value in run["phase_peaks_above_idle_mb"].items():
            phases[phase] = max(phases.get(phase, value), value)
    return phases


# --- the report ----------------------------------------------------------------------------------------

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_model": cpu, "kernel": platform.release(),
            "python": sys.version.split()[0], "memory_total_mb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / MB),
            "load_average_at_start": [round(load, 2) for load in os.getloadavg()], "packages": versions}


def _aim_met(row: dict) -> str:
    return "yes" if row["peak_signed_mb_max"] < MEMORY_AIM_MB else "no"


def render(run: dict) -> str:
    m = run["machine"]
    first = next(iter(run["blobs"].values()))
    lines = [
        "# Submission pipeline benchmark", "",
        f"Run on {run['date']} with `{run['command']}` ({run['wall_s']:.0f} s in all).", "",
        f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_total_mb']:,} MB of memory, Linux {m['kernel']}, "
        f"Python {m['python']}; load average {m['load_average_at_start']} at the start, "
        f"{run['load_average_at_end']} at the end. "
        + ", ".join(f"{name} {version}" for name, version in m["packages"].items() if version) + ".", "",
        f"Each size was submitted {first['summary'][0]['repeats']} times (medians below) as a new add-on through "
        "`PUT /api/v4/addons/{id}/versions/{version}/` (multipart `upload`, streamed from the file by httpx) to "
        "`addonhub serve` on 127.0.0.1 with a fresh data directory and "
        f"{run['settings']['workers']} job worker, its blobs on "
        + " and then on ".join(BLOB_STORES[name] for name in run["blobs"])
        + ". Packages are valid MV2 extensions with a Gecko id; their payload "
        f"is random bytes in files of at most {MAX_PART_BYTES // MB} MB, every entry zipped "
        f"**{run['settings']['compression'].upper()}**. 1 MB = 1,000,000 bytes throughout.", "",
    ]
    if len(run["blobs"]) > 1:
        lines += _comparison(run["blobs"])
    for name, measured in run["blobs"].items():
        lines += _blob_section(run, name, measured, heading=len(run["blobs"]) > 1)
    return "\n".join(lines) + "\n"


def _comparison(blobs: dict[str, dict]) -> list[str]:
    """Each size's ingest and memory on every blob store side by side, with the ratio of each
    store's ingest to the first's (local disk, measured in the same run)."""
    names = list(blobs)
    lines = ["## Blob stores side by side", "",
             "| size | " + " | ".join(f"{name}: ingest s | {name}: signed+downloaded s | {name}: peak above idle MB"
                                    for name in names)
             + " | " + " | ".join(f"ingest {name} / {names[0]}" for name in names[1:]) + " |",
             "|---|" + "---:|---:|---:|" * len(names) + "---:|" * (len(names) - 1)]
    for index, row in enumerate(blobs[names[0]]["summary"]):
        rows = [blobs[name]["summary"][index] for name in names]
        lines.append(f"| {row['size']} | "
                     + " | ".join(f"{r['ingest_s']:.2f} | {r['downloaded_s']:.2f} | {r['peak_signed_mb_max']:.0f}"
                                  for r in rows)
                     + " | " + " | ".join(f"{r['ingest_s'] / row['ingest_s']:.2f}" for r in rows[1:]) + " |")
    return [*lines, "", "A peak that stays the same from 1 MB to 200 MB means the upload streams: the server holds "
            "a bounded buffer (on S3, one 8 MiB multipart part), not the package.", ""]


def _blob_section(run: dict, name: str, measured: dict, heading: bool) -> list[str]:
    """One blob store's tables: the summary per size, where the memory goes, every submission."""
    rows, largest = measured["summary"], measured["summary"][-1]
    level = "###" if heading else "##"
    lines = [f"## Blobs on {BLOB_STORES[name]}", ""] if heading else []
    lines += [
        "| size | ingest median s | ingest MB/s | baseline cp+sha256 s | baseline MB/s | ratio ingest/baseline "
        "| throughput vs baseline | validated s | signed s | upload→signed+downloaded median s | server CPU s "
        f"| server peak above idle, MB | aim < {MEMORY_AIM_MB} MB met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        memory = f"{row['peak_signed_mb_max']:.0f}"
        aim = _aim_met(row) if row is largest else "–"
        lines.append(
            f"| {row['size']} | {row['ingest_s']:.2f} | {row['ingest_mb_s']:.0f} | {row['baseline_s']:.3f} | "
            f"{row['baseline_mb_s']:.0f} | {row['ratio']:.2f} | {row['relative_throughput']:.2f} | "
            f"{row['processed_s']:.2f} | {row['signed_s']:.2f} | {row['downloaded_s']:.2f} | "
            f"{row['server_cpu_s']:.1f} | "
            f"{memory} | {aim} |")
    lines += [
        "",
        "- **ingest**: from the start of the PUT to its 201 answer (the body received into blob storage, hashed, "
        "fsynced or sent to the bucket, the manifest read, the upload recorded). **baseline**: `cp FILE DEST && sha256sum DEST` "
        "on the same file just before its upload, DEST in the store's data directory (wall time of the subprocess; "
        "cp does not fsync, the store does). **ratio** is the median over repeats of ingest / baseline of the same "
        "repeat; throughput vs baseline is its inverse.",
        "- **validated**, **signed**, **upload→signed+downloaded**: from the start of the PUT until the status "
        f"GET (polled every {run['settings']['poll_interval']} s) says `processed`, then `active` with a signed "
        "file, then until the download of `files[0].download_url` completed and its sha256 equalled "
        "`files[0].hash`. **server CPU**: user + system time of the server process over that whole span "
        "(less disturbed than wall time by other processes on a shared machine).",
        f"- **server peak above idle**: the largest over the repeats of VmHWM of the server process "
        f"(`/proc/PID/status`), reset before each PUT with `echo 5 > /proc/PID/clear_refs`"
        f"{'' if measured['clear_refs_works'] else ' (not permitted here: VmRSS sampled every 10 ms instead)'}, "
        f"read once the version was signed, minus the idle VmRSS ({measured['idle_mb']:.1f} MB) measured after a "
        f"1 MB warm-up submission. The aim ({MEMORY_AIM_MB} MB) is read on the {largest['size']} row.",
        "",
        *_s3_baseline_lines(rows, level),
        f"{level} Where the memory goes", "",
        "The server's VmRSS sampled every 10 ms, its largest value above idle in each phase the client saw "
        "(largest over the repeats, MB); the phase boundaries are only as sharp as the status polling. "
        "\"with download\" is VmHWM once the download completed.", "",
        "| size | upload (multipart receive) | validate job | sign job | download | peak through signing: max / median "
        "| with download |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        phases = row["phase_peaks_mb_max"]
        cells = " | ".join(f"{phases[p]:.0f}" if p in phases else "–" for p in ("upload", "validate", "sign", "download"))
        lines.append(f"| {row['size']} | {cells} | {row['peak_signed_mb_max']:.0f} / {row['peak_signed_mb_median']:.0f} "
                     f"| {row['peak_downloaded_mb_max']:.0f} |")
    lines += ["", f"Server VmRSS after the last submission: {measured['rss_at_end_mb']:.1f} MB "
                  f"({measured['rss_at_end_mb'] - measured['idle_mb']:+.1f} MB against idle). "
                  f"This script's own peak RSS: {run['client_peak_rss_mb']:.0f} MB (the packages are streamed).", ""]
    lines += [f"{level} Every submission", "",
              "| size | # | HTTP | ingest s | cp+sha256 s | validated s | signed s | downloaded s | server CPU s | peak above idle MB "
              "(signed / with download) | RSS above idle before the PUT, MB |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, repeats in measured["runs"].items():
        for r in repeats:
            lines.append(f"| {label} | {r['repeat']} | {r['status_code']} | {r['ingest_s']:.2f} | {r['baseline_s']:.3f} | "
                         f"{r['processed_s']:.2f} | {r['signed_s']:.2f} | {r['downloaded_s']:.2f} | {r['server_cpu_s']:.1f} | "
                         f"{r['peak_above_idle_signed_mb']:.0f} / {r['peak_above_idle_downloaded_mb']:.0f} | "
                         f"{r['rss_before_above_idle_mb']:.0f} |")
    return [*lines, ""]


def _s3_baseline_lines(rows: list[dict], level: str) -> list[str]:
    """Ingest against what the bucket alone takes for the same file (time_s3_baseline)."""
    if "s3_baseline_s" not in rows[0]:
        return []
    lines = [f"{level} Against the bucket alone", "",
             "The same file sent to the same bucket by boto3 in 8 MiB parts, one after another, each hashed "
             "(sha256) on the way, just before its upload: the least a store can do to keep it there.", "",
             "| size | ingest median s | boto3 multipart s | MB/s | ratio ingest / boto3 (median of the repeats) |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {row['size']} | {row['ingest_s']:.2f} | {row['s3_baseline_s']:.2f} | "
              f"{row['package_bytes'] / MB / row['s3_baseline_s']:.0f} | {row['s3_ratio']:.2f} |" for row in rows]
    return [*lines, ""]


def _print_summary(run: dict) -> None:
    for name, measured in run["blobs"].items():
        print(f"\n== blobs on {BLOB_STORES[name]}")
        for row in measured["summary"]:
            print(f"{row['size']:>8}: ingest {row['ingest_s']:.2f} s ({row['ingest_mb_s']:.0f} MB/s), cp+sha256 "
                  f"{row['baseline_s']:.3f} s, ratio {row['ratio']:.2f}; upload->signed+downloaded {row['downloaded_s']:.2f} s; "
                  f"server peak above idle {row['peak_signed_mb_max']:.0f} MB")
        largest = measured["summary"][-1]
        print(f"memory aim (< {MEMORY_AIM_MB} MB above idle, {largest['size']}): {_aim_met(largest)}")
    print(f"report: {run['out'] / 'REPORT.md'}")


@contextmanager
def buckets(names: list[str], work: Path):
    """Each blob store's bucket (None: the data directory), starting SeaweedFS for s3."""
    found: dict[str, SeaweedS3 | None] = {}
    try:
        for name in names:
            found[name] = None
            if name == "s3":
                (work / "seaweedfs").mkdir()
                found[name] = start_seaweed(work / "seaweedfs")
        yield found
    finally:
        for bucket in found.values():
            if bucket is not None:
                bucket.stop()


def measure_on(bucket: SeaweedS3 | None, work: Path, args) -> dict:
    """The warm-up and every submission against one store, its blobs in the bucket if given."""
    work.mkdir()
    with running_store(work / "data", WORK / f"server-{'s3' if bucket else 'local'}.log", args.workers,
                       bucket.blob_url(S3_PREFIX) if bucket else None) as server:
        server.bucket = bucket
        developer = Developer(server, create_developer(server))
        try:
            measured = measure(server, developer, work, args)
        finally:
            developer.close()
    measured["summary"] = summarise(measured["runs"])
    return measured


def main(argv=None) -> int:
    args = parse_args(argv)
    args.sizes.sort()
    # Stopped with SIGTERM, still stop the server and clean up (the cleanup runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started, wall = datetime.now(timezone.utc), time.perf_counter()
    facts = machine()
    WORK.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=WORK))
    names = ["local", "s3"] if args.blobs == "s3" else ["local"]
    blobs = {}
    try:
        with buckets(names, work) as found:
            for name, bucket in found.items():
                print(f"== blobs on {BLOB_STORES[name]}", flush=True)
                blobs[name] = measure_on(bucket, work / name, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    run = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["bench/uploads/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "wall_s": time.perf_counter() - wall,
        "machine": facts,
        "load_average_at_end": [round(load, 2) for load in os.getloadavg()],
        "settings": {"sizes_mb": args.sizes, "repeat": args.repeat, "compression": args.compression,
                     "poll_interval": args.poll_interval, "workers": args.workers, "blobs": names},
        "client_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB,
        "blobs": blobs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(run, indent=1, default=str))
    (args.out / "REPORT.md").write_text(render(run))
    run["out"] = args.out
    _print_summary(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
