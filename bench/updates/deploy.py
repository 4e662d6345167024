"""The store the update benchmark serves: a copy of `make bench`'s synthetic catalogue (built
through the store's import path, bench/catalogue.py) whose files are given names and storage
keys, as published files have (an AMO import brings metadata only), and whose even-id
extensions are deployed to Chromium-family browsers, each with its crx id and a public CRX.

What is served goes through the real endpoints; only the set-up takes a short cut. Giving 40,000
add-ons a CRX through the store's own path would mean 40,000 RSA keys and signatures, hours of
CPU on this machine, for rows the update service reads exactly as it reads any others: so the
rows are written directly, with a random crx id each and one encrypted key shared by all (the
update service never reads keys). No blob is behind the storage keys: update checks only name
the files, and the benchmark downloads none. The copy keeps `make bench`'s catalogue as it was.
"""

import hashlib
import json
import random
import shutil
import string
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import bindparam, func, insert, select, update

from addonhub.accounts.keys import KeyCipher
from addonhub.catalog.constants import AddonStatus, Channel, FileStatus
from addonhub.catalog.models import Addon, File, Version
from addonhub.config import Settings
from addonhub.distribution.chromium import ChromiumKey, ChromiumPackage
from addonhub.store import Store

import catalogue
from checks import Deployed

MARKER = "UPDATES.json"
SEED = 20261202
MIN_CHROME_SHARE = 0.2  # of deployed extensions declare a minimum_chrome_version (all below the bench's browser)


def fixture_fingerprint() -> str:
    """Changes when this file (what the copy gets) changes."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def ensure_store(bench_work: Path, work: Path, addons: int, rebuild: bool) -> tuple[Path, dict]:
    """The updates store for a catalogue of `addons` (built or reused), and its build record."""
    source, built = catalogue.ensure_catalogue(bench_work, addons, rebuild)
    target = work / f"catalogue-{addons}"
    wanted = {"source_built_at": built["built_at"], "fixture": fixture_fingerprint()}
    marker = catalogue.load_marker(target) and _load(target / MARKER)
    if marker and all(marker.get(key) == value for key, value in wanted.items()) and not rebuild:
        print(f"Reusing {target} ({marker['chromium_addons']:,} Chromium deployments)", flush=True)
        return target, dict(built, updates=marker)
    if target.exists():
        shutil.rmtree(target)
    started = time.perf_counter()
    shutil.copytree(source, target)
    store = Store(Settings(data_dir=target))  # applies the migrations the catalogue predates
    name_files(store)
    deployments = deploy_chromium(store)
    store.db.engine.dispose()
    marker = dict(wanted, chromium_addons=deployments, seconds=round(time.perf_counter() - started, 1))
    (target / MARKER).write_text(json.dumps(marker, indent=2))
    return target, dict(built, updates=marker)


def _load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _file_name(slug: str, version: str, extension: str) -> str:
    return f"{slug}-{version}.{extension}"


def name_files(store: Store) -> None:
    """Gives every file the name and storage key a published XPI has (files/<id>/<name>)."""
    with store.db.session() as session:
        rows = session.execute(select(File.id, Addon.slug, Version.version).join(Version, Version.id == File.version_id)
                               .join(Addon, Addon.id == Version.addon_id)).all()
        names = [{"file_id": file_id, "name": _file_name(slug, version, "xpi")} for file_id, slug, version in rows]
        _rename(session, names)


def _rename(session, names: list[dict]) -> None:
    """Sets each file's name ({"file_id", "name"}) and the storage key that goes with it."""
    session.connection().execute(
        update(File).where(File.id == bindparam("file_id"))
        .values(filename=bindparam("name"), storage_key=func.printf("files/%d/%s", bindparam("file_id"), bindparam("name")))
        .execution_options(synchronize_session=False), names)


