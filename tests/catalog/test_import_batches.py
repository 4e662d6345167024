"""An import reads and writes its add-ons a batch at a time: what crosses a batch's edge (a bad
record after some batches are written, the same add-on or slug in two batches, an author of many)
behaves as in one pass, and the caller hears how far it has got."""

import pytest
from sqlalchemy import func, select

from addonhub.catalog import importer
from addonhub.catalog.importer import CatalogueImportError, import_catalogue
from addonhub.accounts.models import User
from addonhub.catalog.models import Addon, AddonDocument, AddonUser
from addonhub.search import analyse, search_index_for
from tests.factories import addon_record, version_record


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)


def count(store, model) -> int:
    with store.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_bad_record_after_written_batches_leaves_nothing_imported(store):
    records = [addon_record(f"good-{n}") for n in range(5)] + [{**addon_record("bad", id=777), "weekly_downloads": -1}]
    with pytest.raises(CatalogueImportError, match=r"add-on #6 \(id 777, guid 'bad@example.org'\): field 'weekly_downloads'"):
        with store.db.session() as session:
            import_catalogue(session, records)
    assert count(store, Addon) == 0 and count(store, AddonDocument) == 0 and count(store, User) == 0
    with store.db.engine.connect() as connection:
        assert search_index_for(connection).match(connection, analyse("good")).rank(0, 10) == (0, [])


def test_progress_is_told_after_each_batch(store):
    seen = []
    with store.db.session() as session:
        import_catalogue(session, [addon_record(f"counted-{n}") for n in range(5)], lambda done, total: seen.append((done, total)))
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_an_add_on_given_twice_in_different_batches_is_updated_in_place(store):
    first = addon_record("twice", id=5150, average_daily_users=1)
    again = dict(first, name={"en-US": "Twice Renamed"}, average_daily_users=9,
                 versions=[version_record("2.0", created="2025-06-01T00:00:00Z")])
    with store.db.session() as session:
        import_catalogue(session, [first, addon_record("filler-a"), addon_record("filler-b"), again])
    with store.db.session() as session:
        addon = session.get(Addon, 5150)
        assert (addon.name, addon.average_daily_users) == ({"en-US": "Twice Renamed"}, 9)
        assert sorted(version.version for version in addon.versions) == ["1.0", "2.0"]
        assert addon.current_version.version == "2.0"
        document = session.get(AddonDocument, 5150)
        assert document.is_listed and document.name_sort == "twice renamed"
    with store.db.engine.connect() as connection:
        assert search_index_for(connection).match(connection, analyse("renamed")).rank(0, 10) == (1, [5150])


def test_a_slug_taken_in_an_earlier_batch_is_refused_and_one_given_up_in_the_same_batch_is_free(store):
    with store.db.session() as session:
        import_catalogue(session, [addon_record("holder", id=6001), addon_record("other", id=6002)])
    clash = [addon_record("filler-c"), addon_record("filler-d"), addon_record("holder", id=6003, guid="new@example.org")]
    with pytest.raises(CatalogueImportError, match=r"add-on #3 .*field 'slug': 'holder' already belongs to add-on 6001"):
        with store.db.session() as session:
            import_catalogue(session, clash)
    # Within one batch, 6001 moves to a new slug and 6002 takes the freed one.
    swap = [addon_record("moved", id=6001, guid="holder@example.org"), addon_record("holder", id=6002, guid="other@example.org")]
    with store.db.session() as session:
        import_catalogue(session, swap)
    with store.db.session() as session:
        assert dict(session.execute(select(Addon.id, Addon.slug)).all()) == {6001: "moved", 6002: "holder"}


def test_an_author_of_add_ons_in_several_batches_is_one_user(store):
    with store.db.session() as session:
        import_catalogue(session, [addon_record(f"by-one-{n}", authors=[{"username": "prolific"}]) for n in range(5)])
    assert count(store, AddonUser) == 5
    with store.db.session() as session:
        assert session.scalar(select(func.count(func.distinct(AddonUser.user_id)))) == 1


def test_an_author_keeps_the_last_display_name_the_records_give(store):
    authors = [[{"username": "ann", "name": "Ann A"}], [{"username": "ann"}],
               [{"username": "ann", "name": "Ann B"}], [{"username": "bob", "name": "Bob"}, {"username": "ann"}]]
    with store.db.session() as session:
        import_catalogue(session, [addon_record(f"named-{n}", authors=given) for n, given in enumerate(authors)])
    with store.db.session() as session:
        names = dict(session.execute(select(User.username, User.display_name)).all())
    assert names == {"ann": "Ann B", "bob": "Bob"}



# The next batch's lookups run before the batch before it is written (their statements overlap
# that batch's reading), unless it names what that batch adds: then they wait for it.
def test_a_slug_a_new_add_on_took_in_the_batch_before_is_refused(store):
    records = [addon_record("first", id=7001), addon_record("filler-e"), addon_record("first", id=7002, guid="second@example.org")]
    with pytest.raises(CatalogueImportError, match=r"add-on #3 .*field 'slug': 'first' already belongs to add-on 7001"):
        with store.db.session() as session:
            import_catalogue(session, records)
    assert count(store, Addon) == 0


def test_a_version_id_a_new_add_on_took_in_the_batch_before_is_refused(store):
    taken = version_record("1.0")
    records = [addon_record("taker", current_version=taken), addon_record("filler-f"),
               addon_record("reuser", current_version=version_record("2.0", id=taken["id"]))]
    with pytest.raises(CatalogueImportError, match=rf"add-on #3 .*field 'current_version.id': version id {taken['id']} already belongs"):
        with store.db.session() as session:
            import_catalogue(session, records)
    assert count(store, Addon) == 0


def test_an_add_on_the_store_numbered_in_the_batch_before_is_found_by_guid(store):
    unnumbered = {key: value for key, value in addon_record("unnumbered").items() if key != "id"}
    again = dict(unnumbered, name={"en-US": "Numbered Later"})
    with store.db.session() as session:
        import_catalogue(session, [unnumbered, addon_record("filler-g"), again])
    with store.db.session() as session:
        assert session.scalars(select(Addon.name).where(Addon.slug == "unnumbered")).all() == [{"en-US": "Numbered Later"}]


def test_a_version_id_the_store_gave_in_the_batch_before_is_refused(store):
    # The store numbers the first version it is given without an id 1, SQLite and PostgreSQL alike.
    unnumbered = {key: value for key, value in version_record("1.0").items() if key != "id"}
    records = [addon_record("numbered-by-store", current_version=unnumbered), addon_record("filler-h"),
               addon_record("claims-one", current_version=version_record("2.0", id=1))]
    with pytest.raises(CatalogueImportError, match=r"add-on #3 .*field 'current_version.id': version id 1 already belongs"):
        with store.db.session() as session:
            import_catalogue(session, records)
