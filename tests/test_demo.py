"""The demo store of `make run`: every public version has a real package, signed by the store as
the pipeline signs, that the downloads, Firefox's update services and the latest link serve; its
Edge product is in the store with a CRX that Chromium's update check offers."""

import hashlib
import io
import json
import shutil
import zipfile
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from addonhub.accounts.models import User
from addonhub.accounts.service import create_user
from addonhub.api.app import create_app
from addonhub.catalog.constants import FileStatus
from addonhub.catalog.demo_packages import demo_package_files
from addonhub.catalog.models import Addon, File, Version
from addonhub.config import Settings
from addonhub.demo import load_demo_catalogue, publish_demo_product
from addonhub.jobs import Worker
from addonhub.packages.validation import ValidationOptions, validate_package
from addonhub.published_urls import VERSIONCHECK_PATH
from addonhub.signing.crx3 import verify_crx3
from addonhub.signing.verify import verify_xpi
from addonhub.store import Store
from addonhub.submissions.review import approve
from addonhub.workflows import give_up_handlers, handlers

FIREFOX = "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}"
BASE = "http://store.test"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, store_template):
    """One demo store for the module (signing its packages takes seconds): the store, the demo
    accounts' ids and the Edge product's id."""
    data_dir = tmp_path_factory.mktemp("demo") / "store"
    shutil.copytree(store_template, data_dir)
    store = Store(Settings(data_dir=data_dir))
    with store.db.session() as session:
        counts = load_demo_catalogue(session, store.blobs, lambda: store.signing_ca)
        developer = create_user(session, "developer@demo.example", "developer")
        reviewer = create_user(session, "reviewer@demo.example", "reviewer")
        session.flush()
        ids = developer.id, reviewer.id
    product_id = publish_demo_product(store, *ids)
    return store, counts, ids, product_id


@pytest.fixture(scope="module")
def client(demo):
    with TestClient(create_app(demo[0]), base_url=BASE) as client:
        yield client


def public_files(store) -> list:
    """(type, guid, add-on listed, version, file id, filename, storage key) of the public files of
    the catalogue's live versions (the Edge product's CRX aside)."""
    with store.db.session() as session:
        return list(session.execute(
            select(Addon.type, Addon.guid,
                   (Addon.status == "public") & Addon.is_disabled.is_(False) & (Version.channel == "listed"),
                   Version.version, File.id, File.filename, File.storage_key)
            .join(Version, Version.addon_id == Addon.id).join(File, File.version_id == Version.id)
            .where(Version.is_deleted.is_(False), File.status == FileStatus.PUBLIC,
                   File.filename.not_like("%.crx"))))


