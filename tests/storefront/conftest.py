"""One live store for the whole storefront set (starting one and publishing to it is most of the
time a test would take): `make run`'s demo catalogue, sign-up open as there, and the add-ons of
tests.storefront.catalogue published through the signing API. Chromium reaches it directly (loopback
is never proxied) and everything else through a proxy that refuses it."""

import pytest

from tests.browsers.proxy import RefusingProxy
from tests.interop.conftest import LiveStore
from tests.storefront.catalogue import HOSTILE, TAB_TIDY, publish_listed


@pytest.fixture(scope="session")
def refusing_proxy():
    with RefusingProxy() as proxy:
        yield proxy


@pytest.fixture(scope="session")
def storefront(tmp_path_factory):
    """The live store, with `published` (the API's detail of each add-on published here, by slug)."""
    store = LiveStore(tmp_path_factory.mktemp("storefront"), env={"ADDONHUB_SIGNUP": "open"})
    store.start()
    try:
        store.cli("demo")
        developer = store.create_user("tidy@example.org")
        scratch = tmp_path_factory.mktemp("packages")
        store.published = {listing["slug"]: publish_listed(store, developer, listing, scratch)
                           for listing in (TAB_TIDY, HOSTILE)}
        yield store
    finally:
        store.kill()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test shows the store's log."""
    report = yield
    store = item.funcargs.get("storefront")
    if report.failed and store is not None:
        report.sections.append((f"addonhub server log ({store.log_path})", store.log()))
    return report
