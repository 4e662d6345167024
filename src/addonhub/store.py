"""One store: its settings, its database and its secret, opened (and migrated) together."""

from starlette.requests import Request

from functools import cached_property

from addonhub.accounts.keys import KeyCipher
from addonhub.blobs import LocalBlobStore
from addonhub.config import Settings
from addonhub.db import Database


class Store:
    def __init__(self, settings: Settings):
        settings.prepare_data_dir()
        self.settings = settings
        self.db = Database(settings.effective_database_url)
        self.db.migrate()
        self.secret_key = settings.load_secret_key()
        # Encrypts the AMO API key secrets kept in the database (its key file is in data_dir).
        self.api_key_cipher = KeyCipher.open(settings.data_dir)
        self.blobs = LocalBlobStore(settings.data_dir / "blobs")

    @cached_property
    def signing_ca(self):
        """The store's signing CA, made on first use (it takes a second or two)."""
        from addonhub.signing.ca import SigningCA
        return SigningCA.open(self.settings.data_dir)

    @cached_property
    def submission_throttle(self):
        from addonhub.submissions.throttle import SubmissionThrottle
        return SubmissionThrottle(self.settings)

    def base_url_for(self, request: Request) -> str:
        """The configured public URL, or else the one the request came in on."""
        if self.settings.base_url:
            return self.settings.base_url.rstrip("/")
        host = request.headers.get("host") or "{}:{}".format(*(request.scope.get("server") or ("localhost", 80)))
        return f"{request.scope['scheme']}://{host}"
