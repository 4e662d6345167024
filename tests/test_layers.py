"""The layering of docs/architecture.md, checked on the source: domain packages import no dialect
and no web framework, and no two of them import each other, however indirectly (edge builds on
submissions, which builds on catalog...). A dependency that runs backwards fails here, not in
review."""

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "addonhub"
DOMAIN = ("accounts", "catalog", "distribution", "edge", "packages", "ratings", "signing", "submissions")
# Infrastructure the domain may use, which must not use the domain back (packages or modules).
INFRASTRUCTURE = ("search", "published_urls")
WEB = ("addonhub.api", "addonhub.web", "starlette", "fastapi", "uvicorn", "addonhub.store", "addonhub.workflows")


def imports_of(package: str) -> dict[str, set[str]]:
    """Every module a package's files import, by file."""
    found = {}
    module = SOURCE / f"{package}.py"
    for path in [module] if module.exists() else sorted((SOURCE / package).rglob("*.py")):
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


def _package_graph() -> dict[str, set[str]]:
    packages = DOMAIN + INFRASTRUCTURE
    graph = {}
    for package in packages:
        names = set().union(*imports_of(package).values())
        graph[package] = {other for other in packages if other != package
                          and any(name == f"addonhub.{other}" or name.startswith(f"addonhub.{other}.") for name in names)}
    return graph


def test_no_two_domain_packages_depend_on_each_other():
    graph = _package_graph()

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        return any(step == target or (step not in seen and reaches(step, target, seen | {step}))
                   for step in graph[start])

    assert sorted(package for package in graph if reaches(package, package, {package})) == []
    assert not graph["search"], "the search index must not import the domain it serves"
    assert not graph["published_urls"], "the store's URLs are a leaf every layer builds on"


def test_the_checks_see_imports():
    assert "addonhub.submissions.versions" in imports_of("edge")["edge/submissions.py"]
    assert {"submissions", "catalog"} <= _package_graph()["edge"]
