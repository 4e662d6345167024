"""The URLs the store publishes for browsers, in one place: the update services, the add-on
pages' install links and the policies all build them from a base URL (the configured one, or the
one a request came in on), so that they can never disagree.

Ids go into paths percent-encoded; Firefox's own update URL placeholders (%ITEM_ID%...) stay as
they are, for Firefox to fill in.
"""

from urllib.parse import quote, urlencode

CHROMIUM_UPDATE_PATH = "/updates/chromium"
FIREFOX_UPDATE_PATH = "/updates/firefox/{guid}"
VERSIONCHECK_PATH = "/update/VersionCheck.php"
LATEST_XPI_PATH = "/downloads/latest/{guid}/addon.xpi"
CATALOGUE_SEARCH_PATH = "/api/v4/addons/search/"

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


def catalogue_search_by_guid_url(base: str) -> str:
    """The value for Firefox's extensions.getAddons.get.url: the catalogue's search by guid, in
    AMO's form (Firefox fills in the ids and its locale)."""
    return f"{base.rstrip('/')}{CATALOGUE_SEARCH_PATH}?guid=%IDS%&lang=%LOCALE%"
