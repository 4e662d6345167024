"""Usage figures: update checks counted in the process, flushed into the database by upsert, and
turned into the average_daily_users the catalogue shows and sorts by."""

from datetime import date, datetime, timedelta, timezone

from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from addonhub.api.app import create_app
from addonhub.catalog.models import Addon
from addonhub.distribution.usage import (
    CHROMIUM, FIREFOX, RETENTION_DAYS, USAGE_JOB, UpdateCheckCount, UpdateCheckCounter, UsageEstimate, add_checks,
    refresh_average_daily_users,
)
from addonhub.jobs import Worker, enqueue
from addonhub.workflows import handlers
from tests.distribution.test_chromium_updates import UNKNOWN_ID, x
from tests.distribution.test_chromium_updates import check as chromium_check
from tests.distribution.test_versioncheck import catalogue  # noqa: F401  (a fixture)
from tests.distribution.test_versioncheck import check as versioncheck
from tests.factories import addon_record

TODAY = date(2026, 3, 10)
ESTIMATE = UsageEstimate(chromium_checks_per_user_day=3.0)


def _ids(store, *slugs) -> list[int]:
    with store.db.session() as session:
        return [session.scalar(select(Addon.id).where(Addon.slug == slug)) for slug in slugs]


def _rows(store) -> dict[tuple[int, str, date], int]:
    with store.db.session() as session:
        return {(row.addon_id, row.browser, row.day): row.checks for row in session.scalars(select(UpdateCheckCount))}


def _users(client, slug) -> int:
    return client.get(f"/api/v4/addons/addon/{slug}/").json()["average_daily_users"]


def test_counters_of_several_processes_add_up_in_one_row(store, load):
    load(addon_record("counted"))
    [addon_id] = _ids(store, "counted")
    first, second = UpdateCheckCounter(), UpdateCheckCounter()  # as two server processes hold them
    first.count([addon_id, addon_id], FIREFOX)
    first.count([addon_id], CHROMIUM)
    second.count([addon_id], FIREFOX)
    assert first.flush(store.db) == 3 and second.flush(store.db) == 1
    second.count([addon_id], FIREFOX)
    assert second.flush(store.db) == 1
    assert first.flush(store.db) == 0  # flushed counts are forgotten, never written twice
    today = datetime.now(timezone.utc).date()  # days are UTC days
    assert _rows(store) == {(addon_id, FIREFOX, today): 4, (addon_id, CHROMIUM, today): 1}


def test_checks_of_an_add_on_deleted_before_the_flush_are_dropped_not_fatal(store, load):
    load(addon_record("kept"), addon_record("gone"))
    kept, gone = _ids(store, "kept", "gone")
    counter = UpdateCheckCounter()
    counter.count([kept, gone], FIREFOX)
    with store.db.session() as session:
        session.execute(delete(Addon).where(Addon.id == gone))
    counter.flush(store.db)
    assert [key[0] for key in _rows(store)] == [kept]


def test_a_failed_flush_keeps_the_counts_for_the_next(store, load):
    load(addon_record("retried"))
    [addon_id] = _ids(store, "retried")
    counter = UpdateCheckCounter()
    counter.count([addon_id], FIREFOX)

    class Unavailable:
        def session(self):
            raise RuntimeError("database is locked")

    try:
        counter.flush(Unavailable())
    except RuntimeError:
        pass
    assert counter.flush(store.db) == 1 and sum(_rows(store).values()) == 1


def test_the_server_flushes_what_it_counted_when_it_stops(store, load):
    load(addon_record("served"))
    [addon_id] = _ids(store, "served")
    with TestClient(create_app(store)):
        store.update_checks.count([addon_id], CHROMIUM)
        assert _rows(store) == {}
    assert sum(_rows(store).values()) == 1


def _day(days_ago: int) -> date:
    return TODAY - timedelta(days=days_ago)


def test_daily_users_come_from_the_complete_days_and_show_in_the_catalogue(store, load, client):
    load(addon_record("both-browsers", average_daily_users=5), addon_record("firefox-only", average_daily_users=5),
         addon_record("abandoned", average_daily_users=70), addon_record("never-checked", average_daily_users=100))
    both, firefox_only, abandoned, never = _ids(store, "both-browsers", "firefox-only", "abandoned", "never-checked")
    with store.db.session() as session:
        add_checks(session, {
            # Two counted days: 10 Firefox installs and 30 Chromium checks (10 users) a day.
            (both, FIREFOX, _day(1)): 10, (both, CHROMIUM, _day(1)): 30,
            (both, FIREFOX, _day(2)): 10, (both, CHROMIUM, _day(2)): 30,
            # 400 checks on one of the two days: 200 a day.
            (firefox_only, FIREFOX, _day(2)): 400,
            # Today is not over: its checks wait for tomorrow's figure.
            (both, FIREFOX, TODAY): 5000,
            # Checked last month, not this week: nobody uses it any more.
            (abandoned, FIREFOX, _day(30)): 70,
            # Past the retention: deleted.
            (abandoned, FIREFOX, _day(RETENTION_DAYS + 1)): 1,
        })
    with store.db.session() as session:
        changed = refresh_average_daily_users(session, ESTIMATE, TODAY)
    assert changed == {both: 20, firefox_only: 200, abandoned: 0}
    assert [_users(client, slug) for slug in ("both-browsers", "firefox-only", "abandoned", "never-checked")] == \
        [20, 200, 0, 100]
    listing = client.get("/api/v4/addons/search/?sort=users&type=extension").json()["results"]
    assert [addon["slug"] for addon in listing] == ["firefox-only", "never-checked", "both-browsers", "abandoned"]
    assert (abandoned, FIREFOX, _day(RETENTION_DAYS + 1)) not in _rows(store)
    with store.db.session() as session:  # nothing changed since: nothing is reindexed
        assert refresh_average_daily_users(session, ESTIMATE, TODAY) == {}


def test_a_store_that_counted_nothing_yet_leaves_the_figures_alone(store, load, client):
    load(addon_record("imported", average_daily_users=123))
    [addon_id] = _ids(store, "imported")
    with store.db.session() as session:
        add_checks(session, {(addon_id, FIREFOX, TODAY): 9})  # only today's, which is not complete
        assert refresh_average_daily_users(session, ESTIMATE, TODAY) == {}
    assert _users(client, "imported") == 123


def test_the_periodic_job_updates_the_figures(store, load, client):
    load(addon_record("periodic", average_daily_users=0))
    [addon_id] = _ids(store, "periodic")
    yesterday = datetime.now(timezone.utc).date() - timedelta(days=1)
    with store.db.session() as session:
        add_checks(session, {(addon_id, FIREFOX, yesterday): 42})
        enqueue(session, USAGE_JOB, {})
    Worker(store.db, handlers(store)).drain()
    assert _users(client, "periodic") == 42


def test_update_checks_of_both_browsers_are_counted_and_unknown_ids_are_not(store, client, catalogue,
                                                                            new_product, release):
    catalogue()
    product = new_product()
    release(product, "1.0.0")
    chromium_check(client, x(product.chromium_id, "1.0.0"), x(UNKNOWN_ID))
    chromium_check(client, x(product.chromium_id, "0.0.0.0"))
    versioncheck(client)
    versioncheck(client, id="unknown@example.org")
    store.update_checks.flush(store.db)
    [firefox_addon] = _ids(store, "checked")
    counted = {(addon_id, browser): checks for (addon_id, browser, _day), checks in _rows(store).items()}
    assert counted == {(product.addon_id, CHROMIUM): 2, (firefox_addon, FIREFOX): 1}
