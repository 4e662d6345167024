"""Verification: every digest, both signatures, the chain to the root and the id, each problem named."""

import base64
import hashlib

import pytest

from addonhub.signing import SigningError
from addonhub.signing.verify import NO_ROOT, verify_xpi
from addonhub.signing.xpi import sign_xpi
from tests.signing.conftest import ADDON_ID
from tests.signing.packages import entries, make_xpi, rewrite


def b64(digest) -> bytes:
    return base64.b64encode(digest.digest())


def problems_after(signed, tmp_path, ca, **changes) -> list[str]:
    return verify_xpi(rewrite(signed, tmp_path / "changed.xpi", **changes), ca.root_pem(), ADDON_ID)


def test_a_freshly_signed_package_is_valid(signed, ca):
    assert verify_xpi(signed, ca.root_pem(), ADDON_ID) == []
    assert verify_xpi(signed, ca.root_pem()) == []  # without an id the common name is not compared


def test_a_modified_file_is_named_against_both_manifests(signed, tmp_path, ca):
    problems = problems_after(signed, tmp_path, ca, replace={"background.js": b"steal();"})
    assert problems == [
        "background.js: SHA256 digest does not match META-INF/manifest.mf (changed after signing)",
        "background.js: SHA1 digest does not match META-INF/manifest.mf (changed after signing)",
        "background.js: SHA256 digest does not match META-INF/cose.manifest (changed after signing)",
        "background.js: SHA1 digest does not match META-INF/cose.manifest (changed after signing)",
    ]


def test_an_added_file_is_unsigned(signed, tmp_path, ca):
    problems = problems_after(signed, tmp_path, ca, add={"extra.js": b"x"})
    assert problems == ["extra.js: not listed in META-INF/manifest.mf (added after signing?)",
                        "extra.js: not listed in META-INF/cose.manifest (added after signing?)"]


def test_a_removed_file_is_missing(signed, tmp_path, ca):
    problems = problems_after(signed, tmp_path, ca, drop=("icons/icon.svg",))
    assert problems == ["icons/icon.svg: listed in META-INF/manifest.mf but not in the package",
                        "icons/icon.svg: listed in META-INF/cose.manifest but not in the package"]


def test_an_edited_manifest_breaks_the_signature_file(signed, tmp_path, ca):
    # Someone modifies a file and puts its new digests in manifest.mf.
    contents = entries(signed)
    manifest = contents["META-INF/manifest.mf"]
    for digest in (hashlib.sha1, hashlib.sha256):
        manifest = manifest.replace(b64(digest(contents["background.js"])), b64(digest(b"steal();")))
    problems = problems_after(signed, tmp_path, ca, replace={"background.js": b"steal();",
                                                             "META-INF/manifest.mf": manifest})
    assert problems == [
        "META-INF/mozilla.sf: SHA256 digest does not match META-INF/manifest.mf (changed after signing)",
        "META-INF/mozilla.sf: SHA1 digest does not match META-INF/manifest.mf (changed after signing)",
        "background.js: SHA256 digest does not match META-INF/cose.manifest (changed after signing)",
        "background.js: SHA1 digest does not match META-INF/cose.manifest (changed after signing)",
    ]


def test_an_edited_signature_file_breaks_the_pkcs7_signature(signed, tmp_path, ca):
    edited = entries(signed)["META-INF/mozilla.sf"].replace(b"1.0\r\n", b"1.0\r\nCreated-By: someone\r\n")
    problems = problems_after(signed, tmp_path, ca, replace={"META-INF/mozilla.sf": edited})
    assert problems == ["META-INF/mozilla.rsa: is over other content: its message digest does not match mozilla.sf"]


def test_an_edited_cose_manifest_breaks_the_cose_signature(signed, tmp_path, ca):
    original = entries(signed)["META-INF/cose.manifest"]
    problems = problems_after(signed, tmp_path, ca, replace={"META-INF/cose.manifest": original + b"\r\n"})
    assert problems == [
        "META-INF/cose.manifest: SHA256 digest does not match META-INF/manifest.mf (changed after signing)",
        "META-INF/cose.manifest: SHA1 digest does not match META-INF/manifest.mf (changed after signing)",
        "META-INF/cose.sig: does not match: the signature is not valid for cose.manifest",
    ]


