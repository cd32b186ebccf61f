"""An episode's signals: problems, effort beyond routine, turnaround, the customer's words.

Every signal is read from the interchange format's columns, never from a
particular wording:

- **problem**: a touchpoint (not internal) at or below the negative-sentiment
  threshold; a feedback answer in the bottom of its scale; a conflict of the
  conflicts step; a hardship, health or loss moment from customer memory;
- **effort**, judged against *the employee's own routine* (their share of
  off-hours work, of personal outbound contact, their usual note length):
  off-hours (weekend, before 7:00 or from 19:00) when that is rare for them;
  proactive personal contact (in person, phone, video, outbound) when that is
  rare for them; a note far longer than their usual ones; and a colleague of
  another department working on it (an internal touchpoint);
- **turnaround**: an inbound touchpoint at or above the positive-sentiment
  threshold after the problem;
- **words**: a feedback comment after the problem, its score, praise words, an
  employee who worked on the episode named in it.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Final

import pandas as pd  # type: ignore[import-untyped]

from carpe.vocabulary import PERSONAL_CHANNELS

OFF_HOURS_START: Final = 19
OFF_HOURS_END: Final = 7
EFFORT_KINDS: Final = ("visit", "call", "meeting", "other")
"""Kinds of outbound personal touchpoint that count as proactive contact."""
HARDSHIP_KINDS: Final = ("hardship", "health", "loss")
"""Moments from customer memory that make a personal-care problem."""
SCALES: Final = {"nps": (0.0, 10.0), "csat": (1.0, 5.0), "review": (1.0, 5.0), "ces": (1.0, 7.0)}
"""Survey → (worst, best) answer; ``ces`` (customer effort) is read reversed."""
REFERRAL_WORDS: Final = re.compile(
    r"\b(referr(?:ed|al)|recommended (?:you|us)|introduced (?:you|us) to|"
    r"sent (?:you|us) (?:a )?(?:new )?(?:customer|client))\b",
    re.IGNORECASE,
)
"""A customer who sent someone our way, in their words or the employee's note."""
ROUTINE_COLUMNS: Final = (
    "employee_id",
    "touches",
    "off_hours_share",
    "personal_share",
    "note_mean",
    "note_std",
)


def satisfaction(survey: str, score: float) -> float:
    """A feedback answer on a 0..1 scale (1 = best).

    Parameters
    ----------
    survey : str
        ``nps``, ``csat``, ``review`` or ``ces`` (others read as 0..10).
    score : float
        The answer.

    Returns
    -------
    float
        0 (worst) .. 1 (best); NaN for a missing score.

    Examples
    --------
    >>> satisfaction("nps", 10), satisfaction("review", 1), satisfaction("ces", 1)
    (1.0, 0.0, 1.0)
    """
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return math.nan
    low, high = SCALES.get(survey, (0.0, 10.0))
    share = (float(score) - low) / (high - low)
    if survey == "ces":
        share = 1.0 - share
    return min(1.0, max(0.0, share))


def is_off_hours(at: pd.Series) -> pd.Series:
    """True for times on a weekend, before 7:00 or from 19:00."""
    return (at.dt.weekday >= 5) | (at.dt.hour < OFF_HOURS_END) | (at.dt.hour >= OFF_HOURS_START)


def is_personal_outreach(touchpoints: pd.DataFrame) -> pd.Series:
    """True for outbound personal contact (in person, phone, video) that is not paperwork."""
    return (
        (touchpoints["direction"] == "outbound")
        & touchpoints["channel"].isin(PERSONAL_CHANNELS)
        & touchpoints["kind"].fillna("other").isin(EFFORT_KINDS)
    )


def employee_routine(touchpoints: pd.DataFrame) -> pd.DataFrame:
    """Each employee's routine: how often off-hours, how often in person, how long they write.

    The pipeline step computes the same on the engine (``stories_step``); this
    is the pandas form for small tables and tests.

    Parameters
    ----------
    touchpoints : pandas.DataFrame
        ``employee_id``, ``occurred_at``, ``channel``, ``kind``, ``direction``, ``note``.

    Returns
    -------
    pandas.DataFrame
        :data:`ROUTINE_COLUMNS`, one row per employee.
    """
    tp = touchpoints[touchpoints["employee_id"].notna()]
    at = pd.to_datetime(tp["occurred_at"])
    frame = pd.DataFrame(
        {
            "employee_id": tp["employee_id"].astype(str),
            "off": is_off_hours(at).astype(float),
            "personal": is_personal_outreach(tp).astype(float),
            "length": tp["note"].fillna("").astype(str).str.len().astype(float),
        }
    )
    grouped = frame.groupby("employee_id", sort=True)
    out = pd.DataFrame(
        {
            "touches": grouped.size(),
            "off_hours_share": grouped["off"].mean(),
            "personal_share": grouped["personal"].mean(),
            "note_mean": grouped["length"].mean(),
            "note_std": grouped["length"].std(ddof=0).fillna(0.0),
        }
    ).reset_index()
    return out[list(ROUTINE_COLUMNS)]


def name_pattern(names: list[str]) -> re.Pattern[str] | None:
    """A pattern matching any of ``names`` as a whole word (None for no names)."""
    return _alternatives(tuple(sorted({n for n in names if n and len(n) > 1})))


@lru_cache(maxsize=4096)
def _alternatives(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """The pattern of :func:`name_pattern` for distinct names, compiled once per set."""
    if not names:
        return None
    cleaned = sorted(names, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in cleaned) + r")\b")
