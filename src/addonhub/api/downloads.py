"""Package downloads: the files of versions, signed once they are.

Public files of listed add-ons are for anyone; every other file only for its add-on's authors
(and reviewers): 401 without credentials, 404 to anyone else, so that unlisted add-ons stay
unknown. On the storefront path, the add-on's link key (`?key=`) also opens its installable
files, for browsers, which fetch without credentials; a wrong key changes nothing. `X-Target-Digest`
carries the served bytes' hash, the header Firefox and AMO's clients check downloads against.
"""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from addonhub.api.auth import credentials_required, current_user
from addonhub.api.openapi import AMO, answers, file_download
from addonhub.api.responses import not_found
from addonhub.blobs import BlobStore
from addonhub.catalog.models import File
from addonhub.catalog.service import Access, file_access, is_public_file
from addonhub.distribution.firefox import key_opens_file
from addonhub.identifiers import row_id

router = APIRouter(tags=["downloads"])
MEDIA_TYPES = {"xpi": "application/x-xpinstall", "zip": "application/zip"}
DOWNLOAD = answers(file_download(*MEDIA_TYPES.values(), "application/octet-stream"), AMO, 401, 404)


def _held(blobs: BlobStore, file: File | None) -> bool:
    return file is not None and bool(file.storage_key and file.filename) and blobs.exists(file.storage_key)


def file_response(blobs: BlobStore, file: File | None) -> FileResponse:
    """The file's bytes, named and typed by its filename; 404 if the store does not hold them."""
    if not _held(blobs, file):
        raise not_found()
    extension = file.filename.rsplit(".", 1)[-1]
    return FileResponse(blobs.download(file.storage_key).path,
                        media_type=MEDIA_TYPES.get(extension, "application/octet-stream"), filename=file.filename,
                        headers={"X-Target-Digest": file.hash} if file.hash else None)


def _download(request: Request, file_id: str, key: str | None = None) -> FileResponse:
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
        return file_response(store.blobs, file)


@router.get("/api/{api_version}/file/{file_id}/{filename}", response_class=Response, responses=DOWNLOAD)
async def api_file(request: Request, api_version: str, file_id: str, filename: str):
    if api_version not in ("v3", "v4", "v5"):
        raise not_found()
    return await run_in_threadpool(_download, request, file_id)


@router.get("/downloads/file/{file_id}/{filename}", response_class=Response, responses=DOWNLOAD)
async def storefront_file(request: Request, file_id: str, filename: str, key: str | None = None):
    return await run_in_threadpool(_download, request, file_id, key)
