"""My week: whose day an employee made better, how carpe knows, and their own trend.

An employee sees their own page. A manager sees a team's total and how it
moves, never a ranking of people, and an employee's page only when that
employee has shared it (:func:`set_sharing`). The estimate is
:class:`carpe.analytics.better_day.BetterDayEstimator`; docs/my-week.md says
what it assumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.analytics.better_day import BetterDayEstimator
from carpe.errors import ForbiddenError, NotFoundError, UsageError
from carpe.services.my_week_inputs import Inputs, load_inputs
from carpe.services.permissions import TEAM, Resource, Viewer, allowed, require, require_actor
from carpe.store.models import Account, Contact, Employee, utc_now
from carpe.store.my_week import MyWeekSharing

TREND_WEEKS: Final = 8
"""Weeks in a trend, this one included."""
MAX_TREND_WEEKS: Final = 52

VERDICT_WORDS: Final[dict[str, str]] = {
    "better": "left better off",
    "same": "about the same",
    "worse": "their words read lower after",
    "unknown": "nothing to go on",
}
"""Each verdict in plain words."""

ROLE_ORDER: Final = {"before": 0, "after": 1, "event": 2}
EVENT_WORDS: Final[dict[str, str]] = {
    "praise": "praised you by name",
    "resolved": "you closed something they had told us about",
    "ticket": "you answered their ticket and the problem did not come back",
    "follow_up": "you remembered and asked about",
    "thanked": "thanked you for a gesture",
}


@dataclass(frozen=True, slots=True)
class Basis:
    """One thing a verdict rests on, in plain words, with a link to it."""

    role: str
    """``before``, ``after`` or ``event``."""
    kind: str
    """``touchpoint``, ``feedback`` or an event kind (``better_day.EVENT_KINDS``)."""
    source_id: str
    on: date
    sentiment: float | None
    label: str
    link: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerDay:
    """One contact: an employee with a customer on one day, and its verdict."""

    account_id: str
    account_name: str
    contact_name: str | None
    day: date
    verdict: str
    words: str
    before: float | None
    after: float | None
    touchpoint_ids: tuple[str, ...]
    link: str
    basis: tuple[Basis, ...] = ()


@dataclass(frozen=True, slots=True)
class WeekCount:
    """One week's verdicts, counted."""

    start: date
    end: date
    contacts: int
    better: int
    same: int
    worse: int
    unknown: int

    @property
    def judged(self) -> int:
        """Contacts with something to go on."""
        return self.contacts - self.unknown

    @property
    def share(self) -> float | None:
        """Better / judged (None when nothing was judged)."""
        return self.better / self.judged if self.judged else None


@dataclass(frozen=True, slots=True)
class MyWeek:
    """An employee's page: this week's contacts, and their own trend (oldest week first)."""

    employee_id: str
    name: str
    department: str
    week: WeekCount
    customers: tuple[CustomerDay, ...]
    trend: tuple[WeekCount, ...]
    shared: bool
    mine: bool


@dataclass(frozen=True, slots=True)
class TeamWeek:
    """A team's total for each week (oldest first): no person is named or ranked."""

    department: str | None
    employees: int
    week: WeekCount
    trend: tuple[WeekCount, ...]
    shared_pages: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(employee_id, name) of the team's members who share their page, by name."""


def week_of(day: date) -> tuple[date, date]:
    """The week ending on ``day``: its first and last day (seven days)."""
    return day - timedelta(days=6), day


def _check_weeks(weeks: int) -> None:
    if not 1 <= weeks <= MAX_TREND_WEEKS:
        raise UsageError(f"weeks must be between 1 and {MAX_TREND_WEEKS}, not {weeks}")


def is_shared(*, session: Session, employee_id: str) -> bool:
    """Whether the employee shares their page with managers."""
    row = session.get(MyWeekSharing, employee_id)
    return bool(row and row.shared)


def set_sharing(*, session: Session, viewer: Viewer, employee_id: str, shared: bool) -> bool:
    """Share (or stop sharing) one's own page with managers; only its employee may.

    Raises
    ------
    ForbiddenError
        When the viewer is not that employee.
    """
    why = "only its employee decides whether to share a My week page"
    require(viewer, "share", Resource("week", owners=(employee_id,)), why=why)
    row = session.get(MyWeekSharing, employee_id)
    if row is None:
        session.add(MyWeekSharing(employee_id=employee_id, shared=shared, changed_at=utc_now()))
    else:
        row.shared, row.changed_at = shared, utc_now()
    session.flush()
    return shared


