import pytest


@pytest.fixture
def owner(account):
    """An account with the username "owner", which test catalogues name as an author."""
    return account("owner@example.org", username="owner")
