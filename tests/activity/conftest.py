from tests.submissions.conftest import developer, jwt_headers, xpi  # noqa: F401  (shared fixtures)
