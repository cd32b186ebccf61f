"""Resolve the date expressions of a note against the date the note was written.

The rules (documented in ``docs/memory.md``):

* ``today``, ``this morning``, ``tonight`` -> the note date; ``tomorrow`` -> +1 day;
  ``yesterday``, ``last night`` -> -1 day.
* ``in two weeks`` -> +14 days, ``in 3 days`` -> +3 days; ``two weeks ago`` -> -14 days.
* ``next Tuesday`` -> the first Tuesday strictly after the note date;
  ``last Tuesday`` -> the most recent Tuesday strictly before it;
  ``this Tuesday`` -> the first Tuesday on or after it.
* A bare weekday (``on Saturday``, ``since Tuesday``) takes its direction from the
  tense around it: past tense -> the most recent one strictly before the note date,
  otherwise the first one strictly after it.
* ``March 14``, ``14 March``, ``the 12th``, ``2026-03-14`` -> that day; without a year,
  the next occurrence (on or after the note date) unless the tense is past, then the
  latest occurrence on or before it; ``next year`` adds a year.
* Vague spans (``last week``, ``next month``, ``over the weekend``, ``in May``,
  ``end of June``, ``this summer``) give no date; they may still give a *horizon*, the
  last day of the span, which the follow-up rules use.

Everything here is pure and needs no data files.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["DateMention", "find_date_mentions", "is_past_context"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "couple of": 2,
    "few": 3,
}
DATE_ORDERS = ("dmy", "mdy")
"""How an all-number date such as 3/4 is read: day first (14/3) or month first (3/14)."""

_WD = r"(?P<wd>mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|(?-i:May)|may(?=\s+\d)|june?"
    r"|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_NUM = r"(?P<num>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|couple of|few)"

_EXACT = re.compile(
    r"(?P<iso>\b\d{4}-\d{2}-\d{2}\b)"
    r"|\b(?P<rel>today|tonight|this (?:morning|afternoon|evening)|tomorrow|tmrw|tmw|tomoz"
    r"|2morrow|yesterday|yday|yest|last night|day after tomorrow|day before yesterday)\b"
    r"|\bin\s+" + _NUM + r"\s+(?P<unit>days?|weeks?|wks?)\b"
    r"|\b" + _NUM.replace("num", "agonum") + r"\s+(?P<agounit>days?|weeks?|wks?)\s+ago\b"
    r"|\b(?:on\s+)?" + _WD.replace("wd>", "wdd>") + r"\.?\s+(?P<wdom>[0-3]?\d)(?:st|nd|rd|th)\b"
    r"|\b(?!24/7)(?P<numeric>(?P<n1>[0-3]?\d)/(?P<n2>[0-3]?\d)(?:/(?P<ny>(?:20)?\d{2}))?)\b(?!/)"
    r"|\b(?P<dir>next|last|this|this coming|coming)\s+" + _WD + r"\b"
    r"|\b" + _MON + r"\.?\s+" + _DAY + r"\b(?:,?\s+(?P<year>\d{4}))?"
    r"|\b"
    + _DAY.replace("day>", "day2>")
    + r"\s+(?:of\s+)?"
    + _MON.replace("mon>", "mon2>")
    + r"\b"
    r"(?:,?\s+(?P<year2>\d{4}))?"
    r"|\bthe\s+(?P<dom>[0-3]?\d)(?:st|nd|rd|th)\b"
    r"|\b(?:on\s+|since\s+)?" + _WD.replace("wd>", "bare>") + r"\b",
    re.IGNORECASE,
)

_VAGUE = re.compile(
    r"\b(?P<nextweek>next week)\b"
    r"|\b(?P<weekend>(?:this|next|the|over the|coming) (?:weekend|wknd|w/e))\b"
    r"|\b(?P<nextmonth>next (?:month|mth))\b"
    r"|\b(?P<monthend>(?:end of|by the end of) (?:the |this )?(?:month|mth))\b"
    r"|\b(?P<easter>(?:after|over|at|before|around|by) easter)\b"
    r"|\b(?:end of|early|late|mid-?|in|by|until|from|this|next)\s+"
    + _MON.replace("mon>", "vmon>")
    + r"\b(?!\s+\d)"
    r"|\b(?P<lastspan>last (?:week|month|year|spring|summer|autumn|fall|winter)|over the weekend"
    r"|recently|the other day)\b"
    r"|\b(?P<season>(?:this|next) (?:spring|summer|autumn|fall|winter))\b",
    re.IGNORECASE,
)

_PAST_MARKERS = re.compile(
    r"\b(?:had|was|were|did|got|went|passed|died|ran|broke|lost|retired|adopted|born|since"
    r"|ago|last|came|took|won|finished|completed|gave|fell|left|became|bought|sold"
    r"|(?<!getting )(?<!get )(?<!be )(?<!being )(?<!is )(?<!are )"
    r"\w{3,}(?<!schedul)(?<!book)(?<!plann)(?<!mov)(?<!postpon)(?<!expect)(?<!suppos)(?<!ne)ed"
    r")\b",
    re.IGNORECASE,
)
_NEXT_YEAR = re.compile(r"\bnext year\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression found in a text.

    Attributes
    ----------
    start, end : int
        The span of the expression in the text it was found in.
    when : date or None
        The resolved day, or ``None`` for a vague span.
    horizon : date or None
        For a vague span in the future, its last day (used for follow-ups).
    text : str
        The expression as written.
    """

    start: int
    end: int
    when: date | None
    horizon: date | None
    text: str


