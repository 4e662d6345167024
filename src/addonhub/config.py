"""Settings: command-line flags override ADDONHUB_* environment variables, which override defaults."""

from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from addonhub.packages.archive import ArchiveLimits
from addonhub.packages.validation import ValidationOptions

_PACKAGE_LIMITS = ArchiveLimits()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADDONHUB_")

    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    # Public URL used in absolute links; when unset, links follow the request's host.
    base_url: str | None = None
    # The addresses of the proxies in front of the store (comma-separated, e.g. "127.0.0.1" for
    # nginx on the same host, or "*"): their X-Forwarded-For and X-Forwarded-Proto are believed,
    # so the per-address throttles, abuse reports and links see the client, not the proxy. Unset:
    # none is (a client could otherwise choose its own address).
    trusted_proxies: str | None = None
    # Defaults to an SQLite file inside data_dir.
    database_url: str | None = None
    # Where the store's secrets live (store_secrets.py): the key that signs sessions, links and
    # Edge tokens, the signing CA, and the key that encrypts the secrets kept in the database (API
    # key secrets, Chromium signing keys). Unset: files in data_dir, made on first use. Set, to a
    # Fernet key: that key encrypts, and the other secrets live in the database, encrypted with it,
    # so that every process given the same database_url and this key shares them, whatever its
    # data_dir. Several `serve` or `worker` processes on several hosts need it.
    encryption_key: SecretStr | None = None
    # Where blobs (packages, signed files, sources) live: unset, in data_dir/blobs; or an
    # S3-compatible bucket, "s3://bucket/prefix?endpoint_url=http://host:port&region=name", with
    # the credentials where boto3 finds them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ~/.aws).
    blob_url: str | None = None
    # With a bucket: downloads answer 302 to a presigned URL (valid a few minutes) that the
    # client fetches from the bucket itself, instead of the server streaming the bytes. The
    # endpoint must then be one the clients reach.
    blob_presigned_downloads: bool = False
    # A request's head (request line and headers) may be this large, and must arrive whole this
    # many seconds after the connection opens or the previous response ends.
    max_header_bytes: int = 64 * 1024
    header_timeout: float = 10.0
    # A PEM certificate (chain) and its private key: `serve` then speaks HTTPS itself (browsers'
    # update security, the `Certificates` policy); without them it speaks plain HTTP.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # How many requests may run blocking (database) work at once. More threads than cores only
    # add switching: on 2 cores, 4 served search twice as fast under load as the default 40.
    request_threads: int = 4
    # An addons-linter executable (npm) to run beside the store's own validation, as AMO does.
    addons_linter: str | None = None

    # Submissions. Packages past this size are refused while they stream in (Edge's limit).
    upload_max_bytes: int = 500 * 1024 * 1024
    # A client that sends nothing for this long in the middle of a body is cut off.
    upload_idle_timeout: float = 30.0
    # Submission limits per account and per client address, one budget per scope (README,
    # "Submissions", gives AMO's own values). Sized for a store an organisation runs for its own
    # developers, where a CI job publishes many extensions in a row from one account, often behind
    # one address: AMO's 3 a minute would refuse the second `web-ext sign`. Reads are never limited.
    # AMO's package uploads: v5 `upload/` and the signing API's PUT and POST.
    throttle_amo_uploads_per_user: str = "30/minute;300/hour"
    throttle_amo_uploads_per_ip: str = "60/minute;600/hour"
    # AMO's add-on and version writes: v5 POST, PUT and PATCH of `addon/` and its `versions/`.
    throttle_amo_addons_per_user: str = "30/minute;300/hour"
    throttle_amo_addons_per_ip: str = "60/minute;600/hour"
    # Edge's package uploads and publish requests.
    throttle_edge_per_user: str = "30/minute;300/hour"
    throttle_edge_per_ip: str = "60/minute;600/hour"
    # Ratings and developers' replies (POST of the ratings API): AMO allows one a minute and 24 a
    # day per account, against spam and rating storms. Per address it is looser here, since an
    # organisation's people often share one address.
    throttle_ratings_per_user: str = "1/minute;24/day"
    # Abuse reports (anyone may file one, so the address carries the limit for anonymous ones).
    throttle_abuse_reports_per_user: str = "20/hour;100/day"
    throttle_abuse_reports_per_ip: str = "20/hour;100/day"
    throttle_ratings_per_ip: str = "20/minute;480/day"
    # Developers' replies: a developer answers several reviews in a row.
    throttle_rating_replies_per_user: str = "10/minute;200/day"
    throttle_rating_replies_per_ip: str = "20/minute;480/day"
    # Failed web log-ins, per account (the address typed, whether or not it has an account) and
    # per client address. Only failures count: someone who types their password right is never
    # held back. Per account it slows guessing one password to a crawl; per address, trying many
    # accounts from one machine (an office behind one NAT address gets more room than one person).
    throttle_web_login_per_user: str = "10/15minute;30/day"
    throttle_web_login_per_ip: str = "50/15minute;300/day"
    # Where the throttles count: "memory://" in this process (one `serve`); with several processes
    # behind a proxy, a Redis they all share ("redis://127.0.0.1:6379/0"), or each would let
    # through its own full budget. When it does not answer, limited requests get 503.
    rate_limit_storage: str = "memory://"
    # What a package may hold (AMO's limits; sizes in bytes); past them it is refused unread.
    package_max_entries: int = _PACKAGE_LIMITS.max_entries
    package_max_entry_size: int = _PACKAGE_LIMITS.max_entry_size
    package_max_total_size: int = _PACKAGE_LIMITS.max_total_size
    package_max_compression_ratio: float = _PACKAGE_LIMITS.max_compression_ratio
    # Log lines of `serve` and `worker`: "text", or "json" (one object a line, for log collectors).
    log_format: Literal["text", "json"] = "text"
    # Clean-up (the expire-uploads job, `addonhub cleanup`). Uploads that never became a version
    # are removed this long after they arrived (AMO keeps them a few days too).
    upload_retention_days: float = 7.0
    # Blobs no row points at and unfinished writes are removed once this old: no write in flight
    # (an upload's client is cut off after upload_idle_timeout of silence) is ever this old.
    orphan_grace_hours: float = 24.0
    # How often the workers queue the clean-up.
    cleanup_interval_hours: float = 24.0
    # Seconds of code checks per package: a hostile one holds a worker no longer (the files left are
    # skipped, with a warning).
    validation_time_budget: float = ValidationOptions.time_budget
    # Usage figures (distribution/usage.py). The server writes the update checks it counted this
    # often (and when it stops); a crash loses at most this many seconds of them.
    usage_flush_seconds: float = 60.0
    # How often the workers recompute average_daily_users from the counted checks.
    usage_interval_hours: float = 6.0
    # Chromium sends a store no usage ping, only update checks: at start and every 5 hours. One
    # user's browser, open for a working day, checks about twice; open round the clock, five times.
    chromium_checks_per_user_day: float = 3.0
    # Who may create an account on the web (accounts/signup.py): "open" (anyone), "invite" (with an
    # invitation from `addonhub users invite`), "closed" (only `addonhub users create`). Invite by
    # default: a store an organisation runs serves its own people, and an open sign-up form on its
    # network would let anyone in to write reviews; `make run` opens it for the demo.
    signup: Literal["open", "invite", "closed"] = "invite"
    # How long an invitation's link works.
    invitation_days: float = 14.0
    # A web session (a signed cookie) ends this long after its last change (log-in), and at log-out.
    session_days: float = 14.0
    # Storefront pages as anonymous visitors see them are kept in memory, up to this many MiB per
    # process, while the catalogue's revision is unchanged (web/page_cache.py); 0 turns it off.
    page_cache_mb: int = 64
    # Job-queue worker threads inside `addonhub serve`; 0 leaves the jobs to `addonhub worker`.
    workers: int = 1

    def archive_limits(self) -> ArchiveLimits:
        return ArchiveLimits(max_entries=self.package_max_entries, max_entry_size=self.package_max_entry_size,
                             max_total_size=self.package_max_total_size,
                             max_compression_ratio=self.package_max_compression_ratio)

    def throttle_scopes(self) -> dict[str, tuple[str, str]]:
        """Each scope's limits, per account and per address, by the name dialects count under."""
        return {"amo_uploads": (self.throttle_amo_uploads_per_user, self.throttle_amo_uploads_per_ip),
                "amo_addons": (self.throttle_amo_addons_per_user, self.throttle_amo_addons_per_ip),
                "edge": (self.throttle_edge_per_user, self.throttle_edge_per_ip),
                "ratings": (self.throttle_ratings_per_user, self.throttle_ratings_per_ip),
                "abuse_reports": (self.throttle_abuse_reports_per_user, self.throttle_abuse_reports_per_ip),
                "rating_replies": (self.throttle_rating_replies_per_user, self.throttle_rating_replies_per_ip),
                "web_login": (self.throttle_web_login_per_user, self.throttle_web_login_per_ip)}

    def prepare_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'addonhub.sqlite3').resolve()}"

    @field_validator("encryption_key")
    @classmethod
    def _is_a_fernet_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None:
            try:
                Fernet(key.get_secret_value().encode())
            except ValueError:
                raise ValueError("must be a Fernet key: 32 bytes in URL-safe base64 (44 characters), such as "
                                 "an embedded store's api_key_encryption_key file holds") from None
        return key
