"""Certificates from signatures: loading them from untrusted bytes, and checking the path from a
signing certificate to the root as Firefox does."""

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.x509.oid import ExtendedKeyUsageOID

from addonhub.signing import SignatureProblem, SigningError

MAX_INTERMEDIATES = 4
# What cryptography raises for certificates it cannot parse or use.
_PARSE_ERRORS = (ValueError, UnsupportedAlgorithm, x509.InvalidVersion, x509.DuplicateExtension,
                 x509.UnsupportedGeneralNameType)


def load_der(der: object) -> x509.Certificate:
    """A certificate from untrusted bytes, parsed whole now (cryptography leaves names, key and
    extensions for later), so that no later use of it can fail."""
    if not isinstance(der, bytes):
        raise SignatureProblem("has a certificate that is not a byte string")
    try:
        return _parsed_whole(x509.load_der_x509_certificate(der))
    except _PARSE_ERRORS as error:
        raise SignatureProblem(f"has a certificate that cannot be parsed: {error}") from None


def load_pem_root(pem: bytes) -> x509.Certificate:
    try:
        return _parsed_whole(x509.load_pem_x509_certificate(pem))
    except _PARSE_ERRORS as error:
        raise SigningError(f"The root is not a PEM certificate: {error}") from None


def _parsed_whole(certificate: x509.Certificate) -> x509.Certificate:
    certificate.subject, certificate.issuer, certificate.extensions, certificate.public_key()
    return certificate


def chain_problems(leaf: x509.Certificate, candidates: list[x509.Certificate],
                   root: x509.Certificate | None) -> list[str]:
    """The path from the signing certificate through `candidates` to `root`, checked as
    mozilla::pkix does for code signing, except for validity dates, which Firefox ignores for
    add-ons. Without a root, the path is followed as far as the candidates go."""
    problems = _usage_problems(leaf, as_ca=False)
    certificate = leaf
    for _ in range(MAX_INTERMEDIATES + 1):
        if root is not None and _issued_by(certificate, root):
            return problems
        issuer = next((candidate for candidate in candidates
                       if candidate != certificate and _issued_by(certificate, candidate)), None)
        if issuer is None:
            if root is None:
                return problems
            return problems + [f"the certificate {describe(certificate)} is not issued by the trusted root "
                               f"{describe(root)} nor by a certificate included in the signature"]
        problems += _usage_problems(issuer, as_ca=True)
        certificate = issuer
    return problems + ["the certificate chain is too long"]


def describe(certificate: x509.Certificate) -> str:
    return repr(certificate.subject.rfc4514_string())


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _usage_problems(certificate: x509.Certificate, as_ca: bool) -> list[str]:
    name, problems = describe(certificate), []
    constraints = _extension(certificate, x509.BasicConstraints)
    if as_ca and not (constraints and constraints.ca):
        problems.append(f"the certificate {name} issues another but is not a CA")
    if not as_ca and constraints and constraints.ca:
        problems.append(f"the signing certificate {name} is a CA certificate")
    key_usage = _extension(certificate, x509.KeyUsage)
    if key_usage and not (key_usage.key_cert_sign if as_ca else key_usage.digital_signature):
        problems.append(f"the key usage of {name} does not allow {'issuing certificates' if as_ca else 'signing'}")
    purposes = _extension(certificate, x509.ExtendedKeyUsage)
    if purposes and ExtendedKeyUsageOID.CODE_SIGNING not in purposes:
        problems.append(f"the certificate {name} is not for code signing")
    return problems


def _extension(certificate: x509.Certificate, kind: type):
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
