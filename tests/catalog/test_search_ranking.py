"""Relevance ranking of catalogue searches, asked of listing_search.search_ids directly.

Daily users grow from the strictest tier to the loosest, so that any order that let popularity
cross a tier boundary would put the loosest matches first."""

import pytest

from addonhub.catalog.listing_search import SearchQuery, search_ids
from tests.factories import addon_record


def addon(slug: str, name: str, users: int, summary: str = "Unrelated.", description: str = "Unrelated.",
          **overrides) -> dict:
    return addon_record(slug, name={"en-US": name}, summary={"en-US": summary},
                        description={"en-US": description}, average_daily_users=users, **overrides)


NIGHT_OWL_RANKING = [
    "exact-punctuated", "exact", "phrase-popular", "phrase", "words", "prefix",
    "summary", "summary-and-description", "description-dropped", "description-popular", "description",
]
KEPT_RANKING = ["exact", "phrase", "prefix", "summary-and-description", "description-popular", "description"]


@pytest.fixture
def catalogue(store, load):
    """Loads add-ons and returns a search over them: (total, slugs of the page)."""
    def catalogue(*records):
        load(*records)
        slug_of = {record["id"]: record["slug"] for record in records}

        def search(offset: int = 0, limit: int = 50, **query) -> tuple[int, list[str]]:
            with store.db.session() as session:
                total, ids = search_ids(session.connection(), SearchQuery(**query), offset, limit)
            return total, [slug_of[addon_id] for addon_id in ids]
        return search
    return catalogue


@pytest.fixture
def search(catalogue):
    """Every tier of "night owl" (but typos, which a word names contain never gets), and what
    must not match."""
    return catalogue(
        addon("exact", "Night Owl", 1, tags=["keep"]),
        addon("exact-punctuated", "NIGHT-OWL!", 2),
        # A name match whose summary matches too ranks as a name match only.
        addon("phrase", "Night Owl Pro", 10, summary="The night owl's tool.", tags=["keep"]),
        addon("phrase-popular", "The Night Owl", 20),
        addon("words", "Owl of the Night", 100),
        addon("prefix", "Night Owlery", 1_000, tags=["keep"]),
        addon("summary", "Moon Watcher", 10_000, summary="For every night owl."),
        addon("summary-and-description", "Sky", 5_000, summary="Night owl.", description="Night owl.", tags=["keep"]),
        addon("description", "Star Gazer", 100_000, description="Made for the night owl.", tags=["keep"]),
        addon("description-popular", "Comet", 200_000, description="Owls at night, a night owl's friend.",
              tags=["keep"]),
        addon("description-dropped", "Meteor", 300_000, description="Night owl."),
        # The words, but in different fields, or not all of them: no match.
        addon("apart", "Night Lamp", 1_000_000, summary="Owl"),
        addon("exact-owl", "Owl", 3),
        addon("unlisted", "Night Owl Hidden", 10_000_000, status="nominated"),
    )


def test_tiers_rank_exact_name_phrase_words_prefix_summary_then_description(search):
    assert search(q="night owl") == (len(NIGHT_OWL_RANKING), NIGHT_OWL_RANKING)


def test_exact_names_compare_terms_not_case_or_punctuation(search):
    assert search(q="Night, owl?")[1][:2] == ["exact-punctuated", "exact"]


def test_one_word_ranks_its_exact_name_first_and_every_name_before_summaries(search):
    total, found = search(q="owl")
    assert found == ["exact-owl", "words", "phrase-popular", "phrase", "exact-punctuated", "exact", "prefix",
                     "apart", "summary", "summary-and-description", "description-dropped", "description-popular",
                     "description"]
    assert total == len(found)


def test_prefix_then_typos_then_summary(catalogue):
    search = catalogue(
        addon("prefix", "Lanterns Glow", 1),
        addon("typo", "Lantirn Tools", 1_000),
        addon("summary", "Candle", 100_000, summary="A lantern for the night."),
        addon("too-far", "Lanzarote Maps", 1_000_000),
    )
    assert search(q="lantern") == (3, ["prefix", "typo", "summary"])


def test_a_word_that_names_contain_is_not_corrected(catalogue):
    search = catalogue(addon("meant", "Lantirn Tools", 1), addon("close", "Lanterns Glow", 1_000))
    assert search(q="lantirn") == (1, ["meant"])


def test_equal_popularity_in_a_tier_goes_to_the_lower_id(catalogue):
    search = catalogue(
        addon("name-second", "Blue Comet", 7, id=900_002), addon("name-first", "Comet Tail", 7, id=900_001),
        addon("summary-second", "Sky", 7, summary="A comet.", id=900_004),
        addon("summary-first", "Sun", 7, summary="Comet.", id=900_003),
    )
    assert search(q="comet") == (4, ["name-first", "name-second", "summary-first", "summary-second"])


def test_filters_apply_to_every_tier(search):
    assert search(q="night owl", tags=["keep"]) == (len(KEPT_RANKING), KEPT_RANKING)


def test_filters_that_exclude_every_name_match_still_rank_the_rest(search):
    assert search(q="night owl", tags=["keep"], exclude=["exact", "phrase", "prefix"]) == (
        3, ["summary-and-description", "description-popular", "description"])


@pytest.mark.parametrize("filters,ranking", [
    ({}, NIGHT_OWL_RANKING),
    ({"tags": ["keep"]}, KEPT_RANKING),
])
@pytest.mark.parametrize("page_size", [1, 2, 3, 4])
def test_pages_cross_tier_boundaries_without_gaps_or_repeats(search, filters, ranking, page_size):
    pages = [search(offset, page_size, q="night owl", **filters) for offset in range(0, len(ranking), page_size)]
    assert {total for total, _ in pages} == {len(ranking)}
    assert [slug for _, page in pages for slug in page] == ranking


@pytest.mark.parametrize("filters", [{}, {"tags": ["keep"]}])
def test_a_page_past_the_end_is_empty_and_keeps_the_total(search, filters):
    total, _ = search(q="night owl", **filters)
    assert search(total, 5, q="night owl", **filters) == (total, [])


def test_other_sorts_order_every_match_and_only_matches(search):
    assert search(q="night owl", sorts=["users"]) == (len(NIGHT_OWL_RANKING), [
        "description-dropped", "description-popular", "description", "summary", "summary-and-description", "prefix", "words",
        "phrase-popular", "phrase", "exact-punctuated", "exact",
    ])
