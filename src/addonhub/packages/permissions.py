"""WebExtension permissions and match patterns, as Firefox and Chromium know them."""

import re

API_PERMISSIONS = frozenset({
    "activeTab", "alarms", "background", "bookmarks", "browserSettings", "browsingData", "captivePortal",
    "certificateProvider", "clipboardRead", "clipboardWrite", "contentSettings", "contextMenus",
    "contextualIdentities", "cookies", "debugger", "declarativeContent", "declarativeNetRequest",
    "declarativeNetRequestFeedback", "declarativeNetRequestWithHostAccess", "desktopCapture", "devtools", "dns",
    "documentScan", "downloads", "downloads.open", "downloads.shelf", "downloads.ui", "enterprise.deviceAttributes",
    "enterprise.hardwarePlatform", "enterprise.networkingAttributes", "enterprise.platformKeys", "experimental",
    "favicon", "fileBrowserHandler", "fileSystemProvider", "find", "fontSettings", "gcm", "geckoProfiler",
    "geolocation", "history", "identity", "identity.email", "idle", "loginState", "management", "menus",
    "menus.overrideContext", "mozillaAddons", "nativeMessaging", "networkStatus", "normandyAddonStudy",
    "notifications", "offscreen", "pageCapture", "pkcs11", "platformKeys", "power", "printerProvider", "printing",
    "printingMetrics", "privacy", "processes", "proxy", "readingList", "runtime", "scripting", "search", "sessions",
    "sidePanel", "storage", "system.cpu", "system.display", "system.memory", "system.storage", "tabCapture",
    "tabGroups", "tabHide", "tabs", "telemetry", "theme", "topSites", "trialML", "tts", "ttsEngine",
    "unlimitedStorage", "userScripts", "vpnProvider", "wallpaper", "webNavigation", "webRequest",
    "webRequestAuthProvider", "webRequestBlocking", "webRequestFilterResponse",
    "webRequestFilterResponse.serviceWorkerScript",
})

# Permissions Firefox grants only from a minimum version on.
RESTRICTED = {"proxy": "91.1.0"}

_SCHEMES = r"(\*|https?|wss?|ftp|file|data|urn|moz-extension)"
_HOST = r"(\*|(\*\.)?[^/*:]+)(:(\*|\d+))?"
_MATCH_PATTERN = re.compile(rf"^{_SCHEMES}://({_HOST})?(/.*)$")


def looks_like_pattern(value: str) -> bool:
    return "://" in value or value.startswith("<")


def is_match_pattern(value: str) -> bool:
    if value == "<all_urls>":
        return True
    match = _MATCH_PATTERN.match(value)
    if not match:
        return False
    scheme, host = match.group(1), match.group(2)
    # Only file: URLs may leave out the host.
    return bool(host) or scheme == "file"
