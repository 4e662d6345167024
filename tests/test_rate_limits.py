"""Rate limits shared by several processes: with ADDONHUB_RATE_LIMIT_STORAGE naming a Redis (a real
redis-server, tests/redis_server.py), a budget spent through one process is spent for every other;
the embedded default ("memory://") counts in each process alone; a Redis that does not answer
holds limited requests back (503) instead of letting them through uncounted."""

import shutil
import socket

import pytest
from fastapi.testclient import TestClient

from addonhub.api.app import create_app
from addonhub.config import Settings
from addonhub.rate_limits import ScopeLimits, SubmissionThrottle
from addonhub.store import Store
from tests.web.conftest import log_in

TWO_A_MINUTE = {"edge": ScopeLimits.parse("2/minute", "100/minute")}


def test_two_throttles_on_one_redis_share_each_budget(redis_url):
    first, second = (SubmissionThrottle(redis_url, TWO_A_MINUTE) for _ in range(2))
    assert first.wait_for("edge", 7, "192.0.2.1") is None
    assert second.wait_for("edge", 7, "192.0.2.2") is None
    # Account 7's budget is spent, whichever process it asks next; another account's is whole.
    assert 1 <= first.wait_for("edge", 7, "192.0.2.1") <= 60
    assert 1 <= second.wait_for("edge", 7, "192.0.2.3") <= 60
    assert second.wait_for("edge", 8, "192.0.2.3") is None


def test_throttles_in_memory_count_apart():
    first, second = (SubmissionThrottle("memory://", TWO_A_MINUTE) for _ in range(2))
    for throttle in (first, second):
        assert throttle.wait_for("edge", 7, None) is None
        assert throttle.wait_for("edge", 7, None) is None
        assert throttle.wait_for("edge", 7, None) is not None


@pytest.fixture
def two_servers(tmp_path, store_template):
    """Two apps as two `addonhub serve` processes run them: one database, a data directory each."""
    shutil.copytree(store_template, tmp_path / "first")
    database_url = Settings(data_dir=tmp_path / "first").effective_database_url
    clients = []

    def two_servers(rate_limit_storage: str) -> list[TestClient]:
        for name in ("first", "second"):
            settings = Settings(data_dir=tmp_path / name, database_url=database_url, signup="open",
                                rate_limit_storage=rate_limit_storage, throttle_web_login_per_user="3/minute")
            clients.append(TestClient(create_app(Store(settings)), base_url="http://store.test"))
        return clients
    yield two_servers
    for client in clients:
        client.close()


@pytest.mark.parametrize("shared, fourth_attempt", [(True, 429), (False, 400)])
def test_failed_log_ins_are_limited_across_servers_sharing_redis(two_servers, redis_url, shared, fourth_attempt):
    first, second = two_servers(redis_url if shared else "memory://")
    assert log_in(first, password="guess").status_code == 400
    assert log_in(second, password="guess").status_code == 400
    assert log_in(first, password="guess").status_code == 400
    # The proxy sends the fourth attempt to the other server: with Redis it has seen all three.
    assert log_in(second, password="guess").status_code == fourth_attempt


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_an_unreachable_redis_holds_log_ins_back_and_fails_the_heartbeat(tmp_path, store_template):
    shutil.copytree(store_template, tmp_path / "store")
    store = Store(Settings(data_dir=tmp_path / "store", signup="open",
                           rate_limit_storage=f"redis://127.0.0.1:{_closed_port()}/0"))
    with TestClient(create_app(store), base_url="http://store.test") as client:
        refused = log_in(client, password="guess")
        assert refused.status_code == 503 and refused.headers["retry-after"] == "30"
        assert refused.json() == {"detail": "Service temporarily unavailable; try again shortly."}
        heartbeat = client.get("/__heartbeat__")
        assert heartbeat.status_code == 503 and heartbeat.json()["checks"]["rate_limits"] == "error"
        # What no limit guards goes on.
        assert client.get("/api/v4/addons/search/").status_code == 200


def test_an_unknown_storage_is_refused_with_its_name(tmp_path):
    with pytest.raises(ValueError, match="rate_limit_storage 'rediss-typo://host'"):
        SubmissionThrottle("rediss-typo://host", TWO_A_MINUTE)
