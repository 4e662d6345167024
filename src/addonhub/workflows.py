"""The one place where the store's jobs and the steps after validation are registered.

Domain packages define their steps without knowing each other: submissions validates and signs,
edge turns packages into drafts and drafts into versions. This module (like `store`, a place that
puts the parts together, not a domain) says which step follows which, and gives each job
handler only the services it needs.
"""

from datetime import timedelta
from functools import partial

from addonhub.cleanup import CLEANUP_JOB, CleanupPolicy, cleanup_job
from addonhub.config import Settings
from addonhub.distribution.usage import USAGE_JOB, UsageEstimate, usage_figures_job
from addonhub.edge.submissions import PUBLISH_JOB, make_draft, publish, publish_abandoned
from addonhub.jobs import GiveUp, Handler, Periodic
from addonhub.store import Store
from addonhub.submissions.models import AUTO_VERSION, PRODUCT_DRAFT
from addonhub.submissions.pipeline import (
    AfterValidation, PipelineServices, sign_version, validate_upload, validation_abandoned,
)
from addonhub.submissions.uploads import VALIDATE_JOB
from addonhub.submissions.versions import SIGN_JOB, make_version_at_once

# By upload purpose. Uploads that await their version (v5) have no step: their client asks.
AFTER_VALIDATION: dict[str, AfterValidation] = {AUTO_VERSION: make_version_at_once, PRODUCT_DRAFT: make_draft}


def pipeline_services(store: Store) -> PipelineServices:
    return PipelineServices(blobs=store.blobs, archive_limits=store.settings.archive_limits(),
                            validation_time_budget=store.settings.validation_time_budget,
                            addons_linter=store.settings.addons_linter, store_base_url=store.settings.base_url,
                            signing_ca=lambda: store.signing_ca, key_cipher=store.key_cipher)


def handlers(store: Store) -> dict[str, Handler]:
    services = pipeline_services(store)
    return {VALIDATE_JOB: partial(validate_upload, services, AFTER_VALIDATION),
            SIGN_JOB: partial(sign_version, services),
            PUBLISH_JOB: publish,
            CLEANUP_JOB: partial(cleanup_job, store.db, store.blobs, CleanupPolicy.from_settings(store.settings)),
            USAGE_JOB: partial(usage_figures_job, UsageEstimate(store.settings.chromium_checks_per_user_day))}


def periodic_jobs(settings: Settings) -> list[Periodic]:
    """The jobs the workers queue themselves."""
    return [Periodic(CLEANUP_JOB, timedelta(hours=settings.cleanup_interval_hours)),
            Periodic(USAGE_JOB, timedelta(hours=settings.usage_interval_hours))]


def give_up_handlers() -> dict[str, GiveUp]:
    """What to do when a job has failed on its every attempt."""
    return {VALIDATE_JOB: validation_abandoned, PUBLISH_JOB: publish_abandoned}
