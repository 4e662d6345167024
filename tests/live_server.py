"""An ASGI app served by a real uvicorn on 127.0.0.1 in a thread, for tests that need real HTTP
(what TestClient cannot show: raw request targets, bytes on the wire, Content-Encoding)."""

import threading
import time
from contextlib import contextmanager

import uvicorn

from tests.processes import free_port


@contextmanager
def uvicorn_in_thread(app, **options):
    """Serves `app` (uvicorn.Config options, log level warning by default) until the block ends;
    yields the port."""
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **{"log_level": "warning", **options}))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        running.should_exit = True
        thread.join(timeout=10)
