"""The vocabularies AMO's API speaks: applications, add-on types, statuses, platforms, categories."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Application:
    name: str
    id: int
    guid: str
    pretty: str


APPLICATIONS = {
    app.name: app
    for app in (
        Application("firefox", 1, "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}", "Firefox"),
        Application("android", 61, "{aa3c5121-dab2-40e2-81ca-7ea25febc110}", "Firefox for Android"),
        Application("thunderbird", 18, "{3550f703-e582-4d05-9a08-453d09bdfdc6}", "Thunderbird"),
        Application("seamonkey", 59, "{92650c4d-4b8e-4d2a-b7eb-24ecf4f6b63a}", "SeaMonkey"),
    )
}

# "persona" is AMO's backwards-compatible name for what are now static themes.
ADDON_TYPES = ("extension", "persona", "theme", "dictionary", "language", "search")
TYPE_ALIASES = {"statictheme": "persona"}
LANGUAGE_TOOL_TYPES = ("dictionary", "language")

ADDON_STATUSES = (
    "incomplete", "unreviewed", "pending", "nominated", "public", "disabled",
    "lite", "lite-nominated", "rejected", "review-pending", "deleted",
)
# Statuses whose listed content may appear in public listings.
REVIEWED_STATUSES = ("public", "lite")

FILE_STATUSES = ("public", "unreviewed", "nominated", "disabled", "lite", "beta", "deleted")
PUBLIC_FILE_STATUSES = ("public", "lite")

PLATFORMS = ("all", "mac", "linux", "android", "windows")
CHANNELS = ("listed", "unlisted")

_EXTENSION_CATEGORIES = (
    "alerts-updates", "appearance", "bookmarks", "download-management", "feeds-news-blogging",
    "games-entertainment", "language-support", "photos-music-videos", "privacy-security",
    "search-tools", "shopping", "social-communication", "tabs", "web-development",
    "productivity", "other",
)
_THEME_CATEGORIES = (
    "abstract", "causes", "fashion", "film-and-tv", "firefox", "foxkeh", "holiday", "music",
    "nature", "other", "scenery", "seasonal", "solid", "sports", "websites",
)
# Category slugs by add-on type; the same for every application.
CATEGORIES = {
    "extension": _EXTENSION_CATEGORIES,
    "persona": _THEME_CATEGORIES,
    "theme": _THEME_CATEGORIES,
    "dictionary": ("general",),
    "language": ("general",),
    "search": ("general", "other"),
}

# Translated fields of the add-on and version objects: objects by default, strings with ?lang=.
TRANSLATED_FIELDS = frozenset({
    "name", "summary", "description", "developer_comments", "homepage", "support_email",
    "support_url", "release_notes", "eula", "privacy_policy", "text", "caption",
})
