"""Verifying a signed XPI the way Firefox does (AppSignatureVerification.cpp and XPIInstall's
getSignedStatus), reporting every problem found rather than the first."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from addonhub.packages.archive import PackageArchive
from addonhub.signing import SignatureProblem, cose, jar, pkcs7
from addonhub.signing.ca import common_name_for
from addonhub.signing.certificates import chain_problems, load_pem_root

# Firefox reads signature files of up to 8 MB.
SIGNATURE_FILE_LIMIT = 8_000_000
NO_ROOT = ("no trusted root was given: the certificate chains were checked only as far as the certificates "
           "in the package")
_PKCS7_FILES = (jar.MANIFEST, jar.SIGNATURE_FILE, jar.PKCS7_SIGNATURE)
_COSE_FILES = (jar.COSE_MANIFEST, jar.COSE_SIGNATURE)


@dataclass
class _Signer:
    """A checked signature's end-entity certificate, with the certificates it came with."""
    source: str
    certificate: x509.Certificate
    intermediates: list[x509.Certificate]


def verify_xpi(path: Path | str, root_pem: bytes | None = None, addon_id: str | None = None) -> list[str]:
    """What is wrong with the package's signatures; an empty list means Firefox trusting `root_pem`
    would accept them for `addon_id`. Without a root the chains are checked only as far as they go,
    which is itself reported as a problem; without an id the common name is not checked against one.

    Raises ArchiveError when the package cannot be read safely, SigningError for a bad root."""
    root = load_pem_root(root_pem) if root_pem is not None else None
    with PackageArchive(path) as archive:
        return _Verification(archive).problems(root, addon_id)


class _Verification:
    def __init__(self, archive: PackageArchive):
        self.archive = archive
        self.files = archive.files
        self.signers: list[_Signer] = []
        # Checks share files: the signature files are read once, and each file hashed once for both manifests.
        self._read = cache(lambda name: archive.read(name, SIGNATURE_FILE_LIMIT))
        self._digests = cache(lambda name: jar.digests_of(archive.chunks(name)))

    def problems(self, root: x509.Certificate | None, addon_id: str | None) -> list[str]:
        present = [name for name in self.files if jar.is_signature_file(name)]
        if not present:
            return ["the package is not signed: it has no signature files in META-INF/"]
        problems = [f"{name}: unexpected signature file (Firefox accepts one signature only)"
                    for name in present if name not in jar.SIGNATURE_FILES]
        problems += [f"{name} is missing" for name in jar.SIGNATURE_FILES if name not in self.archive]
        # Each check stands alone, so that one broken file does not hide what else is wrong.
        for check in self._checks():
            try:
                problems += check()
            except SignatureProblem as problem:
                problems.append(str(problem))
        for signer in self.signers:
            problems += [f"{signer.source}: {problem}"
                         for problem in chain_problems(signer.certificate, signer.intermediates, root)]
        problems += _common_name_problems(self.signers, addon_id)
        if root is None:
            problems.append(NO_ROOT)
        return problems

    def _checks(self) -> list[Callable[[], list[str]]]:
        checks = []
        if all(name in self.archive for name in _PKCS7_FILES):
            checks += [self._pkcs7_signature, self._signature_file, self._pkcs7_manifest]
        if all(name in self.archive for name in _COSE_FILES):
            checks += [self._cose_signature, self._cose_manifest]
        return checks

    def _pkcs7_signature(self) -> list[str]:
        """mozilla.rsa signs mozilla.sf."""
        certificate, others = _checked(jar.PKCS7_SIGNATURE, pkcs7.verify_detached,
                                       self._read(jar.PKCS7_SIGNATURE), self._read(jar.SIGNATURE_FILE))
        self.signers.append(_Signer(jar.PKCS7_SIGNATURE, certificate, others))
        return []

    def _signature_file(self) -> list[str]:
        """mozilla.sf holds the digests of manifest.mf."""
        attributes = _checked(jar.SIGNATURE_FILE, jar.signature_file_attributes, self._read(jar.SIGNATURE_FILE))
        return [f"{jar.SIGNATURE_FILE}: {problem}" for problem in
                _digest_problems(attributes, jar.digests_of([self._read(jar.MANIFEST)]), "-digest-manifest",
                                 jar.MANIFEST)]

    def _pkcs7_manifest(self) -> list[str]:
        """manifest.mf lists every file but itself, mozilla.sf and mozilla.rsa."""
        covered = [name for name in self.files if not jar.is_signature_file(name) or name in _COSE_FILES]
        return self._manifest_problems(jar.MANIFEST, covered)

    def _cose_signature(self) -> list[str]:
        """cose.sig signs cose.manifest."""
        certificates, intermediates = _checked(jar.COSE_SIGNATURE, cose.verify,
                                               self._read(jar.COSE_SIGNATURE), self._read(jar.COSE_MANIFEST))
        self.signers += [_Signer(jar.COSE_SIGNATURE, certificate, intermediates) for certificate in certificates]
        return []

    def _cose_manifest(self) -> list[str]:
        """cose.manifest lists every file but the signature files."""
        return self._manifest_problems(jar.COSE_MANIFEST, [name for name in self.files
                                                           if not jar.is_signature_file(name)])

    def _manifest_problems(self, manifest_name: str, covered: list[str]) -> list[str]:
        """Every covered file listed with matching digests, and nothing listed that is not there."""
        entries = _checked(manifest_name, jar.manifest_entries, self._read(manifest_name))
        problems = []
        for name in covered:
            entry = entries.get(name)
            if entry is None:
                problems.append(f"{name}: not listed in {manifest_name} (added after signing?)")
            else:
                problems += [f"{name}: {problem}" for problem in
                             _digest_problems(entry, self._digests(name), "-digest", manifest_name)]
        problems += [f"{name}: listed in {manifest_name} but not in the package" for name in entries
                     if name not in covered]
        return problems


def _checked(source: str, check: Callable, *args):
    """Runs a parser or checker, prefixing the problem it raises with the file it is about."""
    try:
        return check(*args)
    except SignatureProblem as problem:
        raise SignatureProblem(f"{source}: {problem}") from None


def _digest_problems(attributes: dict[str, str], actual: jar.Digests, suffix: str, listed_in: str) -> list[str]:
    """SHA-256 must be there (Firefox uses it for COSE and SHA-256 PKCS#7); SHA-1 is checked when present."""
    if "sha256" + suffix not in attributes:
        return [f"no SHA-256 digest in {listed_in}"]
    problems = []
    for algorithm, digest in (("sha256", actual.sha256), ("sha1", actual.sha1)):
        value = attributes.get(algorithm + suffix)
        if value is not None and _checked(listed_in, jar.decode_digest, value) != digest:
            problems.append(f"{algorithm.upper()} digest does not match {listed_in} (changed after signing)")
    return problems


def _common_name_problems(signers: list[_Signer], addon_id: str | None) -> list[str]:
    """Firefox compares the signing certificate's common name with the add-on id (getSignedStatus)."""
    expected = common_name_for(addon_id) if addon_id is not None else None
    problems, names = [], set()
    for signer in signers:
        values = signer.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if len(values) != 1:
            problems.append(f"{signer.source}: the signing certificate does not have one common name")
            continue
        names.add(values[0].value)
        if expected is not None and values[0].value != expected:
            problems.append(f"{signer.source}: signed for {values[0].value!r}, not for the add-on id "
                            f"{addon_id!r} (the certificate's common name should be {expected!r})")
    if expected is None and len(names) > 1:
        problems.append(f"the signatures name different add-ons: {', '.join(sorted(names))}")
    return problems

