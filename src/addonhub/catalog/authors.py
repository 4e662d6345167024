"""An add-on's authors, as AMO keeps them: each an owner or a developer, listed (shown on the
add-on's pages) or not. Every author may submit versions and edit the listing; only owners change
who the authors are, and an add-on always keeps at least one owner, so that somebody can."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, AddonUser
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, Refused

OWNER, DEVELOPER = "owner", "developer"
ROLES = (OWNER, DEVELOPER)
LAST_OWNER = "An add-on needs at least one owner: make another author an owner first."


def author_link(addon: Addon, user: User | None) -> AddonUser | None:
    """The user's place among the add-on's authors, if they are one."""
    if user is None:
        return None
    return next((link for link in addon.authors if link.user_id == user.id), None)


def is_owner(addon: Addon, user: User | None) -> bool:
    link = author_link(addon, user)
    return link is not None and link.role == OWNER


def check_owner(addon: Addon, user: User | None) -> None:
    """Refuses whoever is not one of the add-on's owners (developers among its authors included)."""
    if not is_owner(addon, user):
        raise Refused(FORBIDDEN, "Only the add-on's owners may do this.")


def _checked_role(role: str) -> str:
    if role not in ROLES:
        raise Refused(INVALID, f'"{role}" is not a valid choice.', field="role")
    return role


def add_author(session: Session, addon: Addon, by_user: User, email: str, role: str = DEVELOPER,
               listed: bool = True) -> AddonUser:
    """Makes the account with this e-mail address an author, placed after the others."""
    check_owner(addon, by_user)
    role = _checked_role(role)
    email = email.strip()
    if not email:
        raise Refused(INVALID, "Give the e-mail address of the account to add.", field="email")
    user = session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        raise Refused(NOT_FOUND, "No account has this e-mail address: the person must sign up first.", field="email")
    if author_link(addon, user) is not None:
        raise Refused(CONFLICT, "This account is already an author of the add-on.", field="email")
    position = max((link.position for link in addon.authors), default=-1) + 1
    link = AddonUser(user=user, role=role, listed=listed, position=position)
    addon.authors.append(link)
    activity.record(session, activity.AUTHOR_ADDED, by_user, addon=addon,
                    details={"author": user.shown_name, "role": role, "listed": listed})
    reindex(session, addon)
    return link


def change_author(session: Session, addon: Addon, by_user: User, user_id: int, role: str, listed: bool) -> AddonUser:
    """Gives an author another role or shows or hides them; the last owner stays an owner."""
    check_owner(addon, by_user)
    role = _checked_role(role)
    link = _link_of(addon, user_id)
    if link.role == OWNER and role != OWNER:
        _keep_an_owner(addon, link)
    link.role, link.listed = role, listed
    activity.record(session, activity.AUTHOR_CHANGED, by_user, addon=addon,
                    details={"author": link.user.shown_name, "role": role, "listed": listed})
    reindex(session, addon)
    return link


def remove_author(session: Session, addon: Addon, by_user: User, user_id: int) -> None:
    check_owner(addon, by_user)
    link = _link_of(addon, user_id)
    _keep_an_owner(addon, link)
    addon.authors.remove(link)
    activity.record(session, activity.AUTHOR_REMOVED, by_user, addon=addon, details={"author": link.user.shown_name})
    reindex(session, addon)


def _link_of(addon: Addon, user_id: int) -> AddonUser:
    link = next((link for link in addon.authors if link.user_id == user_id), None)
    if link is None:
        raise Refused(NOT_FOUND, "This account is not an author of the add-on.")
    return link


def _keep_an_owner(addon: Addon, leaving: AddonUser) -> None:
    """Refuses a change that would leave the add-on without an owner."""
    if not any(link.role == OWNER for link in addon.authors if link is not leaving):
        raise Refused(CONFLICT, LAST_OWNER)
