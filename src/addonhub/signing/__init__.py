"""Signing: the store's CA and XPI signatures in the layout Firefox verifies (PKCS#7 and COSE)."""


class SigningError(Exception):
    """Signing or verifying cannot be done at all: a bad add-on id, an unusable CA or root."""


class SignatureProblem(Exception):
    """One thing wrong with a signature; its message says what, for the list `verify_xpi` returns."""
