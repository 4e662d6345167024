"""Relevance ranking of catalogue searches, asked of listing_search.search_ids directly, with
listing_search.explain saying which clauses put each add-on where it is."""

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import inspect

from addonhub.catalog.importer import import_catalogue
from addonhub.catalog.models import Addon
from addonhub.catalog.listing_search import SearchQuery, explain, search_ids
from addonhub.catalog.promoted import promote
from addonhub.db import MIGRATIONS_DIR
from addonhub.search import Clause, search_index_for
from tests.factories import addon_record


def addon(slug: str, name: str, users: int = 100, summary: str = "Unrelated.", description: str = "Unrelated.",
          **overrides) -> dict:
    return addon_record(slug, name={"en-US": name}, summary={"en-US": summary},
                        description={"en-US": description}, average_daily_users=users, **overrides)


@pytest.fixture
def catalogue(store, load):
    """Loads add-ons and returns a search over them: (total, slugs of the page), with .why(q, slug)
    the clauses through which the add-on matches."""
    def catalogue(*records):
        load(*records)
        slug_of = {record["id"]: record["slug"] for record in records}
        id_of = {slug: addon_id for addon_id, slug in slug_of.items()}

        def search(offset: int = 0, limit: int = 50, **query) -> tuple[int, list[str]]:
            with store.db.session() as session:
                total, ids = search_ids(session.connection(), SearchQuery(**query), offset, limit)
            return total, [slug_of[addon_id] for addon_id in ids]

        def why(q: str, slug: str, **query):
            with store.db.session() as session:
                explanation = explain(session.connection(), SearchQuery(q=q, **query), id_of[slug])
            return explanation and explanation.clauses

        search.why = why
        search.id_of = id_of
        return search
    return catalogue


# Every add-on has the same daily users, so that the clauses alone decide.
NIGHT_OWL_RANKING = [
    "exact", "phrase", "words", "prefix", "summary-and-description", "some-words", "summary", "description",
]


@pytest.fixture
def search(catalogue):
    return catalogue(
        addon("exact", "NIGHT-OWL!", tags=["keep"]),
        addon("phrase", "Night Owl Pro"),
        addon("words", "Owl of the Night", tags=["keep"]),
        addon("prefix", "Night Owlery"),
        addon("some-words", "Night Lamp", tags=["keep"]),
        addon("summary-and-description", "Sky", summary="Night owl.", description="A night owl.", tags=["keep"]),
        addon("summary", "Moon Watcher", summary="For every night owl."),
        addon("description", "Star Gazer", description="Made for the owl of the night.", tags=["keep"]),
        addon("nothing", "Sun Dial"),
        addon("unlisted", "Night Owl Hidden", status="nominated"),
    )


def test_clauses_add_up_from_exact_name_down_to_description(search):
    assert search(q="night owl") == (len(NIGHT_OWL_RANKING), NIGHT_OWL_RANKING)
    assert search.why("night owl", "exact") == {
        Clause.EXACT_NAME: 400, Clause.NAME_PHRASE: 50, Clause.NAME_ALL_WORDS: 12, Clause.NAME_PREFIX: 4,
        Clause.NAME_SOME_WORDS: 6, Clause.NAME_PART: 6}
    assert search.why("night owl", "words") == {
        Clause.NAME_ALL_WORDS: 12, Clause.NAME_PREFIX: 4, Clause.NAME_SOME_WORDS: 6}
    assert search.why("night owl", "summary-and-description") == {Clause.SUMMARY: 3, Clause.DESCRIPTION: 2}
    assert search.why("night owl", "nothing") is None
    assert search.why("night owl", "unlisted") is None


def test_an_addon_with_some_of_the_words_ranks_lower_instead_of_vanishing(search):
    total, found = search(q="night owl")
    assert found.index("some-words") > found.index("prefix")
    assert search.why("night owl", "some-words") == {Clause.NAME_SOME_WORDS: 3}
    # Three words: a name needs two of them; the summary and description every one.
    total, found = search(q="night owl lamp")
    assert found[-1] == "some-words" and "summary" not in found
    assert search.why("night owl lamp", "some-words") == {Clause.NAME_SOME_WORDS: 4}


def test_stop_words_do_not_make_a_query_find_nothing(catalogue):
    search = catalogue(addon("manager", "Password Manager", summary="Keeps passwords.", description="Safe."),
                       addon("the-owl", "The Owl"))
    assert search(q="the password manager") == (1, ["manager"])
    assert search.why("the password manager", "manager")[Clause.NAME_PHRASE] == 50
    # A query of stop words only keeps them, and an exact name compares every word.
    assert search(q="the")[1] == ["the-owl"]
    assert Clause.EXACT_NAME in search.why("The Owl", "the-owl")


