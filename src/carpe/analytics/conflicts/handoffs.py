"""``handoff_gap``: the customer dropped between two people or two departments.

Two situations, each judged against the business's own habits:

- an account owner leaves and the new owner does not contact the customer
  for longer than the department usually leaves an account without contact;
- the customer reopens a ticket, or complains in it after it was answered,
  and nobody answers for longer than the business usually takes to answer.

A ticket closed without a word from the customer is ordinary work, never a
conflict on its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts.billing import _make
from carpe.analytics.conflicts.frames import as_frame, day, ids
from carpe.analytics.conflicts.model import Conflict, DetectorSettings, Evidence
from carpe.vocabulary import SUPPORT_DEPARTMENT

ACCOUNT_COLUMNS: Final = (
    "account_id",
    "owner_employee_id",
    "started_on",
    "ended_on",
    "annual_value",
)
EMPLOYEE_COLUMNS: Final = ("employee_id", "department", "left_on")
TOUCHPOINT_COLUMNS: Final = (
    "touchpoint_id",
    "account_id",
    "employee_id",
    "occurred_at",
    "kind",
    "direction",
    "subject",
    "sentiment",
)
LOOKBACK_DAYS: Final = 180
"""The accounts a leaver served: those they touched in their last 180 days."""
REOPEN_WORD: Final = "reopen"


def _touchpoints(touchpoints: Any) -> pd.DataFrame:
    tp = as_frame(touchpoints, TOUCHPOINT_COLUMNS)
    tp = tp[tp["account_id"].notna()]
    return tp.assign(
        at=pd.to_datetime(tp["occurred_at"], errors="coerce"),
        account_id=tp["account_id"].astype(str),
        employee_id=tp["employee_id"].astype(str),
    ).dropna(subset=["at"])


def usual_contact_gaps(
    tp: pd.DataFrame, department_of: dict[str, str], quantile: float
) -> dict[str, float]:
    """Per department, this quantile of its gaps (days) between two contacts with one account.

    Internal touchpoints are no contact. A department with fewer than 20 gaps
    has no usual gap (the floor alone applies).
    """
    contact = tp[tp["direction"].astype(str) != "internal"]
    contact = contact.assign(department=contact["employee_id"].map(department_of))
    contact = contact.dropna(subset=["department"]).sort_values(["department", "account_id", "at"])
    gaps = contact.groupby(["department", "account_id"], sort=False)["at"].diff().dt.days
    frame = pd.DataFrame({"department": contact["department"], "gap": gaps}).dropna()
    frame = frame[frame["gap"] > 0]
    sizes = frame.groupby("department")["gap"].size()
    usual = frame.groupby("department")["gap"].quantile(quantile)
    return {str(d): float(v) for d, v in usual.items() if sizes[d] >= 20}


def _previous_owner(
    leavers: pd.DataFrame,
    *,
    owner_rows: np.ndarray[Any, Any],
    account_rows: np.ndarray[Any, Any],
    employee_of: np.ndarray[Any, Any],
    ticket: np.ndarray[Any, Any],
    at: np.ndarray[Any, Any],
    owner_started: Any,
) -> Any:
    """The leaver the account's owner took it over from, or None.

    The owner now never contacted the account before that colleague left, and
    either the colleague served it in their last 180 days (outside tickets,
    which anyone of a team may answer; the latest such leaver), or the owner
    only started working after the colleague left (their replacement).
    """
    for leaver in leavers.sort_values("left", ascending=False).itertuples(index=False):
        start = (leaver.left - pd.Timedelta(days=LOOKBACK_DAYS)).to_datetime64()
        stop = leaver.left.to_datetime64()
        window = account_rows[(at[account_rows] >= start) & (at[account_rows] < stop)]
        theirs = int(((employee_of[window] == leaver.employee_id) & ~ticket[window]).sum())
        if theirs and not len(owner_rows[at[owner_rows] < stop]):
            return leaver
    replaced = (
        leavers[leavers["left"] <= owner_started] if owner_started is not None else leavers[:0]
    )
    if len(replaced) and not len(
        owner_rows[at[owner_rows] < replaced["left"].max().to_datetime64()]
    ):
        return replaced.sort_values("left").iloc[-1]
    return None


def detect_owner_gaps(
    touchpoints: Any,
    *,
    accounts: Any,
    employees: Any,
    as_of: date,
    settings: DetectorSettings | None = None,
) -> list[Conflict]:
    """``handoff_gap``: an owner left and the new owner did not contact the customer in time.

    An account changed hands when a colleague of its owner's department left
    after the account started, the owner now had never contacted it before,
    and the colleague either served it in their last 180 days (outside
    tickets, which anyone of a team may answer) or was replaced
    by the owner (who started working only after the colleague left). The
    new owner's first outreach (outbound) after the leaving day must come
    within ``max(handoff_min_days, the department's usual gap)``, the usual
    gap being ``handoff_usual_quantile`` of the department's own gaps between
    two contacts with an account. Still waiting past that on ``as_of`` is a
    gap too, and so is a customer who left more than ``handoff_min_days``
    after the hand-off without hearing from the new owner.

    Parameters
    ----------
    touchpoints : table
        :data:`TOUCHPOINT_COLUMNS` (every contact of the departments that lost someone).
    accounts : table
        :data:`ACCOUNT_COLUMNS`.
    employees : table
        :data:`EMPLOYEE_COLUMNS`.
    as_of : date
        The run's day.
    settings : DetectorSettings, optional
        ``handoff_min_days``, ``handoff_usual_quantile``.

    Returns
    -------
    list of Conflict
        Amount at risk: the account's annual value (the relationship).
    """
    settings = settings or DetectorSettings()
    staff = as_frame(employees, EMPLOYEE_COLUMNS)
    staff = staff.assign(left=day(staff["left_on"]), employee_id=staff["employee_id"].astype(str))
    today = pd.Timestamp(as_of)
    gone = staff[staff["left"].notna() & (staff["left"] < today)]
    if gone.empty:
        return []
    department_of = dict(zip(staff["employee_id"], staff["department"].astype(str), strict=True))
    tp = _touchpoints(touchpoints)
    tp = tp[tp["at"] < today].sort_values("at", kind="stable").reset_index(drop=True)
    usual = usual_contact_gaps(tp, department_of, settings.handoff_usual_quantile)
    acc = as_frame(accounts, ACCOUNT_COLUMNS)
    acc = acc.assign(
        account_id=acc["account_id"].astype(str),
        owner=acc["owner_employee_id"].astype(str),
        start=day(acc["started_on"]),
        end=day(acc["ended_on"]),
    ).drop_duplicates("account_id")
    at = tp["at"].to_numpy(dtype="datetime64[ns]")
    employee_of = tp["employee_id"].to_numpy()
    direction = tp["direction"].astype(str)
    contact = (direction != "internal").to_numpy()
    reach = (contact & (direction != "inbound")).to_numpy()  # the owner reaching out
    ticket = (tp["kind"].astype(str) == "ticket").to_numpy()
    by_account = tp.groupby("account_id", sort=False).indices
    started = tp.groupby("employee_id", sort=False)["at"].min().to_dict()
    leavers_of = {str(d): g for d, g in gone.groupby(gone["department"].astype(str))}
    nothing = np.zeros(0, dtype=np.intp)
    found = []
    for info in acc.itertuples(index=False):
        department = department_of.get(info.owner)
        if department not in leavers_of or pd.isna(info.start):
            continue
        rows = by_account.get(info.account_id, nothing)
        owner_rows = rows[employee_of[rows] == info.owner]
        leavers = leavers_of[department]
        leavers = leavers[(leavers["employee_id"] != info.owner) & (leavers["left"] > info.start)]
        if leavers.empty:
            continue
        leaver = _previous_owner(
            leavers,
            owner_rows=owner_rows,
            account_rows=rows,
            employee_of=employee_of,
            ticket=ticket,
            at=at,
            owner_started=started.get(info.owner),
        )
        if leaver is None:
            continue
        left = leaver.left
        allowed = max(float(settings.handoff_min_days), usual.get(department, 0.0))
        after = owner_rows[reach[owner_rows] & (at[owner_rows] >= left.to_datetime64())]
        first = pd.Timestamp(at[after[0]]) if len(after) else None
        waited = ((first if first is not None else today) - left).days
        ended = pd.notna(info.end) and (first is None or info.end < first)
        if ended:
            waited = (info.end - left).days  # the customer left before hearing from anyone
            if waited <= settings.handoff_min_days:
                continue
        elif waited <= allowed:
            continue
        if ended:
            said = f"the customer left {waited} days later without a contact from {info.owner}"
        elif first is None:
            said = f"no contact from {info.owner} in the {waited} days since"
        else:
            said = f"{info.owner}'s first contact came {waited} days later"
            said += f" ({tp['touchpoint_id'].iloc[after[0]]})"
        evidence = Evidence(
            employee_ids=(str(leaver.employee_id), info.owner),
            period=f"{left:%Y-%m}",
            detail=(
                f"Account owner {leaver.employee_id} left on {left:%Y-%m-%d}; {said}, while "
                f"{department} usually contacts an account at least every {allowed:.0f} days."
            ),
        )
        value = float(info.annual_value) if pd.notna(info.annual_value) else 0.0
        found.append(_make("handoff_gap", info.account_id, (department,), evidence, value))
    return found


def _tickets(tp: pd.DataFrame, prefix: str) -> pd.DataFrame:
    subject = tp["subject"].fillna("").astype(str)
    named = subject.str.startswith(prefix) if prefix else pd.Series(False, index=tp.index)
    tickets = tp[named | (tp["kind"].astype(str) == "ticket")]
    # A thread: the subject when it names one (carpe's "Ticket T…: …"), else the account's stream.
    thread = np.where(named[tickets.index], subject[tickets.index], "")
    return tickets.assign(thread=thread).sort_values(
        ["account_id", "thread", "at", "touchpoint_id"], kind="stable"
    )


def detect_dropped_reopens(
    touchpoints: Any,
    *,
    accounts: Any,
    employees: Any,
    as_of: date,
    settings: DetectorSettings | None = None,
) -> list[Conflict]:
    """``handoff_gap``: the customer reopened a ticket (or complained after the answer), unanswered.

    Tickets are touchpoints of kind ``ticket`` or with a subject starting with
    ``ticket_prefix``; a thread is the subject when it names the ticket, else
    the account's ticket stream. A customer message (inbound) after an answer
    in its thread is a reopen when its subject says so, or a complaint when
    it reads at least as unhappy as three in four of the messages that open a
    ticket (in a named thread; -0.25 with fewer than 20 of them). It is dropped when no
    answer (outbound or internal) follows within ``max(reopen_min_days, the
    business's reopen_usual_quantile of waits between a customer's ticket
    message and the next answer)``; still waiting past that on ``as_of`` too.

    Parameters
    ----------
    touchpoints : table
        :data:`TOUCHPOINT_COLUMNS`.
    accounts : table
        ``account_id, ended_on, annual_value``.
    employees : table
        ``employee_id, department``.
    as_of : date
        The run's day.
    settings : DetectorSettings, optional
        ``ticket_prefix``, ``reopen_min_days``, ``reopen_usual_quantile``.

    Returns
    -------
    list of Conflict
        Amount at risk: a month of the account's value.
    """
    settings = settings or DetectorSettings()
    tp = _touchpoints(touchpoints)
    tp = _tickets(tp[tp["at"] < pd.Timestamp(as_of)], settings.ticket_prefix)
    if tp.empty:
        return []
    key = (tp["account_id"] + "\x00" + tp["thread"]).to_numpy()
    start = np.r_[True, key[1:] != key[:-1]]
    group = np.cumsum(start) - 1
    direction = tp["direction"].astype(str).to_numpy()
    answer = direction != "inbound"
    at = tp["at"].to_numpy(dtype="datetime64[ns]")
    # the next answer in the same thread, for every row (-1 when none)
    positions = pd.Series(np.where(answer, np.arange(len(tp)), np.nan))
    following = positions.groupby(group).shift(-1).groupby(group).bfill()
    nxt_id = following.fillna(-1).to_numpy().astype(np.int64)
    nxt = np.where(nxt_id >= 0, at[np.maximum(nxt_id, 0)], np.datetime64("NaT"))
    answered_before = (
        pd.Series(answer.astype(np.int64)).groupby(group).cumsum().to_numpy() - answer > 0
    )
    inbound = ~answer
    waits = (nxt[inbound & ~np.isnat(nxt)] - at[inbound & ~np.isnat(nxt)]) / np.timedelta64(1, "D")
    usual = float(np.quantile(waits, settings.reopen_usual_quantile)) if len(waits) >= 20 else 0.0
    allowed = max(float(settings.reopen_min_days), usual)
    subject = tp["subject"].fillna("").astype(str).str.lower().to_numpy()
    sentiment = pd.to_numeric(tp["sentiment"], errors="coerce").to_numpy()
    named = tp["thread"].to_numpy() != ""
    reopened = np.char.find(subject.astype(str), REOPEN_WORD) >= 0
    # A complaint reads at least as unhappy as three in four of the messages that open a ticket.
    opening = start & inbound & named & ~np.isnan(sentiment)
    unhappy = float(np.quantile(sentiment[opening], 0.75)) if opening.sum() >= 20 else -0.25
    complaint = named & (np.nan_to_num(sentiment, nan=0.0) <= min(unhappy, 0.0))
    candidate = inbound & answered_before & (reopened | complaint)
    now = np.datetime64(pd.Timestamp(as_of).to_datetime64(), "ns")
    waited = (np.where(np.isnat(nxt), now, nxt) - at) / np.timedelta64(1, "D")
    dropped = np.flatnonzero(candidate & (waited > allowed))
    acc = as_frame(accounts, ACCOUNT_COLUMNS)
    ended = dict(zip(acc["account_id"].astype(str), day(acc["ended_on"]), strict=True))
    monthly = {
        str(a): float(v) / 12.0 if pd.notna(v) else 0.0
        for a, v in zip(acc["account_id"], acc["annual_value"], strict=True)
    }
    staff = as_frame(employees, EMPLOYEE_COLUMNS)
    department_of = dict(zip(staff["employee_id"].astype(str), staff["department"], strict=True))
    ids_of = tp["touchpoint_id"].astype(str).to_numpy()
    account_of = tp["account_id"].to_numpy()
    employee_of = tp["employee_id"].to_numpy()
    found = []
    for i in dropped.tolist():
        account_id = str(account_of[i])
        end = ended.get(account_id)
        when = pd.Timestamp(at[i])
        if end is not None and pd.notna(end) and (end - when).days <= allowed:
            continue  # the customer left before the wait was unusual
        answers = np.flatnonzero(answer[: i + 1] & (group[: i + 1] == group[i]))
        closed = ids_of[answers[-1]]
        reply = f"answered {waited[i]:.0f} days later" if nxt_id[i] >= 0 else "still unanswered"
        departments = {str(department_of.get(str(e))) for e in employee_of[answers]}
        departments.discard("None")
        evidence = Evidence(
            touchpoint_ids=ids([closed, ids_of[i]]),
            period=f"{when:%Y-%m}",
            detail=(
                f"The customer {'reopened' if reopened[i] else 'complained about'} a ticket "
                f"after {closed} ({ids_of[i]}, {when:%Y-%m-%d}) and it was {reply}; the "
                f"business usually answers within {allowed:.0f} days."
            ),
        )
        found.append(
            _make(
                "handoff_gap",
                account_id,
                tuple(sorted(departments or {SUPPORT_DEPARTMENT})),
                evidence,
                monthly.get(account_id, 0.0),
            )
        )
    return found
