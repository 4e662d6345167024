"""Every validation check, on packages built in the tests."""

import base64
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from addonhub.packages.validation import UnreadablePackage, ValidationOptions, validate_package
from tests.packages.builders import PNG, extension, manifest, package

ADDONHUB = str(Path(sys.executable).with_name("addonhub"))


def codes(path, **options) -> dict[str, str]:
    """{code: type} of the report's messages."""
    report = validate_package(path, ValidationOptions(**options))
    return {message.code: message.type for message in report.messages}


def test_a_clean_extension_has_no_messages(tmp_path):
    path = extension(tmp_path / "ok.xpi", manifest(background={"scripts": ["bg.js"]}, icons={"48": "icon.png"},
                                                   permissions=["tabs", "storage", "https://*.example.com/*"]),
                     **{"bg.js": "browser.tabs.query({});", "icon.png": PNG})
    report = validate_package(path)
    assert report.messages == [] and not report.has_errors
    assert {"id": "test@example.org", "name": "Test Extension", "version": "1.0", "manifest_version": 2,
            "type": "extension", "listed": True}.items() <= report.metadata.items()


def test_missing_manifest(tmp_path):
    assert codes(package(tmp_path / "x.xpi", {"a.js": "x"})) == {"TYPE_NO_MANIFEST_JSON": "error"}


@pytest.mark.parametrize("text,code", [
    ("{not json", "JSON_INVALID"), ('{"a": 1, "a": 2}', "JSON_DUPLICATE_KEY"), ("[1, 2]", "MANIFEST_FIELD_INVALID"),
    ('/* block */ {"manifest_version": 2, "name": "Block", "version": "1.0"}', "JSON_BLOCK_COMMENTS"),
    ("\xff\xfe bad", "JSON_INVALID"),
])
def test_manifest_json_problems(tmp_path, text, code):
    path = package(tmp_path / "m.xpi", {"manifest.json": text.encode("latin-1")})
    assert codes(path).get(code) == "error"


def test_bom_and_line_comments_are_accepted(tmp_path):
    text = "\ufeff// a comment\n" + json.dumps(manifest()).replace('"name"', '// inline\n"name"', 1)
    path = package(tmp_path / "c.xpi", {"manifest.json": text.encode("utf-8")})
    assert codes(path) == {}
    # Comment markers inside strings are content, not comments.
    path = extension(tmp_path / "s.xpi", manifest(homepage_url="https://example.org/a//b/*c*/"))
    assert codes(path) == {}


@pytest.mark.parametrize("overrides,code", [
    ({"name": None}, "MANIFEST_FIELD_REQUIRED"), ({"version": None}, "MANIFEST_FIELD_REQUIRED"),
    ({"manifest_version": None}, "MANIFEST_FIELD_REQUIRED"), ({"manifest_version": 4}, "MANIFEST_VERSION_INVALID"),
    ({"manifest_version": "2"}, "MANIFEST_VERSION_INVALID"), ({"name": 42}, "MANIFEST_FIELD_INVALID"),
    ({"name": " padded "}, "PROP_NAME_INVALID"), ({"name": "x"}, "PROP_NAME_INVALID"),
    ({"version": 1.0}, "MANIFEST_FIELD_INVALID"),
])
def test_required_keys_and_name_rules(tmp_path, overrides, code):
    assert codes(extension(tmp_path / "r.xpi", manifest(**overrides))).get(code) == "error"


@pytest.mark.parametrize("version,mv,expected", [
    ("1.0", 2, None), ("0", 3, None), ("2.10.2", 3, None), ("999999999.999999999.999999999.999999999", 3, None),
    ("1.0b2", 2, "warning"), ("4.1pre1", 2, "warning"), ("57.0.1buildid20210928.100000", 2, "warning"),
    ("1.0b2", 3, "error"), ("1.0.0-beta2", 2, "error"), ("1.0.0+1", 2, "error"), ("01", 2, "error"),
    ("1.", 2, "error"), ("1.2.3.4.5", 3, "error"), ("2.1234567890", 3, "error"), ("a.b.c.d", 3, "error"),
    ("1" * 101, 3, "error"),
])
def test_version_strings(tmp_path, version, mv, expected):
    data = manifest(version=version, manifest_version=mv)
    found = codes(extension(tmp_path / "v.xpi", data))
    kind = found.get("VERSION_FORMAT_INVALID") or found.get("VERSION_FORMAT_DEPRECATED")
    assert kind == expected, found


