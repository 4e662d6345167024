"""The submission and review rules, called as the domain offers them, without HTTP: each rule
exists once, and every dialect (AMO v3/v4/v5, Edge, the CLI) goes through it."""

import pytest
from sqlalchemy import select

from addonhub.accounts.models import User
from addonhub.accounts.service import create_user
from addonhub.catalog.constants import Channel
from addonhub.catalog.edits import VersionChanges
from addonhub.catalog.licenses import BUILTIN_LICENSES
from addonhub.catalog.models import Addon, Version
from addonhub.catalog.service import Access, file_access, version_access
from addonhub.refusals import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, Refused
from addonhub.submissions.models import AUTO_VERSION, AWAIT_VERSION, Upload
from addonhub.submissions.review import approve, pending_version, reject
from addonhub.submissions.uploads import (
    Submitter, accept_for_signing, new_upload_key, read_package_identity, record_upload,
)
from addonhub.submissions.versions import (
    VersionExists, check_manifest_id, create_version, default_channel, guid_for_new_addon, names_same_addon,
)


@pytest.fixture
def people(store):
    with store.db.session() as session:
        ids = {role: create_user(session, f"{role}@example.org", "reviewer" if role == "reviewer" else "developer").id
               for role in ("owner", "stranger", "reviewer")}
    return ids


@pytest.fixture
def uploaded(store, xpi, run_jobs):
    """Records a validated upload of xpi(version, guid) by a user, as a dialect would, and returns its id."""
    def uploaded(user_id: int, version: str = "1.0", guid: str | None = "test@example.org",
                 purpose: str = AWAIT_VERSION, channel: str = Channel.UNLISTED) -> int:
        blob = store.blobs.put_chunks(new_upload_key(), iter([xpi(version, guid)]))
        with store.db.session() as session:
            user = session.get(User, user_id)
            identity = read_package_identity(store.blobs, blob, "a.xpi", store.settings.archive_limits())
            upload_id = record_upload(session, Submitter(user, None), blob, "a.xpi", purpose=purpose,
                                      channel=channel, identity=identity).id
        run_jobs()
        return upload_id
    return uploaded


def _version(store, user_id: int, upload_id: int, channel: str = Channel.UNLISTED, **changes) -> int:
    with store.db.session() as session:
        upload = session.get(Upload, upload_id)
        return create_version(session, upload, session.get(User, user_id), channel, VersionChanges(**changes)).id


def _refusal(action) -> Refused:
    with pytest.raises(Refused) as caught:
        action()
    return caught.value


def test_a_url_names_an_id_in_any_case_and_without_braces_but_a_manifest_must_match_exactly():
    assert names_same_addon("ABC@Example.org", "abc@example.org")
    assert names_same_addon("8c1e2e6b-0d4e-4a43-9a2d-2f6c1a1b0c9d", "{8c1e2e6b-0d4e-4a43-9a2d-2f6c1a1b0c9d}")
    assert not names_same_addon("other@example.org", "abc@example.org")
    addon = Addon(guid="abc@example.org")
    check_manifest_id(None, addon)
    check_manifest_id("abc@example.org", addon)
    refusal = _refusal(lambda: check_manifest_id("ABC@example.org", addon))
    assert (refusal.reason, refusal.field) == (INVALID, "upload")
    assert refusal.message == ("The add-on ID in your manifest.json (ABC@example.org) does not match the ID of "
                               "your add-on on AMO (abc@example.org)")


def test_the_id_of_a_new_addon(store):
    with store.db.session() as session:
        assert guid_for_new_addon(session, "new@example.org", None, url_may_stand_in=False) == "new@example.org"
        generated = guid_for_new_addon(session, None, None, url_may_stand_in=False)
        assert generated.startswith("{") and generated.endswith("}") and len(generated) == 38
        # A brace-less uuid in the URL names the manifest's braced id.
        braced = "{8c1e2e6b-0d4e-4a43-9a2d-2f6c1a1b0c9d}"
        assert guid_for_new_addon(session, braced, braced.strip("{}"), url_may_stand_in=False) == braced
        # The signing API lets the URL's id stand in for a manifest without one, up to 64 characters.
        assert guid_for_new_addon(session, None, "url@example.org", url_may_stand_in=True) == "url@example.org"
        long_id = "x" * 60 + "@example.org"
        assert "longer than 64" in _refusal(
            lambda: guid_for_new_addon(session, None, long_id, url_may_stand_in=True)).message
        assert "specify your Add-on ID" in _refusal(
            lambda: guid_for_new_addon(session, None, "url@example.org", url_may_stand_in=False)).message
        assert "does not match the ID in the URL (url@example.org)" in _refusal(
            lambda: guid_for_new_addon(session, "new@example.org", "url@example.org", url_may_stand_in=False)).message
        assert _refusal(lambda: guid_for_new_addon(session, "not an id", None, url_may_stand_in=False)).message == \
            "Invalid Add-on ID in URL or package"


def test_versions_carry_the_manifests_compatibility_and_the_previous_license(store, people, uploaded):
    first = _version(store, people["owner"], uploaded(people["owner"], "1.0"),
                     license=BUILTIN_LICENSES["MIT"])
    second = _version(store, people["owner"], uploaded(people["owner"], "2.0"),
                      compatibility={"firefox": {"max": "130.*"}, "android": {}})
    with store.db.session() as session:
        one, two = session.get(Version, first), session.get(Version, second)
        # Without strict_min_version, the first Firefox with Manifest V2 (the test packages' version).
        assert [(c.application, c.min, c.max) for c in one.compatibility] == [("firefox", "48.0", "*")]
        assert sorted((c.application, c.min, c.max) for c in two.compatibility) == [
            ("android", "48.0", "*"), ("firefox", "48.0", "130.*")]
        assert one.license.name == two.license.name == {"en-US": "The MIT License"}


