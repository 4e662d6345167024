"""The catalogue's objects in AMO's JSON shape, "stored form": every translation kept as an
object and the store's own links as paths. The API renders the stored form per request
(language, absolute links); see addonhub.api.amo.rendering."""

from collections.abc import Iterable
from datetime import datetime

from addonhub.catalog.constants import PROMOTED_APPLICATIONS, PROMOTED_GROUPS
from addonhub.catalog.images import icon_urls
from addonhub.catalog.models import Addon, File, PromotedAddon, Version
from addonhub.published_urls import file_download_url

DEFAULT_ICON_PATH = "/static/img/addon-icon.svg"
ANONYMOUS_PICTURE_PATH = "/static/img/anon_user.svg"


def isoformat(moment: datetime | None) -> str | None:
    """A moment (naive, in UTC, as the store keeps them all) as AMO gives it: to the second, with
    a Z. isoformat(), not strftime(): the same text at less than half the time, and a document
    holds a few of them for every version."""
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def translated(value: dict[str, str] | None) -> dict[str, str] | None:
    return dict(value) if value else None


def file_object(file: File) -> dict:
    return {
        "id": file.id,
        "created": isoformat(file.created),
        "hash": file.hash,
        "is_mozilla_signed_extension": file.is_mozilla_signed_extension,
        "is_restart_required": file.is_restart_required,
        "is_webextension": file.is_webextension,
        "permissions": list(file.permissions or []),
        "optional_permissions": list(file.optional_permissions or []),
        "platform": file.platform,
        "size": file.size,
        "status": file.status,
        # Only files whose bytes the store holds can be downloaded from it.
        "url": file_download_url("", file.id, file.filename) if file.storage_key and file.filename else None,
    }


def version_object(version: Version) -> dict:
    license = version.license
    return {
        "id": version.id,
        "channel": version.channel,
        "compatibility": {
            compat.application: {"min": compat.min, "max": compat.max}
            for compat in sorted(version.compatibility, key=lambda c: c.application)
        },
        "edit_url": f"/developers/addon/{version.addon.slug}/versions/{version.id}",
        "files": [file_object(file) for file in version.files],
        "is_strict_compatibility_enabled": version.is_strict_compatibility_enabled,
        "license": None if license is None else {
            "id": license.id,
            "name": translated(license.name),
            "text": translated(license.text),
            "url": license.url,
        },
        "release_notes": translated(version.release_notes),
        "reviewed": isoformat(version.reviewed),
        "version": version.version,
    }


def promotion_list(promotions: Iterable[PromotedAddon]) -> list[dict]:
    """Promotion rows as AMO's v5 `promoted` lists them: each group with the applications it is
    approved for, groups in AMO's order."""
    apps: dict[str, set[str]] = {}
    for promotion in promotions:
        apps.setdefault(promotion.group, set()).add(promotion.application)
    return [
        {"category": group, "apps": [app for app in PROMOTED_APPLICATIONS if app in apps[group]]}
        for group in sorted(apps, key=lambda name: PROMOTED_GROUPS[name].id)
    ]


def promoted_groups(addon: Addon) -> list[dict]:
    """The groups the catalogue shows the add-on in. AMO promotes an add-on's current version,
    so an add-on without one is not currently promoted."""
    return promotion_list(addon.promotions) if addon.current_version is not None else []


def addon_object(addon: Addon) -> dict:
    """The add-on detail object, with the license text left out as the spec asks."""
    current = version_object(addon.current_version) if addon.current_version else None
    if current and current["license"]:
        del current["license"]["text"]
    categories: dict[str, list[str]] = {}
    for category in sorted(addon.categories, key=lambda c: (c.application, c.slug)):
        categories.setdefault(category.application, []).append(category.slug)
    icon = addon.icon_url or DEFAULT_ICON_PATH
    # Only add-ons with a Chromium key have an id there; AMO's object has no such field.
    chromium = {"chromium_id": addon.chromium_id} if addon.chromium_id else {}
    return {
        **chromium,
        "id": addon.id,
        "authors": [
            {
                "id": author.user.id,
                "name": author.user.display_name or author.user.username,
                "url": f"/user/{author.user.id}/",
                "username": author.user.username,
                "picture_url": author.user.picture_url or ANONYMOUS_PICTURE_PATH,
            }
            for author in addon.authors if author.listed
        ],
        "average_daily_users": addon.average_daily_users,
        "categories": categories,
        "contributions_url": addon.contributions_url,
        "created": isoformat(addon.created),
        "current_version": current,
        "default_locale": addon.default_locale,
        "description": translated(addon.description),
        "developer_comments": translated(addon.developer_comments),
        "edit_url": f"/developers/addon/{addon.slug}/edit",
        "guid": addon.guid,
        "has_eula": bool(addon.eula),
        "has_privacy_policy": bool(addon.privacy_policy),
        "homepage": translated(addon.homepage),
        "icon_url": icon,
        "icons": icon_urls(icon) or {"32": icon, "64": icon},
        "is_disabled": addon.is_disabled or addon.is_disabled_by_mozilla,
        "is_experimental": addon.is_experimental,
        "is_featured": bool(addon.featured_placements),
        "is_source_public": addon.is_source_public,
        "last_updated": isoformat(addon.last_updated or addon.created),
        "name": translated(addon.name),
        "previews": [
            {
                "id": preview.id,
                "caption": translated(preview.caption),
                "image_size": list(preview.image_size or []),
                "image_url": preview.image_url,
                "thumbnail_size": list(preview.thumbnail_size or []),
                "thumbnail_url": preview.thumbnail_url,
            }
            for preview in addon.previews
        ],
        # v3 and v4 name one group (AMO's promoted-groups-shim): the first in AMO's order, so a
        # badged one whenever there is one. v5 lists them all (api/amo/submission_objects.py).
        "promoted": next(iter(promoted_groups(addon)), None),
        "ratings": {
            "average": addon.ratings_average,
            "bayesian_average": addon.ratings_bayesian_average,
            "count": addon.ratings_count,
            "text_count": addon.ratings_text_count,
        },
        "ratings_url": f"/addon/{addon.slug}/reviews/",
        "requires_payment": addon.requires_payment,
        "review_url": f"/reviewers/review/{addon.id}",
        "slug": addon.slug,
        "status": addon.status,
        "summary": translated(addon.summary),
        "support_email": translated(addon.support_email),
        "support_url": translated(addon.support_url),
        "tags": [tag.tag for tag in addon.tags],
        "type": addon.type,
        "url": f"/addon/{addon.slug}/",
        "versions_url": f"/addon/{addon.slug}/versions/",
        "weekly_downloads": addon.weekly_downloads,
    }
