"""Promoted groups in the catalogue: what an import takes and gives back, the operator's command
(`addonhub promoted`), its refusals, and the ranking weight a promotion gives."""

import json

import orjson
import pytest
from sqlalchemy import select

from addonhub.catalog import service
from addonhub.catalog.constants import PROMOTED_GROUPS
from addonhub.catalog.importer import CatalogueImportError, import_catalogue
from addonhub.catalog.models import AddonDocument
from addonhub.catalog.indexing import search_boost
from addonhub.catalog.promoted import demote, promote
from addonhub.catalog.serializers import promoted_groups
from addonhub.cli import main
from addonhub.refusals import INVALID, NOT_FOUND, Refused
from tests.factories import addon_record


def stored_document(store, slug: str) -> dict:
    with store.db.session() as session:
        return orjson.loads(service.document(session, service.find_addon(session, slug).id))


def test_a_v4_promoted_object_round_trips_through_import(store, load):
    load(addon_record("picked", promoted={"category": "recommended", "apps": ["android", "firefox"]}),
         addon_record("plain", promoted=None))
    # AMO's order of applications (firefox first), whatever order the record gave.
    assert stored_document(store, "picked")["promoted"] == {"category": "recommended", "apps": ["firefox", "android"]}
    assert stored_document(store, "plain")["promoted"] is None


def test_a_v5_promoted_list_keeps_every_group_and_v4_shows_the_first_in_amo_order(store, load):
    groups = [{"category": "notable", "apps": ["firefox"]}, {"category": "line", "apps": ["firefox", "android"]}]
    load(addon_record("both", promoted=groups))
    # line (AMO id 4) comes before notable (7): the one a v3/v4 client sees is the badged one.
    assert stored_document(store, "both")["promoted"] == {"category": "line", "apps": ["firefox", "android"]}
    with store.db.session() as session:
        assert promoted_groups(service.find_addon(session, "both")) == [groups[1], groups[0]]


def test_reimporting_without_promoted_takes_the_add_on_out(store, load):
    record = addon_record("was-picked", promoted=[{"category": "recommended", "apps": ["firefox"]}])
    load(record)
    load(dict(record, promoted=[]))
    assert stored_document(store, "was-picked")["promoted"] is None


def test_an_add_on_without_a_current_version_is_not_currently_promoted(store, load):
    load(addon_record("no-version", current_version=None, promoted={"category": "recommended", "apps": ["firefox"]}))
    assert stored_document(store, "no-version")["promoted"] is None


@pytest.mark.parametrize("promoted,problem", [
    ({"category": "sponsored", "apps": ["firefox"]}, "field 'promoted.category': 'sponsored' is not one of"),
    ([{"category": "line", "apps": ["thunderbird"]}], "field 'promoted[0].apps': 'thunderbird' is not one of"),
    ([{"category": "line", "apps": []}], "field 'promoted[0].apps': must name the applications"),
    ([{"apps": ["firefox"]}], "field 'promoted[0].category': is required"),
    ("recommended", "field 'promoted': expected a list or an object"),
])
def test_bad_promoted_values_are_import_errors_naming_the_field(store, promoted, problem):
    with store.db.session() as session, pytest.raises(CatalogueImportError, match=problem.replace("[", r"\[")):
        import_catalogue(session, [addon_record("bad", promoted=promoted)])


def test_promote_replaces_the_groups_applications_and_demote_takes_one_group_or_all(store, load):
    load(addon_record("tabby"))
    with store.db.session() as session:
        promote(session, "tabby", "recommended")
        promote(session, "tabby", "notable", ["android"])
        promote(session, "tabby", "recommended", ["android"])
    assert stored_document(store, "tabby")["promoted"] == {"category": "recommended", "apps": ["android"]}
    with store.db.session() as session:
        demote(session, "tabby", "recommended")
    assert stored_document(store, "tabby")["promoted"] == {"category": "notable", "apps": ["android"]}
    with store.db.session() as session:
        demote(session, "tabby")
        demote(session, "tabby")  # in no group already: nothing to refuse
    assert stored_document(store, "tabby")["promoted"] is None


def test_the_read_model_flags_the_recommended_group_only(store, load):
    load(addon_record("rec", promoted={"category": "recommended", "apps": ["firefox"]}),
         addon_record("by-firefox", promoted={"category": "line", "apps": ["firefox"]}))
    with store.db.session() as session:
        flags = dict(session.execute(select(AddonDocument.addon_id, AddonDocument.is_recommended)).all())
        assert flags == {service.find_addon(session, "rec").id: True, service.find_addon(session, "by-firefox").id: False}


