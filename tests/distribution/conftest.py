"""Add-ons as browsers get them: signing-API submissions (Firefox) and products published through
the Edge API and approved (Chromium)."""

import base64
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from addonhub.accounts.models import User
from addonhub.catalog.models import Addon, File
from addonhub.distribution.chromium import create_key, import_key
from addonhub.edge.products import create_product
from tests.edge.conftest import get_token, new_developer  # noqa: F401  (a fixture)
from tests.edge.test_submissions import decide, uploaded_and_published
from tests.packages.builders import chromium_extension
from tests.submissions.conftest import developer, jwt_headers, xpi  # noqa: F401  (the signing API's fixtures)


@dataclass
class Product:
    edge_id: str
    addon_id: int
    chromium_id: str | None
    headers: dict


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_of(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def manifest_key_of(key) -> str:
    """The manifest `key` value of a private key: its SubjectPublicKeyInfo in base64."""
    return base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


@pytest.fixture
def new_product(store):
    """A product as `addonhub products create` makes it (its key made, or imported from `pem`),
    or with no key at all (`keyed=False`, as products made before this store had keys)."""
    def new_product(name: str = "Tab Tamer", pem: bytes | None = None, keyed: bool = True) -> Product:
        owner = new_developer(store, f"{name.replace(' ', '').lower()}@example.org")
        with store.db.session() as session:
            addon = create_product(session, session.get(User, owner.id), name)
            if pem is not None:
                import_key(session, store.key_cipher, addon, pem)
            elif keyed:
                create_key(session, store.key_cipher, addon)
            return Product(addon.edge_product_id, addon.id, addon.chromium_id, owner.api_key_headers)
    return new_product


@pytest.fixture
def release(client, store, run_jobs, tmp_path):
    """Uploads, publishes and approves a version of a product; returns its package's bytes."""
    def release(product: Product, version: str, approve: bool = True, **fields) -> bytes:
        package = chromium_extension(tmp_path / f"{product.addon_id}-{version}.zip", version, **fields).read_bytes()
        uploaded_and_published(client, product.headers, product.edge_id, package, run_jobs)
        if approve:
            decide(store, run_jobs, version, "approve")
        return package
    return release


def chromium_id_of(store, addon_id: int) -> str | None:
    with store.db.session() as session:
        return session.scalar(select(Addon.chromium_id).where(Addon.id == addon_id))


@pytest.fixture
def with_bytes(store):
    """Gives imported files (metadata only) bytes in the blob store, as published files have."""
    def with_bytes(*file_ids: int) -> None:
        with store.db.session() as session:
            for file_id in file_ids:
                file = session.get(File, file_id)
                file.filename, file.storage_key = f"addon-{file_id}.xpi", f"files/{file_id}/test/addon.xpi"
                store.blobs.put_chunks(file.storage_key, iter([f"package {file_id}".encode()]))
    return with_bytes
