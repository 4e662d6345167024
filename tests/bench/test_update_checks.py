"""The update benchmark's answer checks (bench/updates/checks.py): a benchmark that counted wrong
answers as right would measure a broken service as a fast one."""

import random
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "updates"))
import checks  # noqa: E402

CRX_ID = "a" * 32
OTHER_ID = "b" * 32
GUPDATE = ("<?xml version='1.0' encoding='UTF-8'?>\n<gupdate xmlns='http://www.google.com/update2/response' "
           "protocol='2.0'>{}</gupdate>")
NOUPDATE = "<app appid='{}' status='ok'><updatecheck status='noupdate'/></app>"
UPDATE = ("<app appid='{}' status='ok'><updatecheck status='ok' codebase='http://127.0.0.1/f.crx' version='{}' "
          "hash_sha256='00' size='1'/></app>")


def gupdate(*apps: str) -> bytes:
    return GUPDATE.format("".join(apps)).encode()


def test_gupdate_answers_are_read_per_id():
    body = gupdate(NOUPDATE.format(CRX_ID), UPDATE.format(OTHER_ID, "1.2.3"))
    assert checks.gupdate_answer(body) == {CRX_ID: None, OTHER_ID: "1.2.3"}


@pytest.mark.parametrize("body", [
    b"not xml",
    b"<gupdate protocol='2.0'/>",  # no namespace
    GUPDATE.replace("'2.0'", "'3.0'").format("").encode(),
    gupdate(f"<app appid='{CRX_ID}'><updatecheck version='1.0'/></app>"),  # an update without codebase
    gupdate(f"<app appid='{CRX_ID}'/>"),  # no updatecheck
])
def test_broken_gupdate_answers_are_reported(body):
    assert isinstance(checks.gupdate_answer(body), str)


def test_a_wrong_or_missing_answer_is_a_mismatch():
    check = checks.Check("outdated", "/", {CRX_ID: frozenset({"2.0"})})
    assert checks.mismatch(check, {CRX_ID: "2.0"}) is None
    assert "expected one of ['2.0']" in checks.mismatch(check, {CRX_ID: None})
    assert "expected one of ['2.0']" in checks.mismatch(check, {CRX_ID: "1.0"})
    assert "expected" in checks.mismatch(check, {})
    assert "not asked about" in checks.mismatch(check, {CRX_ID: "2.0", OTHER_ID: "1.0"})
    assert checks.mismatch(check, "not XML") == "not XML"


def test_versioncheck_answers_and_amos_empty_object():
    body = b'{"addons": {"x@y": {"updates": [{"version": "2.0", "update_link": "http://127.0.0.1/f.xpi"}]}}}'
    assert checks.versioncheck_answer(body) == {"x@y": "2.0"}
    assert checks.versioncheck_answer(b"{}") == {}
    assert isinstance(checks.versioncheck_answer(b'{"addons": {"x@y": {"updates": [{"version": "2.0"}]}}}'), str)


def test_chromium_checks_name_distinct_ids_and_expect_updates_only_for_outdated_public_installs():
    deployed = [checks.Deployed(f"{chr(97 + n)}" * 32, "1.0.0", offered=n % 2 == 0) for n in range(16)]
    generated = checks.chromium_checks(random.Random(1), deployed, ids_per_request=8, count=50)
    by_id = {addon.browser_id: addon for addon in deployed}
    for check in generated:
        entries = [parse_qs(value) for value in parse_qs(urlsplit(check.path).query)["x"]]
        assert len({entry["id"][0] for entry in entries}) == len(entries) == 8
        for entry in entries:
            crx_id, installed = entry["id"][0], entry["v"][0]
            addon = by_id.get(crx_id)
            wants_update = addon is not None and addon.offered and installed == checks.OLDER_VERSION
            assert check.expected[crx_id] == (frozenset({"1.0.0"}) if wants_update else frozenset({None}))
