"""Why a package upload failed, as the Edge API's `errors` list: `[{"id", "message"}]`.

The reference names two ids with their texts, and those are kept word for word. Every other
finding of the validator keeps its own code (addons-linter's where it has one) and message:
Edge has no published list of ids, and the developer needs to know what to fix.
"""

MANIFEST_FILE_MISSING = {"id": "MANIFEST_FILE_MISSING", "message": "Zip file must contain a manifest.json file."}
SIZE_LIMIT_EXCEEDED = "SIZE_LIMIT_EXCEEDED"
INVALID_PACKAGE = "INVALID_PACKAGE"

# Validator codes for a package too large to accept. The zip file itself can never be over the
# limit here (the upload is refused with a 413 as it streams in), so these are about its contents,
# and the validator's message, which names the limit that was reached, is kept.
_SIZE_CODES = frozenset({"ARCHIVE_TOO_LARGE", "FILE_TOO_LARGE_IN_ARCHIVE", "FILE_TOO_LARGE", "TOO_MANY_ENTRIES"})


def package_errors(validation: dict | None) -> list[dict]:
    """The error messages of a validation report (AMO's validation_results shape), mapped to
    Edge's ids, without duplicates; never empty, since a failed upload must say why."""
    errors: list[dict] = []
    for message in (validation or {}).get("messages", []):
        if message.get("type") != "error":
            continue
        error = _edge_error(_code_of(message), str(message.get("message") or "The package is not valid."))
        if error not in errors:
            errors.append(error)
    return errors or [{"id": INVALID_PACKAGE, "message": "The package is not valid."}]


def _code_of(message: dict) -> str:
    codes = message.get("id") or []
    return str(codes[0]) if codes else INVALID_PACKAGE


def _edge_error(code: str, text: str) -> dict:
    if code == "TYPE_NO_MANIFEST_JSON":
        return dict(MANIFEST_FILE_MISSING)
    if code in _SIZE_CODES:
        return {"id": SIZE_LIMIT_EXCEEDED, "message": text}
    return {"id": code, "message": text}
