"""Turns stored-form objects (see addonhub.catalog.serializers) into what one request asked for:
translations as objects or, with ?lang=, as one string; store paths as absolute URLs; outgoing
links wrapped through the store's redirector."""

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

import nh3
import orjson

from addonhub.catalog.constants import TRANSLATED_FIELDS
from addonhub.catalog.html import ALLOWED_HTML_TAGS

# Fields holding store paths; made absolute with the request's base URL.
_PATH_FIELDS = frozenset({
    "url", "edit_url", "icon_url", "ratings_url", "review_url", "versions_url", "picture_url",
    "image_url", "thumbnail_url",
})
# Fields holding links to other sites; wrapped on request (?wrap_outgoing_links).
_OUTGOING_FIELDS = frozenset({"homepage", "support_url", "contributions_url"})
# HTML fields: their links are always wrapped, as AMO does.
_HTML_FIELDS = frozenset({"description", "summary", "developer_comments"})
# Left out of listings (search, autocomplete...) as the spec asks.
_LISTING_OMITTED_VERSION_FIELDS = ("license", "release_notes")


def outgoing_signature(secret_key: bytes, url: str) -> str:
    return hmac.new(secret_key, url.encode(), hashlib.sha256).hexdigest()


def is_signed_outgoing(secret_key: bytes, signature: str, url: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters, which anyone can put in the path.
    return hmac.compare_digest(outgoing_signature(secret_key, url).encode(), signature.encode())


@dataclass(frozen=True)
class Renderer:
    base_url: str
    secret_key: bytes
    lang: str | None = None
    wrap_outgoing_links: bool = False

    def outgoing(self, url: str) -> str:
        """A link through the store's redirector, so that users see they are leaving the store."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return "/"
        if url.startswith(self.base_url + "/"):
            return url
        return f"{self.base_url}/outgoing/{outgoing_signature(self.secret_key, url)}/{quote(url, safe='')}"

    def pick(self, translations: dict[str, str] | None, default_locale: str | None) -> str | None:
        """The requested language's text, else its base language's, else the default locale's."""
        if not translations:
            return None
        wanted = self.lang.lower()
        by_lower = {locale.lower(): locale for locale in translations}
        if wanted in by_lower:
            return translations[by_lower[wanted]]
        base = wanted.split("-")[0]
        for lower in sorted(by_lower):
            if lower.split("-")[0] == base:
                return translations[by_lower[lower]]
        if default_locale in translations:
            return translations[default_locale]
        return None

    def _link(self, value):
        return self.outgoing(value) if isinstance(value, str) else value

    def _html(self, value: str) -> str:
        return nh3.clean(
            value, tags=ALLOWED_HTML_TAGS,
            attribute_filter=lambda tag, attribute, v: self.outgoing(v) if attribute == "href" else v,
        )

    def render(self, value, default_locale: str | None = None):
        if isinstance(value, list):
            return [self.render(item, default_locale) for item in value]
        if not isinstance(value, dict):
            return value
        default_locale = value.get("default_locale", default_locale)
        rendered = {}
        for key, item in value.items():
            if key in TRANSLATED_FIELDS and isinstance(item, dict):
                if key in _HTML_FIELDS:
                    item = {locale: self._html(text) for locale, text in item.items()}
                if self.wrap_outgoing_links and key in _OUTGOING_FIELDS:
                    item = {locale: self._link(text) for locale, text in item.items()}
                rendered[key] = self.pick(item, default_locale) if self.lang else item
            elif key in _PATH_FIELDS and isinstance(item, str) and item.startswith("/"):
                rendered[key] = self.base_url + item
            elif key == "icons" and isinstance(item, dict):
                rendered[key] = {size: self.base_url + url if url.startswith("/") else url for size, url in item.items()}
            elif self.wrap_outgoing_links and key in _OUTGOING_FIELDS and isinstance(item, str):
                rendered[key] = self._link(item)
            else:
                rendered[key] = self.render(item, default_locale)
        return rendered


@lru_cache(maxsize=20_000)
def _rendered_document(renderer: Renderer, body: str, listing: bool) -> bytes:
    addon = renderer.render(orjson.loads(body))
    return orjson.dumps(for_listing(addon) if listing else addon)


def render_document(renderer: Renderer, body: str, listing: bool = False) -> bytes:
    """A stored detail object rendered to JSON bytes. Cached by the stored text itself, so an
    add-on that changes (and so gets a new document) can never be answered from a stale entry."""
    return _rendered_document(renderer, body, listing)


def for_listing(addon: dict) -> dict:
    """Drops what the spec leaves out of listings: license and release notes of the current
    version, and authors' pictures."""
    version = addon.get("current_version")
    if version:
        for field in _LISTING_OMITTED_VERSION_FIELDS:
            version.pop(field, None)
    for author in addon.get("authors", ()):
        author.pop("picture_url", None)
    return addon
