"""The Chromium family's update checks: `GET /updates/chromium`, gupdate protocol 2.0.

Chromium sends one `x=` per extension whose update URL this is (`id=...&v=...&...`,
url-encoded; up to a URL of 2000 characters, so a few dozen) and reads one `<app>` per id:
`noupdate`, or the CRX's `codebase`, `version`, `hash_sha256`, `size` and `prodversionmin`.
distribution.chromium decides what each id is offered; this module only words it.

Bad input is a 400 (JSON `{"detail": ...}`, as the store's other errors), never a partial
answer: an `x=` without a Chromium id or with a `v` that is not a version, or more than
MAX_IDS of them. Chromium never sends such requests, so a 400 points at a broken client.
The answer may be cached for CACHE_SECONDS by any cache (it depends only on the URL), which
bounds how late a browser learns of a new version.
"""

from urllib.parse import parse_qs
from xml.sax.saxutils import quoteattr

from fastapi import APIRouter, Request
from starlette.responses import Response

from addonhub.api.openapi import AMO, answers
from addonhub.api.responses import APIError
from addonhub.api.urls import base_url
from addonhub.distribution.chromium import ChromiumRelease, UpdateCheck, current_releases, offered_update
from addonhub.distribution.usage import CHROMIUM
from addonhub.published_urls import CHROMIUM_UPDATE_PATH, file_download_url
from addonhub.refusals import Refused

router = APIRouter(tags=["updates"])
MAX_IDS = 100
CACHE_SECONDS = 300
MEDIA_TYPE = "application/xml"
_OPENING = ("<?xml version='1.0' encoding='UTF-8'?>\n"
            "<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n")
_CLOSING = "</gupdate>\n"
_GUPDATE = {200: {"description": "A gupdate 2.0 response: one app per id asked for.",
                  "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}}}


@router.get(CHROMIUM_UPDATE_PATH, summary="Chromium update check (gupdate 2.0)", response_class=Response,
            responses=answers(_GUPDATE, AMO, 400))
async def chromium_update_check(request: Request) -> Response:
    # One indexed query and a few lines of text: on the event loop, as a thread hop would cost more.
    checks = _checks(request.query_params.getlist("x"))
    with request.app.state.store.db.engine.connect() as connection:
        releases = current_releases(connection, [check.crx_id for check in checks])
    # Every check of a public add-on is one of its installs checking in, current or not.
    request.app.state.store.update_checks.count((release.addon_id for release in releases.values()), CHROMIUM)
    base = base_url(request)
    apps = "".join(_app(check, offered_update(check, releases.get(check.crx_id)), base) for check in checks)
    return Response(_OPENING + apps + _CLOSING, media_type=MEDIA_TYPE,
                    headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}"})


def _checks(values: list[str]) -> list[UpdateCheck]:
    """The request's extensions, each id once (the first `x=` naming it counts)."""
    if len(values) > MAX_IDS:
        raise APIError(400, {"detail": f"At most {MAX_IDS} x= parameters per update check."})
    checks: dict[str, UpdateCheck] = {}
    for value in values:
        fields = parse_qs(value, keep_blank_values=True)
        try:
            check = UpdateCheck.checked(_first(fields, "id"), _first(fields, "v"))
        except Refused as refusal:
            raise APIError(400, {"detail": f"x={value!r}: {refusal.message}"}) from refusal
        checks.setdefault(check.crx_id, check)
    return list(checks.values())


def _first(fields: dict[str, list[str]], name: str) -> str | None:
    return fields[name][0] if fields.get(name) else None


def _app(check: UpdateCheck, release: ChromiumRelease | None, base: str) -> str:
    if release is None:
        return f"  <app appid='{check.crx_id}' status='ok'><updatecheck status='noupdate'/></app>\n"
    minimum = f" prodversionmin={quoteattr(release.min_chrome_version)}" if release.min_chrome_version else ""
    return (f"  <app appid='{check.crx_id}' status='ok'><updatecheck status='ok'"
            f" codebase={quoteattr(file_download_url(base, release.file_id, release.filename))}"
            f" version={quoteattr(release.version)} hash_sha256='{release.sha256}' size='{release.size}'{minimum}/>"
            "</app>\n")
