"""Today: the follow-ups a person has due now and coming up, and how long a snooze lasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy.orm import Session

from carpe.services.follow_ups import FollowUpRow, list_follow_ups
from carpe.services.permissions import Viewer

__all__ = ["SNOOZE_DAYS", "UPCOMING_DAYS", "TodaysFollowUps", "snooze_until", "todays_follow_ups"]

UPCOMING_DAYS: Final = 14
"""How far ahead Today shows follow-ups coming up."""
SNOOZE_DAYS: Final = 3
"""How long a follow-up is put off when no day is chosen."""


@dataclass(frozen=True, slots=True)
class TodaysFollowUps:
    """A person's follow-ups due by today, and those due in the next :data:`UPCOMING_DAYS`."""

    due: list[FollowUpRow]
    upcoming: list[FollowUpRow]


def todays_follow_ups(
    *, session: Session, today: date, employee_id: str | None, viewer: Viewer
) -> TodaysFollowUps:
    """The employee's follow-ups due now and coming up, soonest first (one read).

    Nobody's (``employee_id`` ``None``, a user who is no employee) gives none.
    """
    if employee_id is None:
        return TodaysFollowUps([], [])
    soon = list_follow_ups(
        session=session,
        today=today,
        employee_id=employee_id,
        due_by=today + timedelta(days=UPCOMING_DAYS),
        viewer=viewer,
    )
    return TodaysFollowUps(
        [f for f in soon if f.due_on <= today], [f for f in soon if f.due_on > today]
    )


def snooze_until(*, today: date, until: date | None) -> date:
    """The day a snoozed follow-up comes back: the one chosen, else :data:`SNOOZE_DAYS` on.

    Examples
    --------
    >>> snooze_until(today=date(2026, 3, 9), until=None)
    datetime.date(2026, 3, 12)
    """
    return until or today + timedelta(days=SNOOZE_DAYS)
