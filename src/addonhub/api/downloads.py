"""Package downloads: the files of versions, signed once they are.

Public files of listed add-ons are for anyone; every other file only for its add-on's authors
(and reviewers): 401 without credentials, 404 to anyone else, so that unlisted add-ons stay
unknown. On the storefront path, the add-on's link key (`?key=`) also opens its installable
files, for browsers, which fetch without credentials; a wrong key changes nothing.
`X-Target-Digest` carries the served bytes' hash, the header Firefox and AMO's clients check
downloads against; the same hash is the strong `ETag` (If-None-Match answers 304). HEAD, ranges
and If-Range are starlette's FileResponse's, for a blob in a bucket too (`blob_response`); with
presigned downloads on, the answer is instead a 302 to the bucket (the 304 still comes from here).
CRX files go out as application/x-chrome-extension, the type Chromium installs from a page.
"""

import os
import stat
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, RedirectResponse, Response

from addonhub.api.auth import credentials_required, current_user
from addonhub.api.openapi import AMO, answers, file_download
from addonhub.api.responses import not_found
from addonhub.blobs import BlobStore
from addonhub.catalog.models import File
from addonhub.catalog.service import Access, file_access, is_public_file
from addonhub.distribution.chromium import CRX_MEDIA_TYPE
from addonhub.distribution.firefox import key_opens_file
from addonhub.identifiers import row_id

router = APIRouter(tags=["downloads"])
MEDIA_TYPES = {"xpi": "application/x-xpinstall", "zip": "application/zip", "crx": CRX_MEDIA_TYPE}
DOWNLOAD = answers(file_download(*MEDIA_TYPES.values(), "application/octet-stream"), AMO, 401, 404)


def _held(blobs: BlobStore, file: File | None) -> bool:
    return file is not None and bool(file.storage_key and file.filename) and blobs.exists(file.storage_key)


def file_response(request: Request, blobs: BlobStore, file: File | None) -> Response:
    """The file's bytes, named and typed by its filename, tagged by its hash (304 when the client
    has them already); 404 if the store does not hold them."""
    if not _held(blobs, file):
        raise not_found()
    headers = {"X-Target-Digest": file.hash, "ETag": _etag(file.hash)} if file.hash else {}
    if file.hash and _none_match(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    extension = file.filename.rsplit(".", 1)[-1]
    return blob_response(blobs, file.storage_key, MEDIA_TYPES.get(extension, "application/octet-stream"),
                         file.filename, headers)


def blob_response(blobs: BlobStore, key: str, media_type: str, filename: str, headers: dict | None = None) -> Response:
    """The blob as a download named `filename`, as its store hands it out: a local file, a
    redirect to a presigned URL, or the bytes streamed from the store."""
    download = blobs.download(key, filename=filename, media_type=media_type)
    if download.url is not None:
        return RedirectResponse(download.url, status_code=302, headers=headers)
    if download.path is not None:
        return FileResponse(download.path, media_type=media_type, filename=filename, headers=headers)
    return _StreamedBlobResponse(blobs, key, download.size, download.modified.timestamp(), media_type=media_type,
                                 filename=filename, headers=headers)


class _StreamedBlobResponse(FileResponse):
    """A FileResponse whose bytes come from the blob store instead of a local file, so that HEAD,
    ranges and If-Range behave exactly as for local files. The store's size and time stand in for
    the file's stat; what reads "the file" is replaced, which is why this leans on FileResponse's
    _open_file (starlette is pinned, and the download tests cover every path through it)."""

    def __init__(self, blobs: BlobStore, key: str, size: int, modified: float, **options):
        self.blobs, self.key = blobs, key
        super().__init__(key, stat_result=os.stat_result((stat.S_IFREG | 0o600, 0, 0, 1, 0, 0, size,
                                                          int(modified), int(modified), int(modified))),
                         **options)

    async def __call__(self, scope, receive, send) -> None:
        # Without the server's pathsend extension: there is no local path to hand it.
        extensions = {name: value for name, value in scope.get("extensions", {}).items()
                      if name != "http.response.pathsend"}
        await super().__call__({**scope, "extensions": extensions}, receive, send)

    @asynccontextmanager
    async def _open_file(self):
        reader = _BlobReader(self.blobs, self.key)
        try:
            yield reader
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(reader.close)


class _BlobReader:
    """What FileResponse reads a file through (read, seek), over the blob store's chunks: one
    streamed GET from each position sought, read from a thread."""

    def __init__(self, blobs: BlobStore, key: str):
        self.blobs, self.key = blobs, key
        self.position, self.chunks, self.pending = 0, None, b""

    async def seek(self, position: int) -> None:
        await anyio.to_thread.run_sync(self.close)
        self.position = position

    async def read(self, size: int) -> bytes:
        return await anyio.to_thread.run_sync(self._read, size)

    def _read(self, size: int) -> bytes:
        if self.chunks is None:
            self.chunks = self.blobs.chunks(self.key, self.position)
        while len(self.pending) < size:
            chunk = next(self.chunks, b"")
            if not chunk:
                break
            self.pending += chunk
        read, self.pending = self.pending[:size], self.pending[size:]
        self.position += len(read)
        return read

    def close(self) -> None:
        if self.chunks is not None:
            self.chunks.close()
        self.chunks, self.pending = None, b""


def _etag(digest: str) -> str:
    # The content's hash: the same bytes have the same tag on every server and after a restore.
    return '"' + digest.split(":", 1)[-1] + '"'


def _none_match(header: str | None, etag: str) -> bool:
    """Whether If-None-Match names this tag (or is *): weak tags compare as strong ones (RFC 9110)."""
    tags = {tag.strip().removeprefix("W/") for tag in (header or "").split(",")}
    return "*" in tags or etag in tags


def _download(request: Request, file_id: str, key: str | None = None) -> Response:
    store = request.app.state.store
    number = row_id(file_id)
    if number is None:
        raise not_found()
    with store.db.session() as session:
        file = session.get(File, number)
        if not _held(store.blobs, file):
            raise not_found()
        # Public files need no look at the credentials: anyone may have them.
        if is_public_file(file) or key_opens_file(session, store.secret_key, file, key):
            access = Access.ALLOWED
        else:
            access = file_access(file, current_user(request, session))
        if access is Access.DENIED:
            raise credentials_required()
        if access is Access.NOT_FOUND:
            raise not_found()
        return file_response(request, store.blobs, file)


@router.get("/api/{api_version}/file/{file_id}/{filename}", response_class=Response, responses=DOWNLOAD)
@router.head("/api/{api_version}/file/{file_id}/{filename}", response_class=Response, include_in_schema=False)
async def api_file(request: Request, api_version: str, file_id: str, filename: str):
    if api_version not in ("v3", "v4", "v5"):
        raise not_found()
    return await run_in_threadpool(_download, request, file_id)


@router.get("/downloads/file/{file_id}/{filename}", response_class=Response, responses=DOWNLOAD)
# HEAD (a download's size and ETag without its bytes), left out of the OpenAPI document as GET describes it.
@router.head("/downloads/file/{file_id}/{filename}", response_class=Response, include_in_schema=False)
async def storefront_file(request: Request, file_id: str, filename: str, key: str | None = None):
    return await run_in_threadpool(_download, request, file_id, key)
