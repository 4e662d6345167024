"""Signing: the layout Firefox verifies, re-signing, and output that appears whole or not at all."""

import base64
import hashlib
import shutil
import subprocess
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from addonhub.packages.archive import ArchiveError
from addonhub.signing import SigningError, cose, jar
from addonhub.signing.xpi import sign_xpi
from addonhub.signing.verify import verify_xpi
from tests.signing.conftest import ADDON_ID
from tests.signing.packages import FILES, entries, make_xpi, rewrite

SIGNATURE_FILES = ["META-INF/cose.manifest", "META-INF/cose.sig", "META-INF/manifest.mf",
                   "META-INF/mozilla.sf", "META-INF/mozilla.rsa"]


def b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_the_signature_files_follow_the_packages_files(signed):
    assert list(entries(signed)) == [*FILES, *SIGNATURE_FILES]
    assert {name: entries(signed)[name].decode() for name in FILES} == FILES


def test_manifests_hold_the_digests_of_every_file(signed):
    contents = entries(signed)
    cose_manifest = jar.manifest_entries(contents["META-INF/cose.manifest"])
    assert list(cose_manifest) == list(FILES)
    for name, content in FILES.items():
        assert cose_manifest[name]["sha256-digest"] == b64_sha256(content.encode())
        assert cose_manifest[name]["sha1-digest"] == base64.b64encode(hashlib.sha1(content.encode()).digest()).decode()

    # The PKCS#7 manifest also covers the COSE files; mozilla.sf covers the manifest.
    manifest = jar.manifest_entries(contents["META-INF/manifest.mf"])
    assert list(manifest) == [*FILES, "META-INF/cose.manifest", "META-INF/cose.sig"]
    assert manifest["META-INF/cose.sig"]["sha256-digest"] == b64_sha256(contents["META-INF/cose.sig"])
    signature_file = jar.signature_file_attributes(contents["META-INF/mozilla.sf"])
    assert signature_file["sha256-digest-manifest"] == b64_sha256(contents["META-INF/manifest.mf"])
    assert contents["META-INF/mozilla.sf"].startswith(b"Signature-Version: 1.0\r\n")


def test_long_names_are_folded_into_lines_of_72_bytes(ca, tmp_path):
    name = "scripts/" + "long-directory-name/" * 5 + "naïve-ünïcödé-" * 4 + ".js"
    output = tmp_path / "signed.xpi"
    sign_xpi(ca, make_xpi(tmp_path / "in.xpi", {name: "x"}), ADDON_ID, output)
    manifest = entries(output)["META-INF/manifest.mf"]
    assert all(len(line) <= 72 for line in manifest.split(b"\r\n"))
    assert name in jar.manifest_entries(manifest)
    assert verify_xpi(output, ca.root_pem(), ADDON_ID) == []


def test_the_signatures_carry_fresh_end_entity_certificates_from_the_intermediate(ca, tmp_path):
    output = tmp_path / "signed.xpi"
    signer = sign_xpi(ca, make_xpi(tmp_path / "in.xpi"), ADDON_ID, output)
    contents = entries(output)

    pkcs7_certificates = pkcs7.load_der_pkcs7_certificates(contents["META-INF/mozilla.rsa"])
    assert pkcs7_certificates == [signer, ca.intermediate]  # the root is never included
    assert isinstance(signer.public_key(), rsa.RSAPublicKey) and signer.public_key().key_size == 2048

    cose_signers, intermediates = cose.verify(contents["META-INF/cose.sig"], contents["META-INF/cose.manifest"])
    assert intermediates == [ca.intermediate]
    assert isinstance(cose_signers[0].public_key().curve, ec.SECP256R1)
    for certificate in (signer, cose_signers[0]):
        certificate.verify_directly_issued_by(ca.intermediate)
        assert certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == ADDON_ID

    again = sign_xpi(ca, make_xpi(tmp_path / "in.xpi"), ADDON_ID, tmp_path / "again.xpi")
    assert again.public_key() != signer.public_key()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
