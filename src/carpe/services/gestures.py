"""Gesture use cases: ideas within the budget (brief and Today), and the genuineness guard.

Budgets live in :mod:`carpe.services.gesture_budgets`, logging and approval in
:mod:`carpe.services.gesture_log`, "does it pay" in :mod:`carpe.services.gesture_payoff`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.gestures import (
    GenuinenessScore,
    MomentCue,
    Suggestion,
    score_genuineness,
    suggest_gestures,
)
from carpe.services.brief import MOMENT_HORIZON_DAYS
from carpe.services.gesture_budgets import SpendingRoom, spending_room
from carpe.services.permissions import TEAM, Viewer, allowed, moment, require, require_actor
from carpe.store.gestures import GestureRequest
from carpe.store.memory import StoredMoment, moment_sensitive
from carpe.store.models import Account, Contact, Employee, Feedback, Gesture, Touchpoint
from carpe.vocabulary import DURABLE_KINDS


@dataclass(frozen=True, slots=True)
class GiverReview:
    """A giver's genuineness, with who they are."""

    employee_id: str
    name: str
    department: str
    score: float
    flags: tuple[str, ...]
    gestures: int
    contacts: int


def review_givers(
    *,
    session: Session,
    link_days: int = 30,
    by: str = "employee",
    viewer: Viewer,
) -> list[GiverReview]:
    """Every giver's genuineness score and flags, least genuine first (coaching, not a ranking).

    With ``by="department"`` each department (a team) is scored as one giver; its
    ``employee_id`` is the department's name. A gesture logged in carpe against a
    moment counts as answering it, whenever the moment was noted.
    """
    require(viewer, "see", TEAM, why="the genuineness guard is coaching for managers")
    if by not in ("employee", "department"):
        raise UsageError("by must be 'employee' or 'department'")
    gestures = pd.DataFrame(
        session.execute(
            select(
                Gesture.gesture_id,
                Gesture.employee_id,
                Gesture.contact_id,
                Gesture.account_id,
                Gesture.given_on,
                Gesture.kind,
                Gesture.description,
                GestureRequest.moment_id,
                Employee.department,
                Contact.first_name,
                Contact.last_name,
            )
            .outerjoin(GestureRequest, GestureRequest.gesture_id == Gesture.gesture_id)
            .outerjoin(Employee, Employee.employee_id == Gesture.employee_id)
            .outerjoin(Contact, Contact.contact_id == Gesture.contact_id)
        ).all(),
        columns=[
            "gesture_id",
            "employee_id",
            "contact_id",
            "account_id",
            "given_on",
            "kind",
            "description",
            "moment_id",
            "department",
            "first_name",
            "last_name",
        ],
    )
    gestures["contact_name"] = (
        gestures["first_name"].fillna("") + " " + gestures["last_name"].fillna("")
    ).str.strip()
    if by == "department":
        gestures["employee_id"] = gestures["department"].fillna("(no department)")
    moments = pd.DataFrame(
        session.execute(
            select(StoredMoment.contact_id, StoredMoment.account_id, StoredMoment.noted_on).where(
                StoredMoment.review != "dismissed"
            )
        ).all(),
        columns=["contact_id", "account_id", "noted_on"],
    )
    occasions, notes = _occasions(session, gestures)
    scores: list[GenuinenessScore] = score_genuineness(
        gestures, moments, link_days=link_days, occasions=occasions, notes=notes
    )
    if by == "department":
        return [
            GiverReview(
                s.employee_id,
                s.employee_id,
                s.employee_id,
                s.score,
                s.flags,
                s.gestures,
                s.contacts,
            )
            for s in scores
        ]
    people = {
        e.employee_id: (e.name, e.department)
        for e in session.scalars(
            select(Employee).where(Employee.employee_id.in_([s.employee_id for s in scores]))
        )
    }
    return [
        GiverReview(
            s.employee_id,
            *people.get(s.employee_id, (s.employee_id, "")),
            s.score,
            s.flags,
            s.gestures,
            s.contacts,
        )
        for s in scores
    ]


PROBLEM_SENTIMENT = -0.3
"""A customer's message at least this unhappy is a problem a gesture may answer."""


