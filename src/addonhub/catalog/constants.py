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


def _values(vocabulary: type) -> tuple[str, ...]:
    return tuple(value for name, value in vars(vocabulary).items() if name.isupper())


class AddonStatus:
    """AMO's add-on statuses, as stored. Plain strings rather than an Enum: database drivers
    store some Enums by member name."""
    INCOMPLETE = "incomplete"  # no version has passed review yet
    UNREVIEWED = "unreviewed"
    PENDING = "pending"
    NOMINATED = "nominated"  # a listed version waits for its first review
    PUBLIC = "public"
    DISABLED = "disabled"  # by the store (disabled by its developer is a flag)
    LITE = "lite"
    LITE_NOMINATED = "lite-nominated"
    REJECTED = "rejected"
    REVIEW_PENDING = "review-pending"
    DELETED = "deleted"


ADDON_STATUSES = _values(AddonStatus)
# Statuses whose listed content may appear in public listings.
REVIEWED_STATUSES = (AddonStatus.PUBLIC, AddonStatus.LITE)
# Add-ons whose versions are out of review and take no new ones: deleted, or disabled by the store.
CLOSED_STATUSES = (AddonStatus.DELETED, AddonStatus.DISABLED)


class FileStatus:
    PUBLIC = "public"
    UNREVIEWED = "unreviewed"  # waiting for signing or for a reviewer
    NOMINATED = "nominated"
    DISABLED = "disabled"  # rejected by a reviewer, or disabled
    LITE = "lite"
    BETA = "beta"
    DELETED = "deleted"


FILE_STATUSES = _values(FileStatus)
PUBLIC_FILE_STATUSES = (FileStatus.PUBLIC, FileStatus.LITE)


class Channel:
    LISTED = "listed"  # reviewed, then public in the catalogue
    UNLISTED = "unlisted"  # signed for its developer to distribute, never listed


CHANNELS = _values(Channel)

PLATFORMS = ("all", "mac", "linux", "android", "windows")

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


@dataclass(frozen=True)
class PromotedGroup:
    """One of AMO's promoted groups. `name` is its API name (the detail object's
    `promoted.category`, the `promoted` filter's values); `id` is AMO's, which orders them;
    `search_ranking_bump` is the weight relevance multiplies by; `badged` groups are those a
    client shows as reviewed by the store."""
    name: str
    id: int
    pretty: str
    search_ranking_bump: float = 0.0
    badged: bool = False


# AMO's public groups. It keeps sponsored and verified only as retired ids and partner as a
# private one, none of which its API names, so neither does the store.
PROMOTED_GROUPS = {
    group.name: group
    for group in (
        PromotedGroup("recommended", 1, "Recommended", search_ranking_bump=5.0, badged=True),
        PromotedGroup("line", 4, "By Firefox", search_ranking_bump=5.0, badged=True),
        PromotedGroup("spotlight", 5, "Spotlight"),
        PromotedGroup("strategic", 6, "Strategic"),
        PromotedGroup("notable", 7, "Notable"),
    )
}
# The group the "recommended" sort puts first.
RECOMMENDED = "recommended"
# The `promoted` filter's name for every badged group at once.
BADGED = "badged"
# The applications a promotion can be approved for: AMO promotes for Firefox and for Android.
PROMOTED_APPLICATIONS = ("firefox", "android")