def is_past_context(text: str) -> bool:
    """Tell whether a short stretch of text reads as past tense.

    Parameters
    ----------
    text : str
        A few words before a date expression.

    Returns
    -------
    bool
        ``True`` when a past-tense marker (``had``, ``was``, ``since``, a verb in
        ``-ed``...) occurs in it.

    Examples
    --------
    >>> is_past_context("her daughter had twins")
    True
    >>> is_past_context("is having surgery")
    False
    """
    return _PAST_MARKERS.search(text) is not None


def _weekday_index(token: str) -> int:
    token = token.lower()
    for i, name in enumerate(WEEKDAYS):
        if name.startswith(token[:3]):
            return i
    raise ValueError(token)  # pragma: no cover - the regex only lets weekdays through


def _month_index(token: str) -> int:
    return _MONTH_ABBR[token.lower()[:4] if token.lower().startswith("sept") else token.lower()[:3]]


def _after(note_date: date, weekday: int, *, strict: bool) -> date:
    days = (weekday - note_date.weekday()) % 7
    if strict and days == 0:
        days = 7
    return note_date + timedelta(days=days)


def _before(note_date: date, weekday: int) -> date:
    days = (note_date.weekday() - weekday) % 7 or 7
    return note_date - timedelta(days=days)


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _month_day(
    note_date: date, month: int, day: int, year: int | None, *, past: bool, next_year: bool
) -> date | None:
    if year is not None:
        return _safe_date(year, month, day)
    if next_year:
        return _safe_date(note_date.year + 1, month, day)
    this_year = _safe_date(note_date.year, month, day)
    if this_year is None:
        return None
    if past:
        return this_year if this_year <= note_date else _safe_date(note_date.year - 1, month, day)
    return this_year if this_year >= note_date else _safe_date(note_date.year + 1, month, day)


def _day_of_month(note_date: date, day: int, *, past: bool) -> date | None:
    year, month = note_date.year, note_date.month
    for _ in range(3):
        candidate = _safe_date(year, month, day)
        if candidate is not None and (candidate <= note_date if past else candidate >= note_date):
            return candidate
        if past:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        else:
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    lam = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lam) // 451
    month = (h + lam - 7 * m + 114) // 31
    return date(year, month, (h + lam - 7 * m + 114) % 31 + 1)


def _weekday_day(note_date: date, weekday: int, day: int, *, past: bool) -> date | None:
    """``Sat 21st``: the nearest month (ahead, or back in the past tense) where they agree."""
    year, month = note_date.year, note_date.month
    for _ in range(12):
        candidate = _safe_date(year, month, day)
        if (
            candidate is not None
            and candidate.weekday() == weekday
            and (candidate <= note_date if past else candidate >= note_date)
        ):
            return candidate
        if past:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        else:
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return _day_of_month(note_date, day, past=past)


def _numeric(g: dict[str, str | None], note_date: date, *, past: bool, order: str) -> date | None:
    """``14/3`` or ``3/14``: an unambiguous order wins, else the configured one."""
    first, second = int(g["n1"] or 0), int(g["n2"] or 0)
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first or order == "mdy":
        day, month = second, first
    else:
        day, month = first, second
    if not 1 <= month <= 12:
        return None
    year = int(g["ny"]) if g["ny"] else None
    if year is not None and year < 100:
        year += 2000
    return _month_day(note_date, month, day, year, past=past, next_year=False)