def test_the_requests_language_decides_its_stop_words_and_translated_names_match(catalogue):
    search = catalogue(addon_record("tabs", name={"en-US": "Tab Organiser", "fr": "Gestionnaire d'onglets"},
                                    average_daily_users=10))
    assert search(q="le gestionnaire", lang="fr") == (1, ["tabs"])
    assert Clause.NAME_ALL_WORDS in search.why("le gestionnaire", "tabs", lang="fr")
    # In English "le" is a word like any other, which the name lacks.
    assert search.why("le gestionnaire", "tabs") == {Clause.NAME_SOME_WORDS: 3}


def test_parts_of_words_and_run_together_words_match_names(catalogue):
    search = catalogue(addon("easy", "EasyReader"), addon("dark", "Dark Reader"), addon("other", "Dark Room"))
    assert search(q="reader")[1] == ["dark", "easy"]
    assert search.why("reader", "easy") == {Clause.NAME_PART: 6}
    assert search(q="darkreader") == (1, ["dark"])
    assert search.why("darkreader", "dark") == {Clause.NAME_PART: 6}
    # A typo inside a run-together word: corrected against names written as one word.
    assert search(q="darkreadr") == (1, ["dark"])
    assert search.why("darkreadr", "dark") == {Clause.NAME_TYPOS: 6}


def test_a_part_of_a_word_match_adds_its_text_clauses_and_counts_once(catalogue):
    search = catalogue(addon("easy", "EasyReader", summary="A reader for articles.", description="Reader mode."),
                       addon("text", "Articles", 1_000_000, summary="A reader."))
    assert search(q="reader") == (2, ["easy", "text"])
    assert search.why("reader", "easy") == {Clause.NAME_PART: 6, Clause.SUMMARY: 3, Clause.DESCRIPTION: 2}
    assert search(q="reader", limit=1) == (2, ["easy"])
    assert search(1, 1, q="reader") == (2, ["text"])


def test_typos_are_found_within_the_allowed_distance_sharing_the_first_two_letters(catalogue):
    search = catalogue(addon("prefix", "Lanterns Glow"), addon("typo", "Lantirn Tools"),
                       addon("summary", "Candle", summary="A lantern for the night."),
                       addon("too-far", "Lanzarote Maps"), addon("first-letters", "Mantern"))
    assert search(q="lantern") == (3, ["prefix", "typo", "summary"])
    assert search.why("lantern", "typo") == {Clause.NAME_TYPOS: 6}
    # "lantern" is also inside "lanternsglow": part and typo are alternatives, counted once.
    assert search.why("lantern", "prefix") == {Clause.NAME_PREFIX: 4, Clause.NAME_PART: 6}


def test_a_word_that_names_contain_is_not_corrected(catalogue):
    search = catalogue(addon("meant", "Lantirn Tools", 1), addon("close", "Lanterns Glow", 1_000))
    assert search(q="lantirn") == (1, ["meant"])


def test_popularity_multiplies_the_score(catalogue):
    search = catalogue(addon("used", "Tab Stash", 50_000), addon("unused", "Tab Stack", 5),
                       addon("text-popular", "Moon", 1_000_000, summary="Night owl."),
                       addon("name-unpopular", "Night Lamp", 0))
    assert search(q="tab")[1] == ["used", "unused"]
    # A popular add-on whose summary matches every word outranks an unused one whose name holds
    # only one of them: popularity is a factor, not only a tie-break.
    assert search(q="night owl")[1] == ["text-popular", "name-unpopular"]


def test_exact_and_near_exact_names_do_not_sink_below_popular_loose_matches(catalogue):
    search = catalogue(
        addon("exact", "Night Owl", 0), addon("near-exact", "Night Owl Pro", 0),
        addon("loose", "Night Lamp", 20_000_000, summary="For the night owl.", description="A night owl's lamp."),
        addon("text", "Moon", 20_000_000, summary="Night owl.", description="Night owl."),
    )
    assert search(q="night owl")[1] == ["exact", "near-exact", "loose", "text"]


def test_recommended_add_ons_are_boosted_as_amo_boosts_them(catalogue, store):
    search = catalogue(addon("plain", "Tab Stash", 1_000), addon("chosen", "Tab Stack", 1_000))
    assert search(q="tab")[1] == ["plain", "chosen"]
    with store.db.session() as session:
        promote(session, "chosen", "recommended")
        session.commit()
    assert search(q="tab")[1] == ["chosen", "plain"]
    with store.db.session() as session:
        assert explain(session.connection(), SearchQuery(q="tab"), search.id_of["chosen"]).boost == 5.0


def test_a_boost_from_outside_multiplies_the_score(catalogue, store):
    search = catalogue(addon("plain", "Tab Stash", 1_000), addon("boosted", "Tab Stack", 1_000))
    assert search(q="tab")[1] == ["plain", "boosted"]  # equal: the lower id first
    with store.db.session() as session:
        connection = session.connection()
        search_index_for(connection).index_addon(connection, search.id_of["boosted"], ["Tab Stack"], ["Unrelated."],
                                                 ["Unrelated."], 1_000, boost=3.0)
    assert search(q="tab")[1] == ["boosted", "plain"]
    with store.db.session() as session:
        explanation = explain(session.connection(), SearchQuery(q="tab"), search.id_of["boosted"])
    assert explanation.boost == 3.0
    assert explanation.score == pytest.approx(3 * sum(explanation.clauses.values()) * explanation.popularity)


