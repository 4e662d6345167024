"""Submitting through the developer hub's pages: a package uploaded by a multipart form and
validated by the same job as the API's, its errors shown with file and line, then submitted as a
version (listed: queued for review; unlisted: signed); the API's refusals, throttles and rules."""

import re
from html import unescape

import pytest
from fastapi.routing import APIRoute

from addonhub.catalog.models import Addon
from addonhub.submissions.models import Upload
from addonhub.web import developer_listing, developer_submissions
from addonhub.web.forms import CheckedForm
from tests.packages.builders import raw_entry
from tests.submissions.conftest import jwt_headers, xpi  # noqa: F401 (fixtures)
from tests.web.conftest import csrf_of, log_in_as
from tests.web.test_pages import text_of


EMPTY_ZIP = b"PK\x05\x06" + b"\x00" * 18  # an empty zip archive


@pytest.fixture
def dev(client, store, account):
    user_id, _ = account("dev@example.org", username="dev")
    log_in_as(client, store, user_id)
    return user_id


def upload_package(client, package: bytes, channel="listed", token: str | None = None, filename="addon.xpi"):
    token = token if token is not None else csrf_of(client.get("/developers/submit/"))
    return client.post("/developers/submit", data={"csrf_token": token, "channel": channel},
                       files={"upload": (filename, package, "application/x-xpinstall")}, follow_redirects=False)


def uploaded(client, package: bytes, run_jobs, **options):
    answer = upload_package(client, package, **options)
    assert answer.status_code == 303, answer.text
    run_jobs()
    return answer.headers["location"], client.get(answer.headers["location"])


# What a browser sends for a file input left empty: a part with neither a name nor bytes.
NO_FILE = ("", b"", "application/octet-stream")


def submit(client, upload_path: str, files=None, token: str | None = None, **fields):
    """The submit form as a browser sends it: multipart, with an empty part for a file not chosen."""
    token = token if token is not None else csrf_of(client.get(upload_path))
    files = {"icon": NO_FILE, "source": NO_FILE, **(files or {})}
    return client.post(f"{upload_path}submit", data={"csrf_token": token, **fields}, files=files, follow_redirects=False)


def stored_sources(store) -> list[str]:
    return [blob.key for blob in store.blobs.list("sources/")]


def uploads_count(store) -> int:
    with store.db.session() as session:
        return session.query(Upload).count()


