"""The listing images the store made (catalog.images): /images/<sha256>-<rendition>.<png|jpg>.

A name is the hash of what was uploaded, so its bytes never change: browsers and proxies keep
them for a year without asking again. Images are small (a few hundred kilobytes), so the bytes
are read whole from the blob store and sent by this process, with the store's headers, never
a redirect to a bucket that would send its own. `nosniff` keeps a browser from reading them as
anything but the image type sent. An image is not secret (its name cannot be guessed without
its content), so any visitor who has its URL may fetch it, as AMO's CDN serves every icon.
"""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from addonhub.api.responses import not_found
from addonhub.catalog.images import IMAGE_NAME, MEDIA_TYPES, blob_key

router = APIRouter(include_in_schema=False)
CACHE_FOREVER = "public, max-age=31536000, immutable"


def _image(request: Request, name: str) -> Response:
    blobs = request.app.state.store.blobs
    key = blob_key("/images/" + name) if IMAGE_NAME.fullmatch(name) else None
    if key is None or not blobs.exists(key):
        raise not_found()
    headers = {"Cache-Control": CACHE_FOREVER, "X-Content-Type-Options": "nosniff",
               "ETag": '"' + name.split(".", 1)[0] + '"'}
    # The server leaves out the body of an answer to HEAD, keeping its length.
    return Response(b"".join(blobs.chunks(key)), media_type=MEDIA_TYPES[name.rsplit(".", 1)[1]], headers=headers)


@router.api_route("/images/{name}", methods=["GET", "HEAD"])
async def image(request: Request, name: str):
    return await run_in_threadpool(_image, request, name)