@pytest.mark.parametrize("binary", [[], ["-binary"]])
def test_openssl_accepts_the_pkcs7_signature(signed, ca, tmp_path, binary):
    contents = entries(signed)
    (tmp_path / "mozilla.rsa").write_bytes(contents["META-INF/mozilla.rsa"])
    (tmp_path / "mozilla.sf").write_bytes(contents["META-INF/mozilla.sf"])
    (tmp_path / "root.pem").write_bytes(ca.root_pem())
    result = subprocess.run(["openssl", "cms", "-verify", *binary, "-inform", "DER", "-in", "mozilla.rsa",
                             "-content", "mozilla.sf", "-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_refuses_the_signature_under_another_root(signed, other_ca, tmp_path):
    contents = entries(signed)
    (tmp_path / "mozilla.rsa").write_bytes(contents["META-INF/mozilla.rsa"])
    (tmp_path / "mozilla.sf").write_bytes(contents["META-INF/mozilla.sf"])
    (tmp_path / "root.pem").write_bytes(other_ca.root_pem())
    result = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", "mozilla.rsa", "-content",
                             "mozilla.sf", "-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0


def test_resigning_replaces_every_old_signature_file(ca, signed, tmp_path):
    # Old JAR signature files in any case, as other signers name them, go too.
    old = rewrite(signed, tmp_path / "old.xpi", add={"META-INF/ZIGBERT.RSA": b"old", "META-INF/zigbert.sf": b"old",
                                                      "META-INF/MANIFEST.MF": b"old", "meta-inf/SIG-OLD": b"old"})
    resigned = tmp_path / "resigned.xpi"
    sign_xpi(ca, old, ADDON_ID, resigned)
    assert list(entries(resigned)) == [*FILES, *SIGNATURE_FILES]
    assert verify_xpi(resigned, ca.root_pem(), ADDON_ID) == []


def test_a_package_can_be_signed_in_place(ca, tmp_path):
    package = make_xpi(tmp_path / "addon.xpi")
    sign_xpi(ca, package, ADDON_ID, package)
    assert verify_xpi(package, ca.root_pem(), ADDON_ID) == []
    assert [path.name for path in tmp_path.iterdir()] == ["addon.xpi"]


def test_directory_entries_are_dropped(ca, tmp_path):
    source = tmp_path / "in.xpi"
    with zipfile.ZipFile(source, "w") as package:
        package.writestr("icons/", "")
        package.writestr("icons/icon.png", b"\x89PNG")
    sign_xpi(ca, source, ADDON_ID, tmp_path / "out.xpi")
    assert list(entries(tmp_path / "out.xpi")) == ["icons/icon.png", *SIGNATURE_FILES]


@pytest.mark.parametrize("content", [b"this is not a zip", None])
def test_an_unreadable_package_leaves_the_output_untouched(ca, tmp_path, content):
    source = tmp_path / "in.xpi"
    if content is None:  # a zip with a name pointing outside the archive
        make_xpi(source, {"../escape.js": "x"})
    else:
        source.write_bytes(content)
    output = tmp_path / "out.xpi"
    output.write_bytes(b"previous")
    with pytest.raises(ArchiveError):
        sign_xpi(ca, source, ADDON_ID, output)
    assert output.read_bytes() == b"previous"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.xpi", "out.xpi"]


def test_a_failure_while_writing_leaves_no_partial_output(ca, tmp_path, monkeypatch):
    source = make_xpi(tmp_path / "in.xpi")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr("addonhub.signing.jar.signature_file", fail)
    with pytest.raises(OSError, match="disk full"):
        sign_xpi(ca, source, ADDON_ID, tmp_path / "out.xpi")
    assert [path.name for path in tmp_path.iterdir()] == ["in.xpi"]


def test_the_certificate_names_long_ids_by_their_sha256(ca, tmp_path):
    long_id = "{" + "0123456789abcdef" * 5 + "}"
    output = tmp_path / "signed.xpi"
    no_id = dict(FILES, **{"manifest.json": '{"manifest_version": 2, "name": "Demo", "version": "1.0"}'})
    signer = sign_xpi(ca, make_xpi(tmp_path / "in.xpi", no_id), long_id, output)
    expected = hashlib.sha256(long_id.encode()).hexdigest()
    assert signer.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == expected
    assert verify_xpi(output, ca.root_pem(), long_id) == []


def test_a_package_declaring_another_id_is_not_signed(ca, tmp_path):
    source = make_xpi(tmp_path / "other.xpi")  # its manifest says demo@example.org
    with pytest.raises(SigningError, match="demo@example.org"):
        sign_xpi(ca, source, "someone-else@example.org", tmp_path / "signed.xpi")
    assert not (tmp_path / "signed.xpi").exists()
    sign_xpi(ca, source, "demo@example.org", tmp_path / "signed.xpi")
    assert verify_xpi(tmp_path / "signed.xpi", ca.root_pem(), "demo@example.org") == []
