"""Firefox's update dialect: update manifests, VersionCheck, the latest-install link and the
release notes page that update entries point at. distribution.firefox decides what is offered
and to whom; this module words it in Firefox's (and AMO's) JSON, with the store's absolute links.

Answers carry `Cache-Control: max-age=3600` and an ETag, as AMO's update service does, so that
a CDN in front of the store can absorb update checks.
"""

import hashlib
import html

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from addonhub import published_urls as urls
from addonhub.api.downloads import DOWNLOAD, file_response
from addonhub.api.openapi import AMO, OBJECT, answers, json_content
from addonhub.api.responses import not_found
from addonhub.api.urls import base_url
from addonhub.catalog.models import File
from addonhub.distribution import firefox
from addonhub.distribution.firefox import Release
from addonhub.distribution.usage import FIREFOX

router = APIRouter(tags=["updates"])
CACHE_SECONDS = 3600
_UPDATES = {200: {"description": "Firefox's update JSON.", "content": json_content(OBJECT)},
            304: {"description": "The copy whose ETag was sent (If-None-Match) is still the answer."}}
_HTML = {200: {"description": "The release notes.", "content": {"text/html": {"schema": {"type": "string"}}}}}


def _json(request: Request, content: dict, status_code: int = 200) -> Response:
    """The answer with its cache headers; 304 to a cache whose copy is still the answer."""
    body = orjson.dumps(content)
    headers = {"Cache-Control": f"max-age={CACHE_SECONDS}", "ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"'}
    if status_code == 200 and headers["ETag"] in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


def _update_entry(base: str, guid: str, release: Release, key: str | None) -> dict:
    """One entry of Firefox's update JSON; links to files that are not public carry the key."""
    link_key = key if release.needs_key else None
    gecko = {name: value for name, value in (("strict_min_version", release.strict_min_version),
                                             ("strict_max_version", release.strict_max_version)) if value}
    entry = {"version": release.version,
             "update_link": urls.file_download_url(base, release.file_id, release.filename, link_key),
             "applications": {"gecko": gecko}}
    if release.hash:
        entry["update_hash"] = release.hash
    if release.has_release_notes:
        entry["update_info_url"] = urls.release_notes_url(base, guid, release.version, link_key)
    return entry


def _update_manifest(request: Request, guid: str, key: str | None) -> Response:
    store = request.app.state.store
    with store.db.session() as session:
        addon = firefox.find_by_guid(session, guid)
        if addon is None or not firefox.may_update(session, store.secret_key, addon, key):
            # The same answer for unknown add-ons and for those the caller may not know of.
            return _json(request, {"addons": {}})
        store.update_checks.count([addon.id], FIREFOX)
        base = base_url(request)
        updates = [_update_entry(base, addon.guid, release, key) for release in firefox.manifest_releases(addon)]
        return _json(request, {"addons": {addon.guid: {"updates": updates}}})


@router.get(urls.FIREFOX_UPDATE_PATH, responses=answers(_UPDATES, AMO))
async def update_manifest(request: Request, guid: str, key: str | None = None):
    """The add-on's update manifest, for `browser_specific_settings.gecko.update_url`."""
    return await run_in_threadpool(_update_manifest, request, guid, key)


@router.get(urls.VERSIONCHECK_PATH, responses={**_UPDATES, 400: {"description": "A parameter is missing or invalid.",
                                                                 "content": json_content(OBJECT)}})
async def versioncheck(request: Request):
    """AMO's update service: the best listed version for the asking application. Run on the
    event loop (two indexed queries): a thread hop would cost more than they do."""
    query = request.query_params
    guid, app_guid, app_version = query.get("id"), query.get("appID"), query.get("appVersion")
    if not guid or not app_version or not firefox.is_known_application(app_guid):
        return _json(request, {}, status_code=400)
    with request.app.state.store.db.engine.connect() as connection:
        addon = firefox.versioncheck_addon(connection, guid)
        if addon is None:
            return _json(request, {})
        addon_id, stored_guid = addon
        request.app.state.store.update_checks.count([addon_id], FIREFOX)
        release = firefox.best_listed_release(connection, addon_id, stored_guid, app_guid, app_version,
                                              query.get("compatMode", firefox.STRICT))
    updates = [_update_entry(base_url(request), stored_guid, release, None)] if release else []
    # Keyed by the id as asked, as AMO's answer is: that is the id Firefox looks up.
    return _json(request, {"addons": {guid: {"updates": updates}}})


def _latest(request: Request, guid: str, key: str | None) -> Response:
    store = request.app.state.store
    with store.db.session() as session:
        addon = firefox.find_by_guid(session, guid)
        if addon is None or not firefox.may_update(session, store.secret_key, addon, key):
            raise not_found()
        releases = firefox.manifest_releases(addon)
        if not releases:
            raise not_found()
        return file_response(request, store.blobs, session.get(File, releases[0].file_id))


@router.head(urls.LATEST_XPI_PATH, response_class=Response, responses={**DOWNLOAD, 404: AMO[404]},
             operation_id="latest_xpi_head")
@router.get(urls.LATEST_XPI_PATH, response_class=Response, responses={**DOWNLOAD, 404: AMO[404]},
            operation_id="latest_xpi")
async def latest_xpi(request: Request, guid: str, key: str | None = None):
    """The add-on's newest installable file, at a URL that never changes (policies' install_url)."""
    return await run_in_threadpool(_latest, request, guid, key)


def _release_notes_page(request: Request, guid: str, version: str, key: str | None, lang: str | None) -> Response:
    store = request.app.state.store
    with store.db.session() as session:
        found = firefox.release_notes(session, store.secret_key, guid, version, key)
        if found is None or not any(found.release_notes.values()):
            raise not_found()
        notes, locale = _in_language(found.release_notes, lang, found.addon.default_locale)
    # Notes are the developer's text: escaped, their line breaks kept.
    return HTMLResponse(f'<!DOCTYPE html>\n<html lang="{html.escape(locale)}"><head><meta charset="utf-8">'
                        f"<title>{html.escape(version)}</title></head><body>"
                        f'<div style="white-space: pre-wrap">{html.escape(notes)}</div></body></html>\n',
                        headers={"Cache-Control": f"max-age={CACHE_SECONDS}"})


def _in_language(translations: dict[str, str], lang: str | None, default_locale: str) -> tuple[str, str]:
    """The notes in the asked language, else the add-on's default, else any there are."""
    for locale in (lang, default_locale, *translations):
        if locale and translations.get(locale):
            return translations[locale], locale
    raise not_found()


@router.get(urls.RELEASE_NOTES_PATH, response_class=HTMLResponse, responses=answers(_HTML, AMO, 404))
async def release_notes(request: Request, guid: str, version: str, key: str | None = None, lang: str | None = None):
    """A version's release notes, which update entries name as update_info_url."""
    return await run_in_threadpool(_release_notes_page, request, guid, version, key, lang)

