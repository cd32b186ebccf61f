"""The moment: one personal fact or life event found in a note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

__all__ = ["DURABLE_KINDS", "KINDS", "SENSITIVE_KINDS", "Kind", "Moment"]

Kind = Literal[
    "health",
    "pet",
    "family",
    "loss",
    "celebration",
    "milestone",
    "hardship",
    "travel",
    "interest",
    "preference",
]

KINDS: Final[tuple[Kind, ...]] = (
    "health",
    "pet",
    "family",
    "loss",
    "celebration",
    "milestone",
    "hardship",
    "travel",
    "interest",
    "preference",
)
"""The ten kinds of moment, in the order of issue 3."""

SENSITIVE_KINDS: Final[frozenset[str]] = frozenset({"health", "loss"})
"""Kinds shown only to roles allowed to see them, and phrased discreetly."""

DURABLE_KINDS: Final[frozenset[str]] = frozenset({"interest", "preference"})
"""Kinds that are facts rather than events: no ``when``, no follow-up."""


@dataclass(frozen=True, slots=True)
class Moment:
    """A personal moment or durable fact extracted from one note.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    subject : str
        Who or what it is about: ``"dog Max"``, ``"husband"``, ``"first marathon"``.
    summary : str
        One short line a colleague can read.
    when : date or None
        The day of the event when the note states it clearly enough.
    follow_up_on : date or None
        When it would be natural to ask about it; ``None`` for durable facts.
    sensitive : bool
        ``True`` for health and loss moments.
    confidence : float
        0..1, how sure the extractor is.
    evidence : str
        The exact substring of the note that supports the moment.
    """

    kind: Kind
    subject: str
    summary: str
    when: date | None
    follow_up_on: date | None
    sensitive: bool
    confidence: float
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of the moment, dates as ISO strings.

        Returns
        -------
        dict
            The eight fields of issue 3, in their documented order.

        Examples
        --------
        >>> m = Moment("pet", "dog Max", "dog Max: sick", None, date(2026, 3, 9), False, 0.9,
        ...            "her dog Max is sick")
        >>> m.to_dict()["follow_up_on"]
        '2026-03-09'
        """
        return {
            "kind": self.kind,
            "subject": self.subject,
            "summary": self.summary,
            "when": self.when.isoformat() if self.when else None,
            "follow_up_on": self.follow_up_on.isoformat() if self.follow_up_on else None,
            "sensitive": self.sensitive,
            "confidence": self.confidence,
            "evidence": self.evidence,
        }