def _employee(session: Session, employee_id: str) -> Employee:
    found = session.get(Employee, employee_id)
    if found is None:
        raise NotFoundError("employee", employee_id)
    return found


def _judge(
    session: Session, start: date, end: date, employee_ids: list[str] | None = None
) -> tuple[BetterDayEstimator, Inputs]:
    """The contacts from ``start`` to ``end`` (of everyone, or these employees) judged.

    A contact's verdict rests on its customer's words and its events alone, and
    the reference for a contact with no words before is read from every
    account's words, so judging one employee's contacts gives the same verdicts
    as judging everyone's.
    """
    model = BetterDayEstimator()
    inputs = load_inputs(
        session=session, start=start, end=end, before_days=model.before_days,
        after_days=model.after_days, employee_ids=employee_ids,
    )  # fmt: skip
    return model.fit(inputs.contacts, inputs.words, inputs.events), inputs


def _counts(contacts: pd.DataFrame, starts: list[date]) -> tuple[WeekCount, ...]:
    found = []
    for start in starts:
        end = start + timedelta(days=6)
        days = contacts["day"].dt.date
        mine = contacts[(days >= start) & (days <= end)]
        got = mine["verdict"].value_counts()
        found.append(
            WeekCount(
                start=start,
                end=end,
                contacts=len(mine),
                better=int(got.get("better", 0)),
                same=int(got.get("same", 0)),
                worse=int(got.get("worse", 0)),
                unknown=int(got.get("unknown", 0)),
            )
        )
    return tuple(found)


def _starts(day: date, weeks: int) -> list[date]:
    first, _ = week_of(day)
    return [first - timedelta(days=7 * k) for k in range(weeks - 1, -1, -1)]


def my_week(
    *,
    session: Session,
    viewer: Viewer,
    employee_id: str,
    day: date,
    weeks: int = TREND_WEEKS,
) -> MyWeek:
    """An employee's week ending on ``day``: each customer's verdict and basis, and the trend.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    viewer : Viewer
        Who asks: the employee, or a manager when the employee shares the page.
    employee_id : str
        Whose page.
    day : date
        The week's last day.
    weeks : int, default 8
        Weeks in the trend.

    Returns
    -------
    MyWeek
        The page.

    Raises
    ------
    ForbiddenError
        For anyone else, or a manager when the page is not shared.
    NotFoundError
        For an unknown employee.
    """
    require_actor(viewer)
    _check_weeks(weeks)
    employee = _employee(session, employee_id)
    mine = viewer.employee_id == employee_id
    shared = is_shared(session=session, employee_id=employee_id)
    page = Resource("week", owners=(employee_id,), shared=shared)
    if not allowed(viewer, "see", page):
        sees_shared = allowed(viewer, "see", Resource("week", shared=True))
        why = "; this one is not shared with managers" if sees_shared else ""
        raise ForbiddenError(f"a My week page is its employee's own{why}")
    starts = _starts(day, weeks)
    model, inputs = _judge(session, starts[0], day, [employee_id])
    contacts = model.contacts_
    rows = contacts[contacts["employee_id"] == employee_id]
    trend = _counts(rows, starts)
    this = rows[rows["day"].dt.date >= starts[-1]]
    customers = _customers(session, this, model.basis_, inputs)
    return MyWeek(
        employee_id=employee_id, name=employee.name, department=employee.department,
        week=trend[-1], customers=customers, trend=trend, shared=shared, mine=mine,
    )  # fmt: skip


