"""Extensions for the publishing clients: a source directory for web-ext, an .xpi for sign-addon."""

import json
from pathlib import Path

from tests.packages.builders import manifest as base_manifest
from tests.packages.builders import package

ADDON_ID = "interop@example.org"
FILES = {"background.js": "console.log('interop');\n"}


def manifest(addon_id: str | None = ADDON_ID, version: str = "1.0", **overrides) -> dict:
    """An MV2 manifest with a background script; `addon_id=None` leaves out browser_specific_settings
    (the clients then create a new add-on with POST and the store picks the id)."""
    gecko = {"gecko": {"id": addon_id}} if addon_id else None
    return base_manifest(version=version, browser_specific_settings=gecko,
                         background={"scripts": ["background.js"]}, **overrides)


def source_dir(path: Path, manifest_data: dict | None = None, files: dict[str, str | bytes] | None = None) -> Path:
    """An unpacked extension, as `web-ext sign --source-dir` reads it."""
    contents = {"manifest.json": manifest_data if manifest_data is not None else manifest(), **FILES, **(files or {})}
    for name, content in contents.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            target.write_text(json.dumps(content, indent=2))
        elif isinstance(content, str):
            target.write_text(content)
        else:
            target.write_bytes(content)
    return path


def xpi(path: Path, manifest_data: dict | None = None, files: dict[str, str | bytes] | None = None) -> Path:
    """A packed extension, as sign-addon uploads it. Name it *.xpi: sign-addon picks the part's type by extension."""
    contents = {"manifest.json": manifest_data if manifest_data is not None else manifest(), **FILES, **(files or {})}
    return package(path, contents)