def test_chromium_versions_are_at_most_65535_per_part(tmp_path):
    path = extension(tmp_path / "c.zip", manifest(version="1.70000", browser_specific_settings=None))
    assert codes(path, target="chromium").get("VERSION_FORMAT_INVALID") == "error"
    assert "VERSION_FORMAT_INVALID" not in codes(path)


@pytest.mark.parametrize("gecko,mv,code,kind", [
    ({"id": "not an id"}, 2, "MANIFEST_FIELD_INVALID", "error"),
    ({"id": "é@example.org"}, 2, "MANIFEST_FIELD_INVALID", "error"),
    ({"id": "a" * 70 + "@example.org"}, 2, "MANIFEST_FIELD_INVALID", "error"),
    ({"id": "evil@mozilla.org"}, 2, "RESERVED_ADDON_ID", "error"),
    ({}, 3, "ADDON_ID_REQUIRED", "error"),
])
def test_addon_id_rules(tmp_path, gecko, mv, code, kind):
    data = manifest(manifest_version=mv, browser_specific_settings={"gecko": gecko})
    assert codes(extension(tmp_path / "i.xpi", data)).get(code) == kind


def test_addon_id_forms_and_the_applications_key(tmp_path):
    for addon_id in ("{5ddc919c-97fd-4598-8be8-7977ebeac118}", "@short", "a.b-c_d@e.f"):
        assert codes(extension(tmp_path / "i.xpi", manifest(browser_specific_settings={"gecko": {"id": addon_id}}))) == {}
    legacy = manifest(browser_specific_settings=None, applications={"gecko": {"id": "x@example.org"}})
    assert codes(extension(tmp_path / "a.xpi", legacy)) == {"APPLICATIONS_DEPRECATED": "warning"}
    assert validate_package(tmp_path / "a.xpi").metadata["id"] == "x@example.org"
    mv3 = dict(legacy, manifest_version=3)
    assert codes(extension(tmp_path / "b.xpi", mv3)).get("APPLICATIONS_INVALID") == "error"
    no_id_mv3 = manifest(manifest_version=3, browser_specific_settings=None)
    assert "ADDON_ID_REQUIRED" not in codes(extension(tmp_path / "c.zip", no_id_mv3), target="chromium")


def test_permissions(tmp_path):
    data = manifest(permissions=["tabs", "tabs", "notAPermission", "http://*foo/", "<all_urls>", "*://*.example.com/*", 3],
                    optional_permissions=["bookmarks", "ftp://"])
    found = codes(extension(tmp_path / "p.xpi", data))
    assert found["MANIFEST_PERMISSIONS"] == "warning"  # unknown and duplicate
    assert found["MANIFEST_BAD_PERMISSION"] == "error"  # bad match pattern, non-string
    assert found["MANIFEST_BAD_OPTIONAL_PERMISSION"] == "error"
    mv3 = manifest(manifest_version=3, host_permissions=["https://example.com/*", "example.com"])
    assert codes(extension(tmp_path / "h.xpi", mv3))["MANIFEST_BAD_HOST_PERMISSION"] == "error"


def test_restricted_permissions_need_a_minimum_version(tmp_path):
    old = manifest(permissions=["proxy"])
    assert codes(extension(tmp_path / "p.xpi", old)) == {"RESTRICTED_PERMISSION": "error"}
    assert codes(extension(tmp_path / "p.zip", old), target="chromium") == {}
    new = manifest(permissions=["proxy"], browser_specific_settings={
        "gecko": {"id": "p@example.org", "strict_min_version": "91.1"}})
    assert codes(extension(tmp_path / "n.xpi", new)) == {}


def test_privileged_and_mistyped_fields(tmp_path):
    assert codes(extension(tmp_path / "e.xpi", manifest(experiment_apis={"x": {}}))) == {
        "MANIFEST_FIELD_PRIVILEGED": "error"}
    author_object = manifest(author={"email": "dev@example.org"})
    assert codes(extension(tmp_path / "a.xpi", author_object)) == {"MANIFEST_FIELD_INVALID": "error"}
    # Chrome's manifest format allows an author object.
    assert codes(extension(tmp_path / "a.zip", author_object), target="chromium") == {}
    assert codes(extension(tmp_path / "d.xpi", manifest(description=["not", "text"]))) == {"MANIFEST_FIELD_INVALID": "error"}