def test_only_authors_add_versions_and_version_strings_are_never_reused(store, people, uploaded):
    _version(store, people["owner"], uploaded(people["owner"], "1.0"))
    refusal = _refusal(lambda: _version(store, people["stranger"], uploaded(people["stranger"], "1.1")))
    assert (refusal.reason, refusal.message) == (FORBIDDEN, "You do not own this addon.")
    again = _refusal(lambda: _version(store, people["owner"], uploaded(people["owner"], "1.0")))
    assert isinstance(again, VersionExists) and (again.reason, again.field, again.latest) == (CONFLICT, "version", "1.0")
    assert again.message == "Version 1.0 already exists."


def test_the_signing_api_refuses_at_once_what_would_fail_later(store, people, xpi):
    with store.db.session() as session:
        owner = Submitter(session.get(User, people["owner"]), None)
        blob = store.blobs.put_chunks(new_upload_key(), iter([xpi("1.0")]))
        identity = read_package_identity(store.blobs, blob, "a.xpi", store.settings.archive_limits())
        assert _refusal(lambda: accept_for_signing(session, owner, blob, "a.xpi", identity, "test@example.org", "2.0",
                                                   None)).message == "Version does not match the manifest file."
        upload = accept_for_signing(session, owner, blob, "a.xpi", identity, "test@example.org", "1.0", "listed")
        # New add-ons start unlisted whatever was asked.
        assert (upload.purpose, upload.channel, upload.guid) == (AUTO_VERSION, Channel.UNLISTED, "test@example.org")
        # While it is in flight, its version string is taken, whether the URL names the id or not.
        for url_guid in (None, "TEST@example.org"):
            taken = _refusal(lambda: accept_for_signing(session, owner, blob, "a.xpi", identity, url_guid, None, None))
            assert isinstance(taken, VersionExists) and taken.latest == "1.0"


def test_channels_follow_the_latest_version_unless_asked(store, people, uploaded):
    _version(store, people["owner"], uploaded(people["owner"], "1.0"), Channel.LISTED)
    with store.db.session() as session:
        addon = session.scalar(select(Addon))
        assert default_channel(session, None, "listed") == Channel.UNLISTED
        assert default_channel(session, addon, None) == Channel.LISTED
        assert default_channel(session, addon, "unlisted") == Channel.UNLISTED
        refusal = _refusal(lambda: default_channel(session, addon, "beta"))
        assert (refusal.field, refusal.message) == ("channel", '"beta" is not a valid choice.')


def test_reviewers_do_not_review_their_own_addons_and_rejections_need_notes(store, people, uploaded, run_jobs):
    with store.db.session() as session:
        session.get(User, people["owner"]).role = "reviewer"
    version_id = _version(store, people["owner"], uploaded(people["owner"], "1.0"), Channel.LISTED)
    with store.db.session() as session:
        version = session.get(Version, version_id)
        own = _refusal(lambda: approve(session, version, session.get(User, people["owner"])))
        assert (own.reason, own.message) == (FORBIDDEN, "You cannot review your own add-on.")
        assert _refusal(lambda: reject(session, version, session.get(User, people["reviewer"]), " ")).field == "notes"
        approve(session, version, session.get(User, people["reviewer"]))
    run_jobs()
    with store.db.session() as session:
        assert session.get(Version, version_id).files[0].status == "public"


def test_unlisted_versions_and_their_files_are_unknown_to_strangers(store, people, uploaded, run_jobs):
    version_id = _version(store, people["owner"], uploaded(people["owner"], "1.0"))
    run_jobs()
    with store.db.session() as session:
        version = session.get(Version, version_id)
        owner, stranger, reviewer = (session.get(User, people[role]) for role in ("owner", "stranger", "reviewer"))
        assert version.files[0].status == "public" and version.files[0].is_signed
        for user, expected in ((owner, Access.ALLOWED), (reviewer, Access.ALLOWED), (stranger, Access.NOT_FOUND),
                               (None, Access.NOT_FOUND)):
            assert version_access(version.addon, version, user) is expected
        assert file_access(version.files[0], None) is Access.DENIED  # credentials would decide
        assert file_access(version.files[0], stranger) is Access.NOT_FOUND
        assert file_access(version.files[0], owner) is Access.ALLOWED


def test_reviewers_name_an_addon_by_any_identifier_the_store_shows(store, people, uploaded):
    version_id = _version(store, people["owner"], uploaded(people["owner"], "1.0"), Channel.LISTED)
    with store.db.session() as session:
        addon = session.get(Version, version_id).addon
        for identifier in (str(addon.id), addon.slug, addon.guid.upper(), addon.edge_product_id,
                           "{" + addon.edge_product_id.upper() + "}"):
            assert pending_version(session, identifier, "1.0").id == version_id
        assert pending_version(session, addon.guid, str(version_id)).id == version_id
        unknown = _refusal(lambda: pending_version(session, "nobody@example.org", "1.0"))
        assert (unknown.reason, unknown.message) == (NOT_FOUND, "No add-on nobody@example.org is known to this store.")
        missing = _refusal(lambda: pending_version(session, addon.edge_product_id, "9.9"))
        assert missing.message == "No version 9.9 of add-on test@example.org."
