"""Webhooks: signed JSON events to a configured URL, each announced once.

Events are queued in the store (``webhook_deliveries``, one row per event key)
and sent by :func:`deliver_pending`, so a failure is retried on the next pass
and nothing is announced twice. The body is signed with HMAC-SHA256 of the
secret key: header ``X-Carpe-Signature: sha256=<hex>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from carpe.memory.opener import suggest_opener
from carpe.store.access import WebhookDelivery
from carpe.store.memory import FollowUp, StoredMoment
from carpe.store.models import utc_now

MAX_ATTEMPTS = 5
KEY_CHUNK = 500
SIGNATURE_HEADER = "X-Carpe-Signature"
Sender = Callable[[str, bytes, dict[str, str]], int]
"""Posts ``body`` with ``headers`` to a URL and returns the HTTP status."""


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def queue_event(*, session: Session, event: str, key: str, payload: dict[str, Any]) -> bool:
    """Queue an event unless one with the same key was queued before; True when queued."""
    return queue_events(session=session, event=event, items=[(key, payload)]) == 1


def queue_events(
    *, session: Session, event: str, items: Sequence[tuple[str, dict[str, Any]]]
) -> int:
    """Queue one event per ``(key, payload)``, skipping keys queued before; how many were queued.

    The keys already known are read in chunks and the new events written with
    plain inserts, so a detection run that finds thousands of conflicts does not
    ask the store once per event.
    """
    keys = [key for key, _ in items]
    known: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        known.update(
            session.scalars(select(WebhookDelivery.key).where(WebhookDelivery.key.in_(chunk)))
        )
    now = utc_now()
    rows = []
    for key, payload in items:
        if key in known:
            continue
        known.add(key)
        body = {
            "event": event,
            "key": key,
            "created_at": now.isoformat(timespec="seconds"),
            "data": payload,
        }
        rows.append(
            {
                "event": event,
                "key": key,
                "payload": json.dumps(body),
                "created_at": now,
                "attempts": 0,
            }
        )
    if rows:
        session.execute(insert(WebhookDelivery), rows)
    return len(rows)


def queue_due_follow_ups(*, session: Session, today: date) -> int:
    """Queue a ``follow_up.due`` event for every open follow-up due by ``today``.

    The event names the follow-up, who it is for and a discreet idea for the
    conversation; it never carries the note or the evidence.
    """
    rows = session.execute(
        select(FollowUp, StoredMoment)
        .join(StoredMoment, StoredMoment.id == FollowUp.moment_id)
        .where(FollowUp.status == "open", FollowUp.due_on <= today)
    )
    queued = 0
    for follow_up, moment in rows:
        payload = {
            "follow_up_id": follow_up.id,
            "due_on": follow_up.due_on.isoformat(),
            "employee_id": follow_up.employee_id,
            "account_id": follow_up.account_id,
            "contact_id": follow_up.contact_id,
            "kind": moment.kind,
            "sensitive": moment.sensitive,
            "idea": suggest_opener(
                kind=moment.kind,
                subject=moment.subject,
                summary=moment.summary,
                sensitive=moment.sensitive,
                when=moment.event_on,
                today=today,
            ),
            "path": f"/contacts/{follow_up.contact_id}"
            if follow_up.contact_id
            else f"/accounts/{follow_up.account_id}",
        }
        queued += queue_event(
            session=session, event="follow_up.due", key=f"follow_up:{follow_up.id}", payload=payload
        )
    return queued


def post_json(url: str, body: bytes, headers: dict[str, str]) -> int:
    """Send with the standard library (no dependency); a network error counts as status 0."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, TimeoutError, OSError):
        return 0


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What a delivery pass did."""

    sent: int
    failed: int


def deliver_pending(
    *, session: Session, url: str, secret: str, send: Sender = post_json, limit: int = 200
) -> DeliveryReport:
    """Send queued events (oldest first); failures are retried up to ``MAX_ATTEMPTS`` passes."""
    pending = session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.delivered_at.is_(None), WebhookDelivery.attempts < MAX_ATTEMPTS)
        .order_by(WebhookDelivery.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for delivery in pending:
        body = delivery.payload.encode()
        headers = {
            "Content-Type": "application/json",
            "X-Carpe-Event": delivery.event,
            SIGNATURE_HEADER: sign(body, secret),
        }
        status = send(url, body, headers)
        delivery.attempts += 1
        if 200 <= status < 300:
            delivery.delivered_at = utc_now()
            delivery.last_error = None
            sent += 1
        else:
            delivery.last_error = f"HTTP {status}" if status else "no answer"
            failed += 1
    return DeliveryReport(sent, failed)
