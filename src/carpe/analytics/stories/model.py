"""What a retention story is: its episode, its scores, its drafted sentences and its evidence."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StorySettings:
    """The miner's thresholds (defaults suit the interchange format's scales).

    Attributes
    ----------
    negative_sentiment : float
        A touchpoint at or below this sentiment is a problem.
    low_satisfaction : float
        A feedback answer at or below this share of its scale (0..1) is a problem.
    high_satisfaction : float
        At or above this share of its scale an answer is praise.
    positive_sentiment : float
        An inbound touchpoint at or above this sentiment marks a turnaround.
    effort_days : int
        Days after the problem in which the effort and resolution are looked for.
    words_days : int
        Days after the problem in which the customer's own words are looked for.
    merge_days : int
        Problems of one account this close together are one episode.
    stay_days : int
        The account must still be a customer this long after the problem (or to the as-of day).
    min_effort : float
        Least effort (0..1) for an episode to count as going beyond routine.
    min_score : float
        Least compelling score kept.
    per_account : int
        At most this many stories per account (the best ones).
    """

    negative_sentiment: float = -0.5
    low_satisfaction: float = 0.4
    high_satisfaction: float = 0.8
    positive_sentiment: float = 0.5
    effort_days: int = 14
    words_days: int = 60
    merge_days: int = 7
    stay_days: int = 180
    min_effort: float = 0.35
    min_score: float = 0.3
    per_account: int = 2


@dataclass(frozen=True, slots=True)
class Record:
    """One touchpoint or feedback answer a story may cite, with the facts a sentence may state.

    Attributes
    ----------
    record_id : str
        The touchpoint or feedback id.
    source : str
        ``"touchpoint"`` or ``"feedback"``.
    at : datetime
        When it happened (touchpoint) or was received (feedback).
    text : str
        The note (touchpoint) or comment (feedback); ``""`` when none.
    employee_id, employee_name, department : str or None
        Who acted (touchpoints).
    channel, kind, direction : str or None
        The touchpoint's channel, kind and direction.
    survey : str or None
        The feedback's survey (``nps``, ``csat``, ``ces``, ``review``).
    score : float or None
        The feedback's score.
    sentiment : float or None
        The touchpoint's sentiment.
    contact_id : str or None
        The contact involved.
    """

    record_id: str
    source: str
    at: datetime
    text: str = ""
    employee_id: str | None = None
    employee_name: str | None = None
    department: str | None = None
    channel: str | None = None
    kind: str | None = None
    direction: str | None = None
    survey: str | None = None
    score: float | None = None
    sentiment: float | None = None
    contact_id: str | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a draft and the records that back it.

    Attributes
    ----------
    text : str
        The sentence.
    touchpoint_ids, feedback_ids : tuple of str
        The records it cites.
    """

    text: str
    touchpoint_ids: tuple[str, ...] = ()
    feedback_ids: tuple[str, ...] = ()

    @property
    def cites(self) -> tuple[str, ...]:
        """Every record id the sentence cites."""
        return (*self.touchpoint_ids, *self.feedback_ids)

    def as_dict(self) -> dict[str, object]:
        """The sentence as JSON-ready data."""
        return {
            "text": self.text,
            "touchpoint_ids": list(self.touchpoint_ids),
            "feedback_ids": list(self.feedback_ids),
        }


