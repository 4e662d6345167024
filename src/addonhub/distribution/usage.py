"""Usage figures from update checks: how many browsers use an add-on, as AMO counts them.

Browsers that install from the store ask it for updates, and those checks are the only sign of
use a store gets: Firefox asks once a day per install (the background check AMO counts), while
Chromium sends no usage ping to a host that is not Google's and asks at every start and every
5 hours. So the update endpoints count each check, per add-on, browser and UTC day, and nothing
else: no address, no user agent, no installed version, nothing that tells one user from another.

The count is a dict increment in this process (`UpdateCheckCounter`), so the update path pays
nothing measurable for it; the server flushes it into `update_check_counts` every
`usage_flush_seconds` and when it stops, by an upsert that adds to the row, so any number of
processes can flush into one database. A crash loses at most one interval of checks.

The periodic `usage-figures` job turns the last complete days into `average_daily_users`: Firefox
checks are users; Chromium checks are divided by how many checks a user's browser makes a day
(`chromium_checks_per_user_day`: an estimate, a browser started once and kept open for a working
day checks twice, one open round the clock five times). It reindexes only the add-ons whose
figure changed, so sorts and ranking by users follow.
"""

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import BigInteger, Date, ForeignKey, String, delete, distinct, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon
from addonhub.db import Base, Database

FIREFOX, CHROMIUM = "firefox", "chromium"
BROWSERS = (FIREFOX, CHROMIUM)
USAGE_JOB = "usage-figures"
# The figure is the mean of this many complete days: a week, so that weekends weigh as they do.
WINDOW_DAYS = 7
# Rows older than this are deleted by the job: the figure never reads them again.
RETENTION_DAYS = 90
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SECONDS_A_DAY = 86400


class UpdateCheckCount(Base):
    """The update checks one browser family made for one add-on on one UTC day."""

    __tablename__ = "update_check_counts"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    browser: Mapped[str] = mapped_column(String(16), primary_key=True)
    checks: Mapped[int] = mapped_column(BigInteger)


def _utc_day_number() -> int:
    return int(time.time()) // _SECONDS_A_DAY


class UpdateCheckCounter:
    """This process's update checks since the last flush, by (add-on id, browser, UTC day number).

    A lock, not a lock-free trick: flushing swaps the dict from another thread, and an increment
    that raced the swap would be lost; an uncontended lock costs tens of nanoseconds."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[tuple[int, str, int], int] = defaultdict(int)

    def count(self, addon_ids, browser: str) -> None:
        """One update check of each of these add-ons (a Chromium request asks for many at once)."""
        day = _utc_day_number()
        with self._lock:
            for addon_id in addon_ids:
                self._counts[(addon_id, browser, day)] += 1

    def _take(self) -> dict[tuple[int, str, int], int]:
        with self._lock:
            counts, self._counts = self._counts, defaultdict(int)
        return counts

    def _give_back(self, counts: dict[tuple[int, str, int], int]) -> None:
        with self._lock:
            for key, checks in counts.items():
                self._counts[key] += checks

    def flush(self, db: Database) -> int:
        """Adds the counts to the database and forgets them; on failure (a locked database) they
        are kept for the next flush. Says how many checks were written."""
        counts = self._take()
        if not counts:
            return 0
        try:
            with db.session() as session:
                add_checks(session, {(addon_id, browser, date.fromordinal(_EPOCH_ORDINAL + day)): checks
                                     for (addon_id, browser, day), checks in counts.items()})
        except Exception:
            self._give_back(counts)
            raise
        return sum(counts.values())


def _insert_for(session: Session):
    """The dialect's INSERT, which both SQLite and PostgreSQL give an ON CONFLICT clause."""
    return {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[session.get_bind().dialect.name]


def add_checks(session: Session, counts: dict[tuple[int, str, date], int]) -> None:
    """Adds checks to their rows (made when missing) in one statement: concurrent flushes of
    other processes add to the same rows rather than overwrite them. Add-ons deleted since
    their checks were counted are skipped."""
    existing = set(session.scalars(select(Addon.id).where(Addon.id.in_({key[0] for key in counts}))))
    rows = [{"addon_id": addon_id, "browser": browser, "day": day, "checks": checks}
            for (addon_id, browser, day), checks in counts.items() if addon_id in existing]
    if not rows:
        return
    insert = _insert_for(session)(UpdateCheckCount)
    session.execute(insert.on_conflict_do_update(
        index_elements=[UpdateCheckCount.addon_id, UpdateCheckCount.day, UpdateCheckCount.browser],
        set_={"checks": UpdateCheckCount.checks + insert.excluded.checks}), rows)


@dataclass(frozen=True)
class UsageEstimate:
    # How many update checks one Chromium user's browser makes a day (it sends no usage ping).
    chromium_checks_per_user_day: float

    def daily_users(self, checks: dict[str, int], days: int) -> int:
        """An add-on's users a day, from its checks per browser over `days` days."""
        users = checks.get(FIREFOX, 0) + checks.get(CHROMIUM, 0) / self.chromium_checks_per_user_day
        return round(users / days)


def refresh_average_daily_users(session: Session, estimate: UsageEstimate, today: date) -> dict[int, int]:
    """Sets `average_daily_users` of every add-on that has counted checks to its mean over the
    last WINDOW_DAYS complete days (today is not complete), and reindexes those whose figure
    changed; says which changed, to what. Days on which the store counted nothing at all (not
    yet running, or down) are left out of the mean rather than taken for days without users;
    add-ons never checked keep the figure they have (an imported catalogue's)."""
    start = today - timedelta(days=WINDOW_DAYS)
    in_window = (UpdateCheckCount.day >= start) & (UpdateCheckCount.day < today)
    days = session.scalar(select(func.count(distinct(UpdateCheckCount.day))).where(in_window))
    if not days:
        return {}
    checks: dict[int, dict[str, int]] = defaultdict(dict)
    for addon_id, browser, total in session.execute(
            select(UpdateCheckCount.addon_id, UpdateCheckCount.browser, func.sum(UpdateCheckCount.checks))
            .where(in_window).group_by(UpdateCheckCount.addon_id, UpdateCheckCount.browser)):
        checks[addon_id][browser] = int(total)
    counted = select(UpdateCheckCount.addon_id).scalar_subquery()
    changed = {}
    for addon in session.scalars(select(Addon).where(Addon.id.in_(counted)).order_by(Addon.id)):
        users = estimate.daily_users(checks.get(addon.id, {}), days)
        if users != addon.average_daily_users:
            addon.average_daily_users = users
            reindex(session, addon)
            changed[addon.id] = users
    session.execute(delete(UpdateCheckCount).where(UpdateCheckCount.day < today - timedelta(days=RETENTION_DAYS)))
    return changed


def usage_figures_job(estimate: UsageEstimate, session: Session, _payload: dict) -> None:
    """The periodic job: today's figures from the days before it."""
    refresh_average_daily_users(session, estimate, date.fromordinal(_EPOCH_ORDINAL + _utc_day_number()))
