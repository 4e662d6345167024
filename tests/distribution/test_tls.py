"""`addonhub serve --tls-cert --tls-key`: HTTPS from the store itself, on a real socket."""

import ssl

import httpx
import pytest

from tests.certificates import make_test_certificates
from tests.test_cli import run, serve  # noqa: F401 (serve is the fixture)

pytestmark = pytest.mark.cli


def test_serve_speaks_https_with_the_given_certificate(serve, tmp_path):
    certificates = make_test_certificates(tmp_path / "tls")
    url = serve(tmp_path / "store", "--tls-cert", str(certificates.cert), "--tls-key", str(certificates.key),
                verify=ssl.create_default_context(cafile=certificates.ca))
    assert url.startswith("https://")
    trusted = ssl.create_default_context(cafile=certificates.ca)
    answer = httpx.get(f"{url}/api/v4/addons/search/?q=x", verify=trusted)
    assert answer.status_code == 200 and answer.json()["count"] == 0
    with pytest.raises(httpx.ConnectError):  # a client that does not trust the CA refuses the store
        httpx.get(f"{url}/__lbheartbeat__")
    logs = "".join(path.read_text() for path in tmp_path.glob("serve-*.log"))
    assert f"on {url}/" in logs


def test_serve_refuses_a_certificate_without_its_key(tmp_path):
    certificates = make_test_certificates(tmp_path / "tls")
    other = make_test_certificates(tmp_path / "other")
    only_cert = run("serve", "--data-dir", str(tmp_path / "store"), "--tls-cert", str(certificates.cert), check=False)
    assert only_cert.returncode == 2 and "give both --tls-cert and --tls-key" in only_cert.stderr
    mismatched = run("serve", "--data-dir", str(tmp_path / "store"), "--tls-cert", str(certificates.cert),
                     "--tls-key", str(other.key), check=False)
    assert mismatched.returncode == 2 and "are not a PEM certificate and its private key" in mismatched.stderr
    missing = run("serve", "--data-dir", str(tmp_path / "store"), "--tls-cert", str(tmp_path / "nope.pem"),
                  "--tls-key", str(other.key), check=False)
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
