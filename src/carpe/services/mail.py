"""Sending mail over SMTP (the standard library's ``smtplib``; no dependency)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from carpe.config import Settings

TIMEOUT_SECONDS = 20


@dataclass(frozen=True, slots=True)
class MailServer:
    """Where mail goes and how to sign in; ``security`` is ``starttls``, ``tls`` or ``none``."""

    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    sender: str


def mail_server_of(settings: Settings) -> MailServer | None:
    """The SMTP server the settings name, or ``None`` when ``CARPE_SMTP_HOST`` is unset."""
    if not settings.smtp_host:
        return None
    return MailServer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_security,
        settings.smtp_user,
        settings.smtp_password,
        settings.mail_from,
    )


def send_message(
    server: MailServer, message: EmailMessage, *, context: ssl.SSLContext | None = None
) -> None:
    """Send ``message`` through ``server``.

    Raises
    ------
    OSError
        When the server cannot be reached, refuses the sign-in or the message
        (``smtplib.SMTPException`` is an ``OSError``).
    """
    tls = context or ssl.create_default_context()
    client: smtplib.SMTP
    if server.security == "tls":
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS, context=tls)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    with client:
        if server.security == "starttls":
            client.starttls(context=tls)
        if server.user:
            client.login(server.user, server.password or "")
        client.send_message(message)
