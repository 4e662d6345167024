"""What the storefront tests browse: the demo catalogue, and add-ons published through the signing
API (v5, as web-ext sends it) and approved by a reviewer, so that the pages offer real signed
files; one of them is a hostile developer's, with markup and `javascript:` links in its texts."""

import time
from pathlib import Path

import httpx

from tests.interop.clients import amo_auth_header
from tests.interop.packages import manifest, xpi

API = "/api/v5/addons"
JOB_TIMEOUT = 60  # seconds for validation or signing to finish

# Names and texts in English and German, so that the language picker changes what is shown.
TAB_TIDY = {
    "guid": "tab-tidy@example.org",
    "slug": "tab-tidy",
    "name": {"en-US": "Tab Tidy", "de": "Tab-Ordner"},
    "summary": {"en-US": "Groups your open tabs by site.", "de": "Ordnet offene Tabs nach Website."},
    "description": {"en-US": "Tab Tidy sorts the tabs of a window into groups, one per site.",
                    "de": "Tab-Ordner sortiert die Tabs eines Fensters in Gruppen, eine je Website."},
    "categories": {"firefox": ["tabs"]},
    "tags": ["tabs"],
}
# A script element and event handlers in every text, and script links where links are allowed.
HOSTILE = {
    "guid": "hostile@example.org",
    "slug": "hostile-addon",
    "name": {"en-US": "<script>window.pwned='name'</script>Hostile"},
    "summary": {"en-US": "<img src=x onerror=\"window.pwned='summary'\">Looks harmless."},
    "description": {"en-US": "<script>window.pwned='description'</script>"
                             "<a href=\"javascript:window.pwned='link'\">Click me</a> "
                             "<b onmouseover=\"window.pwned='handler'\">bold</b>"},
    "categories": {"firefox": ["tabs"]},
    "tags": ["tabs"],
}


def _wait(description: str, check) -> dict:
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        answer = check()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"{description} after {JOB_TIMEOUT} s"
        time.sleep(0.2)


def _uploaded(store, developer: dict, package: Path, channel: str = "listed") -> dict:
    """The upload's status once validated, which must have found the package valid."""
    with package.open("rb") as stream:
        upload = httpx.post(f"{store.base_url}{API}/upload/", headers=amo_auth_header(developer),
                            data={"channel": channel},
                            files={"upload": (package.name, stream, "application/x-xpinstall")}, timeout=60)
    assert upload.status_code == 201, upload.text

    def validated():
        status = httpx.get(upload.json()["url"], headers=amo_auth_header(developer)).json()
        return status if status["processed"] else None
    status = _wait("the upload is not validated", validated)
    assert status["valid"], status["validation"]
    return status


def submit_listed_version(store, developer: dict, listing: dict, scratch: Path, version: str,
                          files: dict[str, str]) -> None:
    """Submits a new listed version of a published add-on, with these files: it waits for review."""
    package = xpi(scratch / f"{listing['slug']}-{version}.xpi",
                  manifest(listing["guid"], version, name=listing["name"]["en-US"][:45]), files)
    status = _uploaded(store, developer, package)
    created = httpx.post(f"{store.base_url}{API}/addon/{listing['guid']}/versions/", headers=amo_auth_header(developer),
                         json={"upload": status["uuid"], "license": "MPL-2.0"}, timeout=60)
    assert created.status_code == 201, created.text


def publish_listed(store, developer: dict, listing: dict, scratch: Path, version: str = "1.0") -> dict:
    """Uploads a package, creates the listed add-on with these texts, approves it as a reviewer
    would (`addonhub review approve`), and returns the public detail once its file is signed."""
    package = xpi(scratch / f"{listing['slug']}-{version}.xpi",
                  manifest(listing["guid"], version, name=listing["name"]["en-US"][:45]))
    status = _uploaded(store, developer, package)
    texts = {key: listing[key] for key in ("slug", "name", "summary", "description", "categories", "tags")}
    created = httpx.put(f"{store.base_url}{API}/addon/{listing['guid']}/", headers=amo_auth_header(developer),
                        json={**texts, "version": {"upload": status["uuid"], "license": "MPL-2.0"}}, timeout=60)
    assert created.status_code == 201, created.text
    store.cli("review", "approve", listing["guid"], version)

    def public():
        detail = httpx.get(f"{store.base_url}/api/v5/addons/addon/{listing['slug']}/")
        return detail.json() if detail.status_code == 200 and detail.json()["current_version"] else None
    return _wait(f"{listing['guid']} is not public", public)