def _resolve_exact(m: re.Match[str], text: str, note_date: date, order: str = "dmy") -> date | None:
    g = m.groupdict()
    before = re.split(r"[,;:]", text[max(0, m.start() - 60) : m.start()])[-1]
    past = is_past_context(" ".join(before.split()[-8:]))
    if g["iso"]:
        try:
            return date.fromisoformat(g["iso"])
        except ValueError:
            return None
    if g["rel"]:
        rel = g["rel"].lower()
        offsets = {
            "tomorrow": 1,
            "tmrw": 1,
            "tmw": 1,
            "tomoz": 1,
            "2morrow": 1,
            "yesterday": -1,
            "yday": -1,
            "yest": -1,
            "last night": -1,
            "day after tomorrow": 2,
            "day before yesterday": -2,
        }
        return note_date + timedelta(days=offsets.get(rel, 0))
    if g["unit"]:
        n = _NUMBERS.get(g["num"].lower()) or int(g["num"])
        return note_date + timedelta(days=n * (7 if g["unit"].lower().startswith("w") else 1))
    if g["agounit"]:
        n = _NUMBERS.get(g["agonum"].lower()) or int(g["agonum"])
        return note_date - timedelta(days=n * (7 if g["agounit"].lower().startswith("w") else 1))
    if g["wdom"]:
        return _weekday_day(note_date, _weekday_index(g["wdd"]), int(g["wdom"]), past=past)
    if g["numeric"]:
        return _numeric(g, note_date, past=past, order=order)
    if g["dir"]:
        wd = _weekday_index(g["wd"])
        direction = g["dir"].lower()
        if direction == "next":
            return _after(note_date, wd, strict=True)
        if direction == "last":
            return _before(note_date, wd)
        return _after(note_date, wd, strict=False)
    next_year = _NEXT_YEAR.search(text) is not None
    if g["mon"]:
        year = int(g["year"]) if g["year"] else None
        return _month_day(
            note_date, _month_index(g["mon"]), int(g["day"]), year, past=past, next_year=next_year
        )
    if g["mon2"]:
        year = int(g["year2"]) if g["year2"] else None
        return _month_day(
            note_date, _month_index(g["mon2"]), int(g["day2"]), year, past=past, next_year=next_year
        )
    if g["dom"]:
        return _day_of_month(note_date, int(g["dom"]), past=past)
    wd = _weekday_index(g["bare"])
    lead = m.group(0).lower()
    if lead.startswith("since") or past:
        return _before(note_date, wd)
    return _after(note_date, wd, strict=True)


def _resolve_vague(m: re.Match[str], note_date: date) -> date | None:
    g = m.groupdict()
    if g["nextweek"]:
        return note_date + timedelta(days=7 + (6 - note_date.weekday()))
    if g["weekend"]:
        if g["weekend"].lower().startswith("over"):
            return None
        return _after(note_date, 6, strict=False)
    if g["nextmonth"]:
        year, month = (
            (note_date.year, note_date.month + 1)
            if note_date.month < 12
            else (note_date.year + 1, 1)
        )
        return _month_end(year, month)
    if g["vmon"]:
        month = _month_index(g["vmon"])
        year = note_date.year if month >= note_date.month else note_date.year + 1
        return _month_end(year, month)
    if g["monthend"]:
        return _month_end(note_date.year, note_date.month)
    if g["easter"]:
        easter = _easter(note_date.year)
        easter = easter if easter >= note_date else _easter(note_date.year + 1)
        return easter + timedelta(days=14)
    return None


def find_date_mentions(text: str, note_date: date, order: str = "dmy") -> list[DateMention]:
    """Find and resolve every date expression in a text.

    Parameters
    ----------
    text : str
        A sentence (or a whole note).
    note_date : date
        The day the note was written; relative expressions resolve against it.
    order : {"dmy", "mdy"}
        How an ambiguous all-number date (``3/4``) is read.

    Returns
    -------
    list of DateMention
        Exact mentions (with ``when``) and vague spans (``when`` is ``None``), in
        order of appearance, never overlapping.

    Examples
    --------
    >>> [m.when for m in find_date_mentions("surgery next Tuesday", date(2026, 1, 14))]
    [datetime.date(2026, 1, 20)]
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for m in _VAGUE.finditer(text):
        horizon = _resolve_vague(m, note_date)
        found.append(DateMention(m.start(), m.end(), None, horizon, m.group(0)))
        taken.append((m.start(), m.end()))
    for m in _EXACT.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if (
            m.group("bare")
            and m.group(0)[0].islower()
            and not m.group(0).lower().startswith(("on ", "since "))
            and m.group("bare").lower() in {"sat", "sun", "wed", "mon"}
        ):
            continue  # "sat" or "sun" in lower case is a word, not a weekday
        when = _resolve_exact(m, text, note_date, order)
        found.append(DateMention(m.start(), m.end(), when, when, m.group(0)))
    found.sort(key=lambda d: d.start)
    # "Friday 27 March": the calendar date wins over the weekday written next to it
    return [
        d
        for i, d in enumerate(found)
        if not (
            i + 1 < len(found)
            and found[i + 1].when is not None
            and 0 <= found[i + 1].start - d.end <= 2
            and d.text.split()[-1].lower().rstrip(",")[:3] in {w[:3] for w in WEEKDAYS}
        )
    ]
