"""The factual draft: a few sentences, each stating only what the records it cites say.

Every sentence is built from the fields of the records it cites — their
dates, times, channels, the employee and department on them, a survey's score
— and quotes their text verbatim (a whole sentence of a note or comment, cut
at a sentence end), so :func:`~carpe.analytics.stories.check.unsupported_sentences`
can verify each one against its evidence. Nothing is paraphrased or added.

The anonymised draft is built from the same records with people and the
company replaced by roles ("a colleague in Billing", "the customer") and the
quotes redacted (:mod:`~carpe.analytics.stories.anonymise`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from carpe.analytics.stories.anonymise import Redactor
from carpe.analytics.stories.model import Episode, Record, Sentence, Story

QUOTE_CHARS: Final = 260
CHANNEL_WORDS: Final = {
    "in_person": "in person",
    "phone": "by phone",
    "video": "by video call",
    "email": "by e-mail",
    "chat": "by chat",
    "web": "on the web",
    "app": "in the app",
    "sms": "by text message",
    "letter": "by letter",
    "social": "on social media",
}
SURVEY_WORDS: Final = {"nps": "NPS", "csat": "satisfaction", "ces": "effort", "review": "review"}
SURVEY_MAX: Final = {"nps": 10, "csat": 5, "ces": 7, "review": 5}
THEME_TITLES: Final = {
    "billing trust": "Billing trust",
    "delivery rescue": "Delivery rescue",
    "going the extra mile": "Going the extra mile",
    "personal care": "Personal care",
}


def day_text(at: datetime, *, weekday: bool = False) -> str:
    """A day as the drafts write it: ``24 October 2024`` (``Saturday 26 October 2024``)."""
    text = f"{at.day} {at:%B %Y}"
    return f"{at:%A} {text}" if weekday else text


def quote_of(text: str, limit: int = QUOTE_CHARS) -> str:
    """The text's first sentences, up to ``limit`` characters, cut at a sentence end.

    Examples
    --------
    >>> quote_of("Fixed it. Then we had coffee and talked.", 12)
    'Fixed it.'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", text[: limit + 1])]
    return text[: ends[-1]] if ends else text[:limit].rsplit(" ", 1)[0]


def article(word: str) -> str:
    """``a`` or ``an`` before a word (an acronym is read letter by letter).

    Examples
    --------
    >>> article("NPS"), article("effort"), article("review")
    ('an', 'an', 'a')
    """
    if word.isupper():
        return "an" if word[:1] in "AEFHILMNORSX" else "a"
    return "an" if word[:1].lower() in "aeiou" else "a"


def _score(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True, slots=True)
class _Names:
    """How a draft names people and the company."""

    person: Callable[[Record], str]
    company: str
    redact: Callable[[str], str]
    private: frozenset[str] = frozenset()
    """Records whose personal details are not quoted (sensitive moments, anonymised)."""


def _who(record: Record, names: _Names) -> str:
    return names.person(record) if record.employee_id else "a colleague"


def _problem(record: Record, names: _Names, quote: str | None) -> Sentence:
    hidden = record.record_id in names.private
    said = "" if hidden else names.redact(quote or quote_of(record.text))
    when = day_text(record.at)
    if record.source == "feedback":
        top = SURVEY_MAX.get(record.survey or "", 10)
        survey = SURVEY_WORDS.get(record.survey or "", record.survey or "")
        score = "" if record.score is None else f" with {_score(record.score)} out of {top}"
        text = f"On {when}, {names.company} answered {article(survey)} {survey} survey{score}"
        text += f": “{said}”" if said else "."
        return Sentence(text, feedback_ids=(record.record_id,))
    how = CHANNEL_WORDS.get(record.channel or "", "")
    if record.direction == "inbound":
        to = f" {_who(record, names)}" if record.employee_id else " us"
        text = f"On {when}, {names.company} contacted{to} {how}".rstrip()
    else:
        text = f"On {when}, {_who(record, names)} recorded a problem"
    text += f": “{said}”" if said else "."
    return Sentence(text, touchpoint_ids=(record.record_id,))


def _effort(record: Record, names: _Names, off_hours: bool) -> Sentence:
    when = day_text(record.at, weekday=off_hours)
    if off_hours:
        when += f" at {record.at:%H:%M}"
    verb = {
        "in_person": "went to see them in person",
        "phone": "called them",
        "video": "met them by video",
    }.get(record.channel or "", "followed up " + CHANNEL_WORDS.get(record.channel or "", ""))
    said = names.redact(quote_of(record.text))
    text = f"On {when}, {_who(record, names)} {verb.rstrip()}"
    text += f" and noted: “{said}”" if said else "."
    return Sentence(text, touchpoint_ids=(record.record_id,))


def _helper(record: Record, names: _Names) -> Sentence:
    said = names.redact(quote_of(record.text))
    text = f"On {day_text(record.at)}, {_who(record, names)} worked on it from another department"
    text += f": “{said}”" if said else "."
    return Sentence(text, touchpoint_ids=(record.record_id,))


def _resolution(record: Record, names: _Names) -> Sentence:
    said = names.redact(quote_of(record.text))
    how = CHANNEL_WORDS.get(record.channel or "", "")
    text = f"On {day_text(record.at)}, {names.company} got back in touch {how}".rstrip()
    text += f"; the note reads: “{said}”" if said else "."
    return Sentence(text, touchpoint_ids=(record.record_id,))


