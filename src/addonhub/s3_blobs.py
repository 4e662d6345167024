"""Blobs in an S3-compatible bucket (`ADDONHUB_BLOB_URL=s3://bucket/prefix?endpoint_url=...`).

A write streams into a multipart upload, one part buffered in memory at a time, and becomes
visible under its key only when commit() completes the upload (a blob smaller than one part is a
single PUT at commit); abandon() aborts it. A process killed mid-write leaves an incomplete
multipart upload, which the bucket never shows as an object: `leftovers()` lists those (keyed
`<key>?uploadId=<id>`, so that `delete` aborts them) beside the scratch files a killed process left
on this machine. Downloads are streamed by the server, or, with presigned downloads on, handed to
the client as a short-lived presigned GET URL.

Credentials come from where boto3 looks (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the AWS
config files, an instance role), never from the URL, which the store logs and shows.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import parse_qs, quote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from addonhub.blobs import CHUNK_SIZE, BlobInfo, BlobStore, BlobWriter, Download, StoredBlob

# S3's smallest part (but the last) is 5 MiB; 8 MiB keeps a 500 MiB package under S3's 10,000
# parts with room to spare, and is what one upload holds in memory.
PART_SIZE = 8 * 1024 * 1024
# A presigned URL is fetched at once by the client it is handed to; a short life keeps a leaked
# link from opening a private file for long.
PRESIGNED_SECONDS = 300
UPLOAD_MARK = "?uploadId="
SCRATCH = ".scratch/"
URL_OPTIONS = {"endpoint_url", "region"}


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


class _S3Writer(BlobWriter):
    def __init__(self, store: "S3BlobStore", key: str, max_size: int | None):
        super().__init__(key, max_size)
        self.store, self.object_key = store, store._object_key(key)
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict] = []

    def _store(self, chunk: bytes) -> None:
        self.buffer += chunk
        size = self.store.part_size
        while len(self.buffer) >= size:
            self._send_part(bytes(memoryview(self.buffer)[:size]))  # one copy: the part sent
            del self.buffer[:size]

    def _send_part(self, body: bytes) -> None:
        client, bucket = self.store.client, self.store.bucket
        if self.upload_id is None:
            self.upload_id = client.create_multipart_upload(Bucket=bucket, Key=self.object_key)["UploadId"]
        number = len(self.parts) + 1
        answer = client.upload_part(Bucket=bucket, Key=self.object_key, UploadId=self.upload_id,
                                    PartNumber=number, Body=body)
        part = {"PartNumber": number, "ETag": answer["ETag"]}
        # boto3 adds a checksum to each part; completing the upload must repeat it.
        part.update({name: value for name, value in answer.items() if name.startswith("Checksum") and
                     name != "ChecksumType"})
        self.parts.append(part)

    def commit(self) -> StoredBlob:
        client, bucket = self.store.client, self.store.bucket
        if self.upload_id is None:
            client.put_object(Bucket=bucket, Key=self.object_key, Body=bytes(self.buffer))
        else:
            if self.buffer:
                self._send_part(bytes(self.buffer))
            client.complete_multipart_upload(Bucket=bucket, Key=self.object_key, UploadId=self.upload_id,
                                             MultipartUpload={"Parts": self.parts})
        self.buffer = bytearray()
        return StoredBlob(self.key, self.size, self.hash.hexdigest())

    def abandon(self) -> None:
        self.buffer = bytearray()
        if self.upload_id is not None:
            self.store._abort(self.object_key, self.upload_id)


class S3BlobStore(BlobStore):
    """Blobs as objects under `prefix` in one bucket; scratch files in a local directory."""

    writes_block = True

    def __init__(self, client, bucket: str, prefix: str, scratch: Path, presigned_downloads: bool = False,
                 part_size: int = PART_SIZE):
        self.client, self.bucket = client, bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.scratch = Path(scratch)
        self.presigned_downloads, self.part_size = presigned_downloads, part_size

    @classmethod
    def from_url(cls, url: str, scratch: Path, presigned_downloads: bool = False) -> "S3BlobStore":
        """The store an `s3://bucket/prefix?endpoint_url=...&region=...` URL names."""
        parts = urlsplit(url)
        options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        if parts.scheme != "s3" or not parts.hostname:
            raise ValueError(f"a blob URL is s3://bucket/prefix, not {url!r}")
        if unknown := set(options) - URL_OPTIONS:
            raise ValueError(f"unknown blob URL option {', '.join(sorted(unknown))} "
                             f"(known: {', '.join(sorted(URL_OPTIONS))}); credentials go in the AWS environment")
        if parts.username or parts.password:
            raise ValueError("a blob URL carries no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        client = boto3.session.Session().client(
            "s3", endpoint_url=options.get("endpoint_url"), region_name=options.get("region"),
            # Path-style: S3-compatible servers on one host name have no per-bucket host names.
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
        return cls(client, parts.netloc, parts.path, scratch, presigned_downloads)

    def _object_key(self, key: str) -> str:
        parts = PurePosixPath(key).parts
        if not key or key.startswith("/") or ".." in parts or "?" in key or key.startswith(SCRATCH):
            raise ValueError(f"blob key {key!r} leaves the store")
        return self.prefix + key

    def _abort(self, object_key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=object_key, UploadId=upload_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
                raise

    def writer(self, key: str, max_size: int | None = None) -> BlobWriter:
        return _S3Writer(self, key, max_size)

    def _get(self, key: str, **extra) -> dict:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._object_key(key), **extra)
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(key) from None
            raise

    def open(self, key: str) -> BinaryIO:
        return self._get(key)["Body"]

    def chunks(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        if end is not None and end <= start:
            return
        if start == 0 and end is None:
            extra = {}  # no Range: an empty blob has no byte 0 to start from
        else:
            extra = {"Range": f"bytes={start}-{'' if end is None else end - 1}"}
        try:
            body = self._get(key, **extra)["Body"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "InvalidRange":
                return  # starts past the end: nothing there, as for a local file
            raise
        with body:
            yield from body.iter_chunks(CHUNK_SIZE)

    @contextmanager
    def local_file(self, key: str) -> Iterator[Path]:
        with tempfile.NamedTemporaryFile(dir=self.scratch_dir(), suffix=".blob") as copy:
            for chunk in self.chunks(key):
                copy.write(chunk)
            copy.flush()
            yield Path(copy.name)

    def download(self, key: str, filename: str | None = None, media_type: str | None = None) -> Download:
        if self.presigned_downloads:
            params = {"Bucket": self.bucket, "Key": self._object_key(key)}
            if media_type:
                params["ResponseContentType"] = media_type
            if filename:
                params["ResponseContentDisposition"] = f"attachment; filename*=utf-8''{quote(filename)}"
            return Download(url=self.client.generate_presigned_url("get_object", Params=params,
                                                                   ExpiresIn=PRESIGNED_SECONDS))
        head = self._head(key)
        return Download(size=head["ContentLength"], modified=head["LastModified"])

    def _head(self, key: str) -> dict:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(key) from None
            raise

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except FileNotFoundError:
            return False
        return True

    def delete(self, key: str) -> None:
        if key.startswith(SCRATCH):
            self._scratch_file(key).unlink(missing_ok=True)
        elif UPLOAD_MARK in key:
            key, upload_id = key.rsplit(UPLOAD_MARK, 1)
            self._abort(self._object_key(key), upload_id)
        else:
            self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def list(self, prefix: str = "") -> Iterator[BlobInfo]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield BlobInfo(item["Key"].removeprefix(self.prefix), item["Size"], item["LastModified"])

    def leftovers(self) -> Iterator[BlobInfo]:
        pages = self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for upload in page.get("Uploads", []):
                yield BlobInfo(upload["Key"].removeprefix(self.prefix) + UPLOAD_MARK + upload["UploadId"],
                               self._uploaded_size(upload["Key"], upload["UploadId"]), upload["Initiated"])
        scratch = self.scratch_dir()
        for path in sorted(scratch.rglob("*")):
            if path.is_file():
                stat = path.stat()
                yield BlobInfo(SCRATCH + path.relative_to(scratch).as_posix(), stat.st_size,
                               datetime.fromtimestamp(stat.st_mtime, timezone.utc))

    def _scratch_file(self, key: str) -> Path:
        scratch = self.scratch_dir().resolve()
        path = (scratch / key.removeprefix(SCRATCH)).resolve()
        if scratch not in path.parents:
            raise ValueError(f"blob key {key!r} leaves the store")
        return path

    def _uploaded_size(self, object_key: str, upload_id: str) -> int:
        pages = self.client.get_paginator("list_parts").paginate(Bucket=self.bucket, Key=object_key, UploadId=upload_id)
        return sum(part["Size"] for page in pages for part in page.get("Parts", []))

    def scratch_dir(self) -> Path:
        """This machine's directory for files on their way in or out (signed packages, zips to
        read), where a killed process's leftovers are found again."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        return self.scratch
