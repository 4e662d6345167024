"""Which application versions a version supports, as AMO decides it when a developer does not say.

The bounds come from what the request asks, else from the manifest (`strict_min_version` for
Firefox, `strict_max_version` for both), else from AMO's defaults: the first versions of each
application that support the package's manifest version.
"""

from addonhub.catalog.appversions import is_valid, version_int
from addonhub.catalog.models import Version, VersionCompatibility

# The applications a submission may name; Firefox is the one a package supports unasked.
SUBMITTABLE_APPS = ("firefox", "android")
DEFAULT_MIN_VERSION = {"firefox": {2: "48.0", 3: "109.0"}, "android": {2: "48.0", 3: "120.0"}}


def _manifest_bound(manifest: dict, key: str) -> str | None:
    value = manifest.get(key)
    return value if isinstance(value, str) and is_valid(value) else None


def default_min(app: str, manifest: dict) -> str:
    defaults = DEFAULT_MIN_VERSION[app]
    from_manifest = _manifest_bound(manifest, "strict_min_version") if app == "firefox" else None
    return from_manifest or defaults.get(manifest.get("manifest_version"), defaults[2])


def default_max(manifest: dict) -> str:
    return _manifest_bound(manifest, "strict_max_version") or "*"


def set_compatibility(version: Version, wanted: dict[str, dict[str, str]], manifest: dict) -> None:
    """The applications the version supports become exactly those wanted ({app: {"min"?, "max"?}});
    bounds not given keep their current value, else take the defaults above. Rows are changed in
    place, as the table's key is (version, application)."""
    existing = {row.application: row for row in version.compatibility}
    for row in list(version.compatibility):
        if row.application not in wanted:
            version.compatibility.remove(row)
    for app, bounds in wanted.items():
        row = existing.get(app)
        minimum = bounds.get("min") or (row.min if row else default_min(app, manifest))
        maximum = bounds.get("max") or (row.max if row else default_max(manifest))
        if row is None:
            row = VersionCompatibility(application=app)
            version.compatibility.append(row)
        row.min, row.max, row.min_int, row.max_int = minimum, maximum, version_int(minimum), version_int(maximum)
