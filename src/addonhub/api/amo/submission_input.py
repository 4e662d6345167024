"""The fields of v5 submission requests, checked before anything is written. Problems are
FieldErrors, in the shape DRF gives AMO's answers: `{"field": ["message"]}`, nested under the
object they belong to.
"""

import re
from typing import Any, NamedTuple

import orjson

from addonhub.api.amo.intake import REFUSAL_STATUS
from addonhub.api.responses import APIError
from addonhub.api.uploads import ReceivedFile
from addonhub.catalog.appversions import is_valid
from addonhub.catalog.compatibility import SUBMITTABLE_APPS
from addonhub.catalog.edits import AddonChanges, VersionChanges
from addonhub.catalog.licenses import BUILTIN_LICENSES, BuiltinLicense
from addonhub.refusals import Refused
from addonhub.submissions.uploads import checked_source

REQUIRED = "This field is required."
TRANSLATED_ADDON_FIELDS = {  # field: the longest text AMO accepts
    "name": 50, "summary": 250, "description": None, "developer_comments": None,
    "homepage": None, "support_url": None, "support_email": None,
}
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# What each kind of translated text must look like, and AMO's words when it does not.
TEXT_FORMATS = {"homepage": (_URL, "Enter a valid URL."), "support_url": (_URL, "Enter a valid URL."),
                "support_email": (_EMAIL, "Enter a valid email address.")}
_SLUG = re.compile(r"^[\w~-]+$")


