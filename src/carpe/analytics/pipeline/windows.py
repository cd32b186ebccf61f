"""Events paired with the as-of days they precede: the windows every feature counts in."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["KEYS", "LOOKBACK_DAYS", "event_age", "tally", "windowed"]

LOOKBACK_DAYS: Final = 365
"""How far back, in days, an event counts for an as-of day."""
KEYS: Final = ("account_id", "as_of")
"""The columns that identify a feature row."""


def event_age(grid: Any, day: Any) -> Any:
    """Whole days from an event's day to the as-of day (1 = the day before)."""
    return grid.as_of.delta(day, unit="day")


def windowed(events: Any, day: Any, grid: Any, lookback: int = LOOKBACK_DAYS) -> Any:
    """Events joined to every as-of date they precede by at most ``lookback`` days."""
    paired = events.mutate(_day=day).cross_join(grid)
    paired = paired.mutate(age=event_age(paired, paired._day)).drop("_day")
    return paired.filter(paired.age >= 1, paired.age <= lookback)


def tally(condition: Any) -> Any:
    """Rows where ``condition`` holds, as a sum of 0/1 (NULL counts as not holding).

    The same number as ``count(where=condition)`` (a group always has a row, so
    the sum is never NULL), and much cheaper on DuckDB than a filtered aggregate.
    """
    return condition.ifelse(1, 0).sum()
