"""The URLs the store publishes for browsers, in one place: the update services, the add-on
pages' install links and the policies all build them from a base URL (the configured one, or the
one a request came in on), so that they can never disagree.

Ids go into paths percent-encoded; Firefox's own update URL placeholders (%ITEM_ID%...) stay as
they are, for Firefox to fill in. A leaf module: the catalogue (its stored links), validation
(the store's own update URL), distribution and the dialects all use it, and it imports none of them.
"""

from urllib.parse import quote, unquote, urlencode, urlsplit

CHROMIUM_UPDATE_PATH = "/updates/chromium"
FIREFOX_UPDATE_PATH = "/updates/firefox/{guid}"
VERSIONCHECK_PATH = "/update/VersionCheck.php"
LATEST_XPI_PATH = "/downloads/latest/{guid}/addon.xpi"
CATALOGUE_SEARCH_PATH = "/api/v4/addons/search/"
FILE_DOWNLOAD_PATH = "/downloads/file/{file_id}/{filename}"
# A version's release notes as a page, for Firefox's update_info_url (AMO's "updateinfo").
RELEASE_NOTES_PATH = "/updates/release-notes/{guid}/{version}"
# Firefox fills this in with the browser's locale, in update_info_url as in update URLs.
LOCALE_PLACEHOLDER = "%APP_LOCALE%"

# The query of Firefox's default extensions.update.url (and .background.url), as AMO's is.
VERSIONCHECK_QUERY = ("reqVersion=%REQ_VERSION%&id=%ITEM_ID%&version=%ITEM_VERSION%&maxAppVersion=%ITEM_MAXAPPVERSION%"
                      "&status=%ITEM_STATUS%&appID=%APP_ID%&appVersion=%APP_VERSION%&appOS=%APP_OS%&appABI=%APP_ABI%"
                      "&locale=%APP_LOCALE%&currentAppVersion=%CURRENT_APP_VERSION%&updateType=%UPDATE_TYPE%"
                      "&compatMode=%COMPATIBILITY_MODE%")


def _guid_in_path(guid: str) -> str:
    return quote(guid, safe="@.-_")


def _with_key(url: str, key: str | None) -> str:
    return f"{url}?{urlencode({'key': key})}" if key else url


def chromium_update_url(base: str) -> str:
    """Where the Chromium family asks for updates (gupdate, protocol 2.0)."""
    return base.rstrip("/") + CHROMIUM_UPDATE_PATH


def firefox_update_url(base: str, guid: str, key: str | None = None) -> str:
    """An add-on's Firefox update manifest; non-public add-ons answer only with their link key."""
    return _with_key(base.rstrip("/") + FIREFOX_UPDATE_PATH.format(guid=_guid_in_path(guid)), key)


def versioncheck_url(base: str) -> str:
    """The value for Firefox's extensions.update.url and extensions.update.background.url."""
    return f"{base.rstrip('/')}{VERSIONCHECK_PATH}?{VERSIONCHECK_QUERY}"


def latest_xpi_url(base: str, guid: str, key: str | None = None) -> str:
    """A stable install link that always serves the add-on's newest public file (Firefox's policy
    install_url installs once per URL, so it must not change with each version)."""
    return _with_key(base.rstrip("/") + LATEST_XPI_PATH.format(guid=_guid_in_path(guid)), key)


def file_download_url(base: str, file_id: int, filename: str, key: str | None = None) -> str:
    """A file's absolute download link; with a link key for files that are not public."""
    return _with_key(base.rstrip("/") + FILE_DOWNLOAD_PATH.format(file_id=file_id, filename=quote(filename)), key)


def release_notes_url(base: str, guid: str, version: str, key: str | None = None) -> str:
    """The release notes page, in the browser's language (Firefox replaces the placeholder)."""
    path = RELEASE_NOTES_PATH.format(guid=_guid_in_path(guid), version=quote(version, safe=""))
    query = urlencode({"key": key}) + "&" if key else ""
    return f"{base.rstrip('/')}{path}?{query}lang={LOCALE_PLACEHOLDER}"


def is_store_firefox_update_url(url: str, base: str | None) -> bool:
    """Whether a manifest's update_url is this store's update manifest for some add-on: on the
    store's own origin when it knows its public URL (else on any http(s) host, as the store cannot
    tell its own), under the update path, with no dot segments that would lead elsewhere."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    base_parts = urlsplit(base.rstrip("/")) if base else None
    prefix = (base_parts.path if base_parts else "") + FIREFOX_UPDATE_PATH.split("{", 1)[0]
    if base_parts is not None:
        origin_matches = (parts.scheme, parts.netloc.lower()) == (base_parts.scheme, base_parts.netloc.lower())
    else:
        origin_matches = parts.scheme in ("http", "https") and bool(parts.netloc)
    segments = unquote(parts.path).split("/")
    return (origin_matches and parts.path.startswith(prefix) and len(parts.path) > len(prefix)
            and "." not in segments and ".." not in segments)


def catalogue_search_by_guid_url(base: str) -> str:
    """The value for Firefox's extensions.getAddons.get.url: the catalogue's search by guid, in
    AMO's form (Firefox fills in the ids and its locale)."""
    return f"{base.rstrip('/')}{CATALOGUE_SEARCH_PATH}?guid=%IDS%&lang=%LOCALE%"
