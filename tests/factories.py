"""AMO-shaped records for tests (one complete add-on, with any field overridden), and reading
listings back."""

import itertools

_ids = itertools.count(1)


def version_record(version: str = "1.0", **overrides) -> dict:
    number = next(_ids)
    record = {
        "id": 100000 + number,
        "version": version,
        "channel": "listed",
        "compatibility": {"firefox": {"min": "91.0", "max": "*"}},
        "files": [{
            "id": 200000 + number,
            "hash": "sha256:" + "ab" * 32,
            "size": 1234,
            "status": "public",
            "platform": "all",
            "permissions": ["storage"],
        }],
        "license": {"name": {"en-US": "MIT License"}, "text": {"en-US": "Permission is hereby granted"},
                    "url": "https://opensource.org/licenses/MIT"},
        "release_notes": {"en-US": "Fixes"},
        "reviewed": "2025-01-02T03:04:05Z",
        "created": "2025-01-01T00:00:00Z",
    }
    record.update(overrides)
    return record


def addon_record(slug: str, **overrides) -> dict:
    number = next(_ids)
    record = {
        "id": 1000 + number,
        "guid": f"{slug}@example.org",
        "slug": slug,
        "type": "extension",
        "status": "public",
        "default_locale": "en-US",
        "name": {"en-US": slug.replace("-", " ").title()},
        "summary": {"en-US": f"The {slug} add-on."},
        "description": {"en-US": f"About {slug}."},
        "categories": {"firefox": ["other"]},
        "tags": [],
        "authors": [{"username": "author", "name": "An Author"}],
        "ratings": {"average": 4.0, "bayesian_average": 3.9, "count": 10, "text_count": 5},
        "average_daily_users": 100,
        "weekly_downloads": 10,
        "created": "2024-01-01T00:00:00Z",
        "last_updated": "2025-01-01T00:00:00Z",
        "current_version": version_record(),
    }
    record.update(overrides)
    return record


def slugs(response) -> list[str]:
    """The slugs of a listing response's results, in order."""
    assert response.status_code == 200, response.text
    return [addon["slug"] for addon in response.json()["results"]]
