"""Gesture use cases: the genuineness guard over the store's gestures and moments."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.gestures import GenuinenessScore, score_genuineness
from carpe.store.memory import StoredMoment
from carpe.store.models import Employee, Gesture


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