@dataclass(frozen=True, slots=True)
class Scores:
    """Why an episode is compelling, each part in 0..1, and the weighted total.

    Attributes
    ----------
    problem : float
        How big the problem was (how negative, money at stake, how urgent).
    effort : float
        How far beyond routine the employees went.
    turnaround : float
        How clearly and quickly it turned from bad to good.
    words : float
        The customer's own words: a comment, praise, an employee named.
    outcome : float
        Stayed, grew, referred, praised someone by name.
    total : float
        The weighted sum (the rank order).
    """

    problem: float
    effort: float
    turnaround: float
    words: float
    outcome: float
    total: float

    def as_dict(self) -> dict[str, float]:
        """The scores as JSON-ready data."""
        return {
            "problem": self.problem,
            "effort": self.effort,
            "turnaround": self.turnaround,
            "words": self.words,
            "outcome": self.outcome,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class Episode:
    """A problem, employees going beyond routine, a resolution and an outcome, on one account.

    Attributes
    ----------
    account_id : str
        The account.
    started_at : datetime
        When the problem surfaced.
    problem_kinds : tuple of str
        What the problem was: ``complaint``, ``negative feedback``, a conflict
        type (``duplicate_invoice`` ...), ``hardship`` (a moment from customer memory).
    problem_ids : tuple of str
        The touchpoints or feedback answers that show the problem.
    effort_ids : tuple of str
        The touchpoints of the effort beyond routine.
    helper_ids : tuple of str
        Touchpoints of colleagues of other departments who helped.
    resolution_id : str or None
        The touchpoint that shows the turnaround.
    words_id : str or None
        The feedback answer with the customer's own words.
    latest_id : str or None
        The account's latest touchpoint (it shows the customer is still there).
    hero_id : str
        The employee who went furthest.
    employee_ids : tuple of str
        The hero, then the helpers.
    effort_signals : tuple of str
        Which signals of effort were seen (``off-hours``, ``in person``, ...).
    outcomes : tuple of str
        ``stayed``, ``grew``, ``referred``, ``praised by name``.
    theme : str
        One of :data:`carpe.vocabulary.STORY_THEMES`.
    conflict_ids : tuple of str
        Conflicts of the conflicts step that are part of the problem.
    scores : Scores
        How compelling it is.
    """

    account_id: str
    started_at: datetime
    problem_kinds: tuple[str, ...]
    problem_ids: tuple[str, ...]
    effort_ids: tuple[str, ...]
    helper_ids: tuple[str, ...]
    resolution_id: str | None
    words_id: str | None
    latest_id: str | None
    hero_id: str
    employee_ids: tuple[str, ...]
    effort_signals: tuple[str, ...]
    outcomes: tuple[str, ...]
    theme: str
    conflict_ids: tuple[str, ...]
    scores: Scores


@dataclass(frozen=True, slots=True)
class Story:
    """A ranked episode with its factual draft, named and anonymised.

    Attributes
    ----------
    story_id : str
        Stable across runs (:func:`story_id`).
    episode : Episode
        What was found.
    title : str
        A short title.
    sentences : tuple of Sentence
        The draft, each sentence with its evidence.
    anonymous_title : str
        The title without names.
    anonymous_sentences : tuple of Sentence
        The draft without names of people or companies, nor amounts.
    touchpoint_ids, feedback_ids : tuple of str
        Every record the story cites.
    """

    story_id: str
    episode: Episode
    title: str
    sentences: tuple[Sentence, ...]
    anonymous_title: str
    anonymous_sentences: tuple[Sentence, ...]
    touchpoint_ids: tuple[str, ...] = field(default=())
    feedback_ids: tuple[str, ...] = field(default=())

    @property
    def narrative(self) -> str:
        """The draft as one paragraph."""
        return " ".join(s.text for s in self.sentences)

    @property
    def anonymous_narrative(self) -> str:
        """The anonymised draft as one paragraph."""
        return " ".join(s.text for s in self.anonymous_sentences)


def story_id(account_id: str, anchor: str) -> str:
    """A stable id: the same account and first problem record give the same id.

    Parameters
    ----------
    account_id : str
        The account.
    anchor : str
        The id of the record where the problem first shows.

    Returns
    -------
    str
        ``ST`` and 16 hex digits.

    Examples
    --------
    >>> story_id("A1", "TP1")[:2]
    'ST'
    """
    digest = hashlib.sha256(f"{account_id}|{anchor}".encode()).hexdigest()
    return "ST" + digest[:16].upper()