def _occasions(session: Session, gestures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dated occasions and notes of the accounts that received gestures.

    Occasions: each contact's birthday and each account's anniversary in every
    year of giving, a customer's unhappy message (a problem), a survey answer
    or review the customer took the time to write (a thank-you). Notes: the
    touchpoints' texts, for the words a gesture may echo.
    """
    empty = pd.DataFrame(columns=["contact_id", "account_id", "on", "what"])
    if gestures.empty:
        return empty, pd.DataFrame(columns=["account_id", "occurred_at", "note"])
    accounts = sorted({str(a) for a in gestures["account_id"].dropna()})
    given = pd.to_datetime(gestures["given_on"])
    years = range(int(given.min().year) - 1, int(given.max().year) + 2)
    parts = []
    wanted: Any = bindparam("accounts", expanding=True)
    people = session.execute(
        select(Contact.contact_id, Contact.birthday).where(
            Contact.account_id.in_(wanted), Contact.birthday.is_not(None)
        ),
        {"accounts": accounts},
    ).all()
    yearly: list[tuple[str | None, str | None, date, str]] = [
        (c, None, _in_year(b, y), "birthday") for c, b in people for y in years if b is not None
    ]
    starts = session.execute(
        select(Account.account_id, Account.started_on).where(Account.account_id.in_(wanted)),
        {"accounts": accounts},
    ).all()
    yearly += [(None, a, _in_year(d, y), "anniversary") for a, d in starts for y in years if d]
    parts.append(pd.DataFrame(yearly, columns=["contact_id", "account_id", "on", "what"]))
    rows = session.execute(
        select(
            Touchpoint.account_id,
            Touchpoint.occurred_at,
            Touchpoint.direction,
            Touchpoint.sentiment,
            Touchpoint.note,
        ).where(Touchpoint.account_id.in_(wanted)),
        {"accounts": accounts},
    ).all()
    notes = pd.DataFrame(
        rows, columns=["account_id", "occurred_at", "direction", "sentiment", "note"]
    )
    unhappy = notes[
        (notes["direction"] == "inbound")
        & (pd.to_numeric(notes["sentiment"], errors="coerce") <= PROBLEM_SENTIMENT)
    ]
    parts.append(
        pd.DataFrame(
            {"contact_id": None, "account_id": unhappy["account_id"], "on": unhappy["occurred_at"],
             "what": "problem"}
        )
    )  # fmt: skip
    answers = session.execute(
        select(Feedback.account_id, Feedback.contact_id, Feedback.received_at).where(
            Feedback.account_id.in_(wanted), Feedback.comment.is_not(None)
        ),
        {"accounts": accounts},
    ).all()
    parts.append(
        pd.DataFrame(
            [(c, a, at, "feedback") for a, c, at in answers],
            columns=["contact_id", "account_id", "on", "what"],
        )
    )
    occasions = pd.concat([p for p in parts if not p.empty] or [empty], ignore_index=True)
    return occasions, notes[["account_id", "occurred_at", "note"]]


def _in_year(day: date, year: int) -> date:
    """The same day of the month in another year (28 February for 29 February)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


@dataclass(frozen=True, slots=True)
class GestureIdeas:
    """Ideas for one contact, and the giver's budget they fit in."""

    contact_id: str
    giver: str | None
    budget_left: float | None
    """Left on the giver's own budget today (None: they have none)."""
    pool_left: float | None
    """Left in the giver's department's pool today (None: there is none)."""
    pool_name: str | None
    """The department whose pool it is."""
    last_gesture_kind: str | None
    suggestions: tuple[Suggestion, ...]


# The brief and Today ask for ideas on every view, so these statements are built once,
# with parameters, of the tables' columns (see carpe.services.brief).
_contact = Contact.__table__.c
_account = Account.__table__.c
_moment = StoredMoment.__table__.c
_gesture = Gesture.__table__.c
_LAST_KIND = (
    select(_gesture.kind)
    .where(_gesture.contact_id == bindparam("contact_id"))
    .order_by(_gesture.given_on.desc(), _gesture.gesture_id.desc())
    .limit(1)
    .scalar_subquery()
)
_CONTACT = (  # the account's owner and the last gesture's kind; no row: no such contact
    select(_account.owner_employee_id, _LAST_KIND)
    .select_from(Contact.__table__)
    .outerjoin(Account.__table__, _account.account_id == _contact.account_id)
    .where(_contact.contact_id == bindparam("contact_id"))
)
_OPEN_MOMENTS = (
    select(
        _moment.id,
        _moment.kind,
        _moment.subject,
        _moment.summary,
        _moment.noted_on,
        _moment.event_on,
        moment_sensitive(_moment.kind),
        _moment.recorded_by,
    )
    .where(
        _moment.contact_id == bindparam("contact_id"),
        _moment.review != "dismissed",
        _moment.closed_at.is_(None),
    )
    .order_by(_moment.noted_on.desc(), _moment.id.desc())
)


def suggest_for_contact(
    *,
    session: Session,
    contact_id: str,
    today: date,
    giver: str | None = None,
    limit: int = 3,
    viewer: Viewer,
    known_room: SpendingRoom | None = None,
) -> GestureIdeas:
    """Gesture ideas for a contact's open moments, within the giver's budget.

    The giver defaults to the account owner. Ideas never repeat the kind of the
    contact's last gesture first. Moments the ``viewer`` may not see (sensitive
    ones of others) give no idea, so no idea gives them away.
    ``known_room`` passes the giver's spending room when the caller has it.

    Raises
    ------
    NotFoundError
        No contact with that id.
    """
    require_actor(viewer)
    key = {"contact_id": contact_id}
    found = session.execute(_CONTACT, key).first()
    if found is None:
        raise NotFoundError("contact", contact_id)
    owner, last = found
    horizon = today - timedelta(days=MOMENT_HORIZON_DAYS)
    moments = session.execute(_OPEN_MOMENTS, key).all()
    cues = [
        MomentCue(m.kind, m.subject, m.summary, m.id)
        for m in moments
        if (m.noted_on >= horizon or (m.event_on is not None and m.event_on >= today))
        and allowed(
            viewer, "see", moment(sensitive=m.sensitive, recorded_by=m.recorded_by, owner=owner)
        )
    ]
    interests = [m.summary for m in moments if m.kind == "interest"]
    giver = giver or owner
    if known_room is not None:
        room = known_room
    elif giver:
        room = spending_room(session=session, employee_id=giver, today=today)
    else:
        room = SpendingRoom(None, None, None)
    ideas = suggest_gestures(
        moments=cues, interests=interests, budget_left=room.most, last_kind=last, limit=limit
    )
    return GestureIdeas(contact_id, giver, room.own, room.pool, room.pool_name, last, tuple(ideas))


FRESH_DAYS = 14
"""A moment noted this recently is fresh enough for Today's gesture ideas."""


@dataclass(frozen=True, slots=True)
class ContactIdeas:
    """Ideas for one of the viewer's contacts with a fresh moment."""

    contact_id: str
    name: str
    account_id: str
    account_name: str
    noted_on: date
    ideas: GestureIdeas


def ideas_for_today(
    *, session: Session, viewer: Viewer, today: date, limit: int = 5
) -> list[ContactIdeas]:
    """Gesture ideas for the viewer's contacts with a moment noted in the last two weeks.

    The viewer's contacts are those of the accounts they own and those they noted
    a moment about. Most recent moment first; ideas fit the viewer's budget left.
    """
    me = require_actor(viewer).employee_id
    if me is None:
        return []
    since = today - timedelta(days=FRESH_DAYS)
    rows = session.execute(
        select(StoredMoment.contact_id, func.max(StoredMoment.noted_on).label("latest"))
        .join(Account, Account.account_id == StoredMoment.account_id)
        .where(
            StoredMoment.contact_id.is_not(None),
            StoredMoment.closed_at.is_(None),
            StoredMoment.review != "dismissed",
            StoredMoment.kind.not_in(sorted(DURABLE_KINDS)),
            StoredMoment.noted_on >= since,
            StoredMoment.noted_on <= today,
            or_(Account.owner_employee_id == me, StoredMoment.recorded_by == me),
        )
        .group_by(StoredMoment.contact_id)
        .order_by(func.max(StoredMoment.noted_on).desc(), StoredMoment.contact_id)
        .limit(limit * 3)
    ).all()
    found: list[ContactIdeas] = []
    room = spending_room(session=session, employee_id=me, today=today) if rows else None
    for contact_id, latest in rows:
        assert contact_id is not None
        ideas = suggest_for_contact(
            session=session,
            contact_id=contact_id,
            today=today,
            giver=me,
            limit=2,
            viewer=viewer,
            known_room=room,
        )
        if not ideas.suggestions:
            continue  # only sensitive moments the viewer may not see, or nothing that fits
        contact = session.get(Contact, contact_id)
        assert contact is not None
        account = session.get(Account, contact.account_id)
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
        found.append(
            ContactIdeas(
                contact_id,
                name,
                contact.account_id,
                account.name if account else contact.account_id,
                latest if isinstance(latest, date) else date.fromisoformat(str(latest)[:10]),
                ideas,
            )
        )
        if len(found) >= limit:
            break
    return found
