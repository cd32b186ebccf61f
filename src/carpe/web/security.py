"""Security headers on every response, signed-cookie sessions keyed by the instance's secret,
and the API documentation page served without a CDN.

Every response carries a Content-Security-Policy that lets a page load only
carpe's own scripts, styles and images (no inline script or style, no other
site), forbids framing (``frame-ancestors 'none'`` and ``X-Frame-Options:
DENY``), forbids MIME sniffing, and sends no referrer to other sites. In
production it also carries HSTS.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carpe.context import Carpe
from carpe.services.instance import signing_secret

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, production: bool) -> list[tuple[bytes, bytes]]:
    """The headers every response carries."""
    headers = [
        (b"content-security-policy", POLICY.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if production:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


class SecurityHeaders:
    """Adds :func:`security_headers` to every HTTP response (a route's own CSP is kept)."""

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app = app
        self.headers = security_headers(production=production)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class InstanceSecretSessions:
    """Starlette's signed-cookie sessions, signed with the instance's secret.

    The secret is read from the store (made there if missing) on the first
    request, not when the app is built, so an app can be built before its store
    exists.
    """

    def __init__(
        self,
        app: ASGIApp,
        carpe: Carpe,
        session_cookie: str,
        max_age: int,
        same_site: Literal["lax", "strict", "none"],
        https_only: bool,
    ) -> None:
        self.app = app
        self.carpe = carpe
        self.options = {
            "session_cookie": session_cookie,
            "max_age": max_age,
            "same_site": same_site,
            "https_only": https_only,
        }
        self._sessions: SessionMiddleware | None = None

    def _secret(self) -> str:
        with self.carpe.unit_of_work() as uow:
            secret = signing_secret(session=uow.session, settings=self.carpe.settings)
            uow.commit()
        return secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self._sessions is None:
            secret = await asyncio.to_thread(self._secret)
            self._sessions = SessionMiddleware(self.app, secret, **self.options)  # type: ignore[arg-type]
        await self._sessions(scope, receive, send)


DOCS_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
"""The API documentation page's: Swagger UI sets inline styles (still no other site)."""

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>carpe API</title>
  <link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi="/api/openapi.json"></div>
  <script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def install_api_docs(app: FastAPI) -> None:
    """Serve ``/api/docs`` (Swagger UI) from carpe's own static files."""

    @app.get("/api/docs", include_in_schema=False)
    async def api_docs(_request: Request) -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE, headers={"Content-Security-Policy": DOCS_POLICY})
