"""What the better-day estimate reads from the store: contacts, customers' words, events.

One read per table for a window of days, as pandas frames in the shapes
:class:`carpe.analytics.better_day.BetterDayEstimator` takes, plus the details
the page needs to say what each verdict is based on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.analytics.better_day import feedback_sentiment, resolved_tickets
from carpe.analytics.specialists import find_praise
from carpe.store.memory import FollowUp, StoredMoment
from carpe.store.models import Employee, Feedback, Gesture, Touchpoint

THANKS: Final = re.compile(r"\b(thank(s|ful| you)?|grateful|appreciated?)\b", re.IGNORECASE)
"""Words of thanks that show a gesture landed."""
TOUCHPOINT_FIELDS: Final = [
    "touchpoint_id", "account_id", "contact_id", "employee_id", "occurred_at", "kind", "channel",
    "direction", "subject", "note", "sentiment",
]  # fmt: skip
FEEDBACK_FIELDS: Final = [
    "feedback_id", "account_id", "received_at", "survey", "score", "comment", "touchpoint_id",
]  # fmt: skip


@dataclass(slots=True)
class Inputs:
    """The frames of one window, and what each source id was (for the page)."""

    contacts: pd.DataFrame
    words: pd.DataFrame
    events: pd.DataFrame
    details: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    """``(source, source_id)`` → what it was: kind, channel, subject, survey, score, text."""


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def load_inputs(
    *,
    session: Session,
    start: date,
    end: date,
    before_days: int,
    after_days: int,
    employee_ids: list[str] | None = None,
) -> Inputs:
    """Contacts in ``[start, end]`` (every employee's, or these), words and events around them.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    start, end : date
        The first and last day whose contacts are judged.
    before_days, after_days : int
        How far before and after those days the customers' words are read.
    employee_ids : list of str, optional
        Only these employees' contacts and events (default: everyone's).

    Returns
    -------
    Inputs
        The estimator's frames and each source's details.
    """
    lo, hi = _start(start), _start(end + timedelta(days=1))
    words_lo = _start(start - timedelta(days=before_days))
    words_hi = _start(end + timedelta(days=after_days + 1))
    tp = Touchpoint
    query = select(
        tp.touchpoint_id, tp.account_id, tp.contact_id, tp.employee_id, tp.occurred_at, tp.kind,
        tp.channel, tp.direction, tp.subject, tp.note, tp.sentiment,
    ).where(tp.occurred_at >= words_lo, tp.occurred_at < words_hi)  # fmt: skip
    rows = pd.DataFrame(
        session.execute(query).all(),
        columns=TOUCHPOINT_FIELDS,
    )
    rows["occurred_at"] = pd.to_datetime(rows["occurred_at"], cache=False)
    staffed = rows[
        rows["employee_id"].notna()
        & (rows["direction"] != "internal")
        & (rows["occurred_at"] >= lo)
        & (rows["occurred_at"] < hi)
    ]
    if employee_ids is not None:
        staffed = staffed[staffed["employee_id"].isin(employee_ids)]
    fb = pd.DataFrame(
        session.execute(
            select(
                Feedback.feedback_id, Feedback.account_id, Feedback.received_at, Feedback.survey,
                Feedback.score, Feedback.comment, Feedback.touchpoint_id,
            ).where(Feedback.received_at >= words_lo, Feedback.received_at < words_hi)
        ).all(),
        columns=FEEDBACK_FIELDS,
    )  # fmt: skip
    fb["received_at"] = pd.to_datetime(fb["received_at"], cache=False)
    events = _events(
        session=session, rows=rows, fb=fb, lo=lo, hi=hi, employee_ids=employee_ids,
        after_days=after_days,
    )  # fmt: skip
    accounts = set(staffed["account_id"]) | set(events["account_id"])
    # Every account's words, not only those of the contacts judged: what customers
    # typically say (the reference for a contact with no words before) is the business's.
    said = rows[rows["sentiment"].notna()]
    scored = fb.assign(sentiment=lambda f: feedback_sentiment(f["survey"], f["score"]))
    scored = scored[scored["sentiment"].notna()]
    words = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": "touchpoint",
                    "source_id": said["touchpoint_id"],
                    "account_id": said["account_id"],
                    "employee_id": said["employee_id"],
                    "at": said["occurred_at"],
                    "sentiment": said["sentiment"].astype(float),
                }
            ),
            pd.DataFrame(
                {
                    "source": "feedback",
                    "source_id": scored["feedback_id"],
                    "account_id": scored["account_id"],
                    "at": scored["received_at"],
                    "sentiment": scored["sentiment"].astype(float),
                }
            ),
        ],
        ignore_index=True,
    )
    details: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows[rows["account_id"].isin(accounts)].itertuples(index=False):
        details[("touchpoint", str(r.touchpoint_id))] = {
            "kind": r.kind, "channel": r.channel, "subject": r.subject, "text": r.note,
            "employee_id": r.employee_id,
        }  # fmt: skip
    for f in fb[fb["account_id"].isin(accounts)].itertuples(index=False):
        details[("feedback", str(f.feedback_id))] = {
            "survey": f.survey, "score": f.score, "text": f.comment,
        }  # fmt: skip
    contacts = staffed.loc[
        :, ["touchpoint_id", "account_id", "contact_id", "employee_id", "occurred_at", "kind"]
    ]
    return Inputs(contacts=contacts, words=words, events=events, details=details)


def _events(
    *,
    session: Session,
    rows: pd.DataFrame,
    fb: pd.DataFrame,
    lo: datetime,
    hi: datetime,
    employee_ids: list[str] | None,
    after_days: int,
) -> pd.DataFrame:
    """Praise naming an employee, moments and tickets resolved, follow-ups, gestures thanked."""
    found: list[dict[str, Any]] = []
    window = rows[(rows["occurred_at"] >= lo) & (rows["occurred_at"] < hi)]
    recent = fb[(fb["received_at"] >= lo) & (fb["received_at"] < hi)]
    if employee_ids is not None:  # praise counts only on accounts the employee served
        served_by = rows.loc[rows["employee_id"].isin(employee_ids), "account_id"]
        window = window[window["account_id"].isin(served_by)]
        recent = recent[recent["account_id"].isin(served_by)]
    employees = pd.DataFrame(
        session.execute(select(Employee.employee_id, Employee.name, Employee.department)).all(),
        columns=["employee_id", "name", "department"],
    )
    texts = pd.concat(
        [
            pd.DataFrame(
                {"source": "feedback", "source_id": recent["feedback_id"],
                 "account_id": recent["account_id"], "employee_id": None,
                 "at": recent["received_at"], "text": recent["comment"]}
            ),
            pd.DataFrame(
                {"source": "note", "source_id": window["touchpoint_id"],
                 "account_id": window["account_id"], "employee_id": window["employee_id"],
                 "at": window["occurred_at"], "text": window["note"]}
            ),
        ],
        ignore_index=True,
    ).dropna(subset=["text"])  # fmt: skip
    served = rows[rows["employee_id"].notna()]
    involvement = served.groupby(["account_id", "employee_id"]).size().rename("n").reset_index()
    for m in find_praise(employees, texts, involvement):
        source = "feedback" if m.source == "feedback" else "touchpoint"
        found.append(
            {"kind": "praise", "source": source, "source_id": m.source_id,
             "account_id": m.account_id, "employee_id": m.employee_id,
             "at": pd.Timestamp(m.at), "text": m.text}
        )  # fmt: skip
    closed = session.execute(
        select(
            StoredMoment.id, StoredMoment.account_id, StoredMoment.summary,
            StoredMoment.sensitive, Touchpoint.touchpoint_id, Touchpoint.employee_id,
            Touchpoint.occurred_at,
        )
        .join(Touchpoint, Touchpoint.touchpoint_id == StoredMoment.closed_by_touchpoint_id)
        .where(Touchpoint.occurred_at >= lo, Touchpoint.occurred_at < hi,
               StoredMoment.review != "dismissed", Touchpoint.employee_id.is_not(None))
    ).all()  # fmt: skip
    for mid, account, summary, sensitive, tid, emp, at in closed:
        found.append(
            {"kind": "resolved", "source": "touchpoint", "source_id": tid, "account_id": account,
             "employee_id": emp, "at": pd.Timestamp(at),
             "text": "a moment they told us about" if sensitive else summary, "moment_id": mid}
        )  # fmt: skip
    done = session.execute(
        select(
            FollowUp.id, FollowUp.account_id, FollowUp.employee_id, FollowUp.completed_on,
            FollowUp.outcome, StoredMoment.summary, StoredMoment.sensitive,
        )
        .join(StoredMoment, StoredMoment.id == FollowUp.moment_id)
        .where(FollowUp.status == "done", FollowUp.employee_id.is_not(None),
               FollowUp.completed_on >= lo.date(), FollowUp.completed_on < hi.date())
    ).all()  # fmt: skip
    for fid, account, emp, on, outcome, summary, sensitive in done:
        about = "a moment they told us about" if sensitive else summary
        found.append(
            {"kind": "follow_up", "source": "follow_up", "source_id": str(fid),
             "account_id": account, "employee_id": emp, "at": pd.Timestamp(on),
             "text": f"{about}" + (f" — {outcome}" if outcome and not sensitive else "")}
        )  # fmt: skip
    found += _thanked(session=session, rows=rows, fb=fb, lo=lo, hi=hi, after_days=after_days)
    tickets = resolved_tickets(rows, after_days=after_days)
    found += tickets[(tickets["at"] >= lo) & (tickets["at"] < hi)].to_dict("records")
    events = pd.DataFrame(
        found,
        columns=["kind", "source", "source_id", "account_id", "employee_id", "at", "text"],
    )
    if employee_ids is not None:
        events = events[events["employee_id"].isin(employee_ids)]
    return events.reset_index(drop=True)


def _thanked(
    *,
    session: Session,
    rows: pd.DataFrame,
    fb: pd.DataFrame,
    lo: datetime,
    hi: datetime,
    after_days: int,
) -> list[dict[str, Any]]:
    """Gestures followed, within ``after_days``, by the customer's words of thanks."""
    gestures = session.execute(
        select(Gesture.gesture_id, Gesture.account_id, Gesture.employee_id, Gesture.given_on,
               Gesture.kind)
        .where(Gesture.given_on >= lo.date(), Gesture.given_on < hi.date())
    ).all()  # fmt: skip
    if not gestures:
        return []
    thanks: dict[str, list[tuple[pd.Timestamp, str, str, str]]] = {}
    inbound = rows[(rows["direction"] == "inbound") & rows["note"].notna()]
    for r in inbound.itertuples(index=False):
        if THANKS.search(str(r.note)):
            thanks.setdefault(str(r.account_id), []).append(
                (pd.Timestamp(r.occurred_at), "touchpoint", str(r.touchpoint_id), str(r.note))
            )
    for f in fb[fb["comment"].notna()].itertuples(index=False):
        if THANKS.search(str(f.comment)):
            thanks.setdefault(str(f.account_id), []).append(
                (pd.Timestamp(f.received_at), "feedback", str(f.feedback_id), str(f.comment))
            )
    found = []
    for gid, account, emp, given, kind in gestures:
        day = pd.Timestamp(given)
        later = [t for t in thanks.get(account, []) if day <= t[0] <= day + pd.Timedelta(
            days=after_days + 1)]  # fmt: skip
        if later:
            at, source, sid, text = min(later)
            found.append(
                {"kind": "thanked", "source": source, "source_id": sid, "account_id": account,
                 "employee_id": emp, "at": at, "text": f"thanks for the {kind} ({gid}): {text}"}
            )  # fmt: skip
    return found
