"""`addonhub sign`, `addonhub verify` and `addonhub signing export-root`: messages and exit codes."""

import pytest
from cryptography import x509

from addonhub.cli import main
from addonhub.signing.ca import SigningCA
from tests.signing.conftest import ADDON_ID
from tests.signing.packages import make_xpi, rewrite


@pytest.fixture(autouse=True)
def no_default_store(tmp_path, monkeypatch):
    """The default data directory (./data, ADDONHUB_DATA_DIR) is an empty one here."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ADDONHUB_DATA_DIR", raising=False)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_sign_then_verify_with_the_stores_root(capsys, data_dir, tmp_path):
    package, signed = make_xpi(tmp_path / "addon.xpi"), tmp_path / "signed.xpi"
    code, out, _ = run(capsys, "sign", "--data-dir", data_dir, package, "--id", ADDON_ID, "-o", signed)
    assert code == 0 and out.startswith(f"Signed {signed} for {ADDON_ID} (certificate serial ")

    code, out, _ = run(capsys, "verify", signed, "--data-dir", data_dir, "--id", ADDON_ID)
    assert (code, out) == (0, f"{signed}: the signatures are valid for {ADDON_ID}.\n")


def test_export_root_prints_the_root_that_verify_trusts(capsys, data_dir, signed, tmp_path):
    code, out, _ = run(capsys, "signing", "export-root", "--data-dir", data_dir)
    assert code == 0
    assert x509.load_pem_x509_certificate(out.encode()) == SigningCA.open(data_dir).root

    (tmp_path / "root.pem").write_text(out)
    assert run(capsys, "verify", signed, "--root", tmp_path / "root.pem")[0] == 0


def test_export_root_makes_the_ca_on_first_use(capsys, tmp_path):
    code, out, _ = run(capsys, "signing", "export-root", "--data-dir", tmp_path / "new-store")
    assert code == 0 and out.startswith("-----BEGIN CERTIFICATE-----")
    assert (tmp_path / "new-store" / "signing" / "ca" / "intermediate.key").exists()


def test_verify_lists_what_is_wrong(capsys, data_dir, signed, tmp_path):
    changed = rewrite(signed, tmp_path / "changed.xpi", replace={"background.js": b"steal();"})
    code, out, err = run(capsys, "verify", changed, "--data-dir", data_dir, "--id", "other@example.org")
    assert code == 1 and out == ""
    assert err.startswith(f"{changed}: the signatures are not valid:\n")
    assert "  - background.js: SHA256 digest does not match META-INF/manifest.mf" in err
    assert "  - META-INF/mozilla.rsa: signed for 'demo@example.org', not for the add-on id 'other@example.org'" in err


def test_verify_without_a_root_fails_and_says_how_to_give_one(capsys, signed):
    code, _, err = run(capsys, "verify", signed)  # ./data has no CA
    assert code == 1
    assert "no trusted root was given" in err
    assert "Give the root to trust with --root PEM, or the --data-dir of the store that signed it." in err
    assert not (signed.parent / "data").exists()  # verifying never makes a CA


def test_another_root_fails(capsys, other_ca, signed, tmp_path):
    (tmp_path / "other.pem").write_bytes(other_ca.root_pem())
    code, _, err = run(capsys, "verify", signed, "--root", tmp_path / "other.pem")
    assert code == 1 and "is not issued by the trusted root" in err


@pytest.mark.parametrize("command", ["sign", "verify"])
def test_a_corrupt_package_cannot_be_read(capsys, data_dir, tmp_path, command):
    corrupt = tmp_path / "corrupt.xpi"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    extra = ["--id", ADDON_ID, "-o", tmp_path / "out.xpi"] if command == "sign" else []
    code, _, err = run(capsys, command, corrupt, "--data-dir", data_dir, *extra)
    assert code == 2
    assert err.startswith(f"addonhub: cannot read {corrupt}: Corrupt ZIP file")
    assert not (tmp_path / "out.xpi").exists()


def test_an_unreadable_root_cannot_be_read(capsys, signed, tmp_path):
    assert run(capsys, "verify", signed, "--root", tmp_path / "missing.pem")[0] == 2
    (tmp_path / "bad.pem").write_text("not a certificate")
    code, _, err = run(capsys, "verify", signed, "--root", tmp_path / "bad.pem")
    assert code == 2 and "The root is not a PEM certificate" in err


def test_sign_refuses_an_empty_id(capsys, data_dir, tmp_path):
    code, _, err = run(capsys, "sign", "--data-dir", data_dir, make_xpi(tmp_path / "a.xpi"), "--id", "",
                       "-o", tmp_path / "out.xpi")
    assert code == 1 and "The add-on id must not be empty." in err
