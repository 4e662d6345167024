"""Names and plain words for the catalogue's vocabularies (types, categories, permissions), as
message ids: templates translate them with _() when they show them. N_ only marks a string for
extraction (pybabel -k N_), as nothing can be translated before a request's language is known."""

from addonhub.packages.permissions import looks_like_pattern


def N_(message: str) -> str:
    return message


TYPE_NAMES = {
    "extension": N_("Extensions"),
    "persona": N_("Themes"),
    "theme": N_("Themes"),
    "dictionary": N_("Dictionaries"),
    "language": N_("Language packs"),
    "search": N_("Search engines"),
}
TYPE_NAME = {
    "extension": N_("Extension"), "persona": N_("Theme"), "theme": N_("Theme"), "dictionary": N_("Dictionary"),
    "language": N_("Language pack"), "search": N_("Search engine"),
}
# The badges of badged promoted groups (catalog.constants.PROMOTED_GROUPS says which are), in AMO's words.
BADGE_NAMES = {"recommended": N_("Recommended"), "line": N_("By Firefox")}
# The types a visitor browses by (persona and theme are both themes: persona is AMO's name).
BROWSABLE_TYPES = ("extension", "persona", "dictionary", "language", "search")
# AMO's paths for the category pages: /extensions/category/<slug>/, /themes/category/<slug>/.
TYPE_PATHS = {"extensions": "extension", "themes": "persona", "dictionaries": "dictionary",
              "language-packs": "language", "search-engines": "search"}
PATH_OF_TYPE = {**{addon_type: path for path, addon_type in TYPE_PATHS.items()}, "theme": "themes"}

CATEGORY_NAMES = {
    "alerts-updates": N_("Alerts & Updates"), "appearance": N_("Appearance"), "bookmarks": N_("Bookmarks"),
    "download-management": N_("Download Management"), "feeds-news-blogging": N_("Feeds, News & Blogging"),
    "games-entertainment": N_("Games & Entertainment"), "language-support": N_("Language Support"),
    "photos-music-videos": N_("Photos, Music & Videos"), "privacy-security": N_("Privacy & Security"),
    "search-tools": N_("Search Tools"), "shopping": N_("Shopping"),
    "social-communication": N_("Social & Communication"), "tabs": N_("Tabs"),
    "web-development": N_("Web Development"), "productivity": N_("Productivity"), "other": N_("Other"),
    "abstract": N_("Abstract"), "causes": N_("Causes"), "fashion": N_("Fashion"), "film-and-tv": N_("Film and TV"),
    "firefox": N_("Firefox"), "foxkeh": N_("Foxkeh"), "holiday": N_("Holiday"), "music": N_("Music"),
    "nature": N_("Nature"), "scenery": N_("Scenery"), "seasonal": N_("Seasonal"), "solid": N_("Solid"),
    "sports": N_("Sports"), "websites": N_("Websites"), "general": N_("General"),
}

SORT_NAMES = {
    "relevance": N_("Relevance"), "users": N_("Most users"), "rating": N_("Top rated"),
    "updated": N_("Recently updated"), "created": N_("Newest"), "downloads": N_("Weekly downloads"),
    "hotness": N_("Trending"), "name": N_("Name"),
}

# Firefox's own words for what a permission lets an add-on do (its permission prompt).
PERMISSION_WORDS = {
    "bookmarks": N_("Read and modify bookmarks"),
    "browserSettings": N_("Read and modify browser settings"),
    "browsingData": N_("Clear recent browsing history, cookies, and related data"),
    "clipboardRead": N_("Get data from the clipboard"),
    "clipboardWrite": N_("Input data to the clipboard"),
    "declarativeNetRequest": N_("Block content on any page"),
    "devtools": N_("Extend developer tools to access your data in open tabs"),
    "downloads": N_("Download files and read and modify the browser's download history"),
    "downloads.open": N_("Open files downloaded to your computer"),
    "find": N_("Read the text of all open tabs"),
    "geolocation": N_("Access your location"),
    "history": N_("Access browsing history"),
    "management": N_("Monitor extension usage and manage themes"),
    "nativeMessaging": N_("Exchange messages with programs other than Firefox"),
    "notifications": N_("Display notifications to you"),
    "pkcs11": N_("Provide cryptographic authentication services"),
    "privacy": N_("Read and modify privacy settings"),
    "proxy": N_("Control browser proxy settings"),
    "sessions": N_("Access recently closed tabs"),
    "tabs": N_("Access browser tabs"),
    "tabHide": N_("Hide and show browser tabs"),
    "topSites": N_("Access browsing history"),
    "webNavigation": N_("Access browser activity during navigation"),
}
ALL_SITES = N_("Access your data for all websites")
SOME_SITES = N_("Access your data for sites in the %(domain)s domain")
ONE_SITE = N_("Access your data for %(site)s")


def _host_of(pattern: str) -> str | None:
    """The host a match pattern names, or None when it names every site."""
    if pattern == "<all_urls>" or "://" not in pattern:
        return None
    host = pattern.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    return None if host in ("", "*") else host


def permission_lines(permissions: list[str]) -> list[tuple[str, dict]]:
    """What the permissions let the add-on do, as (message id, its values), Firefox's way: one
    line for all sites when any pattern names them all, else one per site; permissions Firefox
    asks nobody about (storage, alarms...) say nothing."""
    lines: list[tuple[str, dict]] = []
    patterns = [p for p in permissions if looks_like_pattern(p)]
    hosts = [_host_of(p) for p in patterns]
    if None in hosts:
        lines.append((ALL_SITES, {}))
    else:
        for host in dict.fromkeys(hosts):
            if host.startswith("*."):
                lines.append((SOME_SITES, {"domain": host[2:]}))
            else:
                lines.append((ONE_SITE, {"site": host}))
    for permission in dict.fromkeys(p for p in permissions if not looks_like_pattern(p)):
        words = PERMISSION_WORDS.get(permission)
        if words and (words, {}) not in lines:
            lines.append((words, {}))
    return lines
