"""Gesture use cases: ideas within the budget, and the genuineness guard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError
from carpe.gestures import (
    GenuinenessScore,
    MomentCue,
    Suggestion,
    score_genuineness,
    suggest_gestures,
)
from carpe.services.brief import MOMENT_HORIZON_DAYS
from carpe.services.privacy import can_see
from carpe.services.users import Viewer
from carpe.store.memory import StoredMoment
from carpe.store.models import Account, Budget, Contact, Employee, Gesture


@dataclass(frozen=True, slots=True)
class GiverReview:
    """A giver's genuineness, with who they are."""

    employee_id: str
    name: str
    department: str
    score: float
    flags: tuple[str, ...]
    gestures: int
    contacts: int


def review_givers(*, session: Session, link_days: int = 30) -> list[GiverReview]:
    """Every giver's genuineness score and flags, least genuine first (coaching, not a ranking)."""
    gestures = pd.DataFrame(
        session.execute(
            select(
                Gesture.employee_id,
                Gesture.contact_id,
                Gesture.account_id,
                Gesture.given_on,
                Gesture.kind,
                Gesture.description,
            )
        ).all(),
        columns=["employee_id", "contact_id", "account_id", "given_on", "kind", "description"],
    )
    moments = pd.DataFrame(
        session.execute(
            select(StoredMoment.contact_id, StoredMoment.account_id, StoredMoment.noted_on).where(
                StoredMoment.review != "dismissed"
            )
        ).all(),
        columns=["contact_id", "account_id", "noted_on"],
    )
    scores: list[GenuinenessScore] = score_genuineness(gestures, moments, link_days=link_days)
    people = {
        e.employee_id: (e.name, e.department)
        for e in session.scalars(
            select(Employee).where(Employee.employee_id.in_([s.employee_id for s in scores]))
        )
    }
    return [
        GiverReview(
            s.employee_id,
            *people.get(s.employee_id, (s.employee_id, "")),
            s.score,
            s.flags,
            s.gestures,
            s.contacts,
        )
        for s in scores
    ]


@dataclass(frozen=True, slots=True)
class GestureIdeas:
    """Ideas for one contact, and the giver's budget they fit in."""

    contact_id: str
    giver: str | None
    budget_left: float | None
    last_gesture_kind: str | None
    suggestions: tuple[Suggestion, ...]


def budget_left(*, session: Session, employee_id: str, today: date) -> float | None:
    """What an employee may still spend today: their own budgets and their department's.

    A department's budget counts what everyone in the department spent from it.
    ``None`` when no budget covers the day (then ideas are not limited by cost).
    """
    employee = session.get(Employee, employee_id)
    owners = [employee_id] + ([employee.department] if employee else [])
    budgets = session.scalars(
        select(Budget).where(
            Budget.owner.in_(owners), Budget.period_start <= today, Budget.period_end >= today
        )
    ).all()
    if not budgets:
        return None
    left = 0.0
    for budget in budgets:
        spent_by = (
            Gesture.employee_id == employee_id
            if budget.owner == employee_id
            else Gesture.employee_id.in_(
                select(Employee.employee_id).where(Employee.department == budget.owner)
            )
        )
        spent = session.scalar(
            select(func.coalesce(func.sum(Gesture.cost), 0.0)).where(
                spent_by, Gesture.given_on >= budget.period_start, Gesture.given_on <= today
            )
        )
        left += budget.amount - float(spent or 0.0)
    return round(left, 2)


def suggest_for_contact(
    *,
    session: Session,
    contact_id: str,
    today: date,
    giver: str | None = None,
    limit: int = 3,
    viewer: Viewer | None = None,
) -> GestureIdeas:
    """Gesture ideas for a contact's open moments, within the giver's budget.

    The giver defaults to the account owner. Ideas never repeat the kind of the
    contact's last gesture first. With a ``viewer``, moments they may not see
    (sensitive ones of others) give no idea, so no idea gives them away.

    Raises
    ------
    NotFoundError
        No contact with that id.
    """
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError("contact", contact_id)
    horizon = today - timedelta(days=MOMENT_HORIZON_DAYS)
    moments = session.scalars(
        select(StoredMoment)
        .where(
            StoredMoment.contact_id == contact_id,
            StoredMoment.review != "dismissed",
            StoredMoment.closed_at.is_(None),
        )
        .order_by(StoredMoment.noted_on.desc(), StoredMoment.id.desc())
    ).all()
    owner = session.scalar(
        select(Account.owner_employee_id).where(Account.account_id == contact.account_id)
    )
    cues = [
        MomentCue(m.kind, m.subject, m.summary)
        for m in moments
        if (m.noted_on >= horizon or (m.event_on is not None and m.event_on >= today))
        and (
            viewer is None
            or can_see(viewer, sensitive=m.sensitive, recorded_by=m.recorded_by, owner=owner)
        )
    ]
    interests = [m.summary for m in moments if m.kind == "interest"]
    last = session.scalar(
        select(Gesture.kind)
        .where(Gesture.contact_id == contact_id)
        .order_by(Gesture.given_on.desc(), Gesture.gesture_id.desc())
        .limit(1)
    )
    giver = giver or owner
    left = budget_left(session=session, employee_id=giver, today=today) if giver else None
    ideas = suggest_gestures(
        moments=cues, interests=interests, budget_left=left, last_kind=last, limit=limit
    )
    return GestureIdeas(contact_id, giver, left, last, tuple(ideas))
