"""Real extensions: Debian's webext-* packages, built into a corpus by tests/corpus/build.py.

Every package of the corpus must validate without an error that addons-linter does not also report
on it, and must sign and verify with the `addonhub` command. The corpus is built (or found up to
date) once per session; it needs apt and Debian's archive, which every developer machine and CI
has: without them these tests fail, they do not skip.

What each package gave is written to tests/corpus/build/findings.md.
"""

import contextlib
import importlib.util
import io
import json
import sys
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest

from addonhub.cli import main as addonhub
from addonhub.packages.validation import ValidationOptions, validate_package

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _load_builder():
    spec = importlib.util.spec_from_file_location("corpus_build", CORPUS / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


build = _load_builder()

# The errors addons-linter 10.13.0 reports on each corpus package (bench/validation runs it on the
# same files, with --self-hosted where we validate unlisted, and lists them in its report): our
# validator may report these codes on that package, and no other error.
ADDONS_LINTER_ERRORS = {
    # Debian ships AMO's mozilla-recommendation.json in the folder; AMO rejects it in uploads.
    "treestyletab": {"RESERVED_FILENAME"},
    # "author": {"email": ...}, an object as Chrome allows; Firefox's schema wants a string.
    "privacy-badger": {"MANIFEST_FIELD_INVALID"},
    "privacy-badger-chromium": {"MANIFEST_FIELD_INVALID"},
    # The "proxy" permission with a strict_min_version below 91.1.
    "foxyproxy": {"RESTRICTED_PERMISSION"},
    "proxy-switcher": {"RESTRICTED_PERMISSION"},
    "proxy-switcher-chromium": {"RESTRICTED_PERMISSION"},
    # Thunderbird add-ons with experiment_apis, a privileged key in Firefox.
    "tbsync": {"MANIFEST_FIELD_PRIVILEGED"},
    "dav4tbsync": {"MANIFEST_FIELD_PRIVILEGED"},
    "eas4tbsync": {"MANIFEST_FIELD_PRIVILEGED"},
    "quicktext": {"MANIFEST_FIELD_PRIVILEGED"},
    "xnotepp": {"MANIFEST_FIELD_PRIVILEGED"},
    "allow-html-temp": {"MANIFEST_FIELD_PRIVILEGED"},
}

# Errors of ours that addons-linter does not report, reported to the validator's owner, as
# {(target, code): reason}. A package whose only unexpected errors are these is an expected failure
# (xfail) until the validator is fixed; then it simply passes, and its entry here should go.
# (INVALID_MESSAGE_NAME on Thunderbird add-ons' "btn.save" message names was one; fixed in 618c4ed.)
KNOWN_FALSE_POSITIVES: dict[tuple[str, str], str] = {}

# The packages the issue names: they must be in the corpus, with their browsers.
REQUIRED = {
    "webext-ublock-origin-firefox": {"firefox"}, "webext-ublock-origin-chromium": {"chromium"},
    "webext-privacy-badger": {"firefox", "chromium"}, "webext-foxyproxy": {"firefox"},
    "webext-treestyletab": {"firefox"}, "webext-keepassxc-browser": {"firefox", "chromium"},
    "webext-browserpass": {"firefox", "chromium"}, "webext-debianbuttons": {"firefox"},
    "webext-form-history-control": {"firefox"}, "webext-lightbeam": {"firefox"},
    "webext-proxy-switcher": {"firefox", "chromium"}, "webext-bulk-media-downloader": {"firefox", "chromium"},
}


@pytest.fixture(scope="session")
def corpus() -> dict[str, list]:
    """Debian package -> its corpus entries."""
    try:
        entries, problem = build.build_corpus(quiet=True), None
    except build.CorpusError as error:
        problem = str(error)
    if problem:
        pytest.fail(f"The corpus of real extensions could not be built (tests/corpus/build.py; `make corpus` "
                    f"shows its progress). It needs apt-get, dpkg-deb and Debian's package archive:\n{problem}",
                    pytrace=False)
    by_package: dict[str, list] = {}
    for entry in entries:
        by_package.setdefault(entry.package, []).append(entry)
    return by_package


@pytest.fixture(scope="session")
def findings():
    """Collects what each package gave and writes it to build/findings.md at the end."""
    found: dict[str, dict] = {}
    yield found
    if not found:
        return
    lines = ["# What the corpus packages gave", "",
             "Written by tests/packages/test_corpus.py. Errors, warnings and notices of `validate_package`; "
             "then the signing round trip.", "",
             "| package | Debian version | target | listed | errors | warnings | notices | signing |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in sorted(found):
        item = found[name]
        lines.append(f"| {name} | {item['version']} | {item['target']} | {item.get('listed', '')} "
                     f"| {item.get('errors', '')} | {item.get('warnings', '')} | {item.get('notices', '')} "
                     f"| {item.get('signing', '')} |")
    build.DEFAULT_OUT.mkdir(parents=True, exist_ok=True)
    (build.DEFAULT_OUT / "findings.md").write_text("\n".join(lines) + "\n")


def _summary(messages, kind: str) -> str:
    counts = Counter(m.code for m in messages if m.type == kind)
    return ", ".join(f"{code} x{n}" if n > 1 else code for code, n in sorted(counts.items())) or "-"


def _describe(message) -> str:
    where = f"{message.file}:{message.line}" if message.line else (message.file or "")
    return f"{message.code} {where}: {message.message}"


def test_the_corpus_has_every_package_of_the_issue(corpus):
    for package, applications in REQUIRED.items():
        assert package in corpus, f"{package} is missing from the corpus"
        assert {e.application for e in corpus[package]} >= applications, package
    for entries in corpus.values():
        for entry in entries:
            path = entry.path(build.DEFAULT_OUT)
            assert path.exists() and path.stat().st_size == entry.size, entry.file
            assert entry.target == ("chromium" if entry.application == "chromium" else "firefox")
            with zipfile.ZipFile(path) as archive:
                files = [info.filename for info in archive.infolist() if not info.is_dir()]
                assert archive.testzip() is None, entry.file
            assert "manifest.json" in files and len(files) == entry.files, entry.file
    # Links into other Debian packages were followed and recorded.
    assert {d.package for e in corpus["webext-foxyproxy"] for d in e.dependencies} == {"fonts-font-awesome"}
    assert any(d.package == "fonts-open-sans" for e in corpus["webext-privacy-badger"] for d in e.dependencies)


@pytest.mark.parametrize("package", build.PACKAGES)
def test_validates_without_errors_addons_linter_does_not_report(corpus, findings, package):
    assert package in corpus, f"{package} gave no corpus package"
    unexpected, known = [], []
    for entry in corpus[package]:
        # Self-hosted packages (with an update_url for their browser) can only be unlisted.
        options = ValidationOptions(listed=entry.listed, target=entry.target)
        report = validate_package(entry.path(build.DEFAULT_OUT), options)
        findings.setdefault(entry.name, {"version": entry.version, "target": entry.target}).update(
            listed="listed" if entry.listed else "unlisted", errors=_summary(report.messages, "error"),
            warnings=_summary(report.messages, "warning"), notices=_summary(report.messages, "notice"))
        assert report.metadata.get("version") == entry.addon_version, entry.name
        allowed = ADDONS_LINTER_ERRORS.get(entry.name, set())
        for message in report.messages:
            if message.type != "error" or message.code in allowed:
                continue
            reason = KNOWN_FALSE_POSITIVES.get((entry.target, message.code))
            (known if reason else unexpected).append((entry, message, reason))
    if unexpected:
        lines = [f"{entry.file} ({entry.target}, {'listed' if entry.listed else 'unlisted'}): {_describe(message)}"
                 for entry, message, _ in unexpected[:40]]
        pytest.fail(f"{package}: {len(unexpected)} errors that addons-linter does not report:\n" + "\n".join(lines))
    if known:
        reasons = sorted({reason for _, _, reason in known})
        files = sorted({entry.file for entry, _, _ in known})
        pytest.xfail(f"{', '.join(files)}: {len(known)} errors, all known false positives: {'; '.join(reasons)}")


@pytest.mark.parametrize("package", build.PACKAGES)
def test_with_firefox_rules_the_verdict_is_addons_linters(corpus, package):
    """addons-linter applies Firefox's rules to every package; with the same rules our verdict
    (valid or not) is the same as its, Chromium packages included."""
    for entry in corpus[package]:
        report = validate_package(entry.path(build.DEFAULT_OUT), ValidationOptions(listed=entry.listed, target="firefox"))
        ours = sorted({m.code for m in report.messages if m.type == "error"})
        linter = sorted(ADDONS_LINTER_ERRORS.get(entry.name, ()))
        assert bool(ours) == bool(linter), f"{entry.file}: our errors {ours}, addons-linter's {linter}"


@pytest.fixture(scope="session")
def signing_store(tmp_path_factory):
    """A store's data directory with its signing keys, and its root certificate exported as PEM."""
    data = tmp_path_factory.mktemp("signing-store")
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        status = addonhub(["signing", "export-root", "--data-dir", str(data)])
    assert status == 0
    root = data.parent / "root.pem"
    root.write_text(output.getvalue())
    assert "BEGIN CERTIFICATE" in root.read_text()
    return data, root


def _run(*argv: str) -> tuple[int, str]:
    """Runs the addonhub command in this process (the same code as the installed script)."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            status = addonhub(list(argv))
        except SystemExit as exit:
            status = exit.code
    return status, output.getvalue()


def _content(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()
                if not info.is_dir() and PurePosixPath(info.filename).parts[0] != "META-INF"}


@pytest.mark.parametrize("package", build.PACKAGES)
def test_signs_and_verifies(corpus, findings, signing_store, tmp_path, package):
    data, root = signing_store
    for entry in corpus[package]:
        source = entry.path(build.DEFAULT_OUT)
        # Chromium packages have no Gecko id: sign them under one of ours.
        addon_id = entry.addon_id or f"{entry.name}@corpus.addonhub.test"
        signed = tmp_path / f"{entry.name}.signed.xpi"
        status, output = _run("sign", "--data-dir", str(data), str(source), "--id", addon_id, "-o", str(signed))
        assert status == 0, f"{entry.file}: sign failed:\n{output}"
        status, output = _run("verify", "--data-dir", str(data), str(signed), "--id", addon_id)
        assert status == 0, f"{entry.file}: verify failed:\n{output}"
        status, output = _run("verify", "--root", str(root), str(signed), "--id", addon_id)
        assert status == 0, f"{entry.file}: verify --root failed:\n{output}"
        status, output = _run("verify", "--root", str(root), str(signed), "--id", "someone-else@corpus.addonhub.test")
        assert status == 1, f"{entry.file}: verify accepted the wrong id:\n{output}"

        # The signed package holds the same files (some Debian ships with AMO's signature in
        # META-INF/, which signing replaces), and validates as the unsigned one did.
        assert _content(signed) == _content(source), f"{entry.file}: signing changed the package's files"
        options = ValidationOptions(listed=entry.listed, target=entry.target)
        errors_before = Counter(m.code for m in validate_package(source, options).messages if m.type == "error")
        signed_report = validate_package(signed, options)
        errors_after = Counter(m.code for m in signed_report.messages if m.type == "error")
        assert errors_after == errors_before, f"{entry.file}: signing changed the validation errors"
        findings.setdefault(entry.name, {"version": entry.version, "target": entry.target})["signing"] = \
            f"signed and verified as {addon_id}"


# The builder itself, on a small synthetic package tree (no apt needed) -------------------------

def _tree(root: Path, files: dict[str, str | bytes], links: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    for name, target in links.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
    return root


def test_builder_resolves_symlinks_inside_the_package_and_into_dependencies(tmp_path):
    package = _tree(tmp_path / "webext-demo", {
        "usr/share/webext/demo/manifest.json": json.dumps({"manifest_version": 2, "name": "Demo", "version": "1.0"}),
        "usr/share/webext/demo/js/main.js": "main();",
        "usr/share/webext/demo/missing-sources/lib.js": "lib();",
    }, {
        "usr/share/webext/demo/js/lib.min.js": "../missing-sources/lib.js",              # relative, same package
        "usr/share/webext/demo/vendor": "/usr/share/javascript/jquery",                  # absolute, a dependency
        "usr/share/webext/demo/fonts/Sans.ttf": "../../../fonts/truetype/sans/Sans.ttf",  # relative, a dependency
        "usr/share/webext/demo/loop": "..",                                              # back up the tree
        "usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}/demo@example.org": "../../../webext/demo",
        "usr/share/chromium/extensions/demo": "../../webext/demo",
    })
    jquery = _tree(tmp_path / "libjs-jquery", {"usr/share/javascript/jquery/jquery.js": "jQuery();"},
                   {"usr/share/javascript/jquery/jquery.min.js": "jquery.js"})
    fonts = _tree(tmp_path / "fonts-sans", {"usr/share/fonts/truetype/sans/Sans.ttf": b"\0\1\0\0font"}, {})

    alone = build.Union([("webext-demo", package)])
    dangling = build.collect(alone, PurePosixPath("/usr/share/webext/demo")).dangling
    assert sorted(path for path, _ in dangling) == ["fonts/Sans.ttf", "vendor"]

    union = build.Union([("webext-demo", package), ("libjs-jquery", jquery), ("fonts-sans", fonts)])
    extensions = build.find_extensions(union, "webext-demo")
    assert [(str(path), application) for path, application, _ in extensions] == [
        ("/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}/demo@example.org", "firefox"),
        ("/usr/share/chromium/extensions/demo", "chromium"),
    ]
    collected = build.collect(union, extensions[0][0])
    assert not collected.dangling
    assert [(name, source) for name, _, source in collected.files] == [
        ("fonts/Sans.ttf", "fonts-sans"), ("js/lib.min.js", "webext-demo"), ("js/main.js", "webext-demo"),
        ("manifest.json", "webext-demo"), ("missing-sources/lib.js", "webext-demo"),
        ("vendor/jquery.js", "libjs-jquery"), ("vendor/jquery.min.js", "libjs-jquery"),
    ]
    contents = {name: real.read_bytes() for name, real, _ in collected.files}
    assert contents["js/lib.min.js"] == b"lib();" and contents["vendor/jquery.min.js"] == b"jQuery();"

    first, second = tmp_path / "a.xpi", tmp_path / "b.xpi"
    build.write_zip(first, [(name, real) for name, real, _ in collected.files])
    build.write_zip(second, [(name, real) for name, real, _ in collected.files])
    assert first.read_bytes() == second.read_bytes()  # a rebuild gives the same bytes
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == [name for name, _, _ in collected.files]
        assert archive.read("fonts/Sans.ttf") == b"\0\1\0\0font"
    assert not validate_package(first, ValidationOptions()).has_errors
