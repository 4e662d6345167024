import pytest

from addonhub.catalog.appversions import is_valid, version_int


def test_packing_matches_amo():
    assert version_int("3.5.0a1pre2") == 3050000001002
    assert version_int("") == 200100
    assert version_int("garbage") == version_int("0")


@pytest.mark.parametrize("lower,higher", [
    ("3.6a5pre9", "3.6b1"), ("3.6b1", "3.6"), ("3.6.99.98", "3.6.*"), ("128.5", "128.*"), ("128.*", "129.0"),
    ("46.0a", "46.0"), ("9.0", "10.0"),
])
def test_ordering(lower, higher):
    assert version_int(lower) < version_int(higher)


def test_validity():
    assert is_valid("46.0") and is_valid("*") and is_valid("128.*") and is_valid("3.6a1pre2")
    assert not is_valid("1..2") and not is_valid("banana") and not is_valid("1.0-beta")
