"""Package downloads: the files of versions, signed once they are.

Public files of listed add-ons are for anyone; every other file only for its add-on's authors
(and reviewers): 401 without credentials, 404 to anyone else, so that unlisted add-ons stay
unknown. `X-Target-Digest` carries the served bytes' hash, the header Firefox and AMO's clients
check downloads against.
"""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse

from addonhub.api.auth import credentials_required, current_user
from addonhub.api.responses import not_found
from addonhub.catalog.indexing import is_listed, is_public_listed
from addonhub.catalog.models import File
from addonhub.catalog.service import can_manage

router = APIRouter(tags=["downloads"])
MEDIA_TYPES = {"xpi": "application/x-xpinstall", "zip": "application/zip"}


def _download(request: Request, file_id: str) -> FileResponse:
    store = request.app.state.store
    # Database ids are 64-bit: anything longer cannot name a file.
    if not file_id.isdigit() or len(file_id) > 18:
        raise not_found()
    with store.db.session() as session:
        file = session.get(File, int(file_id))
        if file is None or not file.storage_key or not store.blobs.exists(file.storage_key):
            raise not_found()
        version, addon = file.version, file.version.addon
        public = file.status == "public" and is_public_listed(version) and is_listed(addon)
        if not public:
            user = current_user(request, session)
            if user is None:
                raise credentials_required()
            if not can_manage(addon, user):
                raise not_found()
        path, filename, digest = store.blobs.path_of(file.storage_key), file.filename, file.hash
    extension = filename.rsplit(".", 1)[-1]
    return FileResponse(path, media_type=MEDIA_TYPES.get(extension, "application/octet-stream"), filename=filename,
                        headers={"X-Target-Digest": digest} if digest else None)


@router.get("/api/{api_version}/file/{file_id}/{filename}")
async def api_file(request: Request, api_version: str, file_id: str, filename: str):
    if api_version not in ("v3", "v4", "v5"):
        raise not_found()
    return await run_in_threadpool(_download, request, file_id)


@router.get("/downloads/file/{file_id}/{filename}")
async def storefront_file(request: Request, file_id: str, filename: str):
    return await run_in_threadpool(_download, request, file_id)