def team_week(
    *,
    session: Session,
    viewer: Viewer,
    day: date,
    department: str | None = None,
    weeks: int = TREND_WEEKS,
) -> TeamWeek:
    """A team's better-day total for each week ending on ``day`` (managers and admins only).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    viewer : Viewer
        A manager or an admin.
    day : date
        The last week's last day.
    department : str, optional
        The team; default the viewer's own department (everyone when they have none).
    weeks : int, default 8
        Weeks in the trend.

    Raises
    ------
    ForbiddenError
        For a frontline viewer.
    NotFoundError
        For a department with no employee.
    """
    _check_weeks(weeks)
    require(viewer, "see", TEAM, why="a team's total is for managers; your own page is My week")
    if department is None and viewer.employee_id:
        own = session.get(Employee, viewer.employee_id)
        department = own.department if own is not None else None
    query = select(Employee.employee_id, Employee.name)
    if department is not None:
        query = query.where(Employee.department == department)
    staff = session.execute(query.order_by(Employee.name, Employee.employee_id)).all()
    if department is not None and not staff:
        raise NotFoundError("department", department)
    ids = [e for e, _ in staff]
    starts = _starts(day, weeks)
    contacts = _judge(session, starts[0], day, ids)[0].contacts_
    trend = _counts(contacts, starts)
    sharing = set(
        session.scalars(
            select(MyWeekSharing.employee_id).where(
                MyWeekSharing.shared.is_(True), MyWeekSharing.employee_id.in_(ids)
            )
        )
    )
    return TeamWeek(
        department=department, employees=len(ids), week=trend[-1], trend=trend,
        shared_pages=tuple((e, n) for e, n in staff if e in sharing),
    )  # fmt: skip


def _customers(
    session: Session, rows: pd.DataFrame, basis: pd.DataFrame, inputs: Inputs
) -> tuple[CustomerDay, ...]:
    if rows.empty:
        return ()
    accounts = dict(
        session.execute(
            select(Account.account_id, Account.name).where(
                Account.account_id.in_(set(rows["account_id"]))
            )
        ).all()
    )
    people_ids = {c for c in rows["contact_id"] if isinstance(c, str)}
    people = {
        c: " ".join(x for x in (first, last) if x)
        for c, first, last in session.execute(
            select(Contact.contact_id, Contact.first_name, Contact.last_name).where(
                Contact.contact_id.in_(people_ids)
            )
        ).all()
    }
    found = []
    order = {"better": 0, "worse": 1, "same": 2, "unknown": 3}
    theirs = basis[basis["contact"].isin(rows.index)]
    by_contact: dict[Any, list[Any]] = {}
    for b in theirs.itertuples(index=False):
        by_contact.setdefault(b.contact, []).append(b)
    for index, r in rows.iterrows():
        items = tuple(
            sorted(
                (_basis(b, inputs) for b in by_contact.get(index, ())),
                key=lambda b: (ROLE_ORDER[b.role], b.on),
            )
        )
        ids = tuple(str(t) for t in r["touchpoint_ids"])
        account = str(r["account_id"])
        found.append(
            CustomerDay(
                account_id=account,
                account_name=accounts.get(account, account),
                contact_name=people.get(r["contact_id"])
                if isinstance(r["contact_id"], str)
                else None,
                day=r["day"].date(),
                verdict=str(r["verdict"]),
                words=VERDICT_WORDS[str(r["verdict"])],
                before=_num(r["before"]),
                after=_num(r["after"]),
                touchpoint_ids=ids,
                link=_link("touchpoint", ids[0], account) if ids else f"/accounts/{account}",
                basis=items,
            )
        )
    found.sort(key=lambda c: (order[c.verdict], c.day, c.account_name))
    return tuple(found)


def _num(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def _link(source: str, source_id: str, account_id: str) -> str:
    if source == "touchpoint":
        return f"/accounts/{account_id}#tp-{source_id}"
    return f"/accounts/{account_id}"


def _basis(b: Any, inputs: Inputs) -> Basis:
    source, sid = str(b.source), str(b.source_id)
    detail = inputs.details.get((source, sid), {})
    on = pd.Timestamp(b.at).date()
    sentiment = _num(b.sentiment)
    if b.role == "event":
        label = EVENT_WORDS.get(str(b.kind), str(b.kind))
        text = None if b.text is None or b.text != b.text else str(b.text)
        return Basis(
            role="event", kind=str(b.kind), source_id=sid, on=on, sentiment=None, label=label,
            link=_link(source, sid, str(b.account_id)), text=text,
        )  # fmt: skip
    if source == "feedback":
        score = detail.get("score")
        survey = str(detail.get("survey") or "survey").upper()
        label = f"{survey} answer {score:g}" if isinstance(score, float | int) else survey
    else:
        what = " ".join(str(x) for x in (detail.get("channel"), detail.get("kind")) if x)
        label = f"{what or 'touchpoint'}: {detail.get('subject') or sid}"
    text = detail.get("text")
    return Basis(
        role=str(b.role), kind=source, source_id=sid, on=on, sentiment=sentiment, label=label,
        link=_link(source, sid, str(b.account_id)),
        text=None if text is None or text != text else str(text)[:300],
    )  # fmt: skip
