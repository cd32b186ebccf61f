"""Moments a person confirmed: what they kept of what carpe found in a note, with their edits.

The same rules for the touchpoint form and the API: the kind must be one of the
vocabulary's, subject and summary are cut to what the store holds, and a
confirmed moment is certain (confidence 1). Whether it is sensitive follows
from its kind (:func:`carpe.vocabulary.is_sensitive`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Final

from carpe.errors import UsageError
from carpe.ingest.instants import stored_instant
from carpe.memory import Moment
from carpe.services.touchpoints import preview_moments
from carpe.vocabulary import MOMENT_KINDS

__all__ = ["MAX_CONFIRMED", "Moment", "confirmed_moment", "moments_to_keep"]

MAX_CONFIRMED: Final = 20
"""The most moments one note's confirmation offers."""


def confirmed_moment(
    *,
    kind: str,
    subject: str,
    summary: str,
    when: date | None,
    follow_up_on: date | None,
    evidence: str,
) -> Moment:
    """A moment as the person confirmed it.

    Raises
    ------
    UsageError
        A kind that is not one of :data:`carpe.vocabulary.MOMENT_KINDS`.

    Examples
    --------
    >>> m = confirmed_moment(kind="health", subject="knee", summary="knee surgery",
    ...                      when=None, follow_up_on=None, evidence="knee surgery")
    >>> m.confidence, m.sensitive
    (1.0, True)
    """
    if kind not in MOMENT_KINDS:
        raise UsageError(f"moment kind must be one of {', '.join(MOMENT_KINDS)}")
    return Moment(
        kind=kind,
        subject=subject[:200],
        summary=summary[:500],
        when=when,
        follow_up_on=follow_up_on,
        confidence=1.0,
        evidence=evidence,
    )


def moments_to_keep(
    *, note: str, occurred_at: datetime, confirmed: Sequence[Moment] | None
) -> list[Moment]:
    """The moments to save with a note: those confirmed, or (none sent) what carpe finds.

    A note is read as of the day it is stored under (UTC when ``occurred_at``
    has an offset), as :func:`~carpe.services.touchpoints.log_touchpoint` files it.
    """
    if confirmed is None:
        return preview_moments(note=note, noted_on=stored_instant(occurred_at).date())
    return list(confirmed)
