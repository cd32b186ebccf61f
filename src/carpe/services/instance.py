"""This instance's own secret: made by ``carpe init``, kept in the store, known to nobody else.

The published development secret used to sign session cookies by default, so
anyone could forge one. Now, unless an operator sets ``CARPE_SECRET_KEY``, carpe
signs with a random 256-bit secret it makes once and keeps in the store
(``instance_secrets``): every worker process and every host serving the same
store reads the same one, and it is never printed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from carpe.config import DEVELOPMENT_SECRET, Settings
from carpe.errors import ConfigError
from carpe.store.access import InstanceSecret
from carpe.store.models import utc_now

SIGNING_SECRET = "signing"
WEBHOOK_SECRET = "webhook"
"""Separate from the cookies' secret: it is shown to whoever sets up the webhook's receiver."""


def secret_digest(value: str) -> str:
    """The SHA-256 hex digest under which a bearer secret (token, session id) is stored.

    The store keeps only this, so a copy of the database signs nobody in.
    """
    return hashlib.sha256(value.encode()).hexdigest()


def ensure_instance_secret(*, session: Session, name: str = SIGNING_SECRET) -> str:
    """One of the instance's secrets, made (at random) and stored the first time.

    Safe when several processes ask at once: the first insert wins, the others
    read it back.
    """
    found = session.get(InstanceSecret, name)
    if found is not None:
        return found.value
    values = {
        "name": name,
        "value": secrets.token_urlsafe(32),
        "created_at": utc_now(),
    }
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    session.execute(dialect.insert(InstanceSecret).values(values).on_conflict_do_nothing())
    return session.scalars(select(InstanceSecret.value).where(InstanceSecret.name == name)).one()


def signing_secret(*, session: Session, settings: Settings) -> str:
    """The secret that signs session cookies: the configured one, else the instance's."""
    if settings.secret_key is not None:
        return settings.secret_key
    return ensure_instance_secret(session=session)


def webhook_secret(*, session: Session, settings: Settings) -> str:
    """The secret that signs webhook events: the configured one, else the instance's own.

    ``carpe webhooks secret`` prints it for the receiver.
    """
    if settings.secret_key is not None:
        return settings.secret_key
    return ensure_instance_secret(session=session, name=WEBHOOK_SECRET)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_serving_host(*, settings: Settings, host: str) -> None:
    """Refuse to serve beyond this machine with the published secret or the demo's sign-in.

    Raises
    ------
    ConfigError
        ``host`` is not loopback and ``CARPE_SECRET_KEY`` is the published default,
        or ``CARPE_DEMO_USER`` would sign in whoever asks.
    """
    if settings.demo_user and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve on {host}: the demo signs its manager in without a "
            "password, so it only listens on this machine (127.0.0.1)"
        )
    if settings.secret_key == DEVELOPMENT_SECRET and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve on {host}: CARPE_SECRET_KEY is the published development "
            "secret, so anyone could forge a session; unset it (carpe keeps a random "
            "secret of its own in the store) or set one nobody else knows"
        )