def test_update_url_is_for_unlisted_only(tmp_path):
    data = manifest(browser_specific_settings={"gecko": {"id": "u@example.org", "update_url": "https://example.org/u.json"}})
    path = extension(tmp_path / "u.xpi", data)
    assert codes(path, listed=True) == {"MANIFEST_UPDATE_URL": "error"}
    assert codes(path, listed=False) == {}
    root = extension(tmp_path / "r.xpi", manifest(update_url="https://example.org/updates.xml"))
    assert codes(root) == {"MANIFEST_UNUSED_UPDATE": "notice"}
    assert codes(root, target="chromium", listed=False) == {}


@pytest.mark.parametrize("update_url,base,allowed", [
    ("https://store.example/updates/firefox/u@example.org", "https://store.example", True),
    ("https://STORE.example/updates/firefox/u@example.org?key=abc", "https://store.example/", True),
    ("https://store.example/shop/updates/firefox/u@example.org", "https://store.example/shop", True),
    ("http://store.example/updates/firefox/u@example.org", "https://store.example", False),  # another origin
    ("https://elsewhere.example/updates/firefox/u@example.org", "https://store.example", False),
    ("https://store.example/updates/firefox/../../evil.json", "https://store.example", False),
    ("https://store.example/updates/firefox/%2e%2e/evil.json", "https://store.example", False),
    ("https://store.example/updates/firefox/", "https://store.example", False),
    ("https://store.example/updates/chromium", "https://store.example", False),
    # Without a configured public URL the store cannot tell its own host: the path decides.
    ("https://any.example/updates/firefox/u@example.org", None, True),
    ("ftp://any.example/updates/firefox/u@example.org", None, False),
    ("/updates/firefox/u@example.org", None, False),
    ("https://[broken/updates/firefox/u@example.org", None, False),
])
def test_listed_addons_may_declare_the_stores_own_update_url_only(tmp_path, update_url, base, allowed):
    data = manifest(browser_specific_settings={"gecko": {"id": "u@example.org", "update_url": update_url}})
    path = extension(tmp_path / "u.xpi", data)
    assert codes(path, listed=True, store_base_url=base) == ({} if allowed else {"MANIFEST_UPDATE_URL": "error"})
    assert codes(path, listed=False, store_base_url=base) == {}


def test_the_update_url_refusal_names_the_stores_url(tmp_path):
    data = manifest(browser_specific_settings={"gecko": {"id": "u@example.org", "update_url": "https://x.example/u"}})
    report = validate_package(extension(tmp_path / "u.xpi", data), ValidationOptions(store_base_url="https://s.example"))
    [message] = report.messages
    assert "https://s.example/updates/firefox/<add-on id>" in message.message


def test_locales(tmp_path):
    messages = {"extName": {"message": "Localised"}, "bad name!": {"message": "x"}, "noMessage": {"description": "?"}}
    path = extension(tmp_path / "l.xpi", manifest(name="__MSG_extName__", default_locale="en"),
                     **{"_locales/en/messages.json": messages})
    # Firefox takes any message name; Chrome only letters, digits, "_" and "@".
    assert codes(path) == {"NO_MESSAGE": "error"}
    assert codes(path, target="chromium") == {"INVALID_MESSAGE_NAME": "error", "NO_MESSAGE": "error"}
    assert validate_package(path).metadata["name"] == "Localised"
    assert codes(extension(tmp_path / "m.xpi", manifest(name="__MSG_missing__", default_locale="en"),
                           **{"_locales/en/messages.json": {"x": {"message": "y"}}})) == {"UNRESOLVED_MESSAGE": "error"}
    assert codes(extension(tmp_path / "n.xpi", manifest(default_locale="fr"))) == {"NO_MESSAGES_FILE": "error"}
    assert codes(extension(tmp_path / "o.xpi", manifest(), **{"_locales/en/messages.json": {}})) == {
        "NO_DEFAULT_LOCALE": "error"}


def test_referenced_files_must_exist(tmp_path):
    data = manifest(background={"scripts": ["missing.js"]}, content_scripts=[{"matches": ["<all_urls>"], "js": ["cs.js", ""]}],
                    options_ui={"page": "options.html#tab"}, browser_action={"default_popup": "/popup.html"},
                    icons={"48": "icon.png"})
    found = codes(extension(tmp_path / "f.xpi", data, **{"popup.html": "<p>hi</p>"}))
    assert found == {"MANIFEST_BACKGROUND_FILE_NOT_FOUND": "error", "CONTENT_SCRIPT_NOT_FOUND": "error",
                     "CONTENT_SCRIPT_EMPTY": "error", "MANIFEST_FILE_NOT_FOUND": "error",
                     "MANIFEST_ICON_NOT_FOUND": "error"}
    remote = manifest(options_ui={"page": "https://example.org/options"})
    assert codes(extension(tmp_path / "r.xpi", remote)) == {}


