"""Openers: how to bring a moment up at the next touchpoint, worded as an idea.

Every opener is a sentence that names its subject: the pet by name ("Ask how Max is
doing."), the relative as the contact's ("Ask how Lena's husband is doing."), the event
as theirs ("Ask how Lena's 50th birthday went."). Sensitive moments (health, loss) are
phrased discreetly: they never repeat the diagnosis or the loss, they suggest asking
gently, and only if the moment is right.
"""

from __future__ import annotations

import re
from datetime import date

from carpe.memory.lexicon import RELATIONS

_NAME = re.compile(r"\b([A-Z][a-z]+)\b")
_ROLE_WORDS = ("dog", "cat", "puppy", "kitten", "horse", "parrot", "rabbit", "pet")
_RELATION = re.compile(r"^(?:(?:his|her|their|my|our)\s+)?(?:" + RELATIONS + r")\b", re.I)
_TURNS = re.compile(r"\bturn(?:s|ing|ed)?\s+(\d{1,3})\b", re.I)
_EVENT_WORDS = re.compile(
    r"\b(?:birthday|anniversary|wedding|party|housewarming|graduation|retirement|exam|test"
    r"|marathon|race|move|trip|holiday|job|interview|burglary|accident|flood|fire|theft"
    r"|break-in|engagement|baby|pregnancy|visit|surgery|operation|honeymoon|cruise|vacation"
    r"|promotion|robbery|loss|theft|graduation|licence|license|degree|belt)\b",
    re.I,
)


_FAMILY_EVENTS = (
    ("engag", "engagement"),
    ("propos", "engagement"),
    ("married", "wedding"),
    ("wedding", "wedding"),
    ("pregnan", "baby news"),
    ("expecting", "baby news"),
    ("born", "new baby"),
    ("baby", "new baby"),
    ("twins", "new babies"),
    ("grand", "new grandchild"),
    ("adopt", "adoption"),
    ("graduat", "graduation"),
    ("school", "school start"),
    ("college", "college start"),
    ("universit", "university start"),
    ("visit", "family visit"),
    ("over from", "family visit"),
    ("in town", "family visit"),
)


def _family_event(summary: str) -> str:
    lower = summary.lower()
    return next((event for key, event in _FAMILY_EVENTS if key in lower), "news")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _who(subject: str, contact: str | None) -> str:
    """The person or pet to ask after: ``"Max"``, ``"Lena's husband"``, ``"Lena"``."""
    words = subject.split()
    if len(words) >= 2 and words[0].lower() in _ROLE_WORDS:
        match = _NAME.search(" ".join(words[1:]))
        if match:
            return match.group(1)
    if words and words[0].lower() in _ROLE_WORDS:
        return f"{_possessive(contact)} {subject}" if contact else f"their {subject}"
    if _RELATION.match(subject):
        bare = re.sub(r"^(?:his|her|their|my|our)\s+", "", subject, flags=re.I)
        return f"{_possessive(contact)} {bare}" if contact else f"their {bare}"
    if subject.lower() in ("contact", "") or (contact and subject.split()[0] == contact):
        return contact or "them"
    return subject


def _event(subject: str, contact: str | None, fallback: str) -> str:
    """The event as the contact's: ``"Lena's 50th birthday"``, ``"the first marathon"``."""
    owner = _possessive(contact) if contact else "their"
    turns = _TURNS.search(subject)
    if turns:
        return f"{owner} {_ordinal(int(turns.group(1)))} birthday"
    if _RELATION.match(subject):
        return f"{_who(subject, contact)}'s {fallback}"
    bare = re.sub(r"^(?:his|her|their|my|our|the|a|an)\s+", "", subject, flags=re.I)
    if _EVENT_WORDS.search(bare):
        return f"{owner} {bare}"
    return f"{owner} {fallback} ({bare})" if bare else f"{owner} {fallback}"


def suggest_opener(
    *,
    kind: str,
    subject: str,
    summary: str,
    sensitive: bool,
    when: date | None,
    today: date,
    contact: str | None = None,
) -> str:
    """One sentence suggesting how to bring a moment up, never a script.

    Parameters
    ----------
    kind, subject, summary, sensitive, when:
        The moment's fields.
    today:
        The day of the coming touchpoint (decides "how did it go" or "good luck").
    contact:
        The contact's first name, when the moment is filed under one.

    Returns
    -------
    str
        E.g. ``"Ask how Max is doing."``, ``"Ask how Lena's 50th birthday went."``.

    Examples
    --------
    >>> suggest_opener(kind="pet", subject="dog Max", summary="dog Max: sick", sensitive=False,
    ...                when=None, today=date(2026, 3, 9))
    'Ask how Max is doing.'
    >>> suggest_opener(kind="celebration", subject="turns 50", summary="", sensitive=False,
    ...                when=date(2026, 3, 1), today=date(2026, 3, 9), contact="Lena")
    "Ask how Lena's 50th birthday went."
    """
    upcoming = when is not None and when > today
    if sensitive and kind == "loss":
        if contact:
            return (
                f"If it feels right, tell {contact} you were sorry to hear their news; "
                "let them lead."
            )
        return "If it feels right, say you were sorry to hear their news; let them lead."
    if sensitive:
        who = _who(subject, contact)
        return f"If the moment is right, ask gently how {who} is doing; don't press for details."
    match kind:
        case "pet":
            return f"Ask how {_who(subject, contact)} is doing."
        case "family" if _RELATION.match(subject):
            who = _who(subject, contact)
            verb = "are" if who.endswith(("s", "in-laws")) else "is"
            return f"Ask how {who} {verb} doing" + (
                " and how the plans are going." if upcoming else "."
            )
        case "family":
            event = _event(_family_event(summary), contact, "news")
            return (
                f"Ask how the plans for {event} are going."
                if upcoming
                else f"Ask how {event} went."
            )
        case "celebration":
            event = _event(subject, contact, "celebration")
            return f"Wish them well for {event}." if upcoming else f"Ask how {event} went."
        case "milestone" if not upcoming and subject in ("promotion", "new job", "move"):
            return f"Ask how {_event(subject, contact, 'big step')} is going."
        case "milestone":
            event = _event(subject, contact, "big step")
            return f"Wish them luck with {event}." if upcoming else f"Ask how {event} went."
        case "hardship":
            event = _event(subject, contact, "trouble")
            return f"Ask whether things have settled after {event}."
        case "travel" if _NAME.match(subject) and not _EVENT_WORDS.search(subject):
            owner = _possessive(contact) if contact else "their"
            if upcoming:
                return f"Wish {contact or 'them'} a good trip to {subject}."
            return f"Ask how {owner} trip to {subject} went."
        case "travel":
            place = _event(subject, contact, "trip")
            return f"Wish them a good trip: {place}." if upcoming else f"Ask how {place} went."
        case "interest":
            return f"If there's a moment, chat about {subject}."
        case "preference":
            return f"Remember: {summary}."
    return f"Ask {contact} about {subject}." if contact else f"Ask about {subject}."
