"""Request bodies that carry packages, streamed into blob storage as they arrive.

A package is never held whole in memory: each chunk goes through the multipart parser (or
straight, for a raw body) into a BlobWriter that hashes it and stops at the size limit. Every
failure (too large, truncated, malformed, a client that stalls) is an `UploadRejected` with a
status code and a message for the dialect to shape, and leaves no blob behind.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
from python_multipart.multipart import MultipartParseError, MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from addonhub.blobs import BlobStore, BlobTooLarge, BlobWriter, StoredBlob
from addonhub.config import Settings

MAX_FIELD_SIZE = 64 * 1024


class UploadRejected(Exception):
    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code, self.message = status_code, message


@dataclass
class ReceivedFile:
    blob: StoredBlob
    filename: str | None


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, ReceivedFile] = field(default_factory=dict)

    def discard(self, blobs: BlobStore, keep: str | None = None) -> None:
        """Deletes the blobs of the form's files (but the one named `keep`)."""
        for name, received in self.files.items():
            if name != keep:
                blobs.delete(received.blob.key)


@dataclass(frozen=True)
class BodyLimits:
    max_bytes: int
    idle_timeout: float

    @classmethod
    def for_uploads(cls, settings: Settings) -> "BodyLimits":
        """A package's limits: as large as the store accepts."""
        return cls(settings.upload_max_bytes, settings.upload_idle_timeout)

    @classmethod
    def for_small_body(cls, settings: Settings, max_bytes: int) -> "BodyLimits":
        """A body read whole into memory (notes, forms, JSON): as patient as an upload, but small."""
        return cls(max_bytes, settings.upload_idle_timeout)


def _too_large(limits: BodyLimits) -> UploadRejected:
    return UploadRejected(413, f"The upload is larger than the limit of {limits.max_bytes} bytes.")


async def _chunks(request: Request, limits: BodyLimits) -> AsyncIterator[bytes]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limits.max_bytes + MAX_FIELD_SIZE:
        raise _too_large(limits)
    stream = request.stream().__aiter__()
    while True:
        try:
            with anyio.fail_after(limits.idle_timeout):
                chunk = await stream.__anext__()
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise UploadRejected(408, f"The upload stalled: nothing arrived for {limits.idle_timeout:g} seconds.") from None
        except ClientDisconnect:
            raise UploadRejected(400, "The upload was cut off before its end.") from None
        if chunk:
            yield chunk


async def receive_body(request: Request, blobs: BlobStore, key: str, limits: BodyLimits) -> StoredBlob:
    """The whole request body as one blob (Edge's application/zip uploads)."""
    writer = blobs.writer(key, limits.max_bytes)
    try:
        async for chunk in _chunks(request, limits):
            await _blob_write(blobs, writer.write, chunk)
    except BlobTooLarge:
        writer.abandon()
        raise _too_large(limits) from None
    except BaseException:
        writer.abandon()
        raise
    return await _blob_write(blobs, writer.commit)


async def _blob_write(blobs: BlobStore, write, *args):
    """Runs a step that writes to the store: from a thread when the store's writes wait on the
    network (a part's upload would hold every other request on the event loop), else inline."""
    if blobs.writes_block:
        return await anyio.to_thread.run_sync(write, *args)
    return write(*args)


async def read_small_body(request: Request, limits: BodyLimits) -> bytes:
    """A small body whole, in memory (Edge's publish notes), with the same limits and errors."""
    body = bytearray()
    async for chunk in _chunks(request, limits):
        body += chunk
        if len(body) > limits.max_bytes:
            raise UploadRejected(413, f"The request body is larger than the limit of {limits.max_bytes} bytes.")
    return bytes(body)


async def receive_form(request: Request, blobs: BlobStore, key_for_file, limits: BodyLimits) -> ReceivedForm:
    """A multipart/form-data body: its text fields, and its files stored as blobs under
    key_for_file(field name)."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadRejected(400, "The request must be multipart/form-data.")
    form = _FormBuilder(blobs, key_for_file, limits.max_bytes)
    parser = MultipartParser(boundary, form.callbacks())
    try:
        async for chunk in _chunks(request, limits):
            await _blob_write(blobs, parser.write, chunk)  # the parser's callbacks write the file fields
        parser.finalize()
        if not form.complete:
            raise UploadRejected(400, "The multipart body was cut off before its end.")
    except MultipartParseError:
        form.abandon()
        raise UploadRejected(400, "The multipart body is malformed.") from None
    except BlobTooLarge:
        form.abandon()
        raise _too_large(limits) from None
    except BaseException:
        form.abandon()
        raise
    return form.result


class _FormBuilder:
    """Collects the parts the multipart parser reports: text fields in memory (bounded), files
    into blob writers."""

    def __init__(self, blobs: BlobStore, key_for_file, max_bytes: int):
        self.blobs, self.key_for_file, self.max_bytes = blobs, key_for_file, max_bytes
        self.result = ReceivedForm()
        self.complete = False
        self._header_name = self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._writer: BlobWriter | None = None
        self._name: str | None = None
        self._filename: str | None = None
        self._value = bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value_data, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end, "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._headers, self._value = {}, bytearray()
        self._writer = self._name = self._filename = None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is not None:
            self._filename = filename.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
            previous = self.result.files.pop(self._name, None)
            if previous is not None:  # a repeated file field: the last one counts
                self.blobs.delete(previous.blob.key)
            self._writer = self.blobs.writer(self.key_for_file(self._name), self.max_bytes)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._writer is not None:
            self._writer.write(data[start:end])
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_SIZE:
            raise UploadRejected(413, f"The form field {self._name!r} is longer than {MAX_FIELD_SIZE} bytes.")

    def _part_end(self) -> None:
        if self._writer is not None:
            self.result.files[self._name] = ReceivedFile(self._writer.commit(), self._filename)
            self._writer = None
        elif self._name:
            self.result.fields[self._name] = self._value.decode("utf-8", "replace")

    def _end(self) -> None:
        self.complete = True

    def abandon(self) -> None:
        if self._writer is not None:
            self._writer.abandon()
        self.result.discard(self.blobs)
