"""Administering accounts: finding them, changing their role, disabling and enabling them.

Admins do this in the reviewer console, the store's operator with `addonhub users set-role|
disable|enable` (by_user None). A disabled account cannot log in, its web sessions end and none
of its credentials (bearer tokens, AMO API keys, Edge credentials and access tokens) work; its
add-ons and what it wrote stay. The store always keeps one enabled admin: the last one cannot be
demoted or disabled, by themselves or by the operator, so that the console stays reachable.
Every change is an activity-log entry naming the account it changed.
"""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from addonhub.accounts.models import ROLES, User
from addonhub.activity import service as activity
from addonhub.identifiers import can_name_a_record
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, Refused

MAX_SEARCH_LENGTH = 254


def require_admin(by_user: User | None, what: str) -> None:
    """Only admins (or the operator, None) administer the store; `what` says what was refused."""
    if by_user is not None and not by_user.is_admin:
        raise Refused(FORBIDDEN, f"Only administrators may {what}.")


def find_accounts(session: Session, search: str, offset: int, limit: int) -> tuple[int, list[User]]:
    """Accounts whose e-mail address, user name or display name contains `search` (in any case;
    every account when blank), oldest first, and how many there are in all."""
    search = search.strip()[:MAX_SEARCH_LENGTH]
    if not can_name_a_record(search):
        return 0, []  # no address or name holds a NUL, which PostgreSQL would refuse to be sent
    query = select(User)
    if search:
        # LIKE's wildcards typed by the admin are looked for as themselves.
        pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(*(func.lower(column).like(pattern, escape="\\")
                                  for column in (User.email, User.username, User.display_name))))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    return total, list(session.scalars(query.order_by(User.id).offset(offset).limit(limit)))


def account_by_id(session: Session, account_id: int | None) -> User:
    user = session.get(User, account_id) if account_id is not None else None
    if user is None:
        raise Refused(NOT_FOUND, "No such account.")
    return user


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuses a change that would leave the store without an enabled admin. The other admins'
    rows are locked (on PostgreSQL) so that two admins demoting each other at once cannot both pass."""
    if not user.is_admin or user.is_disabled:
        return
    others = session.scalars(select(User.id).where(User.role == "admin", User.is_disabled.is_(False),
                                                   User.id != user.id).with_for_update()).all()
    if not others:
        raise Refused(CONFLICT, f"{user.email or user.username} is the store's last administrator: "
                                "make another account an administrator first.")


def _record(session: Session, action: str, by_user: User | None, user: User, notes: str | None = None,
            **details) -> None:
    activity.record(session, action, by_user, notes=notes,
                    details={"account_id": user.id, "email": user.email, **details})


def set_role(session: Session, user: User, role: str, by_user: User | None) -> None:
    require_admin(by_user, "change roles")
    if role not in ROLES:
        raise Refused(INVALID, f"A role is one of {', '.join(ROLES)}.", field="role")
    if role == user.role:
        raise Refused(CONFLICT, f"{user.email or user.username} already has the role {role}.", field="role")
    if role != "admin":
        _keep_an_admin(session, user)
    _record(session, activity.ROLE_CHANGED, by_user, user, previous=user.role, role=role)
    user.role = role
    session.flush()


def disable_account(session: Session, user: User, by_user: User | None, reason: str | None = None) -> None:
    require_admin(by_user, "disable accounts")
    if by_user is not None and by_user.id == user.id:
        raise Refused(CONFLICT, "You cannot disable your own account.")
    if user.is_disabled:
        raise Refused(CONFLICT, f"{user.email or user.username} is already disabled.")
    _keep_an_admin(session, user)
    _record(session, activity.ACCOUNT_DISABLED, by_user, user, (reason or "").strip() or None)
    user.is_disabled = True
    session.flush()


def enable_account(session: Session, user: User, by_user: User | None, reason: str | None = None) -> None:
    require_admin(by_user, "enable accounts")
    if not user.is_disabled:
        raise Refused(CONFLICT, f"{user.email or user.username} is not disabled.")
    _record(session, activity.ACCOUNT_ENABLED, by_user, user, (reason or "").strip() or None)
    user.is_disabled = False
    session.flush()
