"""Logging a touchpoint by hand: preview its note's moments, then save what was confirmed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.ingest.instants import stored_instant
from carpe.memory import Extractor, Moment
from carpe.services.memory import NoteSource, open_moments_of, record_note
from carpe.services.permissions import Resource, Viewer, require
from carpe.store.memory import StoredMoment
from carpe.store.models import Account, Contact, Employee, Touchpoint
from carpe.vocabulary import CHANNELS, DIRECTIONS, TOUCHPOINT_KINDS


@cache
def _extractor() -> Extractor:
    """One extractor per process, built on first use."""
    return Extractor()


def preview_moments(*, note: str, noted_on: date) -> list[Moment]:
    """What the extractor finds in a note, without saving anything."""
    return _extractor().extract(note, noted_on) if note.strip() else []


@dataclass(frozen=True, slots=True)
class LoggedTouchpoint:
    """A saved touchpoint and the moments saved with it."""

    touchpoint_id: str
    account_id: str
    moments: tuple[StoredMoment, ...]
    follow_ups: int
    resolved: int


def log_touchpoint(
    *,
    session: Session,
    viewer: Viewer,
    account_id: str,
    contact_id: str | None,
    channel: str,
    kind: str | None,
    direction: str | None,
    subject: str | None,
    note: str | None,
    occurred_at: datetime,
    moments: list[Moment],
    today: date,
) -> LoggedTouchpoint:
    """Save a touchpoint by the viewer, with the moments they confirmed from its note.

    ``occurred_at`` with an offset is stored in UTC, as an import stores it.
    The confirmed moments are stored as ``confirmed``; time-bound ones get a
    follow-up for the account owner (or the viewer when the account has no
    active owner). Open moments the note resolves are closed.

    Raises
    ------
    NotFoundError
        Unknown account or contact.
    UsageError
        A contact of another account, an unknown channel, kind or direction.
    """
    require(viewer, "log", Resource("touchpoint"))
    occurred_at = stored_instant(occurred_at)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError("account", account_id)
    if contact_id:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFoundError("contact", contact_id)
        if contact.account_id != account_id:
            raise UsageError(f"contact {contact_id} belongs to another account")
    if channel not in CHANNELS:
        raise UsageError(f"channel must be one of {', '.join(CHANNELS)}")
    if kind and kind not in TOUCHPOINT_KINDS:
        raise UsageError(f"kind must be one of {', '.join(TOUCHPOINT_KINDS)}")
    if direction and direction not in DIRECTIONS:
        raise UsageError(f"direction must be one of {', '.join(DIRECTIONS)}")
    touchpoint = Touchpoint(
        touchpoint_id=f"web-{uuid.uuid4().hex[:12]}",
        account_id=account_id,
        contact_id=contact_id or None,
        employee_id=viewer.employee_id,
        occurred_at=occurred_at,
        channel=channel,
        kind=kind or None,
        direction=direction or None,
        subject=(subject or "").strip() or None,
        note=(note or "").strip() or None,
    )
    session.add(touchpoint)
    session.flush()
    owner = account.owner_employee_id
    if owner is not None:
        employee = session.get(Employee, owner)
        if employee is None or employee.left_on is not None:
            owner = None
    recorded = record_note(
        session=session,
        source=NoteSource(
            touchpoint.touchpoint_id,
            account_id,
            touchpoint.contact_id,
            viewer.employee_id,
            occurred_at.date(),
            touchpoint.note or "",
        ),
        moments=moments,
        open_moments=open_moments_of(
            session=session, account_id=account_id, contact_id=touchpoint.contact_id
        ),
        assignee=owner or viewer.employee_id,
        today=today,
        review="confirmed",
    )
    session.flush()  # the moments' ids, which the caller shows
    return LoggedTouchpoint(
        touchpoint.touchpoint_id,
        account_id,
        tuple(recorded.moments),
        recorded.follow_ups,
        recorded.resolved,
    )
