"""A deterministic synthetic catalogue in AMO's JSON shape, and realistic requests against it.

Words follow a Zipf-Mandelbrot law over a vocabulary of common add-on words (the head) and a few
thousand generated words (the long tail), so that "tab" or "privacy" match thousands of add-ons
and most words only a handful, as on a real store. Everything derives from one random.Random(seed):
the same seed and size give the same records, ids, slugs and queries.
"""

import itertools
import random
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlencode

SEED = 20260131
FIRST_ADDON_ID = 100_001
FIRST_VERSION_ID = 5_000_001
FIRST_FILE_ID = 8_000_001
GENERATED_WORDS = 3_000
NOW = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)
EPOCH = datetime(2016, 1, 1, tzinfo=timezone.utc)

# The head of the vocabulary, most frequent first.
COMMON_WORDS = """
tab tabs privacy video dark mode password manager blocker ad search youtube download theme translate
bookmarks cookie screenshot reader new page tool quick simple auto smart custom night color dictionary
speed volume zoom font grammar spell language proxy user agent switcher container session sync history
cleaner cache script style image pdf print copy clipboard link url shortener qr code emoji keyboard
shortcuts gesture mouse scroll sidebar toolbar button menu context wallpaper clock calendar todo list
price tracker coupon shopping deal rss feed news social twitter reddit github mail weather notes timer
focus music player audio sound mute subtitle netflix twitch picture window manager history cleaner
security block popup redirect https vpn fingerprint container translator spelling email notifier
reload refresh auto scroll editor markdown json css developer inspector cookies storage export import
backup save restore group sort duplicate close pin mute sleep suspend memory lite plus pro ultimate
""".split()
COMMON_WORDS = list(dict.fromkeys(COMMON_WORDS))
STOP_WORDS = "the a and for your with to of in on from any every one all you it".split()

SYLLABLES = ("ka ri zo ven tor mi lu sa pe no qua fi bri dex lo ra vi mon tel ix ar um sol nex "
             "gra pix flo zen vor ly cor tu bel ana ore wix dri pla sto mer kin").split()

TAGS = ["privacy", "security", "ad blocker", "tabs", "productivity", "youtube", "video", "dark mode",
        "accessibility", "download", "social", "search", "shopping", "developer", "translation",
        "bookmarks", "notifications", "screenshot", "reader", "spelling", "music", "news", "games",
        "weather", "email", "password", "vpn", "proxy", "theme", "education"]
TYPES = (("extension", 80), ("persona", 15), ("search", 3), ("dictionary", 1), ("language", 1))
EXTENSION_CATEGORIES = ("alerts-updates", "appearance", "bookmarks", "download-management",
                        "feeds-news-blogging", "games-entertainment", "language-support",
                        "photos-music-videos", "privacy-security", "search-tools", "shopping",
                        "social-communication", "tabs", "web-development", "productivity", "other")
THEME_CATEGORIES = ("abstract", "causes", "fashion", "film-and-tv", "firefox", "holiday", "music",
                    "nature", "other", "scenery", "seasonal", "solid", "sports", "websites")
CATEGORIES = {"extension": EXTENSION_CATEGORIES, "persona": THEME_CATEGORIES, "search": ("general", "other"),
              "dictionary": ("general",), "language": ("general",)}
TYPE_SUFFIX = {"persona": "Theme", "dictionary": "Dictionary", "language": "Language Pack", "search": "Search"}
PERMISSIONS = ["storage", "tabs", "activeTab", "webRequest", "webRequestBlocking", "downloads",
               "notifications", "alarms", "menus", "cookies", "clipboardWrite", "<all_urls>"]
