"""The HTTP server `addonhub serve` runs: uvicorn, with two bounds on request heads it lacks.

uvicorn's httptools protocol takes request heads of any size and waits for ever for one to end:
a 64 MB header is read into memory, and connections that never finish their head each hold a
file descriptor until the store runs out of them. Here a head (request line and headers) may not
exceed `max_header_bytes` (431), and must arrive whole within `header_timeout` seconds of the
connection opening or of the previous response (else the connection is closed).

With a TLS certificate and key in the settings it serves HTTPS (uvicorn's own ssl options); the
pair is loaded once before uvicorn starts, so that a wrong path or a key of another certificate
is one clear sentence, not a traceback from inside the server.
"""

import ssl

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from addonhub.config import Settings

TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
             b"content-length: 35\r\nconnection: close\r\n\r\nThe request's headers are too large.")


class _HeadTooLarge(Exception):
    pass


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    max_header_bytes = 64 * 1024
    header_timeout = 10.0

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._head_bytes, self._head_too_large, self._head_timer = 0, False, None
        self._await_head()

    def _await_head(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_header_bytes:
            self._head_too_large = True
            raise _HeadTooLarge()  # stops the parser, which uvicorn answers with send_400_response

    def on_message_begin(self) -> None:
        self._head_bytes = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()  # the next request on this connection gets the same bound

    def send_400_response(self, msg: str) -> None:
        if not self._head_too_large:
            super().send_400_response(msg)
            return
        self.transport.write(TOO_LARGE)
        self.transport.close()

    def connection_lost(self, exc) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)


class TLSSetupError(Exception):
    pass


def tls_options(settings: Settings) -> dict:
    """uvicorn's ssl options for the settings' certificate and key (none for plain HTTP)."""
    if settings.tls_cert is None and settings.tls_key is None:
        return {}
    if settings.tls_cert is None or settings.tls_key is None:
        raise TLSSetupError("give both --tls-cert and --tls-key (ADDONHUB_TLS_CERT, ADDONHUB_TLS_KEY), or neither")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(settings.tls_cert, settings.tls_key)
    except ssl.SSLError as error:  # before OSError, which it is a kind of
        raise TLSSetupError(f"{settings.tls_cert} and {settings.tls_key} are not a PEM certificate and its "
                            f"private key: {error.reason or error}") from None
    except OSError as error:
        raise TLSSetupError(f"cannot read {error.filename or settings.tls_cert}: {error.strerror or error}") from None
    return {"ssl_certfile": str(settings.tls_cert), "ssl_keyfile": str(settings.tls_key)}


def serve(app, settings: Settings) -> None:
    protocol = type("StoreHttpProtocol", (BoundedHttpToolsProtocol,), {
        "max_header_bytes": settings.max_header_bytes, "header_timeout": settings.header_timeout})
    # The store logs its requests itself (with their ids and route templates): not uvicorn too.
    uvicorn.run(app, host=settings.host, port=settings.port, http=protocol, log_config=None, log_level="warning",
                access_log=False, proxy_headers=settings.trusted_proxies is not None,
                forwarded_allow_ips=settings.trusted_proxies, **tls_options(settings))
