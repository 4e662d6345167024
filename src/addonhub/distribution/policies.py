"""Enterprise policies that make browsers install add-ons from the store and update them from it.

What an organisation puts in `/etc/chromium/policies/managed/` (Chromium, Chrome, Edge, Brave)
or in `policies.json` (Firefox), for the add-ons it names (by id, slug, guid or Edge product id)
or, by default, every add-on with a package for that browser. Add-ons the store has disabled, or
their developers have, come out `blocked`: the browsers remove them.

- Chromium: ExtensionSettings gives each extension (by its Chromium id) the store's update URL
  with `override_update_url`, so that updates come from the store whatever the CRX's manifest
  names (else Chromium asks the Chrome Web Store); ExtensionInstallSources lets users install
  from the store's pages too.
- Firefox: ExtensionSettings installs each add-on from its stable "latest" link (Firefox installs
  an install_url once per URL), keyed when the add-on is not public; InstallAddonsPermission lets
  users install from the store's pages. Preferences: only what the set-up needs. Signatures are
  not required (the store's CA is not Mozilla's, which only ESR-like builds allow); update
  security is off only when the store is http; VersionCheck and the catalogue's search by guid
  replace AMO's only when a listed add-on without an update URL of its own is in the policy
  (they serve every add-on that has none, so an organisation's AMO add-ons would then check the
  store). `Certificates.Install` names the store's CA file on the clients when given one.

No HTTP here: the CLI (`addonhub policy`) and api/policies.py word what this module builds.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from addonhub.blobs import BlobStore
from addonhub.catalog.constants import PUBLIC_FILE_STATUSES, AddonStatus
from addonhub.catalog.models import Addon, File, Version
from addonhub.catalog.service import find_addon_by_any_id
from addonhub.distribution.chromium import ChromiumPackage, current_releases
from addonhub.distribution.firefox import Release, links_need_key, manifest_releases
from addonhub.distribution.links import current_link_key
from addonhub.published_urls import (
    catalogue_search_by_guid_url, chromium_update_url, latest_xpi_url, versioncheck_url,
)
from addonhub.packages.archive import ArchiveError, PackageArchive
from addonhub.packages.manifest import gecko_settings, parse_json
from addonhub.refusals import INVALID, NOT_FOUND, Refused

CHROMIUM, FIREFOX = "chromium", "firefox"
FORCE_INSTALLED, NORMAL_INSTALLED, ALLOWED, BLOCKED = "force_installed", "normal_installed", "allowed", "blocked"
# What an organisation may ask for; blocked is the store's answer for disabled add-ons.
MODES = (FORCE_INSTALLED, NORMAL_INSTALLED, ALLOWED)
_MANIFEST_LIMIT = 4 * 1024 * 1024


@dataclass(frozen=True)
class PolicyRequest:
    """What a policy is for: the store's public URL (browsers fetch everything from it), the
    add-ons (identifiers; none means every add-on with a package for the browser), how they are
    installed, and for Firefox the path of the store's CA certificate on the clients."""
    base_url: str
    addons: tuple[str, ...] = ()
    mode: str = FORCE_INSTALLED
    certificate: str | None = None

    def __post_init__(self):
        if self.mode not in MODES:
            raise Refused(INVALID, f"{self.mode!r} is not an installation mode: one of {', '.join(MODES)}.",
                          field="mode")
        parts = urlsplit(self.base_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise Refused(INVALID, f"{self.base_url!r} is not the store's public URL (http or https, e.g. "
                                   "https://addons.example.org).", field="base_url")

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Policy:
    """A browser's policy document, and what an administrator should know about it."""
    document: dict
    warnings: list[str] = field(default_factory=list)


def _is_disabled(addon: Addon) -> bool:
    return addon.is_disabled or addon.is_disabled_by_mozilla


def _named_addons(session: Session, identifiers: tuple[str, ...]) -> list[Addon]:
    addons = []
    for identifier in dict.fromkeys(identifiers):
        addon = find_addon_by_any_id(session, identifier)
        if addon is None or addon.is_deleted:
            raise Refused(NOT_FOUND, f"No add-on {identifier!r} in the store.", field="addon")
        addons.append(addon)
    return addons


def _installable(addon: Addon, mode: str) -> str:
    return BLOCKED if _is_disabled(addon) else mode


# Chromium -----------------------------------------------------------------------------------------

def _chromium_addons(session: Session) -> list[Addon]:
    """Every add-on with a CRX, public or disabled (deleted ones are no longer the store's to rule)."""
    return list(session.scalars(
        select(Addon).where(Addon.chromium_id.is_not(None), Addon.status != AddonStatus.DELETED, Addon.id.in_(
            select(Version.addon_id).join(File, File.version_id == Version.id)
            .join(ChromiumPackage, ChromiumPackage.file_id == File.id)
            .where(Version.is_deleted.is_(False), File.status.in_(PUBLIC_FILE_STATUSES))))
        .order_by(Addon.id)))


def chromium_policy(session: Session, request: PolicyRequest) -> Policy:
    """The managed policy for the Chromium family (one file in /etc/chromium/policies/managed/)."""
    addons = _named_addons(session, request.addons) if request.addons else _chromium_addons(session)
    offered = current_releases(session.connection(), [addon.chromium_id for addon in addons if addon.chromium_id])
    settings = {}
    for addon in addons:
        mode = _installable(addon, request.mode)
        if addon.chromium_id is None or (mode != BLOCKED and addon.chromium_id not in offered):
            raise Refused(INVALID, f"{addon.guid} has no public Chromium package (CRX) in the store: a browser "
                                   "would find nothing to install.", field="addon")
        settings[addon.chromium_id] = {"installation_mode": BLOCKED} if mode == BLOCKED else {
            "installation_mode": mode, "update_url": chromium_update_url(request.base), "override_update_url": True}
    return Policy({"ExtensionSettings": settings, "ExtensionInstallSources": [f"{request.base}/*"]})


# Firefox ------------------------------------------------------------------------------------------

def _firefox_addons(session: Session) -> list[Addon]:
    """Every add-on with a public XPI, public or disabled, with what choosing its release reads."""
    return list(session.scalars(
        select(Addon).where(Addon.status != AddonStatus.DELETED, Addon.id.in_(
            select(Version.addon_id).join(File, File.version_id == Version.id)
            .where(Version.is_deleted.is_(False), File.status.in_(PUBLIC_FILE_STATUSES),
                   File.storage_key.is_not(None), File.filename.like("%.xpi"))))
        .options(selectinload(Addon.versions).selectinload(Version.files),
                 selectinload(Addon.versions).selectinload(Version.compatibility))
        .order_by(Addon.id)))


def _latest_xpi(addon: Addon) -> Release | None:
    """The release the add-on's "latest" link serves Firefox: its newest installable XPI."""
    return next((release for release in manifest_releases(addon) if release.filename.endswith(".xpi")), None)


def _declares_update_url(blobs: BlobStore, session: Session, release: Release) -> bool:
    """Whether the XPI names its own update URL (then Firefox asks there, not VersionCheck)."""
    file = session.get(File, release.file_id)
    try:
        with blobs.local_file(file.storage_key) as path, PackageArchive(path) as archive:
            manifest = parse_json(archive.read("manifest.json", _MANIFEST_LIMIT), "manifest.json").value
    except (ArchiveError, KeyError, OSError):
        return False  # a signed file always has a readable manifest; if not, it names no URL
    return isinstance(manifest, dict) and bool(gecko_settings(manifest).get("update_url"))


def _locked(value) -> dict:
    return {"Value": value, "Status": "locked"}


def firefox_policy(session: Session, blobs: BlobStore, secret_key: bytes, request: PolicyRequest) -> Policy:
    """policies.json for Firefox (/etc/firefox/policies/ on Linux, distribution/ beside the
    browser elsewhere)."""
    addons = _named_addons(session, request.addons) if request.addons else _firefox_addons(session)
    policy = Policy({})
    settings, needs_versioncheck = {}, False
    for addon in addons:
        mode = _installable(addon, request.mode)
        release = _latest_xpi(addon)
        if release is None and mode != BLOCKED:
            raise Refused(INVALID, f"{addon.guid} has no public Firefox package (XPI) in the store: a browser "
                                   "would find nothing to install.", field="addon")
        entry = {"installation_mode": mode}
        if mode in (FORCE_INSTALLED, NORMAL_INSTALLED):
            key = current_link_key(session, secret_key, addon.guid) if links_need_key(addon) else None
            entry["install_url"] = latest_xpi_url(request.base, addon.guid, key)
        settings[addon.guid] = entry
        if mode != BLOCKED and not _declares_update_url(blobs, session, release):
            if links_need_key(addon):
                policy.warnings.append(
                    f"{addon.guid} is not listed and its package names no update URL: Firefox will install it "
                    f"but never update it (give its manifest the URL `addonhub links show {addon.guid}` prints).")
            else:
                needs_versioncheck = True
    preferences = {"xpinstall.signatures.required": _locked(False)}
    if urlsplit(request.base).scheme == "http":
        preferences["extensions.checkUpdateSecurity"] = _locked(False)
    if needs_versioncheck:
        preferences["extensions.update.url"] = _locked(versioncheck_url(request.base))
        preferences["extensions.update.background.url"] = _locked(versioncheck_url(request.base))
        preferences["extensions.getAddons.get.url"] = _locked(catalogue_search_by_guid_url(request.base))
    document = {"ExtensionSettings": settings, "InstallAddonsPermission": {"Allow": [request.origin]},
                "Preferences": preferences}
    if request.certificate:
        document["Certificates"] = {"Install": [request.certificate]}
    policy.document = {"policies": document}
    return policy
