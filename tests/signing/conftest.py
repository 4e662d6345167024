import shutil
from pathlib import Path

import pytest

from addonhub.signing.ca import SigningCA
from addonhub.signing.xpi import sign_xpi
from tests.signing.packages import make_xpi

ADDON_ID = "demo@example.org"


@pytest.fixture(scope="session")
def ca(store_template) -> SigningCA:
    return SigningCA.open(store_template)


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory) -> SigningCA:
    return SigningCA.open(tmp_path_factory.mktemp("other-store"))


@pytest.fixture
def data_dir(store_template, tmp_path) -> Path:
    """A data directory of its own, holding a copy of the session's CA."""
    directory = tmp_path / "data"
    shutil.copytree(store_template / "signing", directory / "signing")
    return directory


@pytest.fixture
def signed(ca, tmp_path) -> Path:
    """The demo package, signed for ADDON_ID."""
    output = tmp_path / "signed.xpi"
    sign_xpi(ca, make_xpi(tmp_path / "unsigned.xpi"), ADDON_ID, output)
    return output
