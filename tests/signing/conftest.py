import shutil
from pathlib import Path

import pytest

from addonhub.signing.ca import SigningCA
from addonhub.signing.xpi import sign_xpi
from tests.signing.packages import make_xpi

ADDON_ID = "demo@example.org"


@pytest.fixture(scope="session")
def ca_store(tmp_path_factory) -> Path:
    """A data directory with a signing CA, made once: a 4096-bit root takes about a second."""
    data_dir = tmp_path_factory.mktemp("store")
    SigningCA.open(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def ca(ca_store) -> SigningCA:
    return SigningCA.open(ca_store)


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory) -> SigningCA:
    return SigningCA.open(tmp_path_factory.mktemp("other-store"))


@pytest.fixture
def data_dir(ca_store, tmp_path) -> Path:
    """A data directory of its own, holding a copy of the session's CA."""
    directory = tmp_path / "data"
    shutil.copytree(ca_store / "signing", directory / "signing")
    return directory


@pytest.fixture
def signed(ca, tmp_path) -> Path:
    """The demo package, signed for ADDON_ID."""
    output = tmp_path / "signed.xpi"
    sign_xpi(ca, make_xpi(tmp_path / "unsigned.xpi"), ADDON_ID, output)
    return output