def test_a_swapped_cose_signature_is_caught_by_the_pkcs7_manifest(signed, tmp_path, ca):
    # Another valid COSE signature of the same files: the PKCS#7 manifest pins the original.
    again = tmp_path / "again.xpi"
    sign_xpi(ca, make_xpi(tmp_path / "same.xpi"), ADDON_ID, again)
    problems = problems_after(signed, tmp_path, ca, replace={"META-INF/cose.sig": entries(again)["META-INF/cose.sig"]})
    assert problems == [
        "META-INF/cose.sig: SHA256 digest does not match META-INF/manifest.mf (changed after signing)",
        "META-INF/cose.sig: SHA1 digest does not match META-INF/manifest.mf (changed after signing)",
    ]


@pytest.mark.parametrize("name, garbage, message", [
    ("META-INF/mozilla.rsa", b"\x30\x03\x02\x01\x01", "META-INF/mozilla.rsa: cannot be parsed"),
    ("META-INF/cose.sig", b"\xff\xff", "META-INF/cose.sig: is not valid CBOR"),
    ("META-INF/manifest.mf", b"Nonsense", "META-INF/manifest.mf: does not start with 'Manifest-Version: 1.0'"),
    ("META-INF/mozilla.sf", b"x" * 100, "META-INF/mozilla.sf: a line is longer than 72 bytes"),
])
def test_garbled_signature_files_are_named(signed, tmp_path, ca, name, garbage, message):
    problems = problems_after(signed, tmp_path, ca, replace={name: garbage})
    assert any(problem.startswith(message) for problem in problems), problems


def test_another_stores_root_is_not_trusted(signed, other_ca):
    problems = verify_xpi(signed, other_ca.root_pem(), ADDON_ID)
    assert len(problems) == 2
    assert problems[0].startswith("META-INF/mozilla.rsa: the certificate 'O=addonhub,CN=addonhub add-on signing CA")
    assert problems[1].startswith("META-INF/cose.sig: the certificate 'O=addonhub,CN=addonhub add-on signing CA")
    assert all("is not issued by the trusted root 'O=addonhub,CN=addonhub root CA" in problem for problem in problems)


def test_a_signature_made_by_another_ca_is_not_trusted(other_ca, ca, tmp_path):
    package = make_xpi(tmp_path / "in.xpi")
    sign_xpi(other_ca, package, ADDON_ID, package)
    assert len(verify_xpi(package, ca.root_pem(), ADDON_ID)) == 2


def test_the_common_name_must_be_the_add_on_id(signed, ca):
    assert verify_xpi(signed, ca.root_pem(), "other@example.org") == [
        "META-INF/mozilla.rsa: signed for 'demo@example.org', not for the add-on id 'other@example.org' "
        "(the certificate's common name should be 'other@example.org')",
        "META-INF/cose.sig: signed for 'demo@example.org', not for the add-on id 'other@example.org' "
        "(the certificate's common name should be 'other@example.org')",
    ]


def test_without_a_root_the_chain_is_checked_only_as_far_as_it_goes(signed):
    assert verify_xpi(signed) == [NO_ROOT]


def test_a_bad_root_is_an_error(signed):
    with pytest.raises(SigningError, match="not a PEM certificate"):
        verify_xpi(signed, b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")


def test_an_unsigned_package_says_so(tmp_path, ca):
    assert verify_xpi(make_xpi(tmp_path / "plain.xpi"), ca.root_pem(), ADDON_ID) == [
        "the package is not signed: it has no signature files in META-INF/"]


def test_missing_and_extra_signature_files_are_named(signed, tmp_path, ca):
    problems = problems_after(signed, tmp_path, ca, drop=("META-INF/cose.sig",), add={"META-INF/extra.rsa": b"x"})
    assert problems == [
        "META-INF/extra.rsa: unexpected signature file (Firefox accepts one signature only)",
        "META-INF/cose.sig is missing",
        "META-INF/cose.sig: listed in META-INF/manifest.mf but not in the package",
    ]
