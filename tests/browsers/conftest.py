"""Fixtures for the real-browser tests: live stores (tests/interop's), a refusing proxy, the
policy files, and the browsers themselves, all undone after each test; a failed test shows the
store's and the browsers' logs and where the browsers tried to go."""

import contextlib

import pytest

from tests.browsers.chromium import CHROMIUM, Chromium
from tests.browsers.firefox import FIREFOX, Firefox
from tests.browsers.policies import can_write_policies, chromium_policy, firefox_policy, machine_policies
from tests.browsers.proxy import RefusingProxy
from tests.interop.conftest import live_store_factory, store_log_sections  # noqa: F401 (a fixture, shared)

LOGS = pytest.StashKey[list]()  # (title, function returning the text) per browser


def _require_browser(path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is missing: `make test` installs Debian's chromium and firefox-esr")


@pytest.fixture
def refusing_proxy():
    with RefusingProxy() as proxy:
        yield proxy


@pytest.fixture
def policies(request):
    """`policies.chromium(policy)`, `policies.firefox(policy)`: written now, removed after the test."""
    if not can_write_policies():
        pytest.skip("the browsers take the store's add-ons from policy files, which only root may write")
    with contextlib.ExitStack() as stack:
        stack.enter_context(machine_policies())

        class Policies:
            @staticmethod
            def chromium(policy: dict) -> None:
                stack.enter_context(chromium_policy(f"addonhub-{request.node.name}", policy))

            @staticmethod
            def firefox(policy: dict) -> None:
                stack.enter_context(firefox_policy(policy))
        yield Policies


@pytest.fixture
def launch(request, tmp_path, refusing_proxy, policies):
    """`launch(Chromium)` or `launch(Firefox)`: the browser, started now on a fresh profile behind
    the refusing proxy (write its policies first), stopped after the test, before its policies go."""
    with contextlib.ExitStack() as stack:
        def start(kind):
            _require_browser(CHROMIUM if kind is Chromium else FIREFOX)
            name = kind.__name__.lower()
            browser = kind(tmp_path / f"{name}-profile", refusing_proxy.port, tmp_path / f"{name}.log")
            request.node.stash.setdefault(LOGS, []).append((f"{name} log ({browser.log_path})", browser.log))
            return stack.enter_context(browser)
        yield start


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        report.sections.extend(store_log_sections(item))
        for title, log in item.stash.get(LOGS, []):
            report.sections.append((title, log()))
        proxy = item.funcargs.get("refusing_proxy")
        if proxy is not None:
            report.sections.append(("refused by the proxy", "\n".join(proxy.refused)))
    return report
