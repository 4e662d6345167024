"""What a logged-in developer cannot do, in the browser: open another developer's pages (editing,
authors, activity, uploads) or the reviewer console, or send any of their own pages' forms
without the session's CSRF token (each is refused and changes nothing, the log-out form too)."""

import httpx
import pytest

from tests.interop.clients import amo_auth_header
from tests.interop.packages import manifest, xpi
from tests.storefront.catalogue import _uploaded, publish_listed
from tests.storefront.visitor import visit

pytestmark = pytest.mark.browser

PASSWORD = "a trespassing long passphrase"
CSRF_REFUSAL = "This form was not sent: the page had expired (or it came from another site)."


def _listing(slug: str, name: str) -> dict:
    return {"guid": f"{slug}@example.org", "slug": slug, "name": {"en-US": name},
            "summary": {"en-US": f"{name}, kept to its developer."}, "description": {"en-US": "Kept."},
            "categories": {"firefox": ["tabs"]}, "tags": []}


def _unlisted_file(store, developer: dict, package) -> int:
    """The file id of a new unlisted version of the developer's add-on (its signing may be pending)."""
    status = _uploaded(store, developer, package, channel="unlisted")
    created = httpx.post(f"{store.base_url}/api/v5/addons/addon/kept-tabs@example.org/versions/",
                         headers=amo_auth_header(developer), json={"upload": status["uuid"]}, timeout=60)
    assert created.status_code == 201, created.text
    return created.json()["file"]["id"]


def test_a_developer_is_refused_other_developers_pages_the_console_and_tokenless_forms(
        storefront, refusing_proxy, tmp_path):
    owner = storefront.create_user("owner-of-kept@example.org")
    theirs = publish_listed(storefront, owner, _listing("kept-tabs", "Kept Tabs"), tmp_path)
    upload = _uploaded(storefront, owner, xpi(tmp_path / "kept-2.xpi", manifest("kept-tabs@example.org", "2.0")))
    unlisted_file = _unlisted_file(storefront, owner, xpi(tmp_path / "kept-3.xpi", manifest("kept-tabs@example.org", "3.0")))
    intruder = storefront.create_user("intruder@example.org")
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    storefront.cli("users", "set-password", "intruder@example.org", "--password-file", str(password_file))
    own = publish_listed(storefront, intruder, _listing("intruder-tabs", "Intruder Tabs"), tmp_path)

    forbidden = [
        *(f"/developers/addon/{theirs['slug']}/{page}" for page in ("edit", "status", "authors", "activity", "delete")),
        f"/developers/addon/{theirs['slug']}/versions/{theirs['current_version']['id']}/delete",
        f"/developers/uploads/{upload['uuid']}",
        f"/developers/files/{unlisted_file}",  # a public one is anyone's to download; this one is not
        "/reviewers/",
        f"/reviewers/review/version/{theirs['current_version']['id']}",
        "/reviewers/admin/accounts",
        "/reviewers/log",
    ]
    own_pages = ["/developers/addons/", "/developers/credentials", "/developers/submit/",
                 *(f"/developers/addon/{own['slug']}/{page}" for page in ("edit", "status", "authors", "delete")),
                 f"/developers/addon/{own['slug']}/versions/{own['current_version']['id']}/delete",
                 f"/addon/{own['slug']}/report"]
    seen = visit("trespass", storefront, refusing_proxy, tmp_path, email="intruder@example.org", password=PASSWORD,
                 forbidden=forbidden, ownPages=own_pages)

    for path, answer in seen["forbidden"].items():
        assert answer["status"] in (403, 404), (path, answer)
        assert "Kept Tabs" not in answer["heading"], path
    sent = {(entry["path"], entry["action"]) for entry in seen["tokenless"]}
    # Every page's forms were tried, the log-out form in the header of each among them.
    assert {path for path, _ in sent} == set(own_pages)
    assert ("/developers/credentials", "/developers/credentials/amo/rotate") in sent
    assert ("/developers/submit/", "/developers/submit") in sent
    assert (f"/developers/addon/{own['slug']}/authors", f"/developers/addon/{own['slug']}/authors") in sent
    for entry in seen["tokenless"]:
        assert entry["status"] == 403 and CSRF_REFUSAL in entry["page"], entry
    assert seen["stillLoggedIn"] == 1
    # The refused forms changed nothing: the intruder's AMO key still signs, the listing is as it was.
    answer = httpx.get(f"{storefront.base_url}/api/v5/addons/addon/{own['id']}/", headers=amo_auth_header(intruder))
    assert answer.status_code == 200 and answer.json()["name"] == {"en-US": "Intruder Tabs"}