def test_equal_scores_go_to_more_users_then_the_lower_id(catalogue):
    search = catalogue(
        addon("name-second", "Blue Comet", 7, id=900_002), addon("name-first", "Comet Tail", 7, id=900_001),
        addon("summary-second", "Sky", 7, summary="A comet.", id=900_004),
        addon("summary-first", "Sun", 7, summary="Comet.", id=900_003),
    )
    assert search(q="comet") == (4, ["name-first", "name-second", "summary-first", "summary-second"])


KEPT_RANKING = ["exact", "words", "summary-and-description", "some-words", "description"]


def test_filters_apply_to_every_clause(search):
    assert search(q="night owl", tags=["keep"]) == (len(KEPT_RANKING), KEPT_RANKING)
    assert search(q="night owl", tags=["keep"], exclude=["exact", "words"]) == (
        3, ["summary-and-description", "some-words", "description"])


@pytest.mark.parametrize("filters,ranking", [({}, NIGHT_OWL_RANKING), ({"tags": ["keep"]}, KEPT_RANKING)])
@pytest.mark.parametrize("page_size", [1, 2, 3, 4])
def test_pages_have_no_gaps_or_repeats(search, filters, ranking, page_size):
    pages = [search(offset, page_size, q="night owl", **filters) for offset in range(0, len(ranking), page_size)]
    assert {total for total, _ in pages} == {len(ranking)}
    assert [slug for _, page in pages for slug in page] == ranking


@pytest.mark.parametrize("filters", [{}, {"tags": ["keep"]}])
def test_a_page_past_the_end_is_empty_and_keeps_the_total(search, filters):
    total, _ = search(q="night owl", **filters)
    assert search(total, 5, q="night owl", **filters) == (total, [])


def test_other_sorts_order_every_match_and_only_matches(search):
    total, found = search(q="night owl", sorts=["name"])
    assert total == len(NIGHT_OWL_RANKING)
    assert found == sorted(NIGHT_OWL_RANKING, key=lambda slug: {
        "exact": "night-owl!", "phrase": "night owl pro", "words": "owl of the night", "prefix": "night owlery",
        "some-words": "night lamp", "summary-and-description": "sky", "summary": "moon watcher",
        "description": "star gazer"}[slug])


def test_an_approved_addon_is_searchable_at_once_and_a_removed_one_gone(catalogue, load):
    pending = addon("second", "Night Owl Two", status="nominated")
    search = catalogue(addon("first", "Night Owl"), pending)
    assert search(q="night owl") == (1, ["first"])
    load({**pending, "status": "public"})
    assert search(q="night owl") == (2, ["first", "second"])
    assert search(q="night owl two") == (2, ["second", "first"])


def test_the_scoring_migration_rebuilds_the_index_of_an_existing_store(catalogue, store):
    if store.db.engine.dialect.name != "sqlite":
        pytest.skip("0021 changes SQLite's search tables only: PostgreSQL's are made by 0022, with nothing to rebuild")
    search = catalogue(addon("dark", "Dark Reader", 5_000), addon("easy", "EasyReader", 50))
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0020")
        assert "addon_search_parts" not in inspect(connection).get_table_names()
    store.db.migrate()
    assert search(q="reader") == (2, ["dark", "easy"])
    assert search(q="darkreader") == (1, ["dark"])
    assert search.why("reader", "easy") == {Clause.NAME_PART: 6}


class _RolledBack(Exception):
    pass


def test_what_a_rolled_back_write_showed_its_own_transaction_is_never_shown_to_others(store, catalogue):
    """Each process keeps the listing and the index per revision (listing_snapshot, ranking's
    IndexSnapshot). A transaction searching its own uncommitted write sees it, but what it saw is
    not kept: after a rollback, the next commit takes the same revision numbers, and searches
    must show that commit, not the rolled-back one."""
    search = catalogue(addon("kept", "Kept Lamp"))
    assert search(q="lamp") == (1, ["kept"])
    with pytest.raises(_RolledBack), store.db.session() as session:
        import_catalogue(session, {"addons": [addon("phantom", "Phantom Lamp", users=5)]})
        assert search_ids(session.connection(), SearchQuery(q="lamp"), 0, 10)[0] == 2
        assert search_ids(session.connection(), SearchQuery(), 0, 10)[0] == 2
        raise _RolledBack
    with store.db.session() as session:
        import_catalogue(session, {"addons": [addon("real", "Real Clock", users=50)]})
    with store.db.session() as session:
        def slugs(**query):
            ids = search_ids(session.connection(), SearchQuery(**query), 0, 10)[1]
            return [session.get(Addon, addon_id).slug for addon_id in ids]
        assert slugs(q="lamp") == ["kept"]
        assert slugs(q="clock") == ["real"]
        assert slugs(sorts=["users"]) == ["kept", "real"]