class FieldErrors(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors

    def under(self, key: str) -> "FieldErrors":
        return FieldErrors({key: self.errors})

    def as_api_error(self) -> APIError:
        return APIError(400, self.errors)


def field_problem(field: str, message: str) -> FieldErrors:
    return FieldErrors({field: [message]})


def refusal_problem(refusal: Refused) -> Exception:
    """A domain refusal in v5's shapes: permissions and missing objects as `detail`, the rest on
    their field."""
    if refusal.field is None:
        return APIError(REFUSAL_STATUS[refusal.reason], {"detail": refusal.message})
    return field_problem(refusal.field, refusal.message)


def not_a_dictionary(data: Any) -> str:
    return f"Invalid data. Expected a dictionary, but got {type(data).__name__}."


# Fields -----------------------------------------------------------------------------------------

def translations(field: str, value: Any, default_locale: str, max_length: int | None = None) -> dict[str, str | None]:
    """A translated field as sent: a string (in the default locale) or {locale: text}; a null
    text removes that locale."""
    if isinstance(value, str):
        value = {default_locale: value}
    if not isinstance(value, dict):
        raise field_problem(field, "You must provide an object of {lang-code:value}.")
    for locale, text in value.items():
        if not _LOCALE.match(locale):
            raise field_problem(field, f'The language code "{locale}" is invalid.')
        if text is not None and not isinstance(text, str):
            raise field_problem(field, "You must provide an object of {lang-code:value}.")
        if max_length is not None and text is not None and len(text) > max_length:
            raise field_problem(field, f"Ensure this field has no more than {max_length} characters.")
        if field in TEXT_FORMATS and text:
            pattern, message = TEXT_FORMATS[field]
            if not pattern.match(text.strip()):
                raise field_problem(field, message)
    return value


def compatibility(value: Any) -> dict[str, dict[str, str]]:
    """{app: {"min"?, "max"?}} or a list of apps, as AMO accepts it; multipart sends it as JSON
    text or comma-separated app names."""
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            value = [app.strip() for app in value.split(",") if app.strip()]
    if isinstance(value, list):
        if not all(isinstance(app, str) for app in value):
            raise field_problem("compatibility", "Invalid app specified")
        value = {app: {} for app in value}
    if not isinstance(value, dict) or not value:
        raise field_problem("compatibility", "Invalid value")
    result = {}
    for app, bounds in value.items():
        if app not in SUBMITTABLE_APPS:
            raise field_problem("compatibility", "Invalid app specified")
        if not isinstance(bounds, dict):
            raise field_problem("compatibility", "Invalid value")
        wanted = {key: bounds[key] for key in ("min", "max") if key in bounds}
        for key, version in wanted.items():
            if not isinstance(version, str) or not is_valid(version) or (key == "min" and "*" in version):
                raise field_problem("compatibility", "Unknown app version specified")
        result[app] = wanted
    return result


def builtin_license(value: Any) -> BuiltinLicense:
    # Only a string is named in the message: rendering anything else could recurse without end.
    if not isinstance(value, str):
        raise field_problem("license", "Invalid value.")
    if value not in BUILTIN_LICENSES:
        raise field_problem("license", f"License with slug={value} does not exist.")
    return BUILTIN_LICENSES[value]


def custom_license(value: Any) -> dict[str, dict[str, str | None]]:
    if not isinstance(value, dict):
        raise field_problem("custom_license", "Invalid data. Expected a dictionary.")
    missing = [key for key in ("name", "text") if not value.get(key)]
    if missing:
        raise FieldErrors({"custom_license": {key: [REQUIRED] for key in missing}})
    try:
        return {key: translations(key, value[key], "en-US") for key in ("name", "text")}
    except FieldErrors as problem:
        raise problem.under("custom_license") from None


def boolean(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")  # multipart sends booleans as text
    raise field_problem(field, "Must be a valid boolean.")


def text(field: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise field_problem(field, "Not a valid string.")
    return value


def categories(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not all(isinstance(slugs, list) for slugs in value.values()):
        raise field_problem("categories", "Invalid value.")
    if any(app not in SUBMITTABLE_APPS for app in value):
        raise field_problem("categories", "Invalid app name.")
    return value


def tags(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(tag, str) and 0 < len(tag) <= 128 for tag in value):
        raise field_problem("tags", "Invalid value.")
    if len(value) > 10:
        raise field_problem("tags", "Ensure this field has no more than 10 elements.")
    return sorted(set(value))


def slug(value: Any) -> str:
    if not isinstance(value, str) or not _SLUG.match(value) or value.isdigit() or len(value) > 30:
        raise field_problem("slug", "Enter a valid slug consisting of letters, numbers, underscores or hyphens.")
    return value


def locale(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise field_problem(field, "Not a valid string.")
    if not _LOCALE.match(value):
        raise field_problem(field, f'"{value}" is not a valid choice.')
    return value


def source(value: Any) -> ReceivedFile | None:
    """A multipart source archive; an empty field means none."""
    if value is None or value == "":
        return None
    if not isinstance(value, ReceivedFile):
        raise field_problem("source", "The submitted data was not a file. Check the encoding type on the form.")
    try:
        checked_source(value.blob, value.filename)
    except Refused as refusal:
        raise field_problem("source", refusal.message) from None
    return value


# Objects ----------------------------------------------------------------------------------------

class _Collector:
    """Runs every field's check and reports all problems at once, as DRF does."""

    def __init__(self):
        self.errors: dict = {}

    def check(self, function, *args):
        try:
            return function(*args)
        except FieldErrors as problem:
            self.errors.update(problem.errors)
            return None

    def raise_any(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)


class VersionRequest(NamedTuple):
    """A v5 version request: the upload it makes a version of (when creating), and the changes."""
    upload: str | None
    changes: VersionChanges


def version_fields(data: Any, creating: bool) -> VersionRequest:
    if not isinstance(data, dict):
        raise FieldErrors({"non_field_errors": [not_a_dictionary(data)]})
    checks = _Collector()
    fields = VersionChanges(given=frozenset(data))
    upload = data.get("upload") if creating else None
    if creating:
        if not upload:
            checks.errors["upload"] = [REQUIRED]
        elif not isinstance(upload, str):
            checks.errors["upload"] = ["Invalid value."]
    if data.get("license") is not None and data.get("custom_license") is not None:
        checks.errors["non_field_errors"] = ["Both `license` and `custom_license` cannot be provided together."]
    if data.get("license") is not None:
        fields.license = checks.check(builtin_license, data["license"])
    if data.get("custom_license") is not None:
        fields.custom_license = checks.check(custom_license, data["custom_license"])
    if "compatibility" in data:
        fields.compatibility = checks.check(compatibility, data["compatibility"])
    if "release_notes" in data:
        notes = data["release_notes"]
        fields.release_notes = {} if notes is None else checks.check(translations, "release_notes", notes, "en-US")
    if "approval_notes" in data:
        fields.approval_notes = checks.check(text, "approval_notes", data["approval_notes"])
    if "source" in data:
        received = checks.check(source, data["source"])
        fields.source = received.blob if received is not None else None
    checks.raise_any()
    return VersionRequest(upload if isinstance(upload, str) else None, fields)


def addon_fields(data: dict, default_locale: str) -> AddonChanges:
    checks = _Collector()
    if "default_locale" in data:
        default_locale = checks.check(locale, "default_locale", data["default_locale"]) or default_locale
    fields = AddonChanges(default_locale=default_locale if "default_locale" in data else None)
    for name, max_length in TRANSLATED_ADDON_FIELDS.items():
        if name in data:
            value = data[name]
            parsed = {} if value is None else checks.check(translations, name, value, default_locale, max_length)
            if parsed is not None:
                fields.translated[name] = parsed
    if "categories" in data:
        fields.categories = checks.check(categories, data["categories"])
    if "tags" in data:
        fields.tags = checks.check(tags, data["tags"])
    if "slug" in data:
        fields.slug = checks.check(slug, data["slug"])
    fields.flags = {name: checks.check(boolean, name, data[name])
                    for name in ("is_experimental", "requires_payment") if name in data}
    checks.raise_any()
    return fields
