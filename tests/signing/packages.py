"""Small synthetic packages for the signing tests."""

import zipfile
from pathlib import Path

FILES = {
    "manifest.json": '{"manifest_version": 2, "name": "Demo", "version": "1.0",'
                     ' "browser_specific_settings": {"gecko": {"id": "demo@example.org"}}}',
    "background.js": "console.log('hello');\n",
    "icons/icon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "META-INF/licenses.txt": "MIT\n",  # META-INF files that are not signature files are signed too
}


def make_xpi(path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in (FILES if files is None else files).items():
            package.writestr(name, content)
    return path


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def rewrite(source: Path, target: Path, *, replace: dict[str, bytes] | None = None,
            drop: tuple[str, ...] = (), add: dict[str, bytes] | None = None) -> Path:
    """A copy of a package with some entries replaced, dropped or added, keeping the order."""
    contents = {name: data for name, data in entries(source).items() if name not in drop}
    contents.update(replace or {})
    contents.update(add or {})
    return make_xpi(target, contents)
