"""Every request gets an id: the client's X-Request-ID when it is a sane token (a proxy in front
may have set it), else a new one. It is returned in the response's X-Request-ID and set in
addonhub.logs.REQUEST_ID while the request runs, for its log lines and the jobs it queues."""

import re
import uuid

from addonhub.logs import REQUEST_ID

HEADER = b"x-request-id"
_SANE = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")


class RequestIds:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope["headers"] if name == HEADER), b"")
        request_id = given.decode() if _SANE.match(given) else uuid.uuid4().hex

        async def sending(message):
            if message["type"] == "http.response.start":
                message = dict(message, headers=[*message.get("headers", []), (HEADER, request_id.encode())])
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, sending)
        finally:
            REQUEST_ID.reset(token)
