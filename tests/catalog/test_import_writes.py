"""An import writes new add-ons with a statement a table, outside the ORM's unit of work; an add-on
already stored is changed in place through the session. What the API then shows of the new ones
must be what the store shows of them once it reads them back as any later edit would: their
rows, their document and their search entries, built again from the database by reindex_all()."""

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from addonhub.catalog.importer import _STORED_ADDON_GRAPH, import_catalogue
from addonhub.catalog.indexing import reindex_all
from addonhub.catalog.models import Addon

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from synthetic import CatalogueGenerator  # noqa: E402

SEARCHES = ["tab", "privacy video", "dark theme", "password manager", "download", "block ads", "translate"]


def api_views(client, records) -> dict:
    """What a client sees: every add-on's detail object (v4 and v5), and a few searches and listings."""
    views = {}
    for record in records:
        for api in ("v4", "v5"):
            response = client.get(f"/api/{api}/addons/addon/{record['guid']}/")
            views[f"{api} {record['guid']}"] = (response.status_code, response.json())
    for query in SEARCHES:
        for extra in ("", "&sort=users", "&app=android", "&type=statictheme"):
            response = client.get(f"/api/v4/addons/search/?q={query}{extra}&page_size=50")
            views[f"search {query}{extra}"] = (response.status_code, response.json())
    response = client.get("/api/v4/addons/search/?sort=created&page_size=50")
    views["listing"] = (response.status_code, response.json())
    return views


def without_version_ids(record: dict) -> dict:
    """The record with its versions and files left for the store to number."""
    for version in [record.get("current_version"), *record.get("versions", [])]:
        if version:
            version.pop("id", None)
            for file in version.get("files", []):
                file.pop("id", None)
    return record


# Given ids, a new add-on is inserted with its current version; without, it is given it once
# its versions have their ids.
@pytest.mark.parametrize("version_ids", ["given", "left to the store"])
def test_new_add_ons_read_back_from_the_database_show_what_the_import_wrote(store, client, version_ids):
    records = list(CatalogueGenerator().records(300))
    if version_ids != "given":
        records = [without_version_ids(record) for record in records]
    with store.db.session() as session:
        import_catalogue(session, {"addons": records})
    imported = api_views(client, records)
    # Add-ons awaiting review or disabled are not found; the rest are, and the searches find them.
    assert sum(status == 200 for status, _ in imported.values()) > 1.8 * len(records)
    assert all(body["count"] for key, (_, body) in imported.items() if key.startswith("search") and key.count("&") < 2)
    with store.db.session() as session:
        stored = session.scalars(select(Addon).options(*_STORED_ADDON_GRAPH)).all()
        assert len(stored) == len(records)
        reindex_all(session, list(stored))
    assert api_views(client, records) == imported
