"""Gesture ideas that fit the person: drawn from what they told us, never a script.

Each open moment suggests gestures suited to its kind — a loss calls for a card,
never a voucher; a sick pet for a treat with its name on it; a stolen car for a
card and a gift card to their favourite place. Interests name that place or
thing when the notes say it. Ideas cost no more than the giver has left, and the
contact never gets the same kind of gesture twice in a row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_NAME = re.compile(r"\b([A-Z][a-z]+)\b")


@dataclass(frozen=True, slots=True)
class MomentCue:
    """What a suggestion answers: an open moment's kind and words."""

    kind: str
    subject: str
    summary: str
    ref: int | None = None
    """The stored moment's id, when there is one (carried to the suggestion)."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One idea: a kind of gesture, in words, with a typical cost."""

    kind: str
    idea: str
    cost: float
    answers: str
    """The moment it answers (its summary)."""
    moment_kind: str
    moment_ref: int | None = None
    """The stored moment's id (``MomentCue.ref``)."""


IDEAS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "loss": (("card", "A handwritten condolence card, no gift and no offer", 5.0),),
    "health": (
        ("card", "A get-well card for {who}", 5.0),
        ("flowers", "A small bunch of flowers for {who}", 25.0),
    ),
    "pet": (
        ("gift", "A treat or toy for {who}", 15.0),
        ("card", "A card asking after {who}", 5.0),
    ),
    "family": (
        ("card", "A congratulations card ({what})", 5.0),
        ("gift", "A small gift to mark it ({what})", 25.0),
    ),
    "celebration": (
        ("card", "A card for {what}", 5.0),
        ("gift card", "A gift card to {place}", 25.0),
    ),
    "milestone": (
        ("book", "A book for {what}", 20.0),
        ("card", "A good-luck card for {what}", 5.0),
    ),
    "hardship": (
        ("gift card", "A card and a gift card to {place}, after {what}", 25.0),
        ("card", "A card: thinking of you after {what}", 5.0),
    ),
    "travel": (
        ("book", "A travel guide or map for {what}", 20.0),
        ("card", "A card wishing them a good trip ({what})", 5.0),
    ),
}
"""Ideas by moment kind, best first (kind of gesture, words, typical cost)."""

FITTING: dict[str, frozenset[str]] = {
    kind: frozenset(k for k, _, _ in ideas) for kind, ideas in IDEAS.items()
}
"""The gesture kinds that fit each moment kind (the rule ``suggestion_fit`` scores)."""


def _who(subject: str) -> str:
    """``"dog Max"`` → ``"Max"``; otherwise the subject as given."""
    words = subject.split()
    if len(words) >= 2:
        found = _NAME.search(" ".join(words[1:]))
        if found:
            return found.group(1)
    return subject


def _place(interests: Sequence[str]) -> str:
    """Their favourite place when the notes name one, else a general phrase."""
    for interest in interests:
        lowered = interest.lower()
        if any(
            w in lowered for w in ("café", "cafe", "bar", "restaurant", "bakery", "shop", "pub")
        ):
            return interest
    return "their favourite local place"


def suggest_gestures(
    *,
    moments: Sequence[MomentCue],
    interests: Sequence[str] = (),
    budget_left: float | None = None,
    last_kind: str | None = None,
    limit: int = 3,
) -> list[Suggestion]:
    """Ideas for a contact's open moments, the most recent moment first.

    Parameters
    ----------
    moments : sequence of MomentCue
        Open time-bound moments, most recent first (facts and preferences give no idea).
    interests : sequence of str
        Durable interests (summaries), used to name a favourite place.
    budget_left : float, optional
        What the giver has left; ideas costing more are left out.
    last_kind : str, optional
        The kind of the contact's last gesture: never suggested first again.
    limit : int, default 3
        At most this many ideas.

    Examples
    --------
    >>> ideas = suggest_gestures(moments=[MomentCue("pet", "dog Max", "dog Max: sick")])
    >>> ideas[0].idea
    'A treat or toy for Max'
    """
    found: list[Suggestion] = []
    for moment in moments:
        options = [
            Suggestion(
                kind,
                idea.format(who=_who(moment.subject), what=moment.subject, place=_place(interests)),
                cost,
                moment.summary,
                moment.kind,
                moment.ref,
            )
            for kind, idea, cost in IDEAS.get(moment.kind, ())
            if budget_left is None or cost <= budget_left
        ]
        if options and last_kind is not None and options[0].kind == last_kind:
            options = options[1:] + options[:1]  # never the same kind twice in a row
        found.extend(options)
    return found[:limit]
