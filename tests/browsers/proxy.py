"""A proxy on 127.0.0.1 that refuses everything, so that nothing a test browser sends leaves the machine.

Browsers reach for outside hosts even when told not to (Google's account and update services,
Mozilla's remote settings, telemetry...: see shared notes section 4). Each test browser is pointed
at one of these; loopback is never proxied, so the store on 127.0.0.1 is reached directly. What
was refused is kept, so that a failing test can show where the browser tried to go.
"""

import socketserver
import threading

REFUSAL = (b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 30\r\nConnection: close\r\n\r\n"
           b"refused: tests stay on loopback")
REQUEST_LINE_LIMIT = 8192


class _Refuse(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(REQUEST_LINE_LIMIT).decode("latin-1").strip()
        if line:
            self.server.refused.append(line)
        self.wfile.write(REFUSAL)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Refuse)
        self.refused: list[str] = []


class RefusingProxy:
    """`with RefusingProxy() as proxy:` listens on 127.0.0.1:proxy.port until the block ends."""

    def __init__(self):
        self._server = _Server()
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="refusing-proxy", daemon=True)

    @property
    def refused(self) -> list[str]:
        """The request lines refused so far ("CONNECT accounts.google.com:443 HTTP/1.1"...)."""
        return list(self._server.refused)

    def __enter__(self) -> "RefusingProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
