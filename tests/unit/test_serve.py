"""Serving with several worker processes: the settings travel through the environment."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

from carpe.cli.serve_cmd import _environment
from carpe.config import load_settings
from carpe.web.app import app_from_environment
from carpe.web.rebalance import ReconnectAfter


def test_worker_processes_read_back_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    given = load_settings(
        database_url="sqlite:////tmp/shop.db",
        demo_user="demo",
        page_size=17,
        webhook_url="https://hooks.example.com/carpe",
        secret_key="s" * 40,
    )
    for name in list(os.environ):
        if name.startswith("CARPE_"):
            monkeypatch.delenv(name)
    for name, value in _environment(given).items():
        monkeypatch.setenv(name, value)

    assert load_settings() == given


def _asgi_requests(app: Any, clients: list[tuple[str, int] | None]) -> list[bytes | None]:
    """Send one GET per client address through ``app``; each response's Connection header."""

    async def run() -> list[bytes | None]:
        found: list[bytes | None] = []
        for client in clients:
            headers: list[tuple[bytes, bytes]] = []

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: dict[str, Any], into: list[Any] = headers) -> None:
                if message["type"] == "http.response.start":
                    into.extend(message["headers"])

            scope = {"type": "http", "method": "GET", "path": "/", "client": client, "headers": []}
            await app(scope, receive, send)
            found.append(dict(headers).get(b"connection"))
        return found

    return asyncio.run(run())


async def _ok(scope: Any, receive: Any, send: Any) -> None:
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"connection", b"keep-alive")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


def test_a_connection_is_asked_to_reconnect_after_its_quota_of_requests() -> None:
    app = ReconnectAfter(_ok, requests=3)
    one, other = ("10.0.0.1", 5000), ("10.0.0.1", 5001)

    headers = _asgi_requests(app, [one, one, other, one, one, one, one, other, other])

    # the third request of each connection closes it; a new one (same address) starts again
    assert headers == [
        b"keep-alive",
        b"keep-alive",
        b"keep-alive",
        b"close",
        b"keep-alive",
        b"keep-alive",
        b"close",
        b"keep-alive",
        b"close",
    ]


def test_requests_without_a_client_address_pass_through() -> None:
    app = ReconnectAfter(_ok, requests=1)
    assert _asgi_requests(app, [None, None]) == [b"keep-alive", b"keep-alive"]
    with pytest.raises(ValueError, match="at least 1"):
        ReconnectAfter(_ok, requests=0)


@pytest.mark.parametrize(("setting", "installed"), [("25", [25]), ("0", [])])
def test_served_workers_rebalance_their_connections_as_configured(
    monkeypatch: pytest.MonkeyPatch, setting: str, installed: list[int]
) -> None:
    monkeypatch.setenv("CARPE_DATABASE_URL", "sqlite:///:memory:")
    monkeypatch.setenv("CARPE_RECONNECT_AFTER", setting)
    app = app_from_environment()
    found = [m.kwargs["requests"] for m in app.user_middleware if m.cls is ReconnectAfter]
    assert found == installed
