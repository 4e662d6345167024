"""The rules of rating: who may rate, edit, delete, reply and flag, and the add-on's aggregates,
which every change recomputes in its own transaction and hands to the read model at once."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from addonhub.accounts.models import User
from addonhub.catalog.constants import REVIEWED_STATUSES, AddonStatus
from addonhub.catalog.indexing import is_listed, is_public_listed, mark_changed, reindex
from addonhub.catalog.models import Addon, AddonDocument, Version
from addonhub.catalog.service import find_addon, is_author
from addonhub.ratings.models import SCORES, Rating, RatingAggregate, RatingFlag
from addonhub.refusals import FORBIDDEN, INVALID, NOT_FOUND, Refused

NO_PERMISSION = "You do not have permission to perform this action."
NON_FIELD = "non_field_errors"
FLAG_REASONS = ("rating_flag_reason_spam", "rating_flag_reason_language",
                "rating_flag_reason_bug_support", "rating_flag_reason_other")
OTHER_REASON = "rating_flag_reason_other"
FLAGGED = "Thanks; this rating has been flagged for reviewer approval."
# Only what a filter may ask for; anything else in `filter` is ignored, as AMO ignores it.
LIST_FILTERS = ("with_deleted", "without_empty_body", "with_yours")


def _not_found() -> Refused:
    return Refused(NOT_FOUND, "Not found.")


def _forbidden() -> Refused:
    return Refused(FORBIDDEN, NO_PERMISSION)


def ratable_addon(session: Session, identifier: str) -> Addon:
    """The add-on named by id, slug or guid, while the public may see it: ratings of others are
    not there to be read or written, and their existence stays unknown."""
    addon = find_addon(session, identifier)
    if addon is None or not is_listed(addon):
        raise _not_found()
    return addon


def _may_see_deleted(user: User | None) -> bool:
    return user is not None and user.is_admin


def find_rating(session: Session, rating_id: int | None, user: User | None) -> Rating:
    """A rating (or reply) the caller may see: of a listed add-on, or for admins any; deleted
    ones only for admins."""
    rating = session.get(Rating, rating_id) if rating_id is not None else None
    if rating is None or (rating.is_deleted and not _may_see_deleted(user)):
        raise _not_found()
    if not is_listed(rating.addon) and not _may_see_deleted(user):
        raise _not_found()
    return rating


def _score(value: int) -> int:
    if value not in SCORES:
        bound = "greater than or equal to 1" if value < 1 else "less than or equal to 5"
        raise Refused(INVALID, f"Ensure this value is {bound}.", "score")
    return value


def _body(value: str | None) -> str | None:
    """Blank text is no review: the rating counts as score only (AMO's empty body is null)."""
    return value if value and value.strip() else None


def create_rating(session: Session, user: User, addon: Addon, version_id: int | None, score: int,
                  body: str | None) -> Rating:
    """One rating per user per add-on, of a public version of it, never on one's own add-on."""
    version = session.get(Version, version_id) if version_id is not None else None
    if version is None or version.addon_id != addon.id or not is_public_listed(version):
        raise Refused(INVALID, "This version of the add-on doesn't exist or isn't public.", "version")
    if is_author(addon, user):
        raise Refused(INVALID, "You can't leave a review on your own add-on.", NON_FIELD)
    if _live_rating_of(session, addon, user) is not None:
        raise Refused(INVALID, "You can't leave more than one review for the same add-on.", NON_FIELD)
    rating = Rating(addon=addon, user=user, version=version, score=_score(score), body=_body(body), is_deleted=False)
    session.add(rating)
    refresh_aggregates(session, addon)
    return rating


def _live_rating_of(session: Session, addon: Addon, user: User) -> Rating | None:
    return session.scalar(select(Rating).where(
        Rating.addon_id == addon.id, Rating.user_id == user.id, Rating.reply_to_id.is_(None),
        Rating.is_deleted.is_(False),
    ))


def may_edit(rating: Rating, user: User | None) -> bool:
    """Its writer, or an admin (AMO's Addons:Edit)."""
    return user is not None and (rating.user_id == user.id or user.is_admin)


@dataclass(frozen=True)
class RatingChanges:
    """What an edit changes: a score when given, the body when `changes_body` (None empties it)."""
    score: int | None = None
    body: str | None = None
    changes_body: bool = False


def edit_rating(session: Session, user: User, rating: Rating, changes: RatingChanges) -> Rating:
    if not may_edit(rating, user):
        raise _forbidden()
    if rating.is_reply:
        if changes.score is not None:
            raise Refused(INVALID, "A reply has no score.", "score")
        if changes.changes_body:
            rating.body = _reply_body(changes.body)
    else:
        if changes.score is not None:
            rating.score = _score(changes.score)
        if changes.changes_body:
            rating.body = _body(changes.body)
    refresh_aggregates(session, rating.addon)
    return rating


def may_delete(rating: Rating, user: User | None) -> bool:
    """Its writer; reviewers and admins any, except on an add-on they develop, where a rating of
    theirs to remove would be a conflict of interest (AMO's rule)."""
    if user is None:
        return False
    if rating.user_id == user.id:
        return True
    return user.is_reviewer and not is_author(rating.addon, user)


def delete_rating(session: Session, user: User, rating: Rating) -> None:
    if not may_delete(rating, user):
        raise _forbidden()
    rating.is_deleted = True
    refresh_aggregates(session, rating.addon)


def may_reply(addon: Addon, user: User | None) -> bool:
    """An author of the add-on, or an admin."""
    return user is not None and (is_author(addon, user) or user.is_admin)


def _reply_body(value: str | None) -> str:
    if value is None:
        raise Refused(INVALID, "This field is required.", "body")
    if not value.strip():
        raise Refused(INVALID, "This field may not be blank.", "body")
    return value


def reply(session: Session, user: User, rating: Rating, body: str | None) -> tuple[Rating, bool]:
    """The developer's reply (one per rating: replying again edits it, and brings back a
    deleted one); returns it and whether it is new."""
    if not may_reply(rating.addon, user):
        raise _forbidden()
    if rating.is_reply:
        raise Refused(INVALID, "You can't reply to a review that is already a reply.", NON_FIELD)
    text = _reply_body(body)
    existing = rating.reply
    mark_changed(session)  # the add-on's page shows replies, which its document does not hold
    if existing is not None:
        existing.body, existing.is_deleted = text, False
        session.flush()
        return existing, False
    created = Rating(addon=rating.addon, user=user, version=rating.version, reply_to=rating, body=text,
                     is_deleted=False)
    session.add(created)
    session.flush()
    return created, True


def flag(session: Session, user: User, rating: Rating, reason: str | None, note: str | None) -> str:
    """Records (or changes) the user's flag on someone else's rating; a note makes it "other"."""
    if rating.user_id == user.id:
        raise _forbidden()
    note = note.strip() if note else None
    if note:
        reason = OTHER_REASON
    if reason is None:
        raise Refused(INVALID, "This field is required.", "flag")
    if reason not in FLAG_REASONS:
        raise Refused(INVALID, f'"{reason}" is not a valid choice.', "flag")
    if reason == OTHER_REASON and not note:
        raise Refused(INVALID, 'A short explanation must be provided when selecting "Other" as a flag reason.',
                      "note")
    existing = session.scalar(select(RatingFlag).where(RatingFlag.rating_id == rating.id,
                                                       RatingFlag.user_id == user.id))
    if existing is None:
        session.add(RatingFlag(rating_id=rating.id, user_id=user.id, flag=reason, note=note))
    else:
        existing.flag, existing.note = reason, note
    session.flush()
    return FLAGGED


def flags_by(session: Session, user: User, rating_ids: list[int]) -> dict[int, list[dict]]:
    """The user's own flags on these ratings, by rating (AMO's `show_flags_for`: a client shows
    which ratings its user already reported)."""
    flags: dict[int, list[dict]] = {rating_id: [] for rating_id in rating_ids}
    for flagged in session.scalars(select(RatingFlag).where(RatingFlag.user_id == user.id,
                                                            RatingFlag.rating_id.in_(rating_ids))):
        flags[flagged.rating_id].append({"flag": flagged.flag, "note": flagged.note})
    return flags


def _counted(addon_id):
    """The ratings that count: live, not replies."""
    return (Rating.addon_id == addon_id, Rating.reply_to_id.is_(None), Rating.is_deleted.is_(False))


def refresh_aggregates(session: Session, addon: Addon) -> None:
    """Recounts the add-on's ratings (count, with text, average, per score), its Bayesian average,
    and reindexes it, so that its `ratings` object and the `rating` sort change with the rating."""
    session.flush()
    per_score = dict(session.execute(
        select(Rating.score, func.count()).where(*_counted(addon.id)).group_by(Rating.score)
    ).all())
    with_text = session.scalar(select(func.count()).where(*_counted(addon.id), Rating.body.is_not(None)))
    count = sum(per_score.values())
    addon.ratings_count = count
    addon.ratings_text_count = with_text
    addon.ratings_average = sum(score * n for score, n in per_score.items()) / count if count else 0.0
    aggregate = session.get(RatingAggregate, addon.id) or RatingAggregate(addon_id=addon.id)
    for score in SCORES:
        setattr(aggregate, f"count_{score}", per_score.get(score, 0))
    session.add(aggregate)
    session.flush()
    addon.ratings_bayesian_average = bayesian_average(session, addon)
    reindex(session, addon)


def bayesian_average(session: Session, addon: Addon) -> float:
    """AMO's: (C*m + n*average) / (C + n), where C is the mean number of ratings and m the mean
    average over the store's public add-ons that have ratings; 0 without ratings. An add-on with
    few ratings is pulled toward the store's mean, so one 5 does not top the `rating` sort."""
    if not addon.ratings_count:
        return 0.0
    mean_count, mean_average = session.execute(
        select(func.avg(Addon.ratings_count), func.avg(Addon.ratings_average))
        .where(Addon.status.in_(REVIEWED_STATUSES), Addon.status != AddonStatus.DELETED, Addon.ratings_count > 0)
    ).one()
    c, m, n = float(mean_count or 0), float(mean_average or 0), addon.ratings_count
    return (c * m + n * addon.ratings_average) / (c + n)


def grouped_ratings(session: Session, addon: Addon) -> dict[str, int]:
    aggregate = session.get(RatingAggregate, addon.id)
    return aggregate.grouped() if aggregate else {str(score): 0 for score in SCORES}


@dataclass(frozen=True)
class RatingQuery:
    """A list of ratings: of an add-on, of a user, or both; by version and scores; some left out."""
    addon: Addon | None = None
    user_id: int | None = None
    version_id: int | None = None
    scores: tuple[int, ...] = ()
    exclude_ids: tuple[int, ...] = ()
    filters: frozenset[str] = frozenset()


def list_ratings(session: Session, query: RatingQuery, caller: User | None, offset: int, limit: int
                 ) -> tuple[int, list[Rating]]:
    """(total, one page), newest first. Replies come inside their ratings, never as results; only
    ratings of listed add-ons; deleted ones only for admins who ask."""
    conditions = [Rating.reply_to_id.is_(None)]
    if not ("with_deleted" in query.filters and _may_see_deleted(caller)):
        conditions.append(Rating.is_deleted.is_(False))
    if query.addon is not None:
        conditions.append(Rating.addon_id == query.addon.id)
    else:
        listed = select(AddonDocument.addon_id).where(AddonDocument.is_listed.is_(True))
        conditions.append(Rating.addon_id.in_(listed))
    if query.user_id is not None:
        conditions.append(Rating.user_id == query.user_id)
    if query.version_id is not None:
        conditions.append(Rating.version_id == query.version_id)
    if query.scores:
        conditions.append(Rating.score.in_(query.scores))
    if query.exclude_ids:
        conditions.append(Rating.id.not_in(query.exclude_ids))
    if "without_empty_body" in query.filters:
        yours = Rating.user_id == caller.id if caller is not None and "with_yours" in query.filters else False
        conditions.append(Rating.body.is_not(None) | yours)
    total = session.scalar(select(func.count()).select_from(Rating).where(*conditions))
    page = session.scalars(
        select(Rating).where(*conditions).options(
            selectinload(Rating.user), selectinload(Rating.version), selectinload(Rating.addon),
            selectinload(Rating.reply).selectinload(Rating.user),
        ).order_by(Rating.created.desc(), Rating.id.desc()).offset(offset).limit(limit)
    ).all()
    return total, list(page)