FX_MINS = ("57.0", "78.0", "91.0", "115.0", "128.0")
LOCALES = ("fr", "de", "es", "ja", "pt-BR")
LICENSES = [({"en-US": "Mozilla Public License 2.0"}, "https://www.mozilla.org/MPL/2.0/"),
            ({"en-US": "The MIT License"}, "https://opensource.org/licenses/mit-license.php"),
            ({"en-US": "GNU General Public License v3.0"}, "https://www.gnu.org/licenses/gpl-3.0.html")]


class Vocabulary:
    """Words with Zipf-Mandelbrot weights 1 / (rank + 10) ** 1.05: a flattened head, a long tail."""

    def __init__(self, rng: random.Random):
        generated = _generated_words(rng, GENERATED_WORDS, exclude=set(COMMON_WORDS))
        self.words = COMMON_WORDS + generated
        self._cumulative = list(itertools.accumulate(1 / (rank + 10) ** 1.05 for rank in range(1, len(self.words) + 1)))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self._cumulative, k=k)


def _generated_words(rng: random.Random, count: int, exclude: set[str]) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        if word not in exclude:
            words[word] = None
    return list(words)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "addon"


def _sentence(rng: random.Random, vocabulary: Vocabulary, low: int, high: int) -> str:
    words = [rng.choice(STOP_WORDS) if rng.random() < 0.35 else word
             for word in vocabulary.draw(rng, rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


class CatalogueGenerator:
    """Produces add-on records one at a time; ids, slugs and guids are unique across the run."""

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.vocabulary = Vocabulary(self.rng)
        self.authors = [f"dev-{word}-{n}" for n, word in enumerate(self.vocabulary.draw(self.rng, 25_000))]
        self._author_weights = list(itertools.accumulate(1 / (rank + 2) for rank in range(len(self.authors))))
        self._slugs: set[str] = set()
        self._version_ids = itertools.count(FIRST_VERSION_ID)
        self._file_ids = itertools.count(FIRST_FILE_ID)

    def records(self, count: int):
        for index in range(count):
            yield self.addon(FIRST_ADDON_ID + index)

    def addon(self, addon_id: int) -> dict:
        rng = self.rng
        type_ = rng.choices([t for t, _ in TYPES], weights=[w for _, w in TYPES])[0]
        name = self._name(type_)
        slug = self._unique_slug(name, addon_id)
        status = rng.choices(["public", "nominated", "disabled"], weights=[96, 2, 2])[0]
        created = EPOCH + timedelta(seconds=rng.randint(0, int((NOW - EPOCH).total_seconds()) - 86_400))
        updated = created + timedelta(seconds=rng.randint(3_600, int((NOW - created).total_seconds())))
        users = min(int(rng.paretovariate(0.9) * 20) - 20, 8_000_000)
        android = type_ == "extension" and rng.random() < 0.3
        record = {
            "id": addon_id,
            "guid": f"{slug}@bench.example.org" if rng.random() < 0.7 else "{%08x-bench-%d}" % (rng.getrandbits(32), addon_id),
            "slug": slug,
            "type": type_,
            "status": status,
            "default_locale": "en-US",
            "is_disabled": rng.random() < 0.01,
            "authors": [{"username": username} for username in self._authors()],
            "categories": self._categories(type_, android),
            "tags": rng.sample(TAGS, rng.choice((0, 1, 1, 2, 2, 3, 4))) if type_ == "extension" else [],
            "average_daily_users": users,
            "weekly_downloads": int(users / rng.uniform(2.0, 7.0)),
            "ratings": self._ratings(users),
            "homepage": {"en-US": f"https://{slug}.example.org/"} if rng.random() < 0.6 else None,
            "created": _iso(created),
            "last_updated": _iso(updated),
            "current_version": self._version(type_, updated, android, status),
        }
        record.update(self._texts(name))
        if rng.random() < 0.25:
            record["versions"] = [self._version(type_, created, android, status)]
        return record

    def _name(self, type_: str) -> str:
        words = self.vocabulary.draw(self.rng, self.rng.choice((1, 2, 2, 2, 3, 3, 4)))
        name = " ".join(word.capitalize() for word in words)
        return f"{name} {TYPE_SUFFIX[type_]}" if type_ in TYPE_SUFFIX else name

    def _unique_slug(self, name: str, addon_id: int) -> str:
        slug = _slugify(name)
        if slug in self._slugs:
            slug = f"{slug}-{addon_id}"
        self._slugs.add(slug)
        return slug

    def _texts(self, name: str) -> dict:
        rng, vocabulary = self.rng, self.vocabulary
        summary = _sentence(rng, vocabulary, 8, 18)
        features = "".join(f"<li>{_sentence(rng, vocabulary, 5, 10)}</li>" for _ in range(rng.randint(2, 4)))
        description = (f"{summary}\n\n{_sentence(rng, vocabulary, 10, 20)}\n\n<b>Features</b>\n<ul>{features}</ul>"
                       f'\n\nMore at <a href="https://example.org/{_slugify(name)}">our site</a>.')
        texts = {"name": {"en-US": name}, "summary": {"en-US": summary}, "description": {"en-US": description}}
        if rng.random() < 0.15:
            locale = rng.choice(LOCALES)
            texts["name"][locale] = " ".join(word.capitalize() for word in vocabulary.draw(rng, 2))
            texts["summary"][locale] = _sentence(rng, vocabulary, 8, 14)
        return texts

    def _authors(self) -> list[str]:
        count = 1 if self.rng.random() < 0.85 else 2
        return list(dict.fromkeys(self.rng.choices(self.authors, cum_weights=self._author_weights, k=count)))

    def _categories(self, type_: str, android: bool) -> dict:
        slugs = self.rng.sample(CATEGORIES[type_], min(len(CATEGORIES[type_]), self.rng.choice((1, 1, 2))))
        categories = {"firefox": slugs}
        if android:
            categories["android"] = list(slugs)
        return categories

    def _ratings(self, users: int) -> dict:
        count = int(users * self.rng.uniform(0.0005, 0.004)) if self.rng.random() < 0.8 else 0
        average = round(self.rng.triangular(1.0, 5.0, 4.4), 2) if count else 0.0
        return {"count": count, "text_count": count // 3, "average": average,
                "bayesian_average": round((4.0 * 20 + average * count) / (20 + count), 4) if count else 0.0}

    def _version(self, type_: str, when: datetime, android: bool, status: str) -> dict:
        rng = self.rng
        fx_min = rng.choice(FX_MINS)
        compatibility = {"firefox": {"min": fx_min, "max": "*"}}
        if android:
            compatibility["android"] = {"min": "120.0", "max": "*"}
        license_name, license_url = rng.choice(LICENSES)
        file_status = "nominated" if status == "nominated" else "public"
        return {
            "id": next(self._version_ids),
            "version": f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{next(self._file_ids) % 1000}",
            "channel": "listed",
            "compatibility": compatibility,
            "license": {"name": dict(license_name), "url": license_url},
            "release_notes": {"en-US": _sentence(rng, self.vocabulary, 4, 10)},
            "reviewed": _iso(when) if file_status == "public" else None,
            "created": _iso(when),
            "files": [{
                "id": next(self._file_ids),
                "hash": "sha256:%064x" % rng.getrandbits(256),
                "size": rng.randint(2_000, 4_000_000),
                "status": file_status,
                "platform": "all",
                "created": _iso(when),
                "permissions": rng.sample(PERMISSIONS, rng.randint(1, 5)) if type_ == "extension" else [],
            }],
        }


# --- requests -----------------------------------------------------------------------------------

SEARCH = "/api/v4/addons/search/"
DETAIL = "/api/v4/addons/addon/{}/"
AUTOCOMPLETE = "/api/v4/addons/autocomplete/"


def detail_paths(rng: random.Random, listed: list[tuple[int, str]], count: int = 1_000) -> list[str]:
    """Detail URLs of `count` random listed add-ons, half by id and half by slug."""
    chosen = rng.sample(listed, min(count, len(listed)))
    return [DETAIL.format(addon_id if index % 2 else quote(slug)) for index, (addon_id, slug) in enumerate(chosen)]


def _typo(rng: random.Random, word: str) -> str:
    """One edit after the first two letters (the store, like AMO, keeps those exact)."""
    position = rng.randint(2, len(word) - 1)
    edit = rng.choice(("substitute", "delete", "transpose", "insert"))
    letter = rng.choice("aeioulnrst")
    if edit == "substitute":
        return word[:position] + letter + word[position + 1:]
    if edit == "delete":
        return word[:position] + word[position + 1:]
    if edit == "transpose" and position < len(word) - 1:
        return word[:position] + word[position + 1] + word[position] + word[position + 2:]
    return word[:position] + letter + word[position:]


LISTING = "listing, no q"  # the kind of the search API's requests without a query


def search_queries(rng: random.Random, vocabulary: Vocabulary, names: list[str]) -> list[tuple[str, dict]]:
    """About 200 (kind, search parameters): what people type, plus filters, sorts and plain listings."""
    head, tail = vocabulary.words[:120], vocabulary.words[400:]
    long_words = [word for word in vocabulary.words[:600] if len(word) >= 5]
    two_word_names = [words for words in (name.lower().split() for name in names) if len(words) >= 2]
    queries = [("common word", {"q": word}) for word in rng.sample(head, 45)]
    queries += [("rare word", {"q": word}) for word in rng.sample(tail, 20)]
    queries += [("two common words", {"q": " ".join(rng.sample(head, 2))}) for _ in range(15)]
    for words in rng.sample(two_word_names, 25):
        start = rng.randint(0, len(words) - 2)
        queries.append(("phrase from a name", {"q": " ".join(words[start:start + 2])}))
    queries += [("typo", {"q": _typo(rng, word)}) for word in rng.sample(long_words, 25)]
    queries += [("prefix", {"q": word[:rng.randint(3, 5)]}) for word in rng.sample(long_words, 25)]
    filters = [
        {"app": "firefox", "type": "extension", "sort": "users"},
        {"app": "android"},
        {"type": "persona", "sort": "rating"},
        {"app": "firefox", "type": "extension", "category": "privacy-security"},
        {"tag": "privacy"}, {"tag": "video"}, {"tag": "tabs,productivity"},
        {"sort": "created"}, {"sort": "updated"}, {"lang": "fr"}, {"page": "2"}, {"page_size": "50"},
    ]
    queries += [("word + filters", {"q": rng.choice(head), **extra}) for extra in filters + rng.sample(filters, 8)]
    listings = [
        {"sort": "created"}, {"sort": "users"}, {"sort": "rating"}, {"sort": "downloads"},
        {"sort": "created", "app": "firefox", "type": "extension"}, {"sort": "name", "type": "persona"},
        {"app": "firefox", "type": "extension", "sort": "users"}, {"tag": "privacy", "sort": "users"},
        {"tag": "youtube"}, {"app": "android", "sort": "created"},
        {"category": "tabs", "app": "firefox", "type": "extension"},
        {"type": "dictionary"}, {"type": "search", "sort": "name"}, {"page": "3", "sort": "created"},
        {"app": "firefox", "appversion": "115.0", "type": "extension", "sort": "users"},
    ]
    queries += [(LISTING, params) for params in listings]
    return queries


def search_path(params: dict) -> str:
    return SEARCH + ("?" + urlencode(params) if params else "")


def autocomplete_paths(rng: random.Random, vocabulary: Vocabulary, count: int = 200) -> list[str]:
    words = [word for word in vocabulary.words[:800] if len(word) >= 4]
    return [AUTOCOMPLETE + "?" + urlencode({"q": word[:rng.randint(2, len(word))]}) for word in rng.sample(words, count)]