def test_the_submit_form_needs_an_account(client):
    answer = client.get("/developers/submit/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/developers/submit/"


def test_a_broken_package_shows_its_errors_with_file_and_line_and_no_submit_button(client, dev, xpi, run_jobs):
    _, page = uploaded(client, xpi(permissions=5), run_jobs)
    assert "1 errors, 0 warnings" in text_of(page)
    assert 'Error: "/permissions" must be a list. (manifest.json' in unescape(text_of(page))
    assert "Submit version" not in text_of(page) and "Fix the errors above" in text_of(page)


def test_a_valid_listed_package_becomes_a_new_addon_awaiting_review(client, store, dev, xpi, run_jobs):
    path, page = uploaded(client, xpi(guid="fresh@example.org"), run_jobs)
    assert "0 errors" in text_of(page) and "Submit as a new add-on" in text_of(page)
    assert 'option value="tabs"' in page.text and 'option value="MPL-2.0"' in page.text
    odd = submit(client, path, name="Fresh Tabs", license="<script>")
    assert odd.status_code == 400 and "Choose a licence from the list." in text_of(odd) and "<script>" not in odd.text
    assert 'value="Fresh Tabs"' in odd.text
    answer = submit(client, path, name="Fresh Tabs", summary="Keeps tabs fresh.", description="Tabs, kept fresh.",
                    category="tabs", license="MPL-2.0", approval_notes="Build: zip -r.")
    assert answer.status_code == 303 and answer.headers["location"] == "/developers/addons/"
    mine = text_of(client.get("/developers/addons/"))
    assert "Fresh Tabs" in mine and "Awaiting review" in mine
    with store.db.session() as session:
        addon = session.query(Addon).filter_by(guid="fresh@example.org").one()
        assert addon.versions[0].approval_notes == "Build: zip -r." and addon.summary["en-US"] == "Keeps tabs fresh."
        assert addon.description["en-US"] == "Tabs, kept fresh." and addon.versions[0].license.url == "http://www.mozilla.org/MPL/2.0/"
        assert [(row.application, row.slug) for row in addon.categories] == [("firefox", "tabs")]
    # Submitted once: the page says so, and a second submission is refused.
    assert "This upload has been submitted." in text_of(client.get(path))
    again = submit(client, path)
    assert again.status_code == 400 and "already been submitted" in text_of(again)


def test_an_unlisted_version_of_an_existing_addon_is_signed_and_downloadable(client, store, dev, account, xpi,
                                                                              run_jobs):
    first, _ = uploaded(client, xpi(guid="mine@example.org"), run_jobs, channel="unlisted")
    assert submit(client, first).status_code == 303
    run_jobs()
    second, page = uploaded(client, xpi(version="1.1", guid="mine@example.org"), run_jobs, channel="unlisted")
    assert "Submit as a new version of" in text_of(page)
    assert submit(client, second).status_code == 303
    run_jobs()
    page = client.get("/developers/addons/")
    assert text_of(page).count("Signed") == 2
    links = re.findall(r'href="(/developers/files/\d+/)">Download the signed file of (1\.[01])', page.text)
    assert [version for _, version in links] == ["1.1", "1.0"]
    signed = client.get(links[0][0])
    assert signed.status_code == 200 and signed.content[:2] == b"PK"
    assert "META-INF/mozilla.rsa" in signed.content.decode("latin-1")
    # Another developer cannot have it.
    other, _ = account("other@example.org", username="other")
    log_in_as(client, store, other)
    assert client.get(links[0][0]).status_code == 404


def test_hostile_packages_get_the_apis_refusal(client, store, dev, account, jwt_headers, tmp_path):
    headers = jwt_headers(dev)
    for package in (b"not a zip", raw_entry(tmp_path / "evil.zip", b"../evil.js").read_bytes()):
        api = client.post("/api/v5/addons/upload/", headers=headers, data={"channel": "listed"},
                          files={"upload": ("addon.xpi", package, "application/x-xpinstall")})
        web = upload_package(client, package)
        if api.status_code == 400:
            assert web.status_code == 400 and api.json()["detail"] in unescape(text_of(web))
        else:
            assert api.status_code == 201 and web.status_code == 303
    empty = upload_package(client, b"")
    assert empty.status_code == 400 and "Choose the package" in text_of(empty)


def test_a_missing_token_is_refused_and_nothing_is_kept(client, store, dev, xpi):
    before = uploads_count(store)
    client.get("/developers/submit/")
    for token in ("", "wrong"):
        answer = upload_package(client, xpi(), token=token)
        assert answer.status_code == 403 and "This form was not sent" in text_of(answer)
    assert uploads_count(store) == before


def test_another_developers_upload_is_not_there(client, store, dev, account, xpi, run_jobs):
    path, _ = uploaded(client, xpi(guid="private@example.org"), run_jobs)
    other, _ = account("other@example.org", username="other")
    log_in_as(client, store, other)
    assert client.get(path).status_code == 404
    token = csrf_of(client.get("/developers/submit/"))
    assert client.post(f"{path}submit", data={"csrf_token": token}, files={"icon": ("", b"")}).status_code == 404
    assert client.get("/developers/uploads/not-a-uuid/").status_code == 404


def test_bad_bodies_are_not_a_500(client, dev):
    token = csrf_of(client.get("/developers/submit/"))
    for body, content_type in ((b"--x\r\nbroken", "multipart/form-data; boundary=x"), (b"a=b", "text/plain"),
                               (f"csrf_token={token}".encode(), "application/x-www-form-urlencoded")):
        answer = client.post("/developers/submit", content=body, headers={"content-type": content_type})
        assert 400 <= answer.status_code < 500


def test_every_urlencoded_post_checks_the_csrf_token():
    # The multipart forms check theirs once the body is in (test_a_missing_token..., tests/web/test_listing.py).
    multipart = {"/developers/submit", "/developers/uploads/{upload_uuid}/submit", "/developers/addon/{slug}/icon",
                 "/developers/addon/{slug}/screenshots"}
    posts = [route for router in (developer_submissions.router, developer_listing.router) for route in router.routes
             if isinstance(route, APIRoute) and "POST" in route.methods and route.path not in multipart]
    assert posts and all(any(isinstance(dependency.call, CheckedForm) for dependency in route.dependant.dependencies)
                         for route in posts)


def test_a_forged_token_on_the_submit_form_keeps_nothing(client, store, dev, xpi, run_jobs):
    """The submit form is multipart, its token read once the body is in (not by CheckedForm)."""
    path, _ = uploaded(client, xpi(guid="forged@example.org"), run_jobs)
    for token in ("", "wrong"):
        refused = submit(client, path, {"source": ("source.zip", EMPTY_ZIP, "application/zip")}, token=token,
                         name="Forged")
        assert refused.status_code == 403 and "This form was not sent" in text_of(refused)
        assert 'value="Forged"' in refused.text  # shown again as typed
    assert stored_sources(store) == []
    with store.db.session() as session:
        assert session.query(Addon).filter_by(guid="forged@example.org").count() == 0


def test_the_source_sent_with_a_version_is_the_reviewers_to_download(client, store, dev, account, xpi, run_jobs):
    path, page = uploaded(client, xpi(guid="sourced@example.org"), run_jobs)
    assert 'enctype="multipart/form-data"' in page.text and 'name="source" type="file"' in page.text
    for source, words in ((("source.exe", b"MZ", "application/octet-stream"), "Unsupported file type, please upload "
                           "an archive file (.zip, .tar.gz, .tgz, .tar.bz2)."),
                          (("source.zip", b"", "application/zip"), "The submitted file is empty.")):
        refused = submit(client, path, {"source": source}, name="Sourced", approval_notes="npm run build")
        assert refused.status_code == 400 and words in text_of(refused), text_of(refused)
        assert 'value="Sourced"' in refused.text and "npm run build" in refused.text
    assert stored_sources(store) == []
    answer = submit(client, path, {"source": ("build-me.tar.gz", b"\x1f\x8b source", "application/gzip")}, name="Sourced")
    assert answer.status_code == 303
    [kept] = stored_sources(store)
    with store.db.session() as session:
        version = session.query(Addon).filter_by(guid="sourced@example.org").one().versions[0]
        assert version.source_key == kept
        version_id = version.id
    reviewer, _ = account("rita@example.org", role="reviewer", username="rita")
    log_in_as(client, store, reviewer)
    review = client.get(f"/reviewers/review/version/{version_id}")
    assert f'href="/reviewers/review/version/{version_id}/source"' in review.text
    download = client.get(f"/reviewers/review/version/{version_id}/source")
    assert download.status_code == 200 and download.content == b"\x1f\x8b source"


def test_a_version_without_source_keeps_no_file(client, store, dev, xpi, run_jobs):
    path, _ = uploaded(client, xpi(guid="plain@example.org"), run_jobs)
    assert submit(client, path, name="Plain").status_code == 303
    assert stored_sources(store) == []
    with store.db.session() as session:
        assert session.query(Addon).filter_by(guid="plain@example.org").one().versions[0].source_key is None
