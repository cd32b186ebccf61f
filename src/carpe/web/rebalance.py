"""Keep the worker processes of ``carpe serve --workers N`` evenly loaded.

The workers share one listening socket, and a connection stays with the
worker that accepted it for as long as the client keeps it alive. A few busy
keep-alive connections (a reverse proxy's pool, a load generator, an office
behind one gateway) can therefore pile up on one worker while the other
idles: measured with 8 connections on 2 workers, two runs in three put them all
on one worker, which then served at one worker's rate (docs/benchmarks.md).

:class:`ReconnectAfter` asks a client to reconnect (``Connection: close``)
after a number of requests on one connection. The new connection is accepted
by whichever worker is free to call ``accept`` first, which is the one with
less to do, so load moves towards idle workers on its own. Reconnecting to a
local server costs a fraction of a millisecond. ``carpe serve --workers N``
installs it with ``CARPE_RECONNECT_AFTER`` requests per connection.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TRACKED_CONNECTIONS = 4096
"""Counters kept at most; past this they are dropped (some connections then live longer)."""


class ReconnectAfter:
    """ASGI middleware: close a keep-alive connection after ``requests`` responses.

    Connections are told apart by the client's address and port; the last
    response of a connection carries ``Connection: close``.
    """

    def __init__(self, app: ASGIApp, requests: int) -> None:
        if requests < 1:
            raise ValueError(f"requests must be at least 1, not {requests}")
        self.app = app
        self.requests = requests
        self._served: dict[tuple[str, int], int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if client is None:
            await self.app(scope, receive, send)
            return
        key = (client[0], client[1])
        served = self._served.pop(key, 0) + 1
        if served < self.requests:
            if len(self._served) >= TRACKED_CONNECTIONS:
                self._served.clear()  # connections that closed on their own
            self._served[key] = served
            await self.app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)
