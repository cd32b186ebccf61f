"""Better days: did a customer leave a contact better off than they came in?

A *contact* is one employee with one customer (account) on one day: every
touchpoint they had together that day. Its verdict compares the customer's
words before the contact with their words after it:

* **before** — the sentiment of the customer's last words (touchpoint
  sentiment, or a survey score read as a sentiment, see
  :func:`feedback_sentiment`) in the ``before_days`` before the contact began,
  read away from this employee: with colleagues, or in a survey;
* **after** — the sentiment of their first words from the contact on, up to
  ``after_days`` after it ended: the contact's own recorded sentiment when it
  has one, else their next words (with ``own_words=False`` always their next
  words);
* the **change** is after minus before (optionally, ``usual=True``, less the
  usual change after a contact of the same kind when that is an improvement);
  **better** when it exceeds ``margin``, **worse** when it falls below
  ``-margin``, **same** otherwise. With no words before, the after words are
  compared with the business's typical words (the median of every word read);
* a positive **event** — praise naming the employee, a moment of theirs the
  employee resolved, a ticket of theirs the employee answered that did not
  come back (:func:`resolved_tickets`), a follow-up done, a gesture that was
  thanked — makes the
  contact *better* whatever the sentiment says, and is shown as its basis;
* with no words after and no event the contact has **nothing to go on**
  (``unknown``): it is counted, never guessed, and left out of the share.

An employee's *better-day share* is ``better / (better + same + worse)``;
:meth:`BetterDayEstimator.shares` also gives the smoothed
``(better + 1) / (judged + 2)`` used to order employees in evaluations.
"""

from __future__ import annotations

import re
from typing import Final, Self

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from sklearn.exceptions import NotFittedError

VERDICTS: Final = ("better", "same", "worse", "unknown")
"""What a contact can be judged: better off, about the same, worse off, or nothing to go on."""

EVENT_KINDS: Final = ("praise", "resolved", "ticket", "follow_up", "thanked")
"""Events that show a better day on their own."""

SURVEY_SCALES: Final[dict[str, tuple[float, float]]] = {
    "nps": (0.0, 10.0),
    "csat": (1.0, 5.0),
    "review": (1.0, 5.0),
    "ces": (1.0, 7.0),
}
"""The score range of each survey (CES read as 1 = very hard … 7 = very easy)."""

CONTACT_COLUMNS: Final = ("touchpoint_id", "account_id", "contact_id", "employee_id", "occurred_at")
WORD_COLUMNS: Final = ("source", "source_id", "account_id", "at", "sentiment")
BASIS_COLUMNS: Final = (
    "contact", "role", "kind", "source", "source_id", "account_id", "at", "sentiment", "text",
)  # fmt: skip
EVENT_COLUMNS: Final = ("kind", "source", "source_id", "account_id", "employee_id", "at", "text")


def feedback_sentiment(survey: pd.Series, score: pd.Series) -> pd.Series:
    """A survey score as a sentiment in [-1, 1] (its scale's middle is 0).

    Parameters
    ----------
    survey : pandas.Series
        Survey names (:data:`SURVEY_SCALES`); others give NaN.
    score : pandas.Series
        Scores; missing ones give NaN.

    Returns
    -------
    pandas.Series
        The sentiment, clipped to [-1, 1].

    Examples
    --------
    >>> feedback_sentiment(pd.Series(["nps", "csat"]), pd.Series([10, 3])).tolist()
    [1.0, 0.0]
    """
    low = survey.map(lambda s: SURVEY_SCALES.get(str(s), (np.nan, np.nan))[0]).astype(float)
    high = survey.map(lambda s: SURVEY_SCALES.get(str(s), (np.nan, np.nan))[1]).astype(float)
    value = 2.0 * (pd.to_numeric(score, errors="coerce") - low) / (high - low) - 1.0
    return value.clip(-1.0, 1.0)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {', '.join(missing)}")


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS})


