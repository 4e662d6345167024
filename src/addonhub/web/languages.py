"""Which language a visitor reads: the content's (any locale the catalogue holds, with the API's
fallback rules in api.amo.rendering.Renderer.pick) and the interface's (the locales we have
translations for, compiled from the .po files beside this module when the app starts)."""

import re
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DEFAULT_LOCALE = "en-US"
# en-US is the source language of the templates; every other has a .po file.
INTERFACE_LOCALES = ("en-US", "de")
LANG_COOKIE = "lang"
# BCP 47-ish tags only: anything else in ?lang=, the cookie or the header is ignored, so it can
# neither reach a cookie nor grow the page cache without bound.
_LOCALE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")
_MAX_ACCEPTED = 10


@dataclass(frozen=True)
class Languages:
    """content: the locale translated fields are picked in; interface: the locale of our own
    strings (one of INTERFACE_LOCALES); chosen: whether the visitor picked it (?lang=), so that
    the answer remembers it in a cookie."""
    content: str
    interface: str
    chosen: bool = False


def is_locale_tag(value: str | None) -> bool:
    return bool(value) and len(value) <= 20 and bool(_LOCALE_TAG.match(value))


def accepted_languages(header: str | None) -> list[str]:
    """Accept-Language's tags, most wanted first (q=0 means "not this"); malformed ones dropped."""
    weighted = []
    for position, item in enumerate((header or "").split(",")[:50]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if is_locale_tag(tag.strip()) and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)][:_MAX_ACCEPTED]


def interface_locale(wanted: list[str]) -> str:
    """The first of the wanted languages we have an interface translation for (de-AT reads de)."""
    available = [locale.replace("-", "_") for locale in INTERFACE_LOCALES]
    found = negotiate_locale([tag.replace("-", "_") for tag in wanted], available, sep="_")
    if found is None:
        bases = {tag.split("-")[0].lower() for tag in wanted}
        found = next((locale for locale in available if locale.split("_")[0].lower() in bases), None)
    return found.replace("_", "-") if found else DEFAULT_LOCALE


def visitor_languages(request: Request) -> Languages:
    """?lang= first (the language picker), then the cookie it left, then Accept-Language."""
    asked = request.query_params.get("lang")
    if is_locale_tag(asked):
        return Languages(asked, interface_locale([asked]), chosen=True)
    remembered = request.cookies.get(LANG_COOKIE)
    accepted = accepted_languages(request.headers.get("accept-language"))
    wanted = ([remembered] if is_locale_tag(remembered) else []) + accepted
    if not wanted:
        return Languages(DEFAULT_LOCALE, DEFAULT_LOCALE)
    return Languages(wanted[0], interface_locale(wanted))


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    """The interface's messages in a locale, compiled in memory from its .po file: no compiled
    file to keep in step or to build on a fresh clone."""
    po_file = TRANSLATIONS_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=locale.replace("-", "_"))
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def babel_locale(locale: str) -> Locale:
    return Locale.parse(locale, sep="-")


def language_choices() -> list[tuple[str, str]]:
    """The picker's options, each named in its own language."""
    names = [babel_locale(locale).get_display_name(babel_locale(locale)) for locale in INTERFACE_LOCALES]
    return [(locale, name[:1].upper() + name[1:]) for locale, name in zip(INTERFACE_LOCALES, names)]