@pytest.mark.parametrize("call,reason,field,words", [
    (lambda s: promote(s, "tabby", "sponsored"), INVALID, "group", 'Unknown promoted group "sponsored"'),
    (lambda s: promote(s, "tabby", "recommended", ["firefox", "seamonkey"]), INVALID, "app",
     'cannot be promoted for "seamonkey"'),
    (lambda s: promote(s, "nobody", "recommended"), NOT_FOUND, "addon", 'No add-on "nobody".'),
    (lambda s: demote(s, "tabby", "popular"), INVALID, "group", 'Unknown promoted group "popular"'),
])
def test_refusals_say_what_is_unknown(store, load, call, reason, field, words):
    load(addon_record("tabby"))
    with store.db.session() as session, pytest.raises(Refused) as refused:
        call(session)
    assert (refused.value.reason, refused.value.field) == (reason, field)
    assert words in refused.value.message


def test_search_boost_is_amos_bump_once_per_distinct_weight(store, load):
    load(addon_record("plain"), addon_record("notable", promoted={"category": "notable", "apps": ["firefox"]}),
         addon_record("rec", promoted={"category": "recommended", "apps": ["firefox"]}),
         addon_record("rec-and-line", promoted=[{"category": "recommended", "apps": ["firefox"]},
                                                {"category": "line", "apps": ["android"]}]),
         addon_record("unversioned", current_version=None, promoted={"category": "line", "apps": ["firefox"]}))
    with store.db.session() as session:
        boosts = {slug: search_boost(service.find_addon(session, slug))
                  for slug in ("plain", "notable", "rec", "rec-and-line", "unversioned")}
    bump = PROMOTED_GROUPS["recommended"].search_ranking_bump
    assert bump == PROMOTED_GROUPS["line"].search_ranking_bump == 5.0
    assert boosts == {"plain": 1.0, "notable": 1.0, "rec": bump, "rec-and-line": bump, "unversioned": 1.0}


def cli(store, *args) -> int:
    return main(["promoted", *args, "--data-dir", str(store.settings.data_dir)])


@pytest.mark.usefixtures("cli_database")
def test_the_promoted_command_sets_clears_and_lists(store, load, capsys):
    load(addon_record("tabby"), addon_record("other"))
    assert cli(store, "set", "tabby", "recommended", "--app", "firefox") == 0
    assert capsys.readouterr().out == "tabby  tabby@example.org  recommended (firefox)\n"
    assert cli(store, "set", "tabby@example.org", "notable") == 0
    assert capsys.readouterr().out == "tabby  tabby@example.org  recommended (firefox); notable (firefox, android)\n"
    assert stored_document(store, "tabby")["promoted"] == {"category": "recommended", "apps": ["firefox"]}

    assert cli(store, "list", "--json") == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["slug"] == "tabby" and listed["promoted"] == [
        {"category": "recommended", "apps": ["firefox"]}, {"category": "notable", "apps": ["firefox", "android"]}]
    assert cli(store, "list", "line") == 0
    assert capsys.readouterr().out == "No add-on is promoted.\n"

    assert cli(store, "clear", "tabby", "recommended") == 0
    assert capsys.readouterr().out == "tabby  tabby@example.org  notable (firefox, android)\n"
    assert cli(store, "clear", "tabby") == 0
    assert capsys.readouterr().out == "tabby  tabby@example.org  in no promoted group\n"
    assert stored_document(store, "tabby")["promoted"] is None


@pytest.mark.parametrize("args,words", [
    (("set", "tabby", "sponsored"), 'Unknown promoted group "sponsored": use one of recommended, line, spotlight'),
    (("set", "tabby", "line", "--app", "thunderbird"), 'cannot be promoted for "thunderbird": use firefox or android'),
    (("set", "ghost", "line"), 'No add-on "ghost".'),
    (("clear", "ghost"), 'No add-on "ghost".'),
    (("list", "popular"), 'Unknown promoted group "popular"'),
])
@pytest.mark.usefixtures("cli_database")
def test_the_promoted_command_words_refusals_and_changes_nothing(store, load, capsys, args, words):
    load(addon_record("tabby"))
    assert cli(store, *args) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("addonhub: ") and words in captured.err
    assert stored_document(store, "tabby")["promoted"] is None
