"""The moment: one personal fact or life event found in a note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from carpe.vocabulary import MomentKind, is_sensitive

__all__ = ["Moment"]


@dataclass(frozen=True, slots=True)
class Moment:
    """A personal moment or durable fact extracted from one note.

    Attributes
    ----------
    kind : str
        One of :data:`carpe.vocabulary.MOMENT_KINDS`.
    subject : str
        Who or what it is about: ``"dog Max"``, ``"husband"``, ``"first marathon"``.
    summary : str
        One short line a colleague can read.
    when : date or None
        The day of the event when the note states it clearly enough.
    follow_up_on : date or None
        When it would be natural to ask about it; ``None`` for durable facts.
    confidence : float
        0..1, how sure the extractor is.
    evidence : str
        The exact substring of the note that supports the moment.
    """

    kind: MomentKind
    subject: str
    summary: str
    when: date | None
    follow_up_on: date | None
    confidence: float
    evidence: str

    @property
    def sensitive(self) -> bool:
        """Whether it is sensitive, as its kind says (:func:`carpe.vocabulary.is_sensitive`)."""
        return is_sensitive(self.kind)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of the moment, dates as ISO strings.

        Returns
        -------
        dict
            The eight fields of issue 3, in their documented order.

        Examples
        --------
        >>> m = Moment("pet", "dog Max", "dog Max: sick", None, date(2026, 3, 9), 0.9,
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
