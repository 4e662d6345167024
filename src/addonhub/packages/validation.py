"""Validating a package: the archive, its manifest and its files, in AMO's report shape.

`validate_package()` is what the `addonhub validate` command and the submission pipeline call.
Codes follow addons-linter's where it has one.
"""

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from addonhub.catalog.appversions import version_int
from addonhub.published_urls import FIREFOX_UPDATE_PATH, is_store_firefox_update_url
from addonhub.packages import permissions, versions
from addonhub.packages.archive import ArchiveError, ArchiveLimits, PackageArchive
from addonhub.packages.content_checks import check_code, check_files
from addonhub.packages.linter import LinterFailed, merge_linter_output, run_addons_linter
from addonhub.packages.manifest import gecko_settings, parse_json
from addonhub.packages.report import Report

MANIFEST = "manifest.json"
MAX_SMALL_FILE = 4 * 1024 * 1024
ADDON_ID = re.compile(
    r"^(\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}|[a-zA-Z0-9-._]*@[a-zA-Z0-9-._]+)$"
)
MAX_ADDON_ID_LENGTH = 80
RESERVED_ID_SUFFIXES = (
    "@mozilla.com", "@mozilla.org", "@pioneer.mozilla.org", "@search.mozilla.org", "@shield.mozilla.com",
    "@shield.mozilla.org", "@mozillaonline.com", "@mozillafoundation.org", "@rally.mozilla.org",
    "@temporary-addon",
)
ICON_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".bmp"})
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"\x00\x00\x01\x00", b"BM")
_MESSAGE_REFERENCE = re.compile(r"^__MSG_([A-Za-z0-9_@]+)__$")
_MESSAGE_NAME = re.compile(r"^[A-Za-z0-9_@]+$")


class UnreadablePackage(Exception):
    """The file is not a zip archive at all (or is too damaged to list)."""


@dataclass(frozen=True)
class ValidationOptions:
    listed: bool = True
    target: str = "firefox"  # or "chromium"
    limits: ArchiveLimits = ArchiveLimits()
    # Seconds the code checks may take on one package before the files left are skipped (and said to be).
    time_budget: float = 30.0
    # Path of an addons-linter executable to run as well (Firefox packages only).
    addons_linter: str | None = None
    # The store's public URL: listed add-ons may declare its Firefox update URL and no other. When
    # unset, an update URL under the store's update path on any host counts as the store's.
    store_base_url: str | None = None


def validate_package(path: Path | str, options: ValidationOptions = ValidationOptions()) -> Report:
    report = Report(metadata={"listed": options.listed, "target": options.target})
    try:
        archive = PackageArchive(path, options.limits)
    except ArchiveError as error:
        if error.code == "BAD_ZIPFILE":
            raise UnreadablePackage(error.message) from None
        report.error(error.code, error.message, file=error.entry)
        return report
    with archive:
        check_files(archive, report)
        manifest = _read_manifest(archive, report)
        if manifest is not None:
            _ManifestChecks(archive, manifest, options, report).run()
        check_code(archive, report, options.time_budget)
    if options.addons_linter and options.target == "firefox":
        try:
            merge_linter_output(report, run_addons_linter(options.addons_linter, Path(path), options.listed))
        except LinterFailed as error:
            report.error("LINTER_FAILED", str(error))
    return report


def _read_manifest(archive: PackageArchive, report: Report) -> dict | None:
    if MANIFEST not in archive:
        report.error("TYPE_NO_MANIFEST_JSON", "manifest.json was not found.", file=MANIFEST)
        return None
    try:
        parsed = parse_json(archive.read(MANIFEST, MAX_SMALL_FILE), MANIFEST)
    except ArchiveError as error:
        report.error(error.code, error.message, file=MANIFEST)
        return None
    for code, message, line in parsed.problems:
        report.error(code, message, file=MANIFEST, line=line)
    if any(code == "JSON_INVALID" for code, _, _ in parsed.problems):
        return None
    if not isinstance(parsed.value, dict):
        report.error("MANIFEST_FIELD_INVALID", "manifest.json must hold an object.", file=MANIFEST)
        return None
    return parsed.value


