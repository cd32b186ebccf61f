"""Days and times typed into forms, in the form every page writes them: ``7 Dec 2026``.

A browser's own date field shows its owner's locale (``12/07/2026`` in an American
Chromium) beside pages that write ``7 Dec 2026``; carpe's forms use text fields in
the pages' form instead, and read back what people type:

* what the pages write: ``7 Dec 2026``, ``7 December 2026``, ``Dec 7, 2026``,
  with a time for a moment: ``7 Dec 2026, 14:05``;
* ISO, as scripts and older forms send it: ``2026-12-07``, ``2026-12-07T14:05``;
* all numbers (``7/12/2026``, ``7.12.2026``) only when they can be read one way
  (a part above 12, or day and month equal): ``3/4/2026`` is refused with an
  example of the form to use, never guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BeforeValidator

from carpe.errors import UsageError
from carpe.web.filters import MONTHS, format_date

_MONTH = {m.lower(): i + 1 for i, m in enumerate(MONTHS)}
_NAMED = re.compile(r"^(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})$")
_NAMED_US = re.compile(r"^([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_NUMBERS = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_TIME = re.compile(r"^(.*?)(?:,|\s+at)?\s+(\d{1,2})[:.h](\d{2})$")


def _month(word: str) -> int | None:
    return _MONTH.get(word[:3])


def _read_day(text: str) -> date | None:
    """The day ``text`` names, or None when it names none or could be read two ways."""
    text = " ".join(text.strip().lower().split())
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    if found := _NAMED.match(text):
        day, word, year = found.groups()
    elif found := _NAMED_US.match(text):
        word, day, year = found.groups()
    elif found := _NUMBERS.match(text):
        a, b, year = (int(x) for x in found.groups())
        if a != b and a <= 12 and b <= 12:
            return None  # 3/4: March or April? never guessed
        day_n, month_n = (a, b) if a > 12 or a == b else (b, a)
        try:
            return date(year, month_n, day_n)
        except ValueError:
            return None
    else:
        return None
    month = _month(word)
    if month is None:
        return None
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None


def parse_day(value: str, field: str) -> date | None:
    """The day typed into ``field`` (None when empty).

    Raises
    ------
    UsageError
        Naming the field, what was typed and the form to use.

    Examples
    --------
    >>> parse_day("7 Dec 2026", "given_on"), parse_day("2026-12-07", "given_on")
    (datetime.date(2026, 12, 7), datetime.date(2026, 12, 7))
    >>> parse_day("Dec 7, 2026", "x"), parse_day("25/12/2026", "x"), parse_day("", "x")
    (datetime.date(2026, 12, 7), datetime.date(2026, 12, 25), None)
    """
    if not value.strip():
        return None
    found = _read_day(value)
    if found is None:
        raise UsageError(
            f"{field}: '{value}' is not a day carpe can read; write it as "
            f"{format_date(date.today())}"
        )
    return found


def parse_moment(value: str, field: str) -> datetime:
    """The day and time typed into ``field``: ``7 Dec 2026, 14:05`` or ISO.

    Examples
    --------
    >>> parse_moment("7 Dec 2026, 14:05", "occurred_at")
    datetime.datetime(2026, 12, 7, 14, 5)
    >>> parse_moment("2026-12-07T09:30", "occurred_at")
    datetime.datetime(2026, 12, 7, 9, 30)
    """
    text = value.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    found = _TIME.match(text.lower())
    day = _read_day(found.group(1) if found else text)
    if day is None:
        raise UsageError(
            f"{field}: '{value}' is not a day and time carpe can read; write it as "
            f"{format_date(date.today())}, 14:05"
        )
    if not found:
        return datetime.combine(day, time())
    hour, minute = int(found.group(2)), int(found.group(3))
    if hour > 23 or minute > 59:
        raise UsageError(f"{field}: '{value}' has no such time of day")
    return datetime.combine(day, time(hour, minute))


def _coerce_day(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            return None
        found = _read_day(value)
        if found is None:
            raise ValueError(f"write the day as {format_date(date.today())}")
        return found
    return value


Day = Annotated[date, BeforeValidator(_coerce_day)]
"""A day in a form or query field, typed as the pages write it (or ISO)."""
