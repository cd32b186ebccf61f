"""A contact's personal data: everything carpe holds about them (export), and its erasure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, delete, or_, select, tuple_, update
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError
from carpe.services import gesture_log
from carpe.services.audit import audit
from carpe.services.permissions import Resource, Viewer, require
from carpe.services.story_records import redact_contact
from carpe.store.access import AuditEntry
from carpe.store.gestures import GestureRequest
from carpe.store.memory import FollowUp, NoteExtraction, StoredMoment
from carpe.store.models import Account, Contact, Feedback, Gesture, Order, Touchpoint, utc_now
from carpe.store.scrub import ScrubReport, scrub_after_delete
from carpe.store.stories import StoredStory, StoryConsent

ERASED = "[erased]"


def _changed(session: Session, statement: Any) -> int:
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def _row(obj: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in obj.__table__.columns:
        value = getattr(obj, column.key)
        values[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return values


def export_contact(*, session: Session, viewer: Viewer, contact_id: str) -> dict[str, Any]:
    """Everything carpe holds about a contact, as JSON-ready data (admins only, logged)."""
    require(viewer, "export", Resource("contact"), why="only an admin may do this")
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError("contact", contact_id)
    account = session.get(Account, contact.account_id)

    def rows(model: Any, column: Any) -> list[dict[str, Any]]:
        return [_row(r) for r in session.scalars(select(model).where(column == contact_id))]

    touchpoint_ids = select(Touchpoint.touchpoint_id).where(Touchpoint.contact_id == contact_id)
    data = {
        "exported_at": utc_now().isoformat(),
        "contact": _row(contact),
        "account": {"account_id": contact.account_id, "name": account.name if account else None},
        "touchpoints": rows(Touchpoint, Touchpoint.contact_id),
        "note_extractions": [
            _row(r)
            for r in session.scalars(
                select(NoteExtraction).where(NoteExtraction.touchpoint_id.in_(touchpoint_ids))
            )
        ],
        "moments": [  # with whether each is sensitive, derived from its kind
            {**_row(r), "sensitive": r.sensitive}
            for r in session.scalars(
                select(StoredMoment).where(StoredMoment.contact_id == contact_id)
            )
        ],
        "follow_ups": rows(FollowUp, FollowUp.contact_id),
        "feedback": rows(Feedback, Feedback.contact_id),
        "orders": rows(Order, Order.contact_id),
        "gestures": rows(Gesture, Gesture.contact_id),
        "gesture_requests": rows(GestureRequest, GestureRequest.contact_id),
        "stories": [_row(r) for r in _stories_of(session, contact_id)],
        "story_consents": rows(StoryConsent, StoryConsent.contact_id),
    }
    data["audit_log"] = _audit_about(session, contact_id, data)
    audit(
        session=session,
        viewer=viewer,
        action="export",
        subject_type="contact",
        subject_id=contact_id,
    )
    return data


def _stories_of(session: Session, contact_id: str) -> list[StoredStory]:
    """Stories that cite the contact's records or record the contact's consent."""
    return list(
        session.scalars(
            select(StoredStory).where(
                or_(
                    StoredStory.contact_ids.contains(json.dumps(contact_id)),
                    StoredStory.consent_contact_id == contact_id,
                )
            )
        )
    )


def _audit_about(session: Session, contact_id: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Audit entries whose subject is the contact, or a moment, gesture or story about them."""
    subjects = {("contact", contact_id)}
    subjects |= {("moment", str(row["id"])) for row in data["moments"]}
    subjects |= {("gesture", row["gesture_id"]) for row in data["gestures"]}
    subjects |= {("gesture", row["gesture_id"]) for row in data["gesture_requests"]}
    subjects |= {("story", row["story_id"]) for row in data["stories"]}
    entries = session.scalars(
        select(AuditEntry)
        .where(tuple_(AuditEntry.subject_type, AuditEntry.subject_id).in_(sorted(subjects)))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [_row(entry) for entry in entries]


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What an erasure removed or redacted."""

    contact_id: str
    moments_deleted: int
    follow_ups_deleted: int
    notes_redacted: int
    comments_redacted: int
    gestures_redacted: int


def erase_contact(*, session: Session, viewer: Viewer, contact_id: str) -> ErasureReport:
    """Erase a contact's personal data, keeping anonymous aggregates (admins only, logged).

    Moments and follow-ups are deleted; the contact's personal fields are blanked
    (the row stays, as ``[erased]``, so counts and retention figures still add up);
    notes of their touchpoints, their feedback comments, gesture descriptions (logged
    ones too) and their words quoted in stories are redacted. Scores, dates, channels
    and amounts stay.
    """
    require(viewer, "erase", Resource("contact"), why="only an admin may do this")
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError("contact", contact_id)
    follow_ups = _changed(session, delete(FollowUp).where(FollowUp.contact_id == contact_id))
    moments = _changed(session, delete(StoredMoment).where(StoredMoment.contact_id == contact_id))
    notes = _changed(
        session,
        update(Touchpoint)
        .where(Touchpoint.contact_id == contact_id, Touchpoint.note.is_not(None))
        .values(note=ERASED, subject=None),
    )
    comments = _changed(
        session,
        update(Feedback)
        .where(Feedback.contact_id == contact_id, Feedback.comment.is_not(None))
        .values(comment=ERASED),
    )
    gestures = _changed(
        session,
        update(Gesture)
        .where(Gesture.contact_id == contact_id, Gesture.description.is_not(None))
        .values(description=ERASED),
    )
    gestures += gesture_log.redact_contact(session=session, contact_id=contact_id)
    redact_contact(
        session=session,
        contact_id=contact_id,
        touchpoint_ids=session.scalars(
            select(Touchpoint.touchpoint_id).where(Touchpoint.contact_id == contact_id)
        ).all(),
        feedback_ids=session.scalars(
            select(Feedback.feedback_id).where(Feedback.contact_id == contact_id)
        ).all(),
    )
    contact.first_name = ERASED
    contact.last_name = None
    contact.email = None
    contact.phone = None
    contact.title = None
    contact.birthday = None
    report = ErasureReport(contact_id, moments, follow_ups, notes, comments, gestures)
    audit(
        session=session,
        viewer=viewer,
        action="erase",
        subject_type="contact",
        subject_id=contact_id,
        detail=json.dumps(
            {"moments": moments, "follow_ups": follow_ups, "notes": notes, "comments": comments}
        ),
    )
    return report


ERASED_TABLES = (
    "contacts",
    "touchpoints",
    "feedback",
    "gestures",
    "gesture_requests",
    "moments",
    "follow_ups",
    "stories",
)
"""The tables :func:`erase_contact` deletes from or overwrites."""


def finish_erasure(*, engine: Engine, vacuum: bool = False) -> ScrubReport:
    """After an erasure has committed, leave nothing of it readable in the database files.

    SQLite: the write-ahead log is checkpointed and truncated (freed space was
    zeroed already); ``vacuum`` rebuilds the whole file too. PostgreSQL: the
    erased tables are vacuumed; ``vacuum`` rewrites them (``VACUUM FULL``). See
    :mod:`carpe.store.scrub` for what each store keeps and for how long.
    """
    return scrub_after_delete(engine, tables=ERASED_TABLES, vacuum=vacuum)