def _chromium_targets(session) -> list:
    """Extensions with an even id and a current version: (addon id, slug, version, file id). Odd ids
    stay Firefox-only, so that the Firefox checks (firefox_deployments) ask about other add-ons."""
    return session.execute(
        select(Addon.id, Addon.slug, Version.version, File.id)
        .join(Version, Version.id == Addon.current_version_id).join(File, File.version_id == Version.id)
        .where(Addon.type == "extension", Addon.id % 2 == 0).order_by(Addon.id)
    ).all()


def _crx_ids(rng: random.Random, count: int) -> list[str]:
    ids: dict[str, None] = {}
    while len(ids) < count:
        ids["".join(rng.choice(string.ascii_lowercase[:16]) for _ in range(32))] = None
    return list(ids)


def deploy_chromium(store: Store) -> int:
    """Makes each target's current file a public CRX of the add-on, as approving an Edge
    submission does (distribution.chromium.build_crx): the add-on gets a Chromium id and a key, the
    file a .crx name and a ChromiumPackage row. Returns how many add-ons were deployed."""
    rng = random.Random(SEED)
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode("ascii")
    encrypted = KeyCipher.open(store.settings.data_dir).encrypt(pem)
    with store.db.session() as session:
        targets = _chromium_targets(session)
        crx_ids = _crx_ids(rng, len(targets))
        connection = session.connection()
        connection.execute(update(Addon).where(Addon.id == bindparam("addon_id")).values(chromium_id=bindparam("crx_id"))
                           .execution_options(synchronize_session=False),
                           [{"addon_id": addon_id, "crx_id": crx_id} for (addon_id, *_), crx_id in zip(targets, crx_ids)])
        connection.execute(insert(ChromiumKey), [{"addon_id": addon_id, "private_key_encrypted": encrypted}
                                                 for addon_id, *_ in targets])
        _rename(session, [{"file_id": file_id, "name": _file_name(slug, version, "crx")}
                          for _, slug, version, file_id in targets])
        connection.execute(insert(ChromiumPackage), [
            {"file_id": file_id, "crx_id": crx_id,
             "min_chrome_version": rng.choice(("88", "102", "120")) if rng.random() < MIN_CHROME_SHARE else None}
            for (_, _, _, file_id), crx_id in zip(targets, crx_ids)])
    print(f"Deployed {len(targets):,} extensions to Chromium", flush=True)
    return len(targets)


def chromium_deployments(data_dir: Path) -> list[Deployed]:
    """Every add-on with a CRX, by crx id; offered when the add-on and its file are public and it
    is not disabled."""
    return _deployed(data_dir, select(ChromiumPackage.crx_id, Version.version, Addon.status, Addon.is_disabled, File.status)
                     .join(File, File.id == ChromiumPackage.file_id).join(Version, Version.id == File.version_id)
                     .join(Addon, Addon.id == Version.addon_id).order_by(Addon.id))


def _deployed(data_dir: Path, query) -> list[Deployed]:
    store = Store(Settings(data_dir=data_dir))
    with store.db.session() as session:
        rows = session.execute(query).all()
    store.db.engine.dispose()
    return [Deployed(browser_id, version, status == AddonStatus.PUBLIC and not disabled and file_status == FileStatus.PUBLIC)
            for browser_id, version, status, disabled, file_status in rows]


def firefox_deployments(data_dir: Path) -> list[Deployed]:
    """Listed extensions with an odd id and exactly one version (so that which one is best is
    beyond doubt), by guid; offered when the add-on and its file are public and it is not disabled."""
    single = (select(Version.addon_id).where(Version.is_deleted.is_(False)).group_by(Version.addon_id)
              .having(func.count() == 1).subquery())
    return _deployed(data_dir, select(Addon.guid, Version.version, Addon.status, Addon.is_disabled, File.status)
                     .join(single, single.c.addon_id == Addon.id).join(Version, Version.addon_id == Addon.id)
                     .join(File, File.version_id == Version.id)
                     .where(Addon.type == "extension", Addon.id % 2 == 1, Version.channel == Channel.LISTED,
                            Version.is_deleted.is_(False))
                     .order_by(Addon.id))
