"""Each add-on's permanent Chromium key: made with the product or imported (keeping an id browsers
know), secret at rest, refused once CRX files of another key exist; a manifest `key` naming another
id is refused when the package is validated."""

import json
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from addonhub.catalog.models import Addon
from addonhub.catalog.service import document
from addonhub.distribution.chromium import ChromiumKey, import_key
from addonhub.refusals import Refused
from addonhub.signing.crx3 import crx_id_of_private_key, verify_crx3
from tests.distribution.conftest import chromium_id_of, manifest_key_of, pem_of
from tests.edge.test_submissions import accepted, upload, upload_status
from tests.edge.test_products import create_account
from tests.packages.builders import chromium_extension
from tests.test_cli import run


def downloaded_crx(client, tmp_path, addon_id: int):
    [file] = client.get(f"/api/v4/addons/addon/{addon_id}/").json()["current_version"]["files"]
    path = tmp_path / "download.crx"
    path.write_bytes(client.get(file["url"]).content)
    return verify_crx3(path)


def test_an_imported_key_keeps_its_id_through_approval(client, store, new_product, release, rsa_key, tmp_path):
    product = new_product(pem=pem_of(rsa_key))
    assert product.chromium_id == crx_id_of_private_key(rsa_key)
    release(product, "1.0.0")
    assert downloaded_crx(client, tmp_path, product.addon_id).crx_id == product.chromium_id
    detail = client.get(f"/api/v4/addons/addon/{product.addon_id}/").json()
    assert detail["chromium_id"] == product.chromium_id
    assert [p.get("chromiumId") for p in client.get("/v1/products", headers=product.headers).json()] == \
        [product.chromium_id]


def test_a_product_without_a_key_gets_one_when_its_first_crx_is_built(client, store, new_product, release, tmp_path):
    product = new_product(keyed=False)
    assert product.chromium_id is None
    with store.db.session() as session:  # the stored detail object names no id it does not have
        assert "chromium_id" not in json.loads(document(session, product.addon_id))
    release(product, "1.0.0")
    made = chromium_id_of(store, product.addon_id)
    assert re.fullmatch("[a-p]{32}", made)
    assert downloaded_crx(client, tmp_path, product.addon_id).crx_id == made
    assert client.get(f"/api/v4/addons/addon/{product.addon_id}/").json()["chromium_id"] == made


def test_keys_are_encrypted_at_rest_and_in_no_answer(client, store, new_product, release, rsa_key):
    product = new_product(pem=pem_of(rsa_key))
    release(product, "1.0.0")
    with store.db.session() as session:
        stored = session.get(ChromiumKey, product.addon_id).private_key_encrypted
    assert "PRIVATE KEY" not in stored and pem_of(rsa_key).decode() == store.key_cipher.decrypt(stored)
    modulus = format(rsa_key.private_numbers().d, "x")
    for path in (f"/api/v4/addons/addon/{product.addon_id}/", "/v1/products"):
        body = client.get(path, headers=product.headers).text
        assert "PRIVATE" not in body and modulus not in body


def test_another_key_is_refused_once_a_crx_of_the_first_exists(store, new_product, release, rsa_key):
    product = new_product()
    first_id = product.chromium_id
    replacement = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with store.db.session() as session:  # before any CRX, the key may still be replaced
        assert import_key(session, store.key_cipher, session.get(Addon, product.addon_id), pem_of(rsa_key)) != first_id
    release(product, "1.0.0")
    with store.db.session() as session, pytest.raises(Refused, match="would make browsers see a different extension"):
        import_key(session, store.key_cipher, session.get(Addon, product.addon_id), pem_of(replacement))
    with store.db.session() as session:  # the same key again changes nothing
        assert import_key(session, store.key_cipher, session.get(Addon, product.addon_id),
                          pem_of(rsa_key)) == crx_id_of_private_key(rsa_key)
    assert chromium_id_of(store, product.addon_id) == crx_id_of_private_key(rsa_key)


@pytest.mark.parametrize("pem, message", [
    (b"not a key", "not a PEM private key"),
    (ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), "RSA"),
    (rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")), "encrypted"),
])
def test_unusable_keys_are_refused(store, new_product, pem, message):
    product = new_product()
    with store.db.session() as session, pytest.raises(Refused, match=message):
        import_key(session, store.key_cipher, session.get(Addon, product.addon_id), pem)
    assert chromium_id_of(store, product.addon_id) == product.chromium_id


def test_one_key_belongs_to_one_add_on(store, new_product, rsa_key):
    new_product("First", pem=pem_of(rsa_key))
    second = new_product("Second")
    with store.db.session() as session, pytest.raises(Refused, match="already the key of add-on"):
        import_key(session, store.key_cipher, session.get(Addon, second.addon_id), pem_of(rsa_key))


def validation_errors(client, product, package: bytes, run_jobs) -> list[dict]:
    operation = accepted(upload(client, product.headers, product.edge_id, package)).rsplit("/", 1)[-1]
    run_jobs()
    return upload_status(client, product.headers, product.edge_id, operation).json()["errors"] or []


def test_a_manifest_key_naming_another_id_fails_validation(client, new_product, rsa_key, run_jobs, tmp_path):
    product = new_product()
    other = chromium_extension(tmp_path / "other.zip", key=manifest_key_of(rsa_key)).read_bytes()
    [error] = validation_errors(client, product, other, run_jobs)
    assert error["id"] == "SUBMISSION_REFUSED"
    assert crx_id_of_private_key(rsa_key) in error["message"] and product.chromium_id in error["message"]

    keyed = new_product("Keyed", pem=pem_of(rsa_key))
    own = chromium_extension(tmp_path / "own.zip", key=manifest_key_of(rsa_key)).read_bytes()
    assert validation_errors(client, keyed, own, run_jobs) == []
    garbage = chromium_extension(tmp_path / "garbage.zip", key="not base64!").read_bytes()
    [error] = validation_errors(client, keyed, garbage, run_jobs)
    assert "not a base64 public key" in error["message"]


@pytest.mark.cli
def test_products_create_and_set_key_import_a_pem(tmp_path, rsa_key):
    create_account(tmp_path)
    pem = tmp_path / "key.pem"
    pem.write_bytes(pem_of(rsa_key))
    created = json.loads(run("products", "create", "--data-dir", str(tmp_path), "--owner", "dev@example.org",
                             "--name", "Moved In", "--key", str(pem), "--json").stdout)
    assert created["chromium_id"] == crx_id_of_private_key(rsa_key)

    other = json.loads(run("products", "create", "--data-dir", str(tmp_path), "--owner", "dev@example.org",
                           "--name", "Second", "--json").stdout)
    refused = run("products", "set-key", other["id"], "--data-dir", str(tmp_path), "--key", str(pem), check=False)
    assert refused.returncode == 1 and "already the key of add-on" in refused.stderr
    replacement = tmp_path / "replacement.pem"
    replacement.write_bytes(pem_of(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    assert run("products", "set-key", other["id"], "--data-dir", str(tmp_path), "--key", str(replacement)
               ).stdout.strip() != other["chromium_id"]
    missing = run("products", "set-key", other["id"], "--data-dir", str(tmp_path), "--key", str(tmp_path / "nope.pem"),
                  check=False)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
