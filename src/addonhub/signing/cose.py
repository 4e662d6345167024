"""COSE signatures over META-INF/cose.manifest: META-INF/cose.sig, as Autograph makes it and
Firefox's cose-rust reads it.

    98([ protected: {kid: [intermediate certificates, DER]},  unprotected: {},  payload: nil,
         signatures: [[ protected: {alg: ES256, kid: end-entity certificate, DER},  unprotected: {},
                        signature: r || s ]] ])

Each signature signs the Sig_structure ["Signature", body protected, signature protected, h'', manifest].
"""

from collections.abc import Mapping

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from addonhub.signing import SignatureProblem, certificates

COSE_SIGN_TAG = 98
ALG, KID = 1, 4  # header labels
ES256 = -7
# The ECDSA algorithms Firefox verifies, by COSE identifier, with their hashes.
_ALGORITHMS = {ES256: hashes.SHA256(), -35: hashes.SHA384(), -36: hashes.SHA512()}
ES256_HALF = 32  # bytes in each of r and s for P-256


def sign(manifest: bytes, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey,
         intermediates: list[x509.Certificate]) -> bytes:
    """An ES256 COSE_Sign message over the manifest, which stays detached."""
    body_protected = _encode({KID: [_der(intermediate) for intermediate in intermediates]})
    signature_protected = _encode({ALG: ES256, KID: _der(certificate)})
    r, s = decode_dss_signature(key.sign(_to_be_signed(body_protected, signature_protected, manifest),
                                         ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(ES256_HALF, "big") + s.to_bytes(ES256_HALF, "big")
    return _encode(cbor2.CBORTag(COSE_SIGN_TAG, [body_protected, {}, None, [[signature_protected, {}, signature]]]))


def verify(message: bytes, manifest: bytes) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """Checks every signature in the COSE message against the manifest; returns the signers'
    certificates and the intermediates the message carries. Raises SignatureProblem naming what is wrong."""
    try:
        decoded = _decode(message)
    except (cbor2.CBORDecodeError, ValueError, TypeError) as error:
        raise SignatureProblem(f"is not valid CBOR: {error}") from None
    if not (isinstance(decoded, cbor2.CBORTag) and decoded.tag == COSE_SIGN_TAG
            and _is_array(decoded.value) and len(decoded.value) == 4):
        raise SignatureProblem("is not a COSE_Sign message")
    body_protected, unprotected, payload, signatures = decoded.value
    if payload is not None:
        raise SignatureProblem("carries a payload; it must be detached")
    if not _is_array(signatures) or not signatures:
        raise SignatureProblem("has no signatures")
    _check_unprotected_empty(unprotected)
    body_headers = _protected_headers(body_protected)
    certificate_list = body_headers.get(KID)
    if len(body_headers) != 1 or not _is_array(certificate_list):
        raise SignatureProblem("must list its intermediate certificates, and only them, in its protected headers")
    intermediates = [certificates.load_der(der) for der in certificate_list]
    signers = [_verify_one(signature, body_protected, manifest) for signature in signatures]
    return signers, intermediates


def _verify_one(signature: object, body_protected: bytes, manifest: bytes) -> x509.Certificate:
    if not (_is_array(signature) and len(signature) == 3 and isinstance(signature[2], bytes)):
        raise SignatureProblem("has a malformed signature")
    signature_protected, unprotected, value = signature
    _check_unprotected_empty(unprotected)
    headers = _protected_headers(signature_protected)
    if len(headers) != 2:
        raise SignatureProblem("has a signature whose protected headers are not just its algorithm and certificate")
    algorithm = headers.get(ALG)
    if not isinstance(algorithm, int) or algorithm not in _ALGORITHMS:
        raise SignatureProblem(f"uses the COSE algorithm {algorithm!r}; only ES256, ES384 and ES512 are checked")
    certificate = certificates.load_der(headers.get(KID))
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise SignatureProblem("has a signing certificate without an elliptic-curve key")
    half = len(value) // 2
    der_signature = encode_dss_signature(int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big"))
    try:
        public_key.verify(der_signature, _to_be_signed(body_protected, signature_protected, manifest),
                          ec.ECDSA(_ALGORITHMS[algorithm]))
    except InvalidSignature:
        raise SignatureProblem("does not match: the signature is not valid for cose.manifest") from None
    return certificate


def _to_be_signed(body_protected: bytes, signature_protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature", body_protected, signature_protected, b"", payload])


def _protected_headers(serialized: object) -> Mapping:
    try:
        headers = _decode(serialized) if isinstance(serialized, bytes) else None
    except (cbor2.CBORDecodeError, ValueError, TypeError):
        headers = None
    if not isinstance(headers, Mapping):
        raise SignatureProblem("has protected headers that are not a serialized map")
    return headers


def _check_unprotected_empty(headers: object) -> None:
    if headers != {}:
        raise SignatureProblem("has unprotected headers; Firefox requires them empty")


def _decode(data: bytes) -> object:
    # Strict like cose-rust: no duplicate map keys, no indefinite lengths.
    return cbor2.loads(data, allow_duplicate_keys=False, allow_indefinite=False)


def _is_array(value: object) -> bool:
    return isinstance(value, (list, tuple))  # cbor2 decodes arrays inside tags as tuples


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _encode(value: object) -> bytes:
    # Canonical CBOR (sorted map keys, shortest forms), which strict decoders such as cose-rust expect.
    return cbor2.dumps(value, canonical=True)
