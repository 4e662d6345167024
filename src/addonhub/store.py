"""One store: its settings, its database, its secrets, its blobs and its limits, opened together.

This is where infrastructure is chosen from settings (the database URL, the blob backend, the
rate-limit storage, where the secrets live); domain code receives the pieces it needs, never the Store.
"""

from functools import cached_property

from addonhub.blobs import open_blob_store
from addonhub.config import Settings
from addonhub.db import Database
from addonhub.distribution.usage import UpdateCheckCounter
from addonhub.store_secrets import open_secrets


class Store:
    def __init__(self, settings: Settings):
        settings.prepare_data_dir()
        self.settings = settings
        self.db = Database(settings.effective_database_url)
        self.db.migrate()
        # In data_dir, or (with an encryption key configured) in the database, for every process.
        # Read now, so that secrets that do not match refuse the start rather than a request.
        self.secrets = open_secrets(settings, self.db)
        self.secret_key = self.secrets.secret_key
        # Encrypts the secrets kept in the database, AMO API key secrets and Chromium signing keys
        # (its key is never in the database, so a copy of the database alone reveals none).
        self.key_cipher = self.secrets.key_cipher
        self.blobs = open_blob_store(settings)
        # This process's update checks, which the update endpoints count and the server flushes.
        self.update_checks = UpdateCheckCounter()

    @cached_property
    def signing_ca(self):
        """The store's signing CA, made on first use (it takes a second or two)."""
        return self.secrets.signing_ca()

    @cached_property
    def submission_throttle(self):
        from addonhub.rate_limits import ScopeLimits, SubmissionThrottle
        scopes = {name: ScopeLimits.parse(*limits) for name, limits in self.settings.throttle_scopes().items()}
        return SubmissionThrottle(self.settings.rate_limit_storage, scopes)
