"""The reminders' clock inside ``carpe serve``: digests and chat messages, every minute.

Every process that serves may run one (``carpe serve --workers N`` runs one per
worker): each digest and each chat message is claimed in the store before it
goes out, so the workers, and a cron job running ``carpe digest send`` beside
them, never send one twice.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from sqlalchemy import exists, select

from carpe.context import Carpe
from carpe.services.chat import post_chat
from carpe.services.digest import send_due_digests
from carpe.services.digest_mail import DigestLinks
from carpe.services.mail import mail_server_of
from carpe.store.reminders import ChatChannel

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60.0
FIRST_PASS_SECONDS = 5.0


def run_reminders_once(running: Carpe, now: datetime | None = None) -> None:
    """One pass: send the digests that are due (when SMTP is set), post pending chat."""
    moment = now or datetime.now(UTC)
    links = DigestLinks(running.settings.base_url)
    server = mail_server_of(running.settings)
    if server is not None:
        send_due_digests(units=running.unit_of_work, server=server, links=links, now=moment)
    with running.unit_of_work() as uow:
        if uow.session.scalar(select(exists().where(ChatChannel.id.is_not(None)))):
            post_chat(session=uow.session, today=moment.astimezone().date(), links=links)


class ReminderScheduler:
    """Runs :func:`run_reminders_once` every ``interval`` seconds in a background thread."""

    def __init__(
        self,
        running: Carpe,
        *,
        interval: float = INTERVAL_SECONDS,
        first_pass: float = FIRST_PASS_SECONDS,
    ) -> None:
        self.running = running
        self.interval = interval
        self.first_pass = first_pass
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (the first pass comes after ``first_pass`` seconds)."""
        self._thread = threading.Thread(target=self._loop, name="carpe-reminders", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop and wait for a pass in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _loop(self) -> None:
        wait = self.first_pass
        while not self._stop.wait(wait):
            try:
                run_reminders_once(self.running)
            except Exception:  # a bad pass is logged; the next one tries again
                log.exception("reminders pass failed")
            wait = self.interval
