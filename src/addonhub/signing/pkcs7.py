"""Detached PKCS#7 (CMS SignedData) signatures over the JAR signature file: META-INF/mozilla.rsa."""

import hashlib

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from addonhub.signing import SignatureProblem, certificates

# The digests Firefox accepts in a PKCS#7 add-on signature.
_DIGESTS = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256()}


def sign_detached(content: bytes, certificate: x509.Certificate, key: rsa.RSAPrivateKey,
                  chain: list[x509.Certificate]) -> bytes:
    """DER SignedData without the content, carrying the signer's certificate and `chain`.

    SHA-256, which current Firefox accepts as it does SHA-1 (AMO's choice, for old versions):
    cryptography cannot sign PKCS#7 with SHA-1."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(certificate, key, hashes.SHA256())
    for extra in chain:  # after add_signer, which starts a new list of extra certificates
        builder = builder.add_certificate(extra)
    # Binary: sign the bytes as they are, not turned into MIME text with CRLF line ends.
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCapabilities]
    return builder.sign(serialization.Encoding.DER, options)


def verify_detached(signature: bytes, content: bytes) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """Checks that `signature` signs `content` as Firefox does (the single signer, found by issuer
    and serial number among the included certificates); returns the signer's certificate and the
    other included ones. Raises SignatureProblem naming what is wrong."""
    try:
        info = cms.ContentInfo.load(signature, strict=True)
        if info["content_type"].native != "signed_data":
            raise SignatureProblem("is not a PKCS#7 SignedData")
        signed_data = info["content"]
        signer_infos = signed_data["signer_infos"]
        if len(signer_infos) != 1:
            raise SignatureProblem(f"has {len(signer_infos)} signers instead of one")
        signer_info = signer_infos[0]
        algorithm = _DIGESTS.get(signer_info["digest_algorithm"]["algorithm"].native)
        if algorithm is None:
            raise SignatureProblem(f"uses the digest {signer_info['digest_algorithm']['algorithm'].native}, "
                                   "which Firefox does not accept")
        included = [choice.chosen for choice in signed_data["certificates"] or [] if choice.name == "certificate"]
        signer_index = _signer_index(signer_info["sid"], included)
        signed_bytes = _signed_bytes(signer_info, content, algorithm)
        signature_value = signer_info["signature"].native
        loaded = [certificates.load_der(certificate.dump()) for certificate in included]
    except (ValueError, TypeError, KeyError) as error:
        raise SignatureProblem(f"cannot be parsed: {error}") from None
    signer = loaded.pop(signer_index)
    _check_signature(signer, signature_value, signed_bytes, algorithm)
    return signer, loaded


def _signer_index(signer_id: cms.SignerIdentifier, included: list) -> int:
    if signer_id.name != "issuer_and_serial_number":
        raise SignatureProblem("does not name its signer by issuer and serial number, as Firefox requires")
    wanted = signer_id.chosen
    for index, certificate in enumerate(included):
        if certificate.serial_number == wanted["serial_number"].native and certificate.issuer == wanted["issuer"]:
            return index
    raise SignatureProblem("does not include the signer's certificate")


def _signed_bytes(signer_info: cms.SignerInfo, content: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
    """What the signature is over: the content itself, or the signed attributes, which then carry
    the content's digest."""
    attributes = signer_info["signed_attrs"]
    if not attributes:
        return content
    values = {attribute["type"].native: attribute["values"].native for attribute in attributes}
    if values.get("content_type") != ["data"]:
        raise SignatureProblem("does not sign plain data")
    if values.get("message_digest") != [hashlib.new(algorithm.name, content).digest()]:
        raise SignatureProblem("is over other content: its message digest does not match mozilla.sf")
    return attributes.untag().dump()  # signed as a SET, not with the [0] tag it is stored under


def _check_signature(signer: x509.Certificate, value: bytes, data: bytes, algorithm: hashes.HashAlgorithm) -> None:
    public_key = signer.public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(value, data, padding.PKCS1v15(), algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(value, data, ec.ECDSA(algorithm))
        else:
            raise SignatureProblem("is made with a key type Firefox does not accept")
    except InvalidSignature:
        raise SignatureProblem("does not match: the signature is not valid for mozilla.sf") from None
