"""The harness leaves the machine's policy files as it found them: the browser tests write where
every browser on the machine reads (a leftover file would force add-ons on its users)."""

import json

import pytest

from tests.browsers.policies import policy_file


def test_a_policy_file_is_removed_with_the_directories_made_for_it(tmp_path):
    path = tmp_path / "etc" / "firefox" / "policies" / "policies.json"
    with policy_file(path, {"policies": {}}):
        assert json.loads(path.read_text()) == {"policies": {}}
    assert list(tmp_path.iterdir()) == []


def test_a_policy_file_that_was_there_is_put_back(tmp_path):
    path = tmp_path / "managed" / "site.json"
    path.parent.mkdir()
    path.write_bytes(b'{"HomepageLocation": "https://intranet.example/"}')
    with pytest.raises(RuntimeError), policy_file(path, {"ExtensionSettings": {}}):
        assert json.loads(path.read_text()) == {"ExtensionSettings": {}}
        raise RuntimeError("the test failed")
    assert path.read_bytes() == b'{"HomepageLocation": "https://intranet.example/"}'