def _words(record: Record, names: _Names) -> Sentence:
    top = SURVEY_MAX.get(record.survey or "", 10)
    survey = SURVEY_WORDS.get(record.survey or "", record.survey or "")
    score = "" if record.score is None else f" gave {_score(record.score)} out of {top} and"
    said = names.redact(quote_of(record.text))
    text = f"In {article(survey)} {survey} survey on {day_text(record.at)}, {names.company}{score}"
    text += f" wrote: “{said}”" if said else " answered."
    return Sentence(text.replace(" and answered.", "."), feedback_ids=(record.record_id,))


def _latest(record: Record, company: str) -> Sentence:
    text = f"{company[:1].upper()}{company[1:]} was still with us on {day_text(record.at)}, "
    text += "the day of the latest touchpoint."
    return Sentence(text, touchpoint_ids=(record.record_id,))


def _ended(sentence: Sentence) -> Sentence:
    text = sentence.text
    if not re.search(r"[.!?]”?$", text):
        text += "."
    return Sentence(text, sentence.touchpoint_ids, sentence.feedback_ids)


def _sentences(
    episode: Episode, records: Mapping[str, Record], names: _Names, quotes: Mapping[str, str]
) -> tuple[Sentence, ...]:
    """The episode's sentences in the order things happened (ties keep the telling order)."""
    out: list[tuple[datetime, Sentence]] = []
    for rid in episode.problem_ids[:2]:
        out.append((records[rid].at, _problem(records[rid], names, quotes.get(rid))))
    off = "off-hours" in episode.effort_signals
    for rid in episode.effort_ids:
        at = records[rid].at
        out.append((at, _effort(records[rid], names, off and _is_off(at))))
    for rid in episode.helper_ids[:1]:
        out.append((records[rid].at, _helper(records[rid], names)))
    if episode.resolution_id:
        record = records[episode.resolution_id]
        out.append((record.at, _resolution(record, names)))
    if episode.words_id:
        out.append((records[episode.words_id].at, _words(records[episode.words_id], names)))
    if episode.latest_id:
        record = records[episode.latest_id]
        out.append((record.at, _latest(record, names.company)))
    out.sort(key=lambda pair: pair[0])
    return tuple(_ended(s) for _, s in out)


def _is_off(at: datetime) -> bool:
    return at.weekday() >= 5 or at.hour < 7 or at.hour >= 19


def draft_story(
    identifier: str,
    episode: Episode,
    records: Mapping[str, Record],
    *,
    account_name: str,
    quotes: Mapping[str, str] | None = None,
    redactor: Redactor | None = None,
    private: frozenset[str] = frozenset(),
) -> Story:
    """Draft an episode as a story, named and anonymised, each sentence citing its records.

    Parameters
    ----------
    identifier : str
        The story's stable id.
    episode : Episode
        What the miner found.
    records : mapping of str to Record
        Every record the episode names, by id.
    account_name : str
        The company (or consumer) the story is about.
    quotes : mapping of str to str, optional
        Record id → the part of its text to quote (e.g. a moment's evidence span).
    redactor : Redactor, optional
        Hides names in the anonymised quotes; by default the employees on the
        records and the account's name. Amounts are hidden when the story is
        read, unless the customer allowed them (``carpe.services.stories``).
    private : frozenset of str, optional
        Records showing a sensitive moment (health, loss): the anonymised draft
        does not quote them.

    Returns
    -------
    Story
        With ``sentences`` and ``anonymous_sentences``.
    """
    quotes = quotes or {}
    hero = records[episode.effort_ids[0]] if episode.effort_ids else None
    people = {r.employee_id: r for r in records.values() if r.employee_id}
    named = _Names(
        person=lambda r: f"{r.employee_name or r.employee_id} ({r.department or 'staff'})",
        company=account_name,
        redact=lambda text: text,
    )
    redactor = redactor or Redactor.for_story(
        employees={e: r.employee_name or "" for e, r in people.items()},
        companies=[account_name],
        allow_amounts=True,
    )
    anonymous = _Names(
        person=lambda r: f"a colleague in {r.department or 'the team'}",
        company="the customer",
        redact=redactor.redact,
        private=private,
    )
    sentences = _sentences(episode, records, named, quotes)
    hidden = _sentences(episode, records, anonymous, quotes)
    theme = THEME_TITLES.get(episode.theme, episode.theme)
    hero_name = hero.employee_name if hero and hero.employee_name else "a colleague"
    hero_dept = hero.department if hero and hero.department else "the team"
    title = f"{theme}: {hero_name} ({hero_dept}) and {account_name}"
    anonymous_title = f"{theme}: a colleague in {hero_dept} and a customer"
    cited_tp = tuple(dict.fromkeys(i for s in sentences for i in s.touchpoint_ids))
    cited_fb = tuple(dict.fromkeys(i for s in sentences for i in s.feedback_ids))
    return Story(
        story_id=identifier,
        episode=episode,
        title=title,
        sentences=sentences,
        anonymous_title=anonymous_title,
        anonymous_sentences=hidden,
        touchpoint_ids=cited_tp,
        feedback_ids=cited_fb,
    )
