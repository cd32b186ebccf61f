"""The morning digest, sent to a real SMTP server (aiosmtpd) started by the test and parsed back."""

from __future__ import annotations

import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from carpe.context import Carpe
from carpe.services import digest, preferences
from carpe.services.data import import_data
from carpe.services.digest_mail import DigestLinks
from carpe.services.mail import MailServer, send_message
from carpe.services.scheduler import ReminderScheduler
from carpe.store.access import AuditEntry
from carpe.store.reminders import DigestSend
from tests.factories import add_viewer, make_touchpoint, small_business, write_folder
from tests.receivers import Inbox, smtp_inbox

DAY = date(2026, 3, 20)
MORNING = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
LINKS = DigestLinks("https://carpe.example")
SENDER = "carpe <carpe@carpe.example>"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as found:
        yield found


@pytest.fixture
def business(carpe: Carpe, tmp_path: Path) -> Carpe:
    """The small business imported on 6 March (Maria's dog Max is sick: a follow-up for E1)."""
    import_data(
        engine=carpe.engine,
        folder=write_folder(tmp_path / "in", small_business()),
        today=date(2026, 3, 6),
    )
    with carpe.unit_of_work() as uow:
        ana = add_viewer(uow.session, "ana", "frontline", "E1")
        preferences.save_preferences(
            session=uow.session,
            user_id=ana.user_id,
            email="ana@acme.example",
            digest_enabled=True,
            digest_time="07:30",
            time_zone="Europe/Madrid",
        )
        uow.commit()
    return carpe


def _plain(port: int) -> MailServer:
    return MailServer("127.0.0.1", port, "none", None, None, SENDER)


def _send(carpe: Carpe, port: int, now: datetime = MORNING, **options: Any) -> digest.SendReport:
    return digest.send_due_digests(
        units=carpe.unit_of_work, server=_plain(port), links=LINKS, now=now, **options
    )


def test_digest_is_sent_once_with_the_follow_up_its_opener_and_links(
    business: Carpe, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    report = _send(business, port)
    assert (report.sent, report.failed) == (1, 0)
    assert _send(business, port, MORNING + timedelta(hours=3)).sent == 0  # once per day
    assert len(box.messages) == 1
    mail = box.messages[0]
    assert mail["To"] == "ana@acme.example"
    assert "1 follow-up" in mail["Subject"]
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    body, page = text.get_content(), html.get_content()
    for part in (body, page):
        assert "Maria Lopez" in part
        assert "Max" in part
        assert "https://carpe.example/contacts/C1" in part
        assert "https://carpe.example/preferences" in part
    assert 'name="viewport"' in page and "max-width:600px" in page
    with business.unit_of_work() as uow:
        sent = uow.session.scalars(select(DigestSend)).one()
        assert (sent.day, sent.status, sent.attempts, sent.items) == (DAY, "sent", 1, sent.items)
        assert sent.items >= 1


def test_digest_waits_for_the_persons_time_of_day_in_their_zone(
    business: Carpe, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    # 07:00 in Madrid (UTC+1 in March) is before 07:30: not yet
    assert _send(business, port, datetime(2026, 3, 20, 6, 0, tzinfo=UTC)).sent == 0
    assert _send(business, port, datetime(2026, 3, 20, 6, 45, tzinfo=UTC)).sent == 1
    assert len(box.messages) == 1


def test_digest_failure_is_recorded_and_retried_later(
    business: Carpe, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    box.refuse = True
    assert _send(business, port).failed == 1
    box.refuse = False
    assert _send(business, port, MORNING + timedelta(minutes=1)).skipped == 1  # too soon
    assert _send(business, port, MORNING + timedelta(minutes=10)).sent == 1
    with business.unit_of_work() as uow:
        sent = uow.session.scalars(select(DigestSend)).one()
        assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, None)
    assert len(box.messages) == 1


def test_digest_goes_once_when_several_workers_send_at_the_same_time(
    business: Carpe, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    workers = [Carpe(business.settings) for _ in range(3)]
    start = threading.Barrier(len(workers))
    reports: list[digest.SendReport] = []

    def work(running: Carpe) -> None:
        start.wait()
        reports.append(_send(running, port))

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for running in workers:
        running.close()
    assert sum(r.sent for r in reports) == 1
    assert len(box.messages) == 1


def test_digest_shows_a_sensitive_moment_as_the_pages_do_and_audits_it(
    business: Carpe, tmp_path: Path
) -> None:
    files = small_business()
    files["touchpoints"].append(
        make_touchpoint(touchpoint_id="T9", occurred_at="2026-03-05T10:00:00",
                        note="Maria's mother passed away last week.")
    )  # fmt: skip
    import_data(engine=business.engine, folder=write_folder(tmp_path / "more", files), today=DAY)
    with business.unit_of_work() as uow:
        ana = add_viewer(uow.session, "ana2", "frontline", "E1")
        ben = add_viewer(uow.session, "ben", "frontline", "E2")
        mine = digest.compose_digest(session=uow.session, viewer=ana, today=DAY)
        theirs = digest.compose_digest(session=uow.session, viewer=ben, today=DAY)
        uow.commit()
        audited = uow.session.scalars(select(AuditEntry).where(AuditEntry.actor == "ana2")).all()
    assert any(f.sensitive for f in mine.follow_ups)
    assert theirs.follow_ups == ()
    assert audited, "a sensitive moment shown in a digest is audited like a page view"


def test_preview_prints_a_digest_without_sending_or_recording(business: Carpe) -> None:
    with business.unit_of_work() as uow:
        found, message = digest.preview_digest(
            session=uow.session, username="ana", links=LINKS, sender=SENDER, now=MORNING
        )
        assert uow.session.scalars(select(DigestSend)).all() == []
    assert found.items >= 1
    assert message["To"] == "ana@acme.example"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


def test_digest_goes_over_starttls_with_a_sign_in(business: Carpe, tmp_path: Path) -> None:
    key, cert = _certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"mail-pw")

    with smtp_inbox(
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    ) as (box, port):
        client_tls = ssl.create_default_context(cafile=str(cert))
        server = MailServer("127.0.0.1", port, "starttls", "ana-mail", "mail-pw", SENDER)
        with business.unit_of_work() as uow:
            _, message = digest.preview_digest(
                session=uow.session, username="ana", links=LINKS, sender=SENDER, now=MORNING
            )
        send_message(server, message, context=client_tls)
    assert logins == [(b"ana-mail", b"mail-pw")]
    assert len(box.messages) == 1
    assert box.messages[0]["Subject"].startswith("Your day, Friday 20 Mar")


def test_serve_scheduler_sends_due_digests_in_the_background(
    business: Carpe, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    settings = business.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    )
    with business.unit_of_work() as uow:  # due whatever the hour the test runs at
        ana = digest.get_user_by_name(session=uow.session, username="ana")
        preferences.save_preferences(session=uow.session, user_id=ana.id, email="ana@acme.example",
                                     digest_enabled=True, digest_time="00:00", time_zone="UTC")  # fmt: skip
        uow.commit()
    served = Carpe(settings)
    scheduler = ReminderScheduler(served, interval=0.2, first_pass=0)
    scheduler.start()
    try:
        for _ in range(300):  # wait for the first pass (not a timing assertion)
            if box.messages:
                break
            time.sleep(0.1)
    finally:
        scheduler.stop()
        served.close()
    assert [m["To"] for m in box.messages] == ["ana@acme.example"]