def _local_path(reference: str) -> str | None:
    """The archive path a manifest file reference points to, or None for remote URLs."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", reference, re.IGNORECASE):
        return None
    return reference.split("#")[0].split("?")[0].lstrip("/")


class _ManifestChecks:
    def __init__(self, archive: PackageArchive, manifest: dict, options: ValidationOptions, report: Report):
        self.archive, self.manifest, self.options, self.report = archive, manifest, options, report
        self.firefox = options.target == "firefox"
        self.messages: dict[str, str] | None = None

    def error(self, code: str, message: str) -> None:
        self.report.error(code, message, file=MANIFEST)

    def warning(self, code: str, message: str) -> None:
        self.report.warning(code, message, file=MANIFEST)

    def run(self) -> None:
        manifest_version = self._manifest_version()
        self.mv = manifest_version
        self._locales()
        name = self._name()
        version = self._version()
        addon_id = self._addon_id()
        addon_type = self._type()
        self._string_fields()
        self._container_fields()
        self._privileged_fields()
        self._permissions()
        self._update_url()
        self._csp()
        self._referenced_files()
        self.report.metadata.update({
            "id": addon_id,
            "name": name,
            "version": version,
            "manifest_version": manifest_version,
            "type": addon_type,
            # As addons-linter's metadata has them; the store keeps them on the version's file.
            **{key: self._strings(key) for key in ("permissions", "optional_permissions", "host_permissions")},
            "strict_min_version": self._gecko().get("strict_min_version"),
            "strict_max_version": self._gecko().get("strict_max_version"),
        })
        if not self.firefox:
            # What the CRX and update checks need: the id a "key" pins, the minimum browser version.
            self.report.metadata.update({"key": self.manifest.get("key"),
                                         "minimum_chrome_version": self._minimum_chrome_version()})

    def _strings(self, key: str) -> list[str]:
        """A list of the manifest's, its strings only (what else is there is reported elsewhere)."""
        value = self.manifest.get(key)
        return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []

    # manifest_version, name, version ------------------------------------------------------

    def _manifest_version(self) -> int | None:
        value = self.manifest.get("manifest_version")
        if value is None:
            self.error("MANIFEST_FIELD_REQUIRED", '"/manifest_version" is a required property.')
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value not in (2, 3):
            self.error("MANIFEST_VERSION_INVALID", f"manifest_version must be 2 or 3, not {value!r}.")
            return None
        return value

    def _name(self) -> str | None:
        name = self.manifest.get("name")
        if name is None:
            self.error("MANIFEST_FIELD_REQUIRED", '"/name" is a required property.')
            return None
        if not isinstance(name, str):
            self.error("MANIFEST_FIELD_INVALID", '"/name" must be a string.')
            return None
        resolved = self._resolve(name, "name")
        if resolved is not None and (resolved != resolved.strip() or len(resolved.strip()) < 2):
            self.error("PROP_NAME_INVALID", "The name must be at least 2 characters, without leading or trailing spaces.")
        return resolved

    def _minimum_chrome_version(self) -> str | None:
        minimum = self.manifest.get("minimum_chrome_version")
        if minimum is None or (isinstance(minimum, str) and versions.is_strict(minimum)):
            return minimum
        self.error("MANIFEST_FIELD_INVALID", '"/minimum_chrome_version" must be 1 to 4 numbers separated by dots.')
        return None

    def _version(self) -> str | None:
        version = self.manifest.get("version")
        if version is None:
            self.error("MANIFEST_FIELD_REQUIRED", '"/version" is a required property.')
            return None
        if not isinstance(version, str):
            self.error("MANIFEST_FIELD_INVALID", '"/version" must be a string.')
            return None
        if versions.is_strict(version) and (self.firefox or all(int(p) <= 65535 for p in version.split("."))):
            return version
        if self.mv == 2 and self.firefox and versions.is_toolkit(version):
            self.warning("VERSION_FORMAT_DEPRECATED", f'The version "{version}" uses the deprecated toolkit format.')
            return version
        self.error("VERSION_FORMAT_INVALID", f'The version string "{version}" should be simplified: '
                   "1 to 4 numbers separated by dots, without leading zeros"
                   + (", each at most 65535." if not self.firefox else ", each at most 9 digits."))
        return version

    # the add-on id --------------------------------------------------------------------------

    def _gecko(self) -> dict:
        return gecko_settings(self.manifest)

    def _addon_id(self) -> str | None:
        if "applications" in self.manifest and self.firefox:
            if self.mv == 3:
                self.error("APPLICATIONS_INVALID", '"applications" is no longer supported in Manifest V3; use '
                           '"browser_specific_settings".')
            elif "browser_specific_settings" not in self.manifest:
                self.warning("APPLICATIONS_DEPRECATED", '"applications" is deprecated; use "browser_specific_settings".')
        addon_id = self._gecko().get("id")
        if addon_id is None:
            if self.firefox and self.mv == 3:
                self.error("ADDON_ID_REQUIRED", "Manifest V3 add-ons need an id in browser_specific_settings.gecko.id.")
            elif self.firefox and "dictionaries" in self.manifest:
                self.error("MANIFEST_DICT_MISSING_ID", "Dictionaries need an id in browser_specific_settings.gecko.id.")
            return None
        if not isinstance(addon_id, str) or len(addon_id) > MAX_ADDON_ID_LENGTH or not ADDON_ID.match(addon_id):
            self.error("MANIFEST_FIELD_INVALID", f'The add-on id {addon_id!r} must be an e-mail-like id or a {{UUID}}, '
                       f"at most {MAX_ADDON_ID_LENGTH} characters.")
            return None
        if addon_id.lower().endswith(RESERVED_ID_SUFFIXES):
            self.error("RESERVED_ADDON_ID", f"The add-on id suffix of {addon_id!r} is reserved.")
        return addon_id

    # type -----------------------------------------------------------------------------------

    def _type(self) -> str:
        if "langpack_id" in self.manifest:
            return "langpack"
        if "dictionaries" in self.manifest:
            self._dictionaries()
            return "dictionary"
        if "theme" in self.manifest and not any(k in self.manifest for k in ("background", "content_scripts")):
            return "statictheme"
        return "extension"

    def _dictionaries(self) -> None:
        dictionaries = self.manifest["dictionaries"]
        if not isinstance(dictionaries, dict) or not dictionaries:
            self.error("MANIFEST_EMPTY_DICTS", 'The "dictionaries" object is empty.')
            return
        if len(dictionaries) > 1:
            self.error("MANIFEST_MULTIPLE_DICTS", "Only one dictionary per add-on is supported.")
        for path in dictionaries.values():
            local = _local_path(path) if isinstance(path, str) else None
            if not local or local not in self.archive or f"{local[:-4]}.aff" not in self.archive:
                self.error("MANIFEST_DICT_NOT_FOUND", f"The dictionary file {path!r} (and its .aff) was not found.")

    # field types and privileges -------------------------------------------------------------

    def _string_fields(self) -> None:
        # Chrome accepts an {"email": ...} author; Firefox's schema wants a string.
        fields = ("description", "homepage_url", "short_name", "default_locale")
        for field in fields + (("author",) if self.firefox else ()):
            if field in self.manifest and not isinstance(self.manifest[field], str):
                self.error("MANIFEST_FIELD_INVALID", f'"/{field}" must be string.')

    def _wrong_type(self, field: str, expected: str) -> None:
        self.error("MANIFEST_FIELD_INVALID", f'"/{field}" must be {expected}.')

    def _container_fields(self) -> None:
        # The checks below look inside these and skip one of another type; reported here, it
        # cannot pass validation unseen.
        for field in ("background", "icons", "browser_specific_settings", "applications"):
            if field in self.manifest and not isinstance(self.manifest[field], dict):
                self._wrong_type(field, "object")
        for field in ("browser_specific_settings", "applications"):
            settings = self.manifest.get(field)
            if isinstance(settings, dict) and "gecko" in settings and not isinstance(settings["gecko"], dict):
                self._wrong_type(f"{field}/gecko", "object")
        for field in ("content_scripts", "web_accessible_resources"):
            if field in self.manifest and not isinstance(self.manifest[field], list):
                self._wrong_type(field, "array")

    def _privileged_fields(self) -> None:
        if self.firefox and "experiment_apis" in self.manifest:
            self.error("MANIFEST_FIELD_PRIVILEGED", "/experiment_apis: privileged manifest fields are only allowed "
                       "in privileged extensions.")

    # permissions ----------------------------------------------------------------------------

    def _permissions(self) -> None:
        lists = [("permissions", "MANIFEST_PERMISSIONS", "MANIFEST_BAD_PERMISSION"),
                 ("optional_permissions", "MANIFEST_OPTIONAL_PERMISSIONS", "MANIFEST_BAD_OPTIONAL_PERMISSION")]
        if self.mv == 3:
            lists.append(("host_permissions", "MANIFEST_HOST_PERMISSIONS", "MANIFEST_BAD_HOST_PERMISSION"))
        for key, unknown_code, bad_code in lists:
            values = self.manifest.get(key)
            if values is None:
                continue
            if not isinstance(values, list):
                self.error("MANIFEST_FIELD_INVALID", f'"/{key}" must be a list.')
                continue
            seen = set()
            for value in values:
                if not isinstance(value, str):
                    self.error(bad_code, f"{key} entries must be strings, not {value!r}.")
                    continue
                if value in seen:
                    self.warning(unknown_code, f'"{value}" is listed more than once in {key}.')
                seen.add(value)
                if key == "host_permissions" or permissions.looks_like_pattern(value):
                    if not permissions.is_match_pattern(value):
                        self.error(bad_code, f'"{value}" in {key} is not a valid match pattern.')
                elif value not in permissions.API_PERMISSIONS:
                    self.warning(unknown_code, f'Unknown permission "{value}" in {key}.')
                elif self.firefox and value in permissions.RESTRICTED and not self._supports(permissions.RESTRICTED[value]):
                    self.error("RESTRICTED_PERMISSION", f'The "{value}" permission needs strict_min_version '
                               f"{permissions.RESTRICTED[value]} or later.")

    def _supports(self, firefox_version: str) -> bool:
        """Whether the add-on declares a minimum Firefox version at least this one."""
        minimum = self._gecko().get("strict_min_version")
        return isinstance(minimum, str) and version_int(minimum) >= version_int(firefox_version)

    # update_url and CSP ---------------------------------------------------------------------

    def _update_url(self) -> None:
        gecko_update = self._gecko().get("update_url")
        root_update = self.manifest.get("update_url")
        update_url = gecko_update if self.firefox else root_update
        if update_url is not None and self.options.listed and not self._is_store_update_url(update_url):
            store_url = (self.options.store_base_url or "").rstrip("/") + FIREFOX_UPDATE_PATH.format(guid="<add-on id>")
            self.error("MANIFEST_UPDATE_URL", "update_url is not allowed for listed add-ons, except the store's own "
                                              f"({store_url}): the store serves updates.")
        if self.firefox and root_update is not None:
            self.report.notice("MANIFEST_UNUSED_UPDATE", "The root update_url is ignored by Firefox.", file=MANIFEST)

    def _is_store_update_url(self, update_url) -> bool:
        # Only Firefox reads the store's update manifests; Chromium's update URL is the CRX's business.
        return self.firefox and isinstance(update_url, str) and is_store_firefox_update_url(
            update_url, self.options.store_base_url)

    def _csp(self) -> None:
        policy = self.manifest.get("content_security_policy")
        if policy is None:
            return
        self.warning("MANIFEST_CSP", "A custom content_security_policy means a closer review.")
        policies = list(policy.values()) if isinstance(policy, dict) else [policy]
        if not all(isinstance(text, str) for text in policies):
            self._wrong_type("content_security_policy", "a string, or an object of strings")
            return
        text = " ".join(policies)
        if "'unsafe-eval'" in text:
            self.warning("MANIFEST_CSP_UNSAFE_EVAL", "'unsafe-eval' in the content security policy is strongly discouraged.")

    # locales --------------------------------------------------------------------------------

    def _locales(self) -> None:
        default = self.manifest.get("default_locale")
        has_locales = any(name.startswith("_locales/") for name in self.archive.files)
        if default is None:
            if has_locales:
                self.error("NO_DEFAULT_LOCALE", "The package has a _locales folder but no default_locale.")
            return
        if not isinstance(default, str):
            return  # reported by _string_fields; a path made of it would name no file
        path = f"_locales/{default}/messages.json"
        if path not in self.archive:
            self.error("NO_MESSAGES_FILE", f'default_locale is "{default}" but {path} was not found.')
            return
        for name in self.archive.files:
            if name.startswith("_locales/") and name.endswith("/messages.json"):
                messages = self._messages_file(name)
                if name == path:
                    self.messages = messages

    def _messages_file(self, name: str) -> dict[str, str]:
        try:
            parsed = parse_json(self.archive.read(name, MAX_SMALL_FILE), name)
        except ArchiveError as error:
            self.report.error(error.code, error.message, file=name)
            return {}
        for code, message, line in parsed.problems:
            self.report.error(code, message, file=name, line=line)
        if not isinstance(parsed.value, dict):
            return {}
        messages = {}
        for key, entry in parsed.value.items():
            # Chrome limits message names to these characters; Firefox takes any.
            if not self.firefox and not _MESSAGE_NAME.match(key):
                self.report.error("INVALID_MESSAGE_NAME", f'The message name "{key}" has invalid characters.', file=name)
            if not isinstance(entry, dict) or not isinstance(entry.get("message"), str):
                self.report.error("NO_MESSAGE", f'The message "{key}" has no "message" string.', file=name)
                continue
            messages[key.lower()] = entry["message"]
        return messages

    def _resolve(self, value: str, field: str) -> str:
        """A manifest string with its __MSG_name__ reference replaced from the default locale."""
        match = _MESSAGE_REFERENCE.match(value)
        if not match:
            return value
        resolved = (self.messages or {}).get(match.group(1).lower())
        if resolved is None:
            self.error("UNRESOLVED_MESSAGE", f'"{field}" refers to the message "{match.group(1)}", which the '
                       "default locale does not define.")
            return value
        return resolved

    # files the manifest refers to -----------------------------------------------------------

    def _referenced_files(self) -> None:
        manifest = self.manifest
        for size, icon in _icon_items(manifest.get("icons")):
            self._icon(icon, f"icons.{size}")
        for key in ("browser_action", "action", "page_action", "sidebar_action"):
            section = manifest.get(key)
            if isinstance(section, dict):
                for size, icon in _icon_items(section.get("default_icon")):
                    self._icon(icon, f"{key}.default_icon")
                for page_key in ("default_popup", "default_panel"):
                    self._file(section.get(page_key), f"{key}.{page_key}", "MANIFEST_FILE_NOT_FOUND")
        background = manifest.get("background")
        if isinstance(background, dict):
            scripts = background.get("scripts") or []
            if not isinstance(scripts, list):
                self._wrong_type("background/scripts", "array")
                scripts = []
            for script in scripts:
                self._file(script, "background.scripts", "MANIFEST_BACKGROUND_FILE_NOT_FOUND")
            self._file(background.get("page"), "background.page", "MANIFEST_BACKGROUND_FILE_NOT_FOUND")
            self._file(background.get("service_worker"), "background.service_worker", "MANIFEST_BACKGROUND_FILE_NOT_FOUND")
        content_scripts = manifest.get("content_scripts") or []
        for index, script in enumerate(content_scripts if isinstance(content_scripts, list) else []):
            if not isinstance(script, dict):
                self._wrong_type(f"content_scripts/{index}", "object")
                continue
            for kind in ("js", "css"):
                paths = script.get(kind) or []
                if not isinstance(paths, list):
                    self._wrong_type(f"content_scripts/{index}/{kind}", "array")
                    continue
                for path in paths:
                    if not path:
                        self.error("CONTENT_SCRIPT_EMPTY", f"content_scripts[{index}].{kind} has an empty file name.")
                    else:
                        self._file(path, f"content_scripts[{index}].{kind}", "CONTENT_SCRIPT_NOT_FOUND")
        options = manifest.get("options_ui")
        self._file(options.get("page") if isinstance(options, dict) else None, "options_ui.page", "MANIFEST_FILE_NOT_FOUND")
        self._file(manifest.get("options_page"), "options_page", "MANIFEST_FILE_NOT_FOUND")
        self._file(manifest.get("devtools_page"), "devtools_page", "MANIFEST_FILE_NOT_FOUND")
        overrides = manifest.get("chrome_url_overrides")
        if isinstance(overrides, dict):
            for key, page in overrides.items():
                self._file(page, f"chrome_url_overrides.{key}", "MANIFEST_FILE_NOT_FOUND")
        theme = manifest.get("theme")
        if isinstance(theme, dict) and isinstance(theme.get("images"), dict):
            for key, images in theme["images"].items():
                for image in images if isinstance(images, list) else [images]:
                    self._file(image, f"theme.images.{key}", "MANIFEST_THEME_IMAGE_NOT_FOUND")

    def _file(self, reference, field: str, code: str) -> str | None:
        if reference is None:
            return None
        if not isinstance(reference, str):
            self.error("MANIFEST_FIELD_INVALID", f'"{field}" must be a file name.')
            return None
        local = _local_path(reference)
        if local is not None and local not in self.archive:
            self.error(code, f'"{field}" refers to {reference!r}, which is not in the package.')
            return None
        return local

    def _icon(self, reference, field: str) -> None:
        local = self._file(reference, field, "MANIFEST_ICON_NOT_FOUND")
        if local is None:
            return
        if PurePosixPath(local).suffix.lower() not in ICON_EXTENSIONS:
            self.error("WRONG_ICON_EXTENSION", f"The icon {local!r} does not have an image file extension.")
            return
        try:
            head = next(self.archive.chunks(local), b"")
        except ArchiveError:
            return  # already reported by check_files
        if not _looks_like_image(local, head):
            self.report.warning("CORRUPT_ICON_FILE", f"The icon {local!r} is not a readable image.", file=local)


def _icon_items(icons) -> list[tuple[str, object]]:
    if isinstance(icons, dict):
        return list(icons.items())
    if isinstance(icons, str):
        return [("default", icons)]
    return []


def _looks_like_image(name: str, head: bytes) -> bool:
    if name.lower().endswith(".svg"):
        text = head[:1024].decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n").lower()
        return "<svg" in text or text.startswith("<?xml") or text.startswith("<!--")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    return any(head.startswith(signature) for signature in _IMAGE_SIGNATURES)
