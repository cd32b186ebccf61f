"""Openers: how to bring a moment up at the next touchpoint, worded as an idea.

Sensitive moments (health, loss) are phrased discreetly: they never repeat the
diagnosis or the loss, they suggest asking gently, and only if the moment is right.
"""

from __future__ import annotations

import re
from datetime import date

_NAME = re.compile(r"\b([A-Z][a-z]+)\b")
_ROLE_WORDS = ("dog", "cat", "puppy", "kitten", "horse", "parrot", "rabbit", "pet")


def _name_or_subject(subject: str) -> str:
    """``"dog Max"`` → ``"Max"``; ``"husband"`` → ``"her husband"`` stays as given."""
    words = subject.split()
    if len(words) >= 2 and words[0].lower() in _ROLE_WORDS:
        match = _NAME.search(" ".join(words[1:]))
        if match:
            return match.group(1)
    return subject


def suggest_opener(
    *, kind: str, subject: str, summary: str, sensitive: bool, when: date | None, today: date
) -> str:
    """One line suggesting how to bring a moment up, never a script.

    Parameters
    ----------
    kind, subject, summary, sensitive, when:
        The moment's fields.
    today:
        The day of the coming touchpoint (decides "how did it go" or "good luck").

    Returns
    -------
    str
        E.g. ``"Ask how Max is doing."``.

    Examples
    --------
    >>> suggest_opener(kind="pet", subject="dog Max", summary="dog Max: sick", sensitive=False,
    ...                when=None, today=date(2026, 3, 9))
    'Ask how Max is doing.'
    """
    who = _name_or_subject(subject)
    upcoming = when is not None and when > today
    if sensitive and kind == "loss":
        return "If it feels right, say you were sorry to hear their news; let them lead."
    if sensitive:
        return f"If the moment is right, ask gently how {who} is doing; don't press for details."
    match kind:
        case "pet":
            return f"Ask how {who} is doing."
        case "family":
            return f"Ask about {who}" + (
                " and how the plans are going." if upcoming else " — and how it went."
            )
        case "celebration":
            return f"Wish them well for {who}." if upcoming else f"Ask how {who} went."
        case "milestone":
            return f"Wish them luck with {who}." if upcoming else f"Ask how {who} went."
        case "hardship":
            return f"Ask whether things have settled after {who}."
        case "travel":
            return (
                f"Wish them a good trip ({who})." if upcoming else f"Ask how the trip went ({who})."
            )
        case "interest":
            return f"If there's a moment, chat about {who}."
        case "preference":
            return f"Remember: {summary}."
    return f"Ask about {who}."
