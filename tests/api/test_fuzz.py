"""Schemathesis against the app in-process: requests made from the OpenAPI document, answered
without a 5xx and as the document says (statuses, media types, headers, bodies).

Bounded and derandomized, so that a run is the same run every time and takes a few minutes:
a failure is a finding to reproduce, not noise.
"""

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from addonhub.api.app import create_app
from addonhub.config import Settings
from addonhub.store import Store
from tests.factories import addon_record

pytestmark = pytest.mark.fuzz
# Edge's package upload is a raw zip body: sent as the bytes generated for it.
schemathesis.serializer.alias("application/zip", "application/octet-stream")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _schema():
    """The document as the app serves it. Parametrizing needs it at collection, before any
    fixture (schemathesis' from_fixture does not run on this pytest), and it is the same for
    every store: an empty one serves it here, and each test sends its cases to a store of its own."""
    with tempfile.TemporaryDirectory() as data_dir:
        return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(Store(Settings(data_dir=data_dir))))


schema = _schema()


@pytest.fixture
def fuzzed(store, load, account):
    """The app over a store with a listed add-on, and headers of a reviewer: past the 401s, to the
    catalogue, submission and review code behind them."""
    load(addon_record("thing"))
    _user_id, headers = account("fuzz@example.org", role="reviewer", username="fuzz")
    return create_app(store), headers


@schema.parametrize()
# The store is made per operation, not per example: examples share it as requests share a store.
@settings(max_examples=15, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_the_store_answers_as_its_openapi_document_says(case, fuzzed):
    app, headers = fuzzed
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)
