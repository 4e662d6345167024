"""Package downloads: the files of versions, signed once they are.

Public files of listed add-ons are for anyone; every other file only for its add-on's authors
(and reviewers): 401 without credentials, 404 to anyone else, so that unlisted add-ons stay
unknown. `X-Target-Digest` carries the served bytes' hash, the header Firefox and AMO's clients
check downloads against.
"""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from addonhub.api.auth import credentials_required, current_user
from addonhub.api.openapi import AMO, answers, file_download
from addonhub.api.responses import not_found
from addonhub.catalog.models import File
from addonhub.catalog.service import Access, file_access, is_public_file
from addonhub.identifiers import row_id

router = APIRouter(tags=["downloads"])
MEDIA_TYPES = {"xpi": "application/x-xpinstall", "zip": "application/zip"}
DOWNLOAD = answers(file_download(*MEDIA_TYPES.values(), "application/octet-stream"), AMO, 401, 404)


def _download(request: Request, file_id: str) -> FileResponse:
    store = request.app.state.store
    number = row_id(file_id)
    if number is None:
        raise not_found()
    with store.db.session() as session:
        file = session.get(File, number)
        if file is None or not file.storage_key or not store.blobs.exists(file.storage_key):
            raise not_found()
        # Public files need no look at the credentials: anyone may have them.
        access = Access.ALLOWED if is_public_file(file) else file_access(file, current_user(request, session))
        if access is Access.DENIED:
            raise credentials_required()
        if access is Access.NOT_FOUND:
            raise not_found()
        download, filename, digest = store.blobs.download(file.storage_key), file.filename, file.hash
    extension = filename.rsplit(".", 1)[-1]
    return FileResponse(download.path, media_type=MEDIA_TYPES.get(extension, "application/octet-stream"),
                        filename=filename, headers={"X-Target-Digest": digest} if digest else None)


@router.get("/api/{api_version}/file/{file_id}/{filename}", response_class=Response, responses=DOWNLOAD)
async def api_file(request: Request, api_version: str, file_id: str, filename: str):
    if api_version not in ("v3", "v4", "v5"):
        raise not_found()
    return await run_in_threadpool(_download, request, file_id)


@router.get("/downloads/file/{file_id}/{filename}", response_class=Response, responses=DOWNLOAD)
async def storefront_file(request: Request, file_id: str, filename: str):
    return await run_in_threadpool(_download, request, file_id)
