"""The licenses AMO offers by slug (its v5 API's `license` field): open-source ones for add-ons,
Creative Commons ones for themes. Each version gets a License row of its own, as imported ones
do; a row is recognised as built-in by its name and URL."""

from dataclasses import dataclass

from addonhub.catalog.models import License


@dataclass(frozen=True)
class BuiltinLicense:
    slug: str
    name: str
    url: str | None
    for_themes: bool = False


BUILTIN_LICENSES = {license.slug: license for license in (
    BuiltinLicense("all-rights-reserved", "All Rights Reserved", None),
    BuiltinLicense("MPL-2.0", "Mozilla Public License 2.0", "http://www.mozilla.org/MPL/2.0/"),
    BuiltinLicense("GPL-2.0-or-later", "GNU General Public License v2.0 (or later)",
                   "http://www.gnu.org/licenses/gpl-2.0.html"),
    BuiltinLicense("GPL-3.0-or-later", "GNU General Public License v3.0 (or later)",
                   "http://www.gnu.org/licenses/gpl-3.0.html"),
    BuiltinLicense("LGPL-2.1-or-later", "GNU Library General Public License v2.1 (or later)",
                   "http://www.gnu.org/licenses/lgpl-2.1.html"),
    BuiltinLicense("LGPL-3.0-or-later", "GNU Library General Public License v3.0 (or later)",
                   "http://www.gnu.org/licenses/lgpl-3.0.html"),
    BuiltinLicense("MIT", "The MIT License", "http://www.opensource.org/licenses/mit-license.php"),
    BuiltinLicense("BSD-2-Clause", "The BSD (2 clause) License", "http://www.opensource.org/licenses/bsd-license.php"),
    BuiltinLicense("cc-all-rights-reserved", "All Rights Reserved", None, for_themes=True),
    BuiltinLicense("CC-BY-3.0", "Creative Commons Attribution 3.0",
                   "http://creativecommons.org/licenses/by/3.0/", for_themes=True),
    BuiltinLicense("CC-BY-NC-3.0", "Creative Commons Attribution-NonCommercial 3.0",
                   "http://creativecommons.org/licenses/by-nc/3.0/", for_themes=True),
    BuiltinLicense("CC-BY-NC-ND-3.0", "Creative Commons Attribution-NonCommercial-NoDerivs 3.0",
                   "http://creativecommons.org/licenses/by-nc-nd/3.0/", for_themes=True),
    BuiltinLicense("CC-BY-NC-SA-3.0", "Creative Commons Attribution-NonCommercial-Share Alike 3.0",
                   "http://creativecommons.org/licenses/by-nc-sa/3.0/", for_themes=True),
    BuiltinLicense("CC-BY-ND-3.0", "Creative Commons Attribution-NoDerivs 3.0",
                   "http://creativecommons.org/licenses/by-nd/3.0/", for_themes=True),
    BuiltinLicense("CC-BY-SA-3.0", "Creative Commons Attribution-ShareAlike 3.0",
                   "http://creativecommons.org/licenses/by-sa/3.0/", for_themes=True),
)}
THEME_TYPES = ("persona", "theme")


def license_row(builtin: BuiltinLicense) -> License:
    return License(name={"en-US": builtin.name}, text={}, url=builtin.url)


def fits_type(builtin: BuiltinLicense, addon_type: str) -> bool:
    return builtin.for_themes == (addon_type in THEME_TYPES)


def builtin_slug(license: License, addon_type: str) -> str | None:
    """The slug of the built-in license this row is, if it is one (custom licenses have text).
    Both "All Rights Reserved" licenses look alike; the add-on's type tells them apart."""
    if license.text:
        return None
    name = (license.name or {}).get("en-US")
    return next((b.slug for b in BUILTIN_LICENSES.values()
                 if b.name == name and b.url == license.url and fits_type(b, addon_type)), None)
