"""The storefront's badge for add-ons in a badged promoted group (Recommended, By Firefox)."""

import re

import pytest

from addonhub.catalog.constants import PROMOTED_GROUPS
from addonhub.web.wording import BADGE_NAMES
from tests.factories import addon_record
from tests.web.test_pages import text_of


@pytest.fixture
def catalogue(load):
    load(addon_record("picked", name={"en-US": "Picked Tabs"}, average_daily_users=30,
                      promoted={"category": "recommended", "apps": ["firefox", "android"]}),
         addon_record("mozillas", name={"en-US": "Mozilla Tabs"}, average_daily_users=20,
                      promoted={"category": "line", "apps": ["firefox"]}),
         addon_record("noted", name={"en-US": "Noted Tabs"}, average_daily_users=10,
                      promoted={"category": "notable", "apps": ["firefox"]}),
         addon_record("plain", name={"en-US": "Plain Tabs"}, average_daily_users=5))


def badges(response) -> list[str]:
    return [re.sub(r"\s+", " ", badge).strip() for badge in re.findall(r'<p class="badge">(.*?)</p>', response.text)]


def test_every_badged_group_has_a_badge_name_and_only_those():
    assert set(BADGE_NAMES) == {name for name, group in PROMOTED_GROUPS.items() if group.badged}


@pytest.mark.parametrize("slug,badge", [("picked", ["Recommended"]), ("mozillas", ["By Firefox"]),
                                        ("noted", []), ("plain", [])])
def test_the_addon_page_shows_the_badge_of_a_badged_group(client, catalogue, slug, badge):
    assert badges(client.get(f"/addon/{slug}/")) == badge


def test_listing_cards_carry_the_badge_in_the_visitors_language(client, catalogue):
    cards = client.get("/search/?q=tabs")
    assert badges(cards) == ["Recommended", "By Firefox"]
    text = text_of(cards)
    assert text.index("Picked Tabs") < text.index("Recommended") < text.index("Mozilla Tabs")
    assert badges(client.get("/search/?q=tabs&lang=de")) == ["Empfohlen", "Von Firefox"]
