"""The bodies of v5 submission requests: JSON, a plain form, or multipart with its files streamed
into blob storage (packages under uploads/, sources under sources/, never held in memory)."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request

from addonhub.api.amo.intake import store_of
from addonhub.api.amo.submission_input import not_a_dictionary
from addonhub.api.responses import APIError
from addonhub.api.uploads import BodyLimits, ReceivedForm, UploadRejected, read_small_body, receive_form
from addonhub.submissions.uploads import new_source_key, new_upload_key

# JSON and plain-form bodies carry metadata only, and are read whole.
MAX_SMALL_BODY = 1024 * 1024


@dataclass
class Body:
    """A request's fields; files (multipart only) as ReceivedFile values, stored as blobs that
    are discarded when the request fails, or succeeds without keeping them."""
    data: dict[str, Any]
    form: ReceivedForm | None = None
    kept: set[str] = field(default_factory=set)

    def keep(self, name: str) -> None:
        self.kept.add(name)

    def discard(self, request: Request, *, all_files: bool = True) -> None:
        if self.form is None:
            return
        blobs = store_of(request).blobs
        for name, received in self.form.files.items():
            if all_files or name not in self.kept:
                blobs.delete(received.blob.key)


def _blob_key(name: str) -> str:
    return new_source_key() if name == "source" else new_upload_key()


async def read_body(request: Request) -> Body:
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        store = store_of(request)
        try:
            form = await receive_form(request, store.blobs, _blob_key, BodyLimits.for_uploads(store.settings))
        except UploadRejected as rejected:
            raise APIError(rejected.status_code, {"detail": rejected.message}) from None
        return Body({**form.fields, **form.files}, form)
    try:
        limits = BodyLimits.for_small_body(store_of(request).settings, MAX_SMALL_BODY)
        raw = await read_small_body(request, limits)
    except UploadRejected as rejected:
        raise APIError(rejected.status_code, {"detail": rejected.message}) from None
    if request.headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded"):
        return Body(dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)))
    return Body(_json_object(raw))


def _json_object(raw: bytes) -> dict:
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise APIError(400, {"detail": f"JSON parse error - {error}"}) from None
    if not isinstance(data, dict):
        raise APIError(400, {"non_field_errors": [not_a_dictionary(data)]})
    return data
