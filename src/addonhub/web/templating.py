"""The Jinja2 environments (one per interface locale, each with its gettext installed, so that
rendering needs no per-request global state) and the filters templates format values with."""

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from addonhub.catalog.constants import APPLICATIONS
from addonhub.web.languages import babel_locale, language_choices, translations

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _date(value: str | None, locale: str) -> str:
    """An API timestamp (2025-01-02T03:04:05Z) as a date in the reader's language."""
    if not value:
        return ""
    return format_date(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ"), format="medium", locale=babel_locale(locale))


def _number(value, locale: str) -> str:
    return format_decimal(value or 0, locale=babel_locale(locale))


def _filesize(size: int | None, locale: str) -> str:
    """Bytes as the largest unit that keeps a number of at least 1 (1.2 MB, 830 KB)."""
    size = size or 0
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    pattern = "#,##0" if unit == "B" else "#,##0.#"
    return f"{format_decimal(size, format=pattern, locale=babel_locale(locale))} {unit}"


def _locale_name(tag: str | None, locale: str) -> str:
    """A locale tag (de, pt-BR) named in the reader's language; the tag itself if Babel knows none."""
    if not tag:
        return ""
    try:
        return babel_locale(tag).get_display_name(babel_locale(locale)) or tag
    except (ValueError, LookupError):
        return tag


@lru_cache(maxsize=None)
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)
    env.filters["date"] = lambda value: _date(value, locale)
    env.filters["number"] = lambda value: _number(value, locale)
    env.filters["filesize"] = lambda value: _filesize(value, locale)
    env.filters["locale_name"] = lambda value: _locale_name(value, locale)
    env.globals.update(
        interface_locale=locale,
        html_lang=locale,
        language_choices=language_choices(),
        applications=APPLICATIONS,
    )
    return env


def render_template(locale: str, name: str, **context) -> str:
    return environment(locale).get_template(name).render(**context)
