"""The layering of docs/architecture.md, checked on the source: domain packages import no dialect
and no web framework, and submissions knows nothing of the Edge dialect's domain, which builds
on it. A dependency that runs backwards fails here, not in review."""

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "addonhub"
DOMAIN = ("accounts", "catalog", "edge", "packages", "signing", "submissions")
WEB = ("addonhub.api", "starlette", "fastapi", "uvicorn", "addonhub.store", "addonhub.workflows")


def imports_of(package: str) -> dict[str, set[str]]:
    """Every module a package's files import, by file."""
    found = {}
    for path in sorted((SOURCE / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[str(path.relative_to(SOURCE))] = names
    return found


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_packages_import_no_dialect_and_no_web_framework(package):
    offending = {file: sorted(name for name in names if name.startswith(WEB))
                 for file, names in imports_of(package).items()}
    assert {file: names for file, names in offending.items() if names} == {}


def test_submissions_does_not_import_the_edge_domain_that_builds_on_it():
    offending = {file: sorted(name for name in names if name.startswith("addonhub.edge"))
                 for file, names in imports_of("submissions").items()}
    assert {file: names for file, names in offending.items() if names} == {}


def test_the_check_sees_imports():
    assert "addonhub.submissions.versions" in imports_of("edge")["edge/submissions.py"]
