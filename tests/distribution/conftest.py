import pytest

from addonhub.catalog.models import File
from tests.submissions.conftest import developer, jwt_headers, xpi  # noqa: F401  (the signing API's fixtures)


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
