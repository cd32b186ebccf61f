"""Recognise a later note that resolves an open moment ("Max is fine now").

A sentence resolves an open moment when it

* names the moment's subject: a word of the subject ("Max" of "dog Max", "husband",
  "marathon" of "first marathon"; small words and "first" do not count), and
* says the matter is over, with a cue that fits the kind: recovery for health and
  pet ("is fine now", "recovering well", "home from hospital", "turned up"), the
  event having happened for family, milestone, celebration and travel ("went well",
  "ran the marathon", "is back from"), things put right for hardship ("was found",
  "got it back", "new job"),
* and the cue is not negated ("is not better yet").

Losses and durable facts are never "resolved". The product closes the open moment
instead of opening a new one; :func:`drop_resolved` removes from a note's freshly
extracted moments those that only restate a resolved one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from carpe.memory.extract import split_sentences
from carpe.memory.lexicon import NEGATION
from carpe.memory.moment import Moment
from carpe.vocabulary import DURABLE_KINDS

__all__ = ["Resolution", "drop_resolved", "find_resolutions"]

_RECOVERED = (
    r"(?:is|are|'s|’s|was|seems?|looks?)\s+(?:\w+\s+)?(?:fine|ok|okay|better|well|good|great"
    r"|home|back|healthy|clear|cancer-free|in remission|recovering|out of hospital)"
    r"|doing (?:\w+\s+)?(?:well|great|fine|better|good)|feeling (?:\w+\s+)?(?:better|fine|good)"
    r"|recovered|recovering well|on the mend|back to normal|back on (?:his|her|their|its|my) feet"
    r"|back at work|back home|walking again|home from (?:the\s+)?(?:hospital|vet)"
    r"|out of hospital|all[- ]clear|went well|turned up|came home|was found|were found"
    r"|found safe|is found|fully healed|healed|cast (?:is )?off|stitches out|in remission"
)
_HAPPENED = (
    r"went well|went great|was lovely|was beautiful|was a success|has arrived|arrived safely"
    r"|was born|were born|is born|ran (?:the|her|his|their)|finished (?:the|her|his|their)"
    r"|completed (?:the|her|his|their)|passed|got (?:the|her|his|their)|moved in|settled in"
    r"|(?:is|are|'s|’s) back from|back from|returned from|came back|had a (?:great|lovely|good"
    r"|wonderful) time|started (?:the|her|his|their)|loves (?:the|her|his|their) new"
)
_RESTORED = (
    r"was found|were found|got (?:it|them|the \w+|her \w+|his \w+) back|recovered|returned"
    r"|sorted|fixed|repaired|new job|back on (?:his|her|their) feet|back at work|insurance paid"
    r"|all sorted|back to normal"
)
_CUES = {
    "health": re.compile(r"\b(?:" + _RECOVERED + r")\b", re.IGNORECASE),
    "pet": re.compile(r"\b(?:" + _RECOVERED + r")\b", re.IGNORECASE),
    "family": re.compile(r"\b(?:" + _HAPPENED + r")\b", re.IGNORECASE),
    "milestone": re.compile(r"\b(?:" + _HAPPENED + r")\b", re.IGNORECASE),
    "celebration": re.compile(r"\b(?:" + _HAPPENED + r")\b", re.IGNORECASE),
    "travel": re.compile(r"\b(?:" + _HAPPENED + r")\b", re.IGNORECASE),
    "hardship": re.compile(r"\b(?:" + _RESTORED + r")\b", re.IGNORECASE),
}
_SMALL_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "his",
        "her",
        "their",
        "my",
        "our",
        "first",
        "new",
        "own",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "with",
        "at",
        "s",
    ]
)
_WORD = re.compile(r"[a-z][a-z'’-]+")


@dataclass(frozen=True, slots=True)
class Resolution:
    """An open moment that a new note closes.

    Attributes
    ----------
    index : int
        The position of the moment in the ``open_moments`` given.
    moment : Moment
        The open moment that is resolved.
    evidence : str
        The exact substring of the new note that resolves it.
    confidence : float
        0..1.
    """

    index: int
    moment: Moment
    evidence: str
    confidence: float


def _subject_words(moment: Moment) -> set[str]:
    words = {w.strip("'’").removesuffix("'s") for w in _WORD.findall(moment.subject.lower())}
    return {w for w in words if w not in _SMALL_WORDS and len(w) > 2}


def find_resolutions(
    note: str, note_date: date, open_moments: Sequence[Moment]
) -> list[Resolution]:
    """Find the open moments that a new note resolves.

    Parameters
    ----------
    note : str
        The new note.
    note_date : date
        The day it was written (kept for symmetry with extraction and for future
        rules about timing; unused by the current rules).
    open_moments : sequence of Moment
        The contact's moments that are still open.

    Returns
    -------
    list of Resolution
        At most one per open moment, in the order of ``open_moments``.

    Examples
    --------
    >>> from carpe.memory import extract_moments
    >>> open_ = extract_moments("Her dog Max is sick.", date(2026, 3, 2))
    >>> [r.moment.subject for r in find_resolutions("Max is fine now.", date(2026, 3, 9), open_)]
    ['dog Max']
    """
    del note_date
    if not open_moments:
        return []
    sentences = [(s, e, note[s:e]) for s, e in split_sentences(note)]
    found: list[Resolution] = []
    for index, moment in enumerate(open_moments):
        cue_pattern = _CUES.get(moment.kind)
        if cue_pattern is None or moment.kind in DURABLE_KINDS:
            continue
        keys = _subject_words(moment)
        if not keys:
            continue
        for _s, _e, sentence in sentences:
            words = {w.strip("'’").removesuffix("'s") for w in _WORD.findall(sentence.lower())}
            if not keys & words:
                continue
            cue = cue_pattern.search(sentence)
            if cue is None:
                continue
            before = sentence[: cue.start()].split()[-3:]
            if NEGATION.search(" ".join(before)) or re.search(
                r"\b(?:not|n't|never)\b", sentence[cue.start() : cue.end()], re.IGNORECASE
            ):
                continue
            evidence = sentence.rstrip(".;!?,: ")
            found.append(Resolution(index, moment, evidence, 0.8))
            break
    return found


def drop_resolved(moments: Sequence[Moment], resolutions: Sequence[Resolution]) -> list[Moment]:
    """Remove the new moments that only restate a resolved one.

    Parameters
    ----------
    moments : sequence of Moment
        Moments freshly extracted from the resolving note.
    resolutions : sequence of Resolution
        What :func:`find_resolutions` found for the same note.

    Returns
    -------
    list of Moment
        The moments whose evidence does not overlap a resolution's evidence and
        whose subject is not a resolved subject.

    Examples
    --------
    >>> drop_resolved([], [])
    []
    """
    if not resolutions:
        return list(moments)
    kept: list[Moment] = []
    for m in moments:
        restates = any(
            m.evidence in r.evidence
            or r.evidence in m.evidence
            or (m.kind == r.moment.kind and _subject_words(m) & _subject_words(r.moment))
            for r in resolutions
        )
        if not restates:
            kept.append(m)
    return kept