def test_icons_must_be_images(tmp_path):
    data = manifest(icons={"16": "icon.txt", "32": "fake.png", "48": "good.svg"})
    found = codes(extension(tmp_path / "i.xpi", data, **{"icon.txt": "x", "fake.png": "not an image",
                                                        "good.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'}))
    assert found == {"WRONG_ICON_EXTENSION": "error", "CORRUPT_ICON_FILE": "warning"}


@pytest.mark.parametrize("name,content,code,kind", [
    ("lib/native.so", b"\x7fELF....", "FLAGGED_FILE_EXTENSION", "warning"),
    ("lib/native.bin", b"\x7fELF....", "FLAGGED_FILE_TYPE", "notice"),
    ("tool.exe", b"MZ\x90\x00", "FLAGGED_FILE_EXTENSION", "warning"),
    ("run.txt", b"#!/bin/sh\n", "FLAGGED_FILE_TYPE", "notice"),
    (".hidden/x.js", b"x", "HIDDEN_FILE", "warning"),
    ("__MACOSX/._x", b"x", "HIDDEN_FILE", "warning"),
    ("Thumbs.db", b"x", "FLAGGED_FILE", "warning"),
    ("backup.js.orig", b"x", "FLAGGED_FILE", "warning"),
    ("mozilla-recommendation.json", b"{}", "RESERVED_FILENAME", "error"),
    ("META-INF/manifest.mf", b"Manifest-Version: 1.0", "ALREADY_SIGNED", "warning"),
    ("big.js", b"//" + base64.b64encode(random.Random(1).randbytes(4 * 1024 * 1024)), "FILE_TOO_LARGE", "error"),
])
def test_flagged_files(tmp_path, name, content, code, kind):
    assert codes(extension(tmp_path / "f.xpi", **{name: content})).get(code) == kind


@pytest.mark.parametrize("code_text,code", [
    ("eval(userInput);", "DANGEROUS_EVAL"), ("const f = new Function('a', body);", "DANGEROUS_EVAL"),
    ("setTimeout('doIt()', 10);", "NO_IMPLIED_EVAL"), ("el.innerHTML = html;", "UNSAFE_VAR_ASSIGNMENT"),
    ("el.outerHTML += more;", "UNSAFE_VAR_ASSIGNMENT"), ("el.insertAdjacentHTML('beforeend', h);", "UNSAFE_VAR_ASSIGNMENT"),
    ("document.write('<p>');", "NO_DOCUMENT_WRITE"),
])
def test_dangerous_code_patterns_are_warnings_with_lines(tmp_path, code_text, code):
    report = validate_package(extension(tmp_path / "c.xpi", **{"src/a.js": "// header\n\n" + code_text}))
    [message] = [m for m in report.messages if m.code == code]
    assert message.type == "warning" and message.file == "src/a.js" and message.line == 3


def test_safe_code_is_not_flagged(tmp_path):
    text = "if (a === b) { el.textContent = x; } const retrieval = medieval(1); setTimeout(fn, 5); el.innerHTML === y;"
    assert codes(extension(tmp_path / "s.xpi", **{"a.js": text})) == {}


def test_html_remote_and_inline_scripts(tmp_path):
    page = ('<html><script src="https://cdn.example.com/lib.js"></script>\n'
            '<script>\neval(x)\n</script><script type="application/json">{"a": 1}</script>'
            '<script src="local.js"></script></html>')
    report = validate_package(extension(tmp_path / "h.xpi", **{"page.html": page, "local.js": ""}))
    found = {(m.code, m.line) for m in report.messages}
    assert found == {("REMOTE_SCRIPT", 1), ("INLINE_SCRIPT", 2), ("DANGEROUS_EVAL", 3)}


@pytest.mark.parametrize("data,expected", [
    (manifest(), "extension"),
    (manifest(theme={"colors": {"frame": "#000"}}), "statictheme"),
    (manifest(dictionaries={"fr": "dictionaries/fr.dic"}), "dictionary"),
    (manifest(langpack_id="fr", languages={}), "langpack"),
])
def test_type_detection(tmp_path, data, expected):
    files = {"dictionaries/fr.dic": "1\nmot", "dictionaries/fr.aff": "SET UTF-8"}
    assert validate_package(extension(tmp_path / "t.xpi", data, **files)).metadata["type"] == expected


def test_dictionaries_need_their_files_and_an_id(tmp_path):
    data = manifest(dictionaries={"fr": "dictionaries/fr.dic"}, browser_specific_settings=None)
    found = codes(extension(tmp_path / "d.xpi", data))
    assert found == {"MANIFEST_DICT_NOT_FOUND": "error", "MANIFEST_DICT_MISSING_ID": "error"}


def test_theme_images_must_exist(tmp_path):
    data = manifest(theme={"images": {"theme_frame": "images/header.png"}})
    assert codes(extension(tmp_path / "t.xpi", data)) == {"MANIFEST_THEME_IMAGE_NOT_FOUND": "error"}


def test_archive_problems_become_errors(tmp_path):
    path = package(tmp_path / "b.xpi", {"manifest.json": manifest(), "bomb.txt": b"\0" * (8 * 1024 * 1024)})
    assert codes(path) == {"ZIP_BOMB": "error"}
    garbage = tmp_path / "garbage.xpi"
    garbage.write_bytes(b"nope")
    with pytest.raises(UnreadablePackage):
        validate_package(garbage)


def test_the_amo_json_shape(tmp_path):
    path = extension(tmp_path / "j.xpi", manifest(permissions=["bogus"]), **{"a.js": "eval(1)", "x.sh": "#!/bin/sh"})
    result = validate_package(path).as_amo_json()
    assert result["success"] is True
    assert (result["errors"], result["warnings"], result["notices"]) == (0, 3, 1)
    assert [m["type"] for m in result["messages"]] == ["warning", "warning", "warning", "notice"]
    message = next(m for m in result["messages"] if m["id"] == ["DANGEROUS_EVAL"])
    assert message["file"] == "a.js" and message["line"] == 1 and message["message"] and message["tier"] == 1
    assert isinstance(message["description"], list) and message["uid"]
    assert result["metadata"]["id"] == "test@example.org"


def run(*args):
    return subprocess.run([ADDONHUB, "validate", *map(str, args)], capture_output=True, text=True, timeout=60)


@pytest.mark.cli
def test_the_command_exit_codes_and_json(tmp_path):
    ok = extension(tmp_path / "ok.xpi")
    assert run(ok).returncode == 0
    result = run(ok, "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["success"] is True
    bad = extension(tmp_path / "bad.xpi", manifest(version="1.0.0-beta"))
    result = run(bad, "--json")
    assert result.returncode == 1 and json.loads(result.stdout)["errors"] == 1
    updating = extension(tmp_path / "u.xpi", manifest(browser_specific_settings={
        "gecko": {"id": "u@example.org", "update_url": "https://example.org/u.json"}}))
    assert run(updating, "--listed").returncode == 1 and run(updating, "--unlisted").returncode == 0
    garbage = tmp_path / "g.xpi"
    garbage.write_bytes(b"not a zip")
    result = run(garbage)
    assert result.returncode == 2 and "cannot read" in result.stderr and "Traceback" not in result.stderr
    assert run(tmp_path / "missing.xpi").returncode == 2


ADDONS_LINTER = Path(__file__).resolve().parents[2] / "bench/validation/node_modules/.bin/addons-linter"


@pytest.mark.interop
@pytest.mark.skipif(not ADDONS_LINTER.exists(), reason="addons-linter is not installed (make corpus installs it)")
def test_addons_linter_messages_join_the_report(tmp_path):
    path = extension(tmp_path / "l.xpi", manifest(permissions=["bogus"]), **{"a.js": "eval(1)"})
    report = validate_package(path, ValidationOptions(addons_linter=str(ADDONS_LINTER)))
    found = [(m.code, m.file) for m in report.messages]
    assert ("MISSING_DATA_COLLECTION_PERMISSIONS", "manifest.json") in found  # a check only the linter has
    assert len(found) == len(set((m.code, m.file, m.line) for m in report.messages))  # nothing said twice
    broken = validate_package(path, ValidationOptions(addons_linter=str(tmp_path / "no-such-linter")))
    assert [m.code for m in broken.messages if m.type == "error"] == ["LINTER_FAILED"]


@pytest.mark.cli
def test_limits_are_settings(tmp_path):
    path = extension(tmp_path / "many.xpi", **{f"f{n}.js": "x" for n in range(5)})
    result = subprocess.run([ADDONHUB, "validate", str(path), "--json"], capture_output=True, text=True,
                            env={**os.environ, "ADDONHUB_PACKAGE_MAX_ENTRIES": "3"})
    assert result.returncode == 1 and json.loads(result.stdout)["messages"][0]["id"] == ["TOO_MANY_ENTRIES"]
    result = subprocess.run([ADDONHUB, "validate", str(path)], capture_output=True, text=True,
                            env={**os.environ, "ADDONHUB_PACKAGE_MAX_ENTRY_SIZE": "lots"})
    assert result.returncode == 2 and "ADDONHUB_PACKAGE_MAX_ENTRY_SIZE is 'lots': Input should be a valid integer" in result.stderr


@pytest.mark.parametrize("field, value, named", [
    ("permissions", 5, "/permissions"),
    ("optional_permissions", {"a": 1}, "/optional_permissions"),
    ("content_scripts", 5, "/content_scripts"),
    ("content_scripts", [5], "/content_scripts/0"),
    ("content_scripts", [{"matches": ["<all_urls>"], "js": 5}], "/content_scripts/0/js"),
    ("background", 5, "/background"),
    ("background", {"scripts": 5}, "/background/scripts"),
    ("content_security_policy", 5, "/content_security_policy"),
    ("content_security_policy", {"extension_pages": ["script-src 'self'"]}, "/content_security_policy"),
    ("web_accessible_resources", "x.png", "/web_accessible_resources"),
    ("icons", ["icon.png"], "/icons"),
    ("browser_specific_settings", 5, "/browser_specific_settings"),
    ("browser_specific_settings", {"gecko": 5}, "/browser_specific_settings/gecko"),
    ("applications", {"gecko": [1]}, "/applications/gecko"),
    ("default_locale", 5, "/default_locale"),
])
def test_a_field_of_the_wrong_type_is_a_manifest_error_naming_it(tmp_path, field, value, named):
    report = validate_package(extension(tmp_path / "x.xpi", manifest(**{field: value})))
    errors = [(message.code, message.message) for message in report.messages if message.type == "error"]
    assert any(code == "MANIFEST_FIELD_INVALID" and f'"{named}"' in text for code, text in errors), errors


def test_a_host_permissions_of_the_wrong_type_in_manifest_v3(tmp_path):
    path = extension(tmp_path / "x.xpi", manifest(manifest_version=3, host_permissions="<all_urls>"))
    report = validate_package(path)
    assert ("MANIFEST_FIELD_INVALID", '"/host_permissions" must be a list.') in [
        (message.code, message.message) for message in report.messages]


def test_matches_report_their_own_line(tmp_path):
    text = "".join(f"eval({n});\n" if n % 7 == 0 else "let x = 1;\n" for n in range(1, 300))
    page = "<p>\n</p>\n<script>\nlet a;\n\neval(a)\n</script>\n<script>eval(b)</script>"
    report = validate_package(extension(tmp_path / "l.xpi", **{"a.js": text, "p.html": page}))
    lines = {(m.file, m.line) for m in report.messages if m.code == "DANGEROUS_EVAL"}
    assert lines == {("a.js", n) for n in range(7, 300, 7)} | {("p.html", 6), ("p.html", 8)}


def test_messages_of_a_code_are_capped(tmp_path):
    text = "// many\n" + "".join(f"eval({n}); document.write({n});\n" for n in range(50_000))
    report = validate_package(extension(tmp_path / "m.xpi", **{"a.js": text}))
    for code in ("DANGEROUS_EVAL", "NO_DOCUMENT_WRITE"):
        listed = [m for m in report.messages if m.code == code]
        assert len(listed) == 101
        assert [m.line for m in listed[:100]] == list(range(2, 102))
        assert listed[100].line is None and "49900 more" in listed[100].message


def test_code_checks_stop_at_the_time_budget(tmp_path):
    path = extension(tmp_path / "t.xpi", **{"a.js": "eval(a)", "b.js": "eval(b)", "p.html": "<p>"})
    report = validate_package(path, ValidationOptions(time_budget=0))
    assert [(m.code, m.type) for m in report.messages] == [("CODE_CHECKS_SKIPPED", "warning")]
    assert "3 files were not checked (a.js, b.js, p.html)" in report.messages[0].message
    assert codes(path) == {"DANGEROUS_EVAL": "warning"}
