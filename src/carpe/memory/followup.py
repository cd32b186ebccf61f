"""When to ask about a moment: the follow-up rules.

* Durable facts (``interest``, ``preference``, and facts such as "has two dogs")
  get no follow-up.
* An event with a known future day (``when`` after the note date) is followed up
  after it: the next day for health, pet, celebration, milestone and hardship, three
  days after for family events (a birth, a wedding), a week after a trip starts.
* An event with a vague future span ("next week", "in May", "end of June") is followed
  up the same way after the last day of that span.
* Anything already happened, ongoing or undated ("is in hospital", "had twins on
  Saturday") is followed up within a week of the note (the next touchpoint or seven
  days); a bereavement two weeks after the note, discreetly.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

__all__ = ["AFTER_EVENT_DAYS", "suggest_follow_up"]

AFTER_EVENT_DAYS: Final[dict[str, int]] = {
    "health": 1,
    "pet": 1,
    "family": 3,
    "loss": 14,
    "celebration": 1,
    "milestone": 1,
    "hardship": 1,
    "travel": 7,
}
"""Days after a future event (or the end of a future span) to ask about it."""

ONGOING_DAYS: Final = 7
LOSS_DAYS: Final = 14


def suggest_follow_up(
    kind: str,
    *,
    note_date: date,
    when: date | None,
    horizon: date | None,
    durable: bool,
) -> date | None:
    """Suggest the day to ask about a moment.

    Parameters
    ----------
    kind : str
        The moment's kind.
    note_date : date
        The day the note was written.
    when : date or None
        The event's day, when stated.
    horizon : date or None
        The last day of a vague span the note gives ("next week"), when any.
    durable : bool
        ``True`` for facts, which get no follow-up.

    Returns
    -------
    date or None
        The follow-up day, or ``None`` for durable facts.

    Examples
    --------
    >>> suggest_follow_up("health", note_date=date(2026, 1, 14), when=date(2026, 1, 20),
    ...                   horizon=None, durable=False)
    datetime.date(2026, 1, 21)
    >>> suggest_follow_up("pet", note_date=date(2026, 3, 2), when=None, horizon=None,
    ...                   durable=False)
    datetime.date(2026, 3, 9)
    """
    if durable or kind not in AFTER_EVENT_DAYS:
        return None
    if kind == "loss":
        return note_date + timedelta(days=LOSS_DAYS)
    anchor = when if when is not None else horizon
    if anchor is not None and anchor > note_date:
        return anchor + timedelta(days=AFTER_EVENT_DAYS[kind])
    return note_date + timedelta(days=ONGOING_DAYS)
