"""`addonhub worker` runs the job queue in a process of its own, beside a server that runs none."""

import subprocess
import sys

from tests.interop.packages import manifest, xpi
from tests.interop.test_crash_recovery import assert_downloads_verified, submit, wait_until_signed


def test_a_separate_worker_process_signs_what_the_server_accepted(live_store_factory, tmp_path):
    store = live_store_factory(env={"ADDONHUB_WORKERS": "0"})
    user = store.create_user("dev@example.org")
    submit(store, user, xpi(tmp_path / "addon.xpi", manifest()))
    worker = subprocess.Popen([sys.executable, "-m", "addonhub.cli", "worker", "--data-dir", str(store.data_dir)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert_downloads_verified(store, user, wait_until_signed(store, user), tmp_path)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=15)
    assert worker.returncode == 0, output
