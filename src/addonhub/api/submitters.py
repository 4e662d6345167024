"""Who is submitting, and whether the submission limits let them: what every publishing dialect
asks before it reads a package. Each dialect names the scope its request counts against (see
Settings.throttle_scopes) and words a throttled request in its own error shape."""

from starlette.requests import Request

from addonhub.accounts.models import User
from addonhub.submissions.uploads import Submitter


def submitter(request: Request, user: User) -> Submitter:
    return Submitter(user, request.client.host if request.client else None)


def throttle_wait(request: Request, who: Submitter, scope: str) -> int | None:
    """Counts one submission in `scope`; the seconds to wait instead when a limit is reached."""
    return request.app.state.store.submission_throttle.wait_for(scope, who.user.id, who.ip)