class BetterDayEstimator:
    """Judge every contact better, same, worse or unknown from the customer's words.

    Parameters
    ----------
    before_days : int, default 30
        How far back the customer's words before a contact are read.
    after_days : int, default 7
        How long after a contact its after words (and events) are read.
    margin : float, default 0.0
        The change in sentiment (on [-1, 1]), beyond the usual change, a
        contact needs to count as better or worse rather than the same.
    own_words : bool, default True
        Whether the sentiment recorded on the contact's own touchpoints counts
        as the customer's words after it (False: only their next words count).
    usual : bool, default False
        Whether a contact must beat the usual change after contacts of its
        ``kind`` (the median change, when that is an improvement) to count as
        better; needs a ``kind`` column in the contacts.
    others_before : bool, default True
        Whether the words before a contact are read only from the customer's
        contacts with *other* employees (and surveys), when ``words`` has an
        ``employee_id`` column. An employee's own earlier touchpoints carry
        their own way with this customer (and often their own way of recording
        it): comparing them with the contact says nothing about the contact.

    Attributes
    ----------
    contacts_ : pandas.DataFrame
        One row per contact: ``employee_id``, ``account_id``, ``contact_id``,
        ``day``, ``started_at``, ``touchpoint_ids`` (tuple), ``before``,
        ``after``, ``n_before``, ``n_after``, ``events`` (count), ``verdict``.
    basis_ : pandas.DataFrame
        What each verdict rests on: ``contact`` (row of ``contacts_``),
        ``role`` (``before``, ``after`` or ``event``), ``kind`` (``touchpoint``,
        ``feedback`` or an event kind), ``source``, ``source_id``,
        ``account_id``, ``at``, ``sentiment``, ``text``.
    reference_ : float
        The typical sentiment a contact with no words before is compared with.

    Examples
    --------
    >>> contacts = pd.DataFrame({"touchpoint_id": ["t2"], "account_id": ["a"],
    ...     "contact_id": [None], "employee_id": ["e"],
    ...     "occurred_at": [pd.Timestamp("2026-03-02 10:00")]})
    >>> words = pd.DataFrame({"source": ["touchpoint", "feedback"], "source_id": ["t1", "f1"],
    ...     "account_id": ["a", "a"],
    ...     "at": [pd.Timestamp("2026-03-01"), pd.Timestamp("2026-03-03")],
    ...     "sentiment": [-0.5, 0.6]})
    >>> BetterDayEstimator().fit(contacts, words).contacts_.verdict.tolist()
    ['better']
    """

    def __init__(
        self,
        before_days: int = 30,
        after_days: int = 7,
        margin: float = 0.0,
        own_words: bool = True,
        usual: bool = False,
        others_before: bool = True,
    ) -> None:
        self.before_days = before_days
        self.after_days = after_days
        self.margin = margin
        self.own_words = own_words
        self.usual = usual
        self.others_before = others_before

    def _validate(self) -> None:
        if self.before_days < 1 or self.after_days < 0:
            raise ValueError("before_days must be at least 1 and after_days at least 0")
        if not 0 <= self.margin < 2:
            raise ValueError(f"margin must be in [0, 2), not {self.margin}")

    def fit(
        self, contacts: pd.DataFrame, words: pd.DataFrame, events: pd.DataFrame | None = None
    ) -> Self:
        """Judge each contact.

        Parameters
        ----------
        contacts : pandas.DataFrame
            The touchpoints to judge (:data:`CONTACT_COLUMNS`); those of one
            employee with one account on one day make one contact.
        words : pandas.DataFrame
            The customers' words with a sentiment (:data:`WORD_COLUMNS`;
            ``source`` is ``touchpoint`` or ``feedback``, and a touchpoint's
            ``source_id`` is its id). Optional ``text``.
        events : pandas.DataFrame, optional
            Positive events (:data:`EVENT_COLUMNS`, ``kind`` in :data:`EVENT_KINDS`).
            Each joins the employee's latest contact with the account at most
            ``after_days`` before it; one with no such contact is a contact of
            its own on its day.

        Returns
        -------
        BetterDayEstimator
            self, with ``contacts_``, ``basis_`` and ``reference_``.
        """
        self._validate()
        _require(contacts, CONTACT_COLUMNS, "contacts")
        _require(words, WORD_COLUMNS, "words")
        events = _empty_events() if events is None else events
        _require(events, EVENT_COLUMNS, "events")
        words = words.dropna(subset=["sentiment"]).copy()
        words["at"] = pd.to_datetime(words["at"], cache=False)
        if "text" not in words.columns:
            words["text"] = None
        self.reference_ = float(words["sentiment"].median()) if len(words) else 0.0
        table = self._group(contacts, events)
        basis = [self._words_basis(table, words), self._events_basis(table, events)]
        parts = [b for b in basis if len(b)]
        found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if found.empty:
            found = pd.DataFrame({c: pd.Series(dtype=object) for c in BASIS_COLUMNS})
            found["sentiment"] = found["sentiment"].astype(float)
        self.basis_ = found.sort_values(["contact", "role", "at"], kind="stable").reset_index(
            drop=True
        )
        self.contacts_ = self._judge(table, self.basis_)
        return self

    def _group(self, contacts: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
        extra = [c for c in ("kind",) if c in contacts.columns]
        tp = contacts.loc[:, [*CONTACT_COLUMNS, *extra]].copy()
        tp["occurred_at"] = pd.to_datetime(tp["occurred_at"], cache=False)
        tp["day"] = tp["occurred_at"].dt.normalize()
        keys = ["employee_id", "account_id", "day"]
        grouped = (
            tp.sort_values("occurred_at", kind="stable")
            .groupby(keys, sort=True)
            .agg(
                contact_id=("contact_id", "first"),
                started_at=("occurred_at", "min"),
                ended_at=("occurred_at", "max"),
                touchpoint_ids=("touchpoint_id", tuple),
                **({"kind": ("kind", "first")} if "kind" in tp.columns else {}),
            )
            .reset_index()
        )
        if len(events):
            ev = events.copy()
            ev["at"] = pd.to_datetime(ev["at"], cache=False)
            joined = self._attach(grouped, ev)
            lonely = ev[joined < 0]
            if len(lonely):
                extra = (
                    lonely.assign(day=lonely["at"].dt.normalize())
                    .groupby(keys, sort=True)
                    .agg(started_at=("at", "min"), ended_at=("at", "max"))
                    .reset_index()
                    .assign(contact_id=None)
                )
                extra["touchpoint_ids"] = [() for _ in range(len(extra))]
                grouped = pd.concat([grouped, extra], ignore_index=True)
                grouped = grouped.sort_values(keys, kind="stable").reset_index(drop=True)
        return grouped

    def _attach(self, table: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
        """The row of ``table`` each event joins (-1 for none)."""
        out = np.full(len(events), -1, dtype=np.int64)
        if table.empty or events.empty:
            return out
        rows = table.reset_index().rename(columns={"index": "row"})
        ev = events.reset_index(drop=True).reset_index().rename(columns={"index": "event"})
        pairs = ev.merge(rows, on=["employee_id", "account_id"], how="inner")
        window = pd.Timedelta(days=self.after_days)
        pairs = pairs[
            (pairs["started_at"].dt.normalize() <= pairs["at"])
            & (pairs["at"] <= pairs["ended_at"] + window)
        ]
        latest = pairs.sort_values(["event", "started_at"]).groupby("event").tail(1)
        out[latest["event"].to_numpy()] = latest["row"].to_numpy()
        return out

    def _words_basis(self, table: pd.DataFrame, words: pd.DataFrame) -> pd.DataFrame:
        rows = table.loc[
            :, ["account_id", "employee_id", "started_at", "ended_at", "touchpoint_ids"]
        ]
        rows = rows.reset_index().rename(columns={"index": "contact", "employee_id": "judged"})
        pairs = rows.merge(words, on="account_id", how="inner")
        before = (pairs["at"] < pairs["started_at"]) & (
            pairs["at"] >= pairs["started_at"] - pd.Timedelta(days=self.before_days)
        )
        after = (pairs["at"] >= pairs["started_at"]) & (
            pairs["at"] <= pairs["ended_at"] + pd.Timedelta(days=self.after_days)
        )
        own = np.fromiter(
            (
                s == "touchpoint" and i in ids
                for s, i, ids in zip(
                    pairs["source"], pairs["source_id"], pairs["touchpoint_ids"], strict=True
                )
            ),
            dtype=bool,
            count=len(pairs),
        )
        if not self.own_words:
            after &= ~own
        before &= ~own
        if self.others_before and "employee_id" in pairs.columns:
            before &= (pairs["employee_id"] != pairs["judged"]).to_numpy()
        pairs = pairs.assign(role=np.where(before, "before", np.where(after, "after", "")))
        pairs = pairs[pairs["role"] != ""]
        pairs = pairs.sort_values(["contact", "at", "source_id"], kind="stable")
        last = pairs[pairs["role"] == "before"].groupby("contact").tail(1)
        first = pairs[pairs["role"] == "after"].groupby("contact").head(1)
        pairs = pd.concat([last, first])
        return pd.DataFrame(
            {
                "contact": pairs["contact"].to_numpy(),
                "role": pairs["role"].to_numpy(),
                "kind": pairs["source"].to_numpy(),
                "source": pairs["source"].to_numpy(),
                "source_id": pairs["source_id"].to_numpy(),
                "account_id": pairs["account_id"].to_numpy(),
                "at": pairs["at"].to_numpy(),
                "sentiment": pairs["sentiment"].astype(float).to_numpy(),
                "text": pairs["text"].to_numpy(),
            }
        )

    def _events_basis(self, table: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
        if events.empty:
            return pd.DataFrame()
        ev = events.copy()
        ev["at"] = pd.to_datetime(ev["at"], cache=False)
        row = self._attach(table, ev)
        ev = ev[row >= 0].assign(contact=row[row >= 0])
        return pd.DataFrame(
            {
                "contact": ev["contact"].to_numpy(),
                "role": "event",
                "kind": ev["kind"].to_numpy(),
                "source": ev["source"].to_numpy(),
                "source_id": ev["source_id"].to_numpy(),
                "account_id": ev["account_id"].to_numpy(),
                "at": ev["at"].to_numpy(),
                "sentiment": np.nan,
                "text": ev["text"].to_numpy(),
            }
        )

    def _judge(self, table: pd.DataFrame, basis: pd.DataFrame) -> pd.DataFrame:
        out = table.drop(columns=["ended_at"]).copy()
        n = len(out)
        stats = basis.groupby(["contact", "role"])["sentiment"].agg(["mean", "size"])
        stats = stats.unstack("role") if len(stats) else stats

        def col(stat: str, role: str, fill: float) -> np.ndarray:
            values: np.ndarray = np.full(n, fill)
            if (stat, role) in stats.columns:
                values = stats[(stat, role)].reindex(range(n)).fillna(fill).to_numpy(dtype=float)
            return values

        out["before"] = col("mean", "before", np.nan)
        out["after"] = col("mean", "after", np.nan)
        out["n_before"] = col("size", "before", 0).astype(np.int64)
        out["n_after"] = col("size", "after", 0).astype(np.int64)
        out["events"] = col("size", "event", 0).astype(np.int64)
        base = np.where(np.isnan(out["before"]), self.reference_, out["before"])
        change = out["after"].to_numpy() - base
        out["usual"] = 0.0
        if self.usual and "kind" in out.columns:
            usual = pd.Series(change).groupby(out["kind"].to_numpy()).transform("median")
            out["usual"] = usual.fillna(0.0).clip(lower=0.0).to_numpy()
            change = change - out["usual"].to_numpy()
        verdict = np.where(
            change > self.margin, "better", np.where(change < -self.margin, "worse", "same")
        )
        verdict = np.where(np.isnan(change), "unknown", verdict)
        verdict = np.where(out["events"] > 0, "better", verdict)
        out["verdict"] = verdict
        return out

    def shares(self, by: str | list[str] = "employee_id") -> pd.DataFrame:
        """Counts of each verdict and the better-day share per group.

        Parameters
        ----------
        by : str or list of str, default "employee_id"
            Columns of ``contacts_`` to group by.

        Returns
        -------
        pandas.DataFrame
            The group columns, ``contacts``, one column per verdict, ``judged``
            (contacts with something to go on), ``share`` (better / judged, NaN
            when nothing was judged) and ``smoothed`` ((better + 1) / (judged + 2)).
        """
        if not hasattr(self, "contacts_"):
            raise NotFittedError("fit the BetterDayEstimator before asking for shares")
        keys = [by] if isinstance(by, str) else list(by)
        counts = pd.crosstab([self.contacts_[k] for k in keys], self.contacts_["verdict"]).reindex(
            columns=list(VERDICTS), fill_value=0
        )
        counts.columns.name = None
        counts = counts.reset_index()
        counts["contacts"] = counts[list(VERDICTS)].sum(axis=1)
        counts["judged"] = counts["contacts"] - counts["unknown"]
        judged = counts["judged"].replace(0, np.nan)
        counts["share"] = counts["better"] / judged
        counts["smoothed"] = (counts["better"] + 1) / (counts["judged"] + 2)
        return counts


REOPEN: Final = re.compile(r"\breopen", re.IGNORECASE)
"""A customer's ticket message whose subject or note says the problem is back."""
TICKET_NAMES: Final = re.compile(r"^\s*ticket\s+\S*\d", re.IGNORECASE)
"""A subject that names its ticket (``Ticket S00000002: …``): the thread is that subject."""


def resolved_tickets(
    touchpoints: pd.DataFrame, *, after_days: int = 7, as_of: pd.Timestamp | None = None
) -> pd.DataFrame:
    """``ticket`` events: a customer's ticket answered, and the problem did not come back.

    Tickets are touchpoints of kind ``ticket``; a thread is the subject when it
    names the ticket (``Ticket S00000002: …``), else the account's stream of
    tickets. A customer's message (inbound) opens a problem; an employee's
    answer (outbound or internal, with an employee) to an open problem resolves
    it when, within ``after_days``, the customer neither writes back saying it
    is back (``reopen``) nor writes back unhappy (sentiment below 0). A thank-you
    or nothing at all is a resolution. Answers fewer than ``after_days`` before
    ``as_of`` are not judged yet; without ``as_of`` they are judged on what is
    known so far, like the rest of a week that has not ended (a later reopen
    takes the event back).

    Parameters
    ----------
    touchpoints : pandas.DataFrame
        ``touchpoint_id, account_id, employee_id, occurred_at, kind, direction,
        subject, sentiment``; optional ``note``.
    after_days : int, default 7
        How long the problem must stay away.
    as_of : pandas.Timestamp, optional
        Judge only answers whose ``after_days`` have passed by then.

    Returns
    -------
    pandas.DataFrame
        :data:`EVENT_COLUMNS` (``kind`` ``ticket``, ``source`` ``touchpoint``,
        ``source_id`` the answer, ``text`` the customer's opening message).

    Examples
    --------
    >>> tp = pd.DataFrame({"touchpoint_id": ["t1", "t2"], "account_id": ["a", "a"],
    ...     "employee_id": ["e", "e"], "kind": ["ticket", "ticket"],
    ...     "occurred_at": pd.to_datetime(["2026-03-01", "2026-03-02"]),
    ...     "direction": ["inbound", "outbound"], "subject": ["Printer jam"] * 2,
    ...     "sentiment": [-0.6, 0.1], "note": ["printer jams again", "fixed the tray"]})
    >>> resolved_tickets(tp, as_of=pd.Timestamp("2026-03-20"))["source_id"].tolist()
    ['t2']
    """
    tp = touchpoints[touchpoints["kind"].astype(str) == "ticket"]
    if tp.empty:
        return _empty_events()
    tp = tp.assign(occurred_at=pd.to_datetime(tp["occurred_at"], cache=False))
    subject = tp["subject"].fillna("").astype(str)
    said = subject + " " + (tp["note"].fillna("").astype(str) if "note" in tp else "")
    tp = tp.assign(
        thread=np.where(subject.str.match(TICKET_NAMES), subject, ""),
        back=said.str.contains(REOPEN).to_numpy(),
    ).sort_values(["account_id", "thread", "occurred_at", "touchpoint_id"], kind="stable")
    known = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.max
    window = pd.Timedelta(days=after_days)
    tp = tp.reset_index(drop=True)
    key = tp["account_id"].astype(str) + "\x00" + tp["thread"]
    group = (key != key.shift()).cumsum()
    inbound = (tp["direction"].astype(str) == "inbound").to_numpy()
    position = pd.Series(np.arange(len(tp)), dtype=float)
    asked = position.where(inbound).groupby(group).ffill()  # the customer's latest message
    answers = position.where(~inbound)
    previous = answers.groupby(group).shift().groupby(group).ffill()  # the answer before
    after = position.where(inbound).groupby(group).shift(-1).groupby(group).bfill()
    open_problem = asked.notna() & (previous.isna() | (asked > previous))
    at = tp["occurred_at"]
    reply = after.fillna(-1).astype(np.int64).to_numpy()
    has_reply = (reply >= 0) & (at.to_numpy()[np.maximum(reply, 0)] <= (at + window).to_numpy())
    sentiment = pd.to_numeric(tp["sentiment"], errors="coerce").to_numpy()
    unhappy = tp["back"].to_numpy() | (sentiment < 0)
    came_back = has_reply & unhappy[np.maximum(reply, 0)]
    resolved = (
        ~inbound & tp["employee_id"].notna().to_numpy() & open_problem.to_numpy()
        & ~came_back & (at + window <= known).to_numpy()
    )  # fmt: skip
    if not resolved.any():
        return _empty_events()
    opening = tp.iloc[asked[resolved].astype(np.int64).to_numpy()]
    said = opening["note"] if "note" in opening else opening["subject"]
    text = said.where(said.notna(), opening["subject"]).fillna("").astype(str).to_numpy()
    done = tp[resolved]
    return pd.DataFrame(
        {
            "kind": "ticket",
            "source": "touchpoint",
            "source_id": done["touchpoint_id"].to_numpy(),
            "account_id": done["account_id"].to_numpy(),
            "employee_id": done["employee_id"].to_numpy(),
            "at": done["occurred_at"].to_numpy(),
            "text": ["their problem: " + t for t in text],
        },
        columns=list(EVENT_COLUMNS),
    )
