"""The packages of the demo catalogue: a small WebExtension for each of its versions, made from the
catalogue's own rows, so that the manifest's id, version, name, permissions and compatibility are
the ones the store shows (standard library only).

Each type gets what Firefox needs to install it: an extension a background script, a theme its
colours, a dictionary a Hunspell .dic and .aff, a language pack its `langpack_id`, `languages` and
a Fluent file, a search engine its `search_provider`. The bytes follow from the rows alone (fixed
entry dates, sorted keys), so that one catalogue always makes the same packages.
"""

import hashlib
import json
import stat
import zipfile
from pathlib import Path

from addonhub.catalog.models import Addon, Version

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_REGULAR_FILE = (stat.S_IFREG | 0o644) << 16
MANIFEST = "manifest.json"

BACKGROUND = """\
// {name} {version}: the demo store's generated extension. It only says hello once installed.
browser.runtime.onInstalled.addListener(({{reason}}) => {{
  console.log("{name} {version} installed:", reason);
}});
"""

# Words of the generated dictionaries: a few of each language, so that spell checking visibly works.
DICTIONARY_WORDS = {
    "fr": ["bonjour", "merci", "maison", "livre", "soleil", "navigateur", "extension"],
    "de": ["Hallo", "danke", "Haus", "Buch", "Sonne", "Browser", "Erweiterung"],
    "pt-BR": ["olá", "obrigado", "casa", "livro", "sol", "navegador", "extensão"],
    "en-GB": ["colour", "favourite", "neighbour", "organise", "theatre", "browser", "extension"],
    "ja": ["こんにちは", "ありがとう", "ブラウザ"],
    "es-ES": ["hola", "gracias", "casa", "libro", "sol", "navegador", "extensión"],
}


def write_demo_package(addon: Addon, version: Version, permissions: list[str], path: Path) -> Path:
    """Writes the version's package (an unsigned XPI) to `path`."""
    return _write_zip(demo_package_files(addon, version, permissions), path)


def write_demo_chromium_package(name: str, version: str, path: Path) -> Path:
    """Writes an extension as Chrome and Edge take it (Manifest V3, a service worker, no Gecko id)
    to `path`, for the demo's Edge product."""
    manifest = {"manifest_version": 3, "name": name, "version": version,
                "description": "The demo store's generated extension for Chromium browsers.",
                "background": {"service_worker": "background.js"}}
    script = BACKGROUND.format(name=json.dumps(name)[1:-1], version=version).replace("browser.", "chrome.")
    return _write_zip({MANIFEST: json.dumps(manifest, indent=2, sort_keys=True).encode(),
                       "background.js": script.encode()}, path)


def _write_zip(files: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, _REGULAR_FILE
            archive.writestr(info, content)
    return path


def demo_package_files(addon: Addon, version: Version, permissions: list[str]) -> dict[str, bytes]:
    """The package's files by name: its manifest and what its type needs."""
    name = addon.name.get(addon.default_locale) or next(iter(addon.name.values()))
    manifest = {"manifest_version": 2, "name": name, "version": version.version,
                "description": (addon.summary or {}).get(addon.default_locale, ""),
                "browser_specific_settings": _gecko_settings(addon, version)}
    files = _TYPES[addon.type](addon, version, name, manifest, permissions)
    files[MANIFEST] = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
    return {file: content.encode("utf-8") for file, content in files.items()}


def _gecko_settings(addon: Addon, version: Version) -> dict:
    """The id, and the application bounds the catalogue gives the version (`*` is no bound)."""
    settings = {"gecko": {"id": addon.guid}}
    for compat in version.compatibility:
        bounds = {"strict_min_version": compat.min}
        if compat.max != "*":
            bounds["strict_max_version"] = compat.max
        settings.setdefault("gecko" if compat.application == "firefox" else "gecko_android", {}).update(bounds)
    return settings


def _extension(addon, version, name, manifest, permissions) -> dict[str, str]:
    manifest.update(background={"scripts": ["background.js"]}, permissions=list(permissions))
    return {"background.js": BACKGROUND.format(name=json.dumps(name)[1:-1], version=version.version)}


def _theme(addon, version, name, manifest, permissions) -> dict[str, str]:
    """A static theme in two colours of its own, derived from its id."""
    digest = hashlib.sha256(addon.guid.encode("utf-8")).digest()
    frame = "#" + bytes(byte // 3 for byte in digest[:3]).hex()  # dark, under light text
    accent = "#" + bytes(128 + byte // 2 for byte in digest[3:6]).hex()  # light, under dark text
    manifest["theme"] = {"colors": {"frame": frame, "tab_background_text": "#ffffff", "toolbar": accent,
                                    "toolbar_text": "#000000", "toolbar_field": "#ffffff",
                                    "toolbar_field_text": "#000000", "tab_line": accent}}
    return {}


def _dictionary(addon, version, name, manifest, permissions) -> dict[str, str]:
    locale = addon.target_locale
    words = DICTIONARY_WORDS.get(locale, ["demo"])
    manifest["dictionaries"] = {locale: f"dictionaries/{locale}.dic"}
    return {f"dictionaries/{locale}.aff": "SET UTF-8\nTRY esianrtolcdugmphbyfvkwzESIANRTOLCDUGMPHBYFVKWZ\n",
            f"dictionaries/{locale}.dic": f"{len(words)}\n" + "".join(f"{word}\n" for word in words)}


def _language_pack(addon, version, name, manifest, permissions) -> dict[str, str]:
    """A language pack of one Fluent string: Firefox checks its shape, not how much it translates."""
    locale = addon.target_locale
    manifest.update(langpack_id=locale, sources={"browser": {"base_path": "browser/"}}, languages={locale: {
        "version": version.version.rsplit(".", 2)[-2],  # the build date, as Mozilla's packs give it
        "chrome_resources": {"global": f"chrome/{locale}/locale/{locale}/global/"}}})
    return {f"browser/localization/{locale}/branding/brand.ftl": "-brand-short-name = Firefox\n",
            f"chrome/{locale}/locale/{locale}/global/intl.properties": f"general.useragent.locale={locale}\n"}


def _search_engine(addon, version, name, manifest, permissions) -> dict[str, str]:
    manifest["chrome_settings_overrides"] = {"search_provider": {
        "name": name, "search_url": f"https://{addon.slug}.example.org/search?q={{searchTerms}}",
        "keyword": f"@{addon.slug.split('-')[0]}", "is_default": False}}
    return {}


_TYPES = {"extension": _extension, "persona": _theme, "theme": _theme, "dictionary": _dictionary, "language": _language_pack,
          "search": _search_engine}
