"""What a package says it is (id and version), read quickly when an upload arrives.

The signing API must answer at once whether the package matches the URL it was sent to, as
AMO's parse_addon does; the full validation runs later, on the job queue. Errors are AMO's texts.
"""

from dataclasses import dataclass
from pathlib import Path

from addonhub.packages.archive import ArchiveError, ArchiveLimits, PackageArchive
from addonhub.packages.manifest import gecko_settings, parse_json
from addonhub.packages.validation import MANIFEST, MAX_SMALL_FILE
PACKAGE_SUFFIXES = (".zip", ".xpi", ".crx")


class PackageRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PackageIdentity:
    guid: str | None
    version: str | None
    manifest_version: int | None


def check_filename(filename: str | None) -> None:
    if not filename or not filename.lower().endswith(PACKAGE_SUFFIXES):
        raise PackageRejected("Unsupported file type, please upload a supported file (.crx, .xpi, .zip).")


def read_identity(path: Path, limits: ArchiveLimits) -> PackageIdentity:
    try:
        archive = PackageArchive(path, limits)
    except ArchiveError as error:
        raise PackageRejected("Invalid or corrupted file." if error.code == "BAD_ZIPFILE" else error.message) from None
    with archive:
        if MANIFEST not in archive:
            raise PackageRejected("No manifest.json found")
        try:
            parsed = parse_json(archive.read(MANIFEST, MAX_SMALL_FILE), MANIFEST)
        except ArchiveError as error:
            raise PackageRejected(error.message) from None
    manifest = parsed.value
    if any(code == "JSON_INVALID" for code, _, _ in parsed.problems) or not isinstance(manifest, dict):
        raise PackageRejected("Could not parse the manifest file.")
    guid, version, manifest_version = gecko_settings(manifest).get("id"), manifest.get("version"), manifest.get("manifest_version")
    return PackageIdentity(
        guid=guid if isinstance(guid, str) else None,
        version=version if isinstance(version, str) else None,
        manifest_version=manifest_version if isinstance(manifest_version, int) else None,
    )