def manifest_of(package: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return json.loads(archive.read("manifest.json"))


def test_every_public_version_downloads_as_an_xpi_signed_by_the_store_for_its_add_on(demo, client, tmp_path):
    store, counts, _, _ = demo
    root = store.signing_ca.root_pem()
    files = public_files(store)
    assert len(files) > 100 and counts["packages"] > len(files)  # and the ones awaiting review
    for type_, guid, listed, version, file_id, filename, storage_key in files:
        with store.blobs.open(storage_key) as stored:
            package = stored.read()
        download = client.get(f"/downloads/file/{file_id}/{filename}")
        if listed:
            assert download.status_code == 200, (guid, version)
            assert download.headers["content-type"] == "application/x-xpinstall"
            assert download.content == package
        else:  # unlisted versions and disabled or deleted add-ons are for their people alone
            assert download.status_code in (401, 404)
        path = tmp_path / filename
        path.write_bytes(package)
        assert verify_xpi(path, root, guid) == [], (guid, version)
        manifest = manifest_of(package)
        assert (manifest["browser_specific_settings"]["gecko"]["id"], manifest["version"]) == (guid, version)
    assert {row[0] for row in files} == {"extension", "persona", "dictionary", "language", "search"}


def test_the_catalogue_shows_each_file_as_stored(demo, client):
    detail = client.get("/api/v4/addons/addon/privacy-shield/").json()
    [file] = detail["current_version"]["files"]
    package = client.get(file["url"].removeprefix(BASE)).content
    assert file["hash"] == "sha256:" + hashlib.sha256(package).hexdigest() and file["size"] == len(package)
    assert manifest_of(package)["permissions"] == file["permissions"]


def test_the_demo_recommends_a_couple_of_add_ons_and_lists_them_first(demo, client):
    recommended = client.get("/api/v4/addons/search/", params={"promoted": "recommended"}).json()["results"]
    assert sorted(addon["slug"] for addon in recommended) == ["keynest-password-manager", "privacy-shield"]
    assert {addon["slug"] for addon in client.get("/api/v4/addons/search/").json()["results"][:2]} == {
        "keynest-password-manager", "privacy-shield"}


def test_each_type_carries_what_firefox_needs_and_passes_the_stores_validation(demo, tmp_path):
    store = demo[0]
    options = ValidationOptions(listed=True, target="firefox", limits=store.settings.archive_limits(),
                                time_budget=30, addons_linter=None, store_base_url=None)
    needs = {"extension": "background", "persona": "theme", "dictionary": "dictionaries",
             "language": "langpack_id", "search": "chrome_settings_overrides"}
    with store.db.session() as session:
        for type_, needed in needs.items():
            file = session.scalar(select(File).join(Version).join(Addon, Addon.id == Version.addon_id).where(
                Addon.type == type_, File.status == FileStatus.PUBLIC).order_by(File.id).limit(1))
            with store.blobs.local_file(file.storage_key) as path:
                report = validate_package(path, options)
                with zipfile.ZipFile(path) as archive:
                    contents = {name: archive.read(name) for name in archive.namelist()}
            assert not report.has_errors, [m.message for m in report.messages]
            manifest = json.loads(contents["manifest.json"])
            assert needed in manifest, type_
            if type_ == "dictionary":
                [(_, dic)] = manifest["dictionaries"].items()
                assert {dic, dic.removesuffix(".dic") + ".aff"} <= contents.keys()
            # The same rows make the same package, signatures apart.
            again = demo_package_files(file.version.addon, file.version, file.permissions)
            assert {name: contents[name] for name in again} == again


def test_firefox_update_services_and_the_latest_link_serve_the_signed_packages(demo, client):
    guid = "privacy-shield@example.org"
    detail = client.get(f"/api/v4/addons/addon/{guid}/").json()
    current = detail["current_version"]
    updates = client.get(f"/updates/firefox/{guid}").json()["addons"][guid]["updates"]
    assert updates[0]["version"] == current["version"]
    packages = {}
    for update in updates:
        package = packages[update["version"]] = client.get(update["update_link"].removeprefix(BASE)).content
        assert update["update_hash"] == "sha256:" + hashlib.sha256(package).hexdigest()
        assert manifest_of(package)["version"] == update["version"]

    checked = client.get(VERSIONCHECK_PATH, params={"reqVersion": "2", "id": guid, "version": "0.1",
                                                    "appID": FIREFOX, "appVersion": "140.0"})
    [offered] = checked.json()["addons"][guid]["updates"]
    assert offered["version"] == current["version"]
    assert client.get(offered["update_link"].removeprefix(BASE)).content == packages[current["version"]]

    latest = client.get(f"/downloads/latest/{guid}/addon.xpi")
    assert latest.status_code == 200 and manifest_of(latest.content)["version"] == current["version"]
    assert "sha256:" + hashlib.sha256(latest.content).hexdigest() == current["files"][0]["hash"]


def test_the_demo_edge_product_is_in_the_store_and_chromium_is_offered_its_crx(demo, client, tmp_path):
    store, _, _, product_id = demo
    with store.db.session() as session:
        product = session.scalar(select(Addon).where(Addon.edge_product_id == product_id))
        crx_id = product.chromium_id
    query = urlencode({"prod": "chromiumcrx", "prodversion": "150.0.7000.1", "acceptformat": "crx3",
                       "x": urlencode({"id": crx_id, "v": "0.0.0.0", "installsource": "notfromwebstore"}) + "&uc"})
    response = client.get(f"/updates/chromium?{query}")
    [app] = ElementTree.fromstring(response.content)
    [updatecheck] = app
    assert app.get("appid") == crx_id and updatecheck.get("version") == "1.0.0"
    crx = client.get(updatecheck.get("codebase").removeprefix(BASE))
    assert crx.headers["content-type"] == "application/x-chrome-extension"
    assert updatecheck.get("hash_sha256") == hashlib.sha256(crx.content).hexdigest()
    path = tmp_path / "demo.crx"
    path.write_bytes(crx.content)
    assert verify_crx3(path).crx_id == crx_id


def test_approving_a_demo_add_on_in_review_signs_its_package_as_any_upload(demo, client):
    store, _, (_, reviewer_id), _ = demo
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.slug == "music-controls"))
        [version] = [v for v in addon.versions if v.files[0].status == FileStatus.NOMINATED]
        assert version.files[0].storage_key and not version.files[0].is_signed
        approve(session, version, session.get(User, reviewer_id))
        guid = addon.guid
    Worker(store.db, handlers(store), give_up=give_up_handlers()).drain()
    latest = client.get(f"/downloads/latest/{guid}/addon.xpi")
    assert latest.status_code == 200
    path = store.settings.data_dir / "approved.xpi"
    path.write_bytes(latest.content)
    assert verify_xpi(path, store.signing_ca.root_pem(), guid) == []
