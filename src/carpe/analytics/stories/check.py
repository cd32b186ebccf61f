"""The unsupported-sentence check: every sentence of a draft must be backed by what it cites.

A sentence is *supported* when

- it cites at least one record, and every record it cites exists;
- every quotation in it (between “ and ”) is found verbatim in the text of a
  cited record;
- every date it states (``24 October 2024``, with or without the weekday) is
  the day of a cited record, and a weekday stated is that day's weekday;
- every time of day it states (``at 08:30``) is the time of a cited record;
- every score it states (``10 out of 10``) is the score of a cited feedback answer;
- every employee it names (by full name) is the employee of a cited record,
  with the department the record gives;
- the company it names is the story's account (when given).

The check reads the sentence's text, not how it was built, so it also catches
a draft edited by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from carpe.analytics.stories.model import Record, Sentence

QUOTE: Final = re.compile(r"“([^”]*)”")
MONTHS: Final = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
DATE: Final = re.compile(
    r"\b(?:(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) )?"
    r"(\d{1,2}) (" + MONTHS + r") (\d{4})\b"
)
TIME: Final = re.compile(r"\bat (\d{2}):(\d{2})\b")
SCORE: Final = re.compile(r"\b(\d+(?:\.\d+)?) out of (\d+)\b")


@dataclass(frozen=True, slots=True)
class Finding:
    """A sentence the check could not back, and why.

    Attributes
    ----------
    index : int
        Its position in the draft.
    text : str
        The sentence.
    reason : str
        What is not backed.
    """

    index: int
    text: str
    reason: str


def _without_quotes(text: str) -> str:
    return QUOTE.sub("“”", text)


def _problem(
    sentence: Sentence,
    records: Mapping[str, Record],
    employees: Mapping[str, str],
    departments: Mapping[str, str],
    transform: Callable[[str], str],
) -> str | None:
    if not sentence.cites:
        return "cites no evidence"
    missing = [i for i in sentence.cites if i not in records]
    if missing:
        return f"cites records that do not exist: {', '.join(missing)}"
    cited = [records[i] for i in sentence.cites]
    texts = [transform(r.text) for r in cited]
    for quote in QUOTE.findall(sentence.text):
        if not quote or not any(quote in t for t in texts):
            return f"quotes words no cited record holds: “{quote}”"
    outside = _without_quotes(sentence.text)
    days = {r.at.date() for r in cited}
    for weekday, day, month, year in DATE.findall(outside):
        stated = datetime.strptime(f"{day} {month} {year}", "%d %B %Y").date()
        if stated not in days:
            return f"states a date no cited record has: {day} {month} {year}"
        if weekday and stated.strftime("%A") != weekday:
            return f"states the wrong weekday for {day} {month} {year}"
    times = {(r.at.hour, r.at.minute) for r in cited}
    for hour, minute in TIME.findall(outside):
        if (int(hour), int(minute)) not in times:
            return f"states a time no cited record has: {hour}:{minute}"
    scores = {r.score for r in cited if r.source == "feedback" and r.score is not None}
    for value, _top in SCORE.findall(outside):
        if float(value) not in scores:
            return f"states a score no cited answer has: {value}"
    on_records = {r.employee_id for r in cited if r.employee_id}
    for employee_id, name in employees.items():
        if name and re.search(r"\b" + re.escape(name) + r"\b", outside):
            if employee_id not in on_records:
                return f"names {name}, who is on none of the cited records"
            dept = departments.get(employee_id)
            if dept and f"{name} (" in outside and f"{name} ({dept})" not in outside:
                return f"gives {name} a department the records do not"
    return None


def unsupported_sentences(
    sentences: Sequence[Sentence],
    records: Mapping[str, Record],
    *,
    employees: Mapping[str, str] | None = None,
    departments: Mapping[str, str] | None = None,
    transform: Callable[[str], str] | None = None,
) -> list[Finding]:
    """The sentences of a draft that their cited records do not back.

    Parameters
    ----------
    sentences : sequence of Sentence
        The draft.
    records : mapping of str to Record
        The records the story may cite, by id.
    employees : mapping of str to str, optional
        Employee id → full name: a name in a sentence must be on a cited record.
    departments : mapping of str to str, optional
        Employee id → department.
    transform : callable, optional
        Applied to record texts before quotes are looked up (the anonymised
        draft quotes redacted texts).

    Returns
    -------
    list of Finding
        Empty when every sentence is backed.

    Examples
    --------
    >>> unsupported_sentences([Sentence("They loved it.")], {})[0].reason
    'cites no evidence'
    """
    found: list[Finding] = []
    for index, sentence in enumerate(sentences):
        reason = _problem(
            sentence, records, employees or {}, departments or {}, transform or (lambda t: t)
        )
        if reason is not None:
            found.append(Finding(index, sentence.text, reason))
    return found
