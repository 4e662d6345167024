"""Ratings in AMO's JSON shape, stored form (translations as objects, store links as paths): the
API renders them per request as it renders the catalogue (addonhub.api.amo.rendering)."""

from addonhub.catalog.serializers import DEFAULT_ICON_PATH, isoformat, translated
from addonhub.ratings.models import Rating


def _user(rating: Rating) -> dict:
    user = rating.user
    return {"id": user.id, "name": user.display_name or user.username, "url": f"/user/{user.id}/",
            "username": user.username}


def _common(rating: Rating) -> dict:
    addon = rating.addon
    return {
        "id": rating.id,
        "addon": {"id": addon.id, "name": translated(addon.name), "icon_url": addon.icon_url or DEFAULT_ICON_PATH,
                  "slug": addon.slug},
        "body": rating.body,
        "created": isoformat(rating.created),
        "is_deleted": rating.is_deleted,
        "is_developer_reply": rating.is_reply,
        # One live rating per user per add-on: a live one is always the latest, with none before it.
        "is_latest": not rating.is_deleted,
        "previous_count": 0,
        "user": _user(rating),
    }


def reply_object(reply: Rating) -> dict:
    """A developer's reply: a rating without score, reply and version."""
    return _common(reply)


def rating_object(rating: Rating, show_deleted_reply: bool = False) -> dict:
    """A rating with its reply (a deleted reply only for those who may see deleted ratings)."""
    if rating.is_reply:
        return reply_object(rating)
    reply = rating.reply
    shown = reply is not None and (show_deleted_reply or not reply.is_deleted)
    version = rating.version
    return {
        **_common(rating),
        "score": rating.score,
        "reply": reply_object(reply) if shown else None,
        "version": {"id": version.id, "version": version.version} if version else None,
    }
