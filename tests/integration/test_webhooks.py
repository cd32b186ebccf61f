"""Webhooks: a signed event per follow-up that falls due, sent once, retried on failure."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from carpe.context import Carpe
from carpe.services import webhooks
from carpe.services.data import import_data
from tests.factories import small_business, write_folder

TODAY = date(2026, 3, 20)
SECRET = "s" * 40


class Receiver:
    """A local HTTP endpoint that records what it is sent (and can be told to fail)."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def imported(carpe: Carpe, tmp_path: Path) -> Carpe:
    import_data(
        engine=carpe.engine,
        folder=write_folder(tmp_path / "in", small_business()),
        today=date(2026, 3, 6),
    )
    return carpe


def test_due_follow_up_is_sent_once_signed(imported: Carpe, receiver: Receiver) -> None:
    with imported.unit_of_work() as uow:
        assert webhooks.queue_due_follow_ups(session=uow.session, today=TODAY) == 1
        report = webhooks.deliver_pending(session=uow.session, url=receiver.url, secret=SECRET)
        uow.commit()
        assert (report.sent, report.failed) == (1, 0)
        assert webhooks.queue_due_follow_ups(session=uow.session, today=TODAY) == 0
        assert (
            webhooks.deliver_pending(session=uow.session, url=receiver.url, secret=SECRET).sent == 0
        )
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Carpe-Signature"] == expected
    event = json.loads(body)
    assert event["event"] == "follow_up.due"
    assert event["data"]["employee_id"] == "E1"
    assert event["data"]["idea"] == "Ask how Max is doing."
    assert "evidence" not in json.dumps(event)


def test_failed_delivery_is_retried_on_the_next_pass(imported: Carpe, receiver: Receiver) -> None:
    receiver.status = 500
    with imported.unit_of_work() as uow:
        webhooks.queue_due_follow_ups(session=uow.session, today=TODAY)
        assert (
            webhooks.deliver_pending(session=uow.session, url=receiver.url, secret=SECRET).failed
            == 1
        )
        receiver.status = 204
        assert (
            webhooks.deliver_pending(session=uow.session, url=receiver.url, secret=SECRET).sent == 1
        )
        uow.commit()
    assert len(receiver.received) == 2


def test_nothing_is_due_before_its_day(imported: Carpe) -> None:
    with imported.unit_of_work() as uow:
        assert webhooks.queue_due_follow_ups(session=uow.session, today=date(2026, 3, 1)) == 0
