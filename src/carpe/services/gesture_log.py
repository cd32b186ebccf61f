"""Logging gestures against a budget, and a manager's approval.

A frontline employee logs a gesture (kind, description, cost, the contact and
the moment it answers) without asking anyone. It is charged to their own budget
covering the day, else their department's (or the one they name). Within what
that budget has left and at or below ``CARPE_GESTURE_APPROVAL_THRESHOLD`` it is
approved at once and written to the ``gestures`` table; otherwise it waits for a
manager (reserved against the budget, announced by a ``gesture.pending``
webhook), who approves it (then it is written) or declines it, with a note.
Decisions are audited; nobody but an admin decides their own request.

Ids of logged gestures start with ``carpe-g-`` and 24 random hex digits, so they
do not meet a source system's ids. Re-importing ``gestures.csv`` upserts by id:
logged gestures are not in the file and stay as they are (with their approval
record); a file exported from carpe and imported again carries them unchanged.

Who sees what: frontline staff their own gestures; managers and admins everyone's.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import and_, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from carpe.errors import ForbiddenError, NotFoundError, UsageError
from carpe.gestures.budget import needs_approval
from carpe.services import webhooks
from carpe.services.accounts import Page
from carpe.services.audit import audit
from carpe.services.gesture_budgets import BudgetView, budgets_for
from carpe.services.permissions import Resource, Viewer, allowed, require, require_actor
from carpe.services.permissions import moment as moment_resource
from carpe.store.gestures import LOGGED_ID_PREFIX, REQUEST_STATUSES, GestureRequest
from carpe.store.memory import StoredMoment
from carpe.store.models import Account, Contact, Employee, Gesture, utc_now

EVENT: Final = "gesture.pending"
MAX_COST = 100_000.0
STATUSES: Final = REQUEST_STATUSES
"""A listed gesture's status; imported gestures count as ``approved``."""


@dataclass(frozen=True, slots=True)
class GestureView:
    """A gesture, logged in carpe or imported, with its approval state."""

    gesture_id: str
    request_id: int | None
    source: str
    """``"carpe"`` (logged here) or ``"import"``."""
    status: str
    account_id: str
    account_name: str
    contact_id: str | None
    employee_id: str
    employee_name: str
    given_on: date
    kind: str
    description: str | None
    cost: float | None
    moment_id: int | None
    budget_id: str | None
    reason: str | None
    logged_by: str | None
    logged_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


@dataclass(frozen=True, slots=True)
class LoggedGesture:
    """What logging did: the gesture, and the budget it was charged to after it."""

    gesture: GestureView
    budget: BudgetView | None


def _new_id(session: Session) -> str:
    while True:
        candidate = f"{LOGGED_ID_PREFIX}{uuid.uuid4().hex[:24]}"
        taken = session.get(Gesture, candidate) is not None or session.scalar(
            select(GestureRequest.id).where(GestureRequest.gesture_id == candidate)
        )
        if not taken:
            return candidate


def _giver(session: Session, viewer: Viewer, employee_id: str | None) -> str:
    if employee_id is not None and employee_id != require_actor(viewer).employee_id:
        theirs = Resource("gesture", owners=(employee_id,))
        require(viewer, "log", theirs, why="you may log gestures only as yourself")
        if session.get(Employee, employee_id) is None:
            raise UsageError(f"employee_id: no employee with id {employee_id!r}")
        return employee_id
    if viewer.employee_id is None:
        raise UsageError("your user is not linked to an employee; ask an admin to link it")
    return viewer.employee_id


def _moment(
    session: Session, viewer: Viewer, moment_id: int, contact: Contact, owner: str | None
) -> StoredMoment:
    moment = session.get(StoredMoment, moment_id)
    if moment is None or not allowed(
        viewer,
        "see",
        moment_resource(sensitive=moment.sensitive, recorded_by=moment.recorded_by, owner=owner),
    ):
        raise NotFoundError("moment", str(moment_id))
    if moment.account_id != contact.account_id or moment.contact_id not in (
        None,
        contact.contact_id,
    ):
        raise UsageError("moment_id: that moment is about someone else")
    if moment.review == "dismissed":
        raise UsageError("moment_id: that moment was dismissed")
    return moment


def _budget(
    budgets: list[BudgetView], budget_id: str | None, cost: float, giver: str
) -> BudgetView | None:
    """The budget to charge: the one named, else the giver's own with room, else theirs."""
    if budget_id is not None:
        for b in budgets:
            if b.budget_id == budget_id:
                return b
        raise ForbiddenError("a gesture is charged to your own budget or your department's")
    for b in budgets:
        if b.left >= cost:
            return b
    return budgets[0] if budgets else None


def log_gesture(
    *,
    session: Session,
    viewer: Viewer,
    contact_id: str,
    kind: str,
    cost: float,
    today: date,
    threshold: float,
    description: str | None = None,
    given_on: date | None = None,
    moment_id: int | None = None,
    budget_id: str | None = None,
    employee_id: str | None = None,
) -> LoggedGesture:
    """Log a gesture for a contact, approved at once or waiting for a manager.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller's session (the caller commits).
    viewer : Viewer
        Who logs it; the giver unless a manager names ``employee_id``.
    contact_id : str
        Who receives it.
    kind : str
        ``card``, ``gift card``, ``book``… (free text, at most 50 characters).
    cost : float
        What it costs (0 for a call).
    today : date
        Today; the gesture's day defaults to it and may not be later.
    threshold : float
        Gestures costing more wait for a manager (``CARPE_GESTURE_APPROVAL_THRESHOLD``).
    description : str, optional
        In your own words.
    given_on : date, optional
        The day it is given (default today).
    moment_id : int, optional
        The moment it answers (one about this contact the viewer may see).
    budget_id : str, optional
        Charge this budget (the giver's own or their department's).
    employee_id : str, optional
        Log on behalf of this employee (managers only).

    Returns
    -------
    LoggedGesture
        The gesture (``approved`` or ``pending``) and its budget afterwards.

    Raises
    ------
    NotFoundError
        Unknown contact, or a moment the viewer may not see.
    ForbiddenError
        Frontline staff logging for someone else or against another's budget.
    UsageError
        A blank kind, a negative cost, a day in the future, a moment about
        someone else, a user not linked to an employee.
    """
    require_actor(viewer)
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError("contact", contact_id)
    kind = kind.strip().lower()
    if not kind or len(kind) > 50:
        raise UsageError("kind: say what the gesture is (at most 50 characters)")
    if not math.isfinite(cost) or cost < 0 or cost > MAX_COST:
        raise UsageError(f"cost: must be between 0 and {MAX_COST:,.0f}")
    day = given_on or today
    if day > today:
        raise UsageError("given_on: log a gesture when it is given, not before")
    giver = _giver(session, viewer, employee_id)
    owner = session.scalar(
        select(Account.owner_employee_id).where(Account.account_id == contact.account_id)
    )
    if moment_id is not None:
        _moment(session, viewer, moment_id, contact, owner)
    budgets = budgets_for(session=session, employee_id=giver, on=day)
    charged = _budget(budgets, budget_id, cost, giver)
    reason = needs_approval(cost=cost, left=charged.left if charged else None, threshold=threshold)
    request = GestureRequest(
        gesture_id=_new_id(session),
        account_id=contact.account_id,
        contact_id=contact.contact_id,
        employee_id=giver,
        given_on=day,
        kind=kind,
        description=(description or "").strip()[:2000] or None,
        cost=round(cost, 2),
        moment_id=moment_id,
        budget_id=charged.budget_id if charged else None,
        status="pending" if reason else "approved",
        reason=reason,
        logged_by=viewer.username,
        logged_at=utc_now(),
    )
    session.add(request)
    if reason is None:
        _give(session, request)
    else:
        session.flush()
        webhooks.queue_event(
            session=session,
            event=EVENT,
            key=f"{EVENT}:{request.gesture_id}",
            payload={
                "gesture_id": request.gesture_id,
                "employee_id": giver,
                "account_id": request.account_id,
                "contact_id": request.contact_id,
                "kind": kind,
                "cost": request.cost,
                "reason": reason,
            },
        )
    session.flush()
    after = budgets_for(session=session, employee_id=giver, on=day)
    budget = next((b for b in after if charged and b.budget_id == charged.budget_id), None)
    return LoggedGesture(_one(session, request.gesture_id), budget)


def _give(session: Session, request: GestureRequest) -> None:
    """Write the approved gesture to the ``gestures`` table."""
    session.add(
        Gesture(
            gesture_id=request.gesture_id,
            account_id=request.account_id,
            contact_id=request.contact_id,
            employee_id=request.employee_id,
            given_on=request.given_on,
            kind=request.kind,
            description=request.description,
            cost=request.cost,
        )
    )


def decide_gesture(
    *,
    session: Session,
    viewer: Viewer,
    gesture_id: str,
    approve: bool,
    note: str | None = None,
) -> GestureView:
    """Approve or decline a pending gesture, with a note (managers; audited).

    Raises
    ------
    ForbiddenError
        For a frontline viewer, or a manager deciding their own request.
    NotFoundError
        No logged gesture with that id.
    UsageError
        It was already decided.
    """
    why = "only a manager may approve or decline gestures"
    require(viewer, "decide", Resource("gesture"), why=why)
    request = session.scalars(
        select(GestureRequest).where(GestureRequest.gesture_id == gesture_id)
    ).first()
    if request is None:
        raise NotFoundError("gesture request", gesture_id)
    if request.status != "pending":
        raise UsageError(f"this gesture was already {request.status}")
    theirs = Resource("gesture", owners=(request.employee_id,), users=(request.logged_by,))
    require(viewer, "decide", theirs, why="another manager decides on your own gesture")
    request.status = "approved" if approve else "declined"
    request.decided_by = viewer.username
    request.decided_at = utc_now()
    request.decision_note = (note or "").strip()[:4000] or None
    if approve:
        _give(session, request)
    audit(
        session=session,
        viewer=viewer,
        action="gesture.approve" if approve else "gesture.decline",
        subject_type="gesture",
        subject_id=gesture_id,
        detail=request.decision_note,
    )
    session.flush()
    return _one(session, gesture_id)


def _columns(logged: bool) -> Any:
    """One select per source with the same columns, for a union."""
    r = GestureRequest
    if logged:
        return select(
            r.gesture_id.label("gesture_id"),
            r.id.label("request_id"),
            literal("carpe").label("source"),
            r.status.label("status"),
            r.account_id.label("account_id"),
            r.contact_id.label("contact_id"),
            r.employee_id.label("employee_id"),
            r.given_on.label("given_on"),
            r.kind.label("kind"),
            r.description.label("description"),
            r.cost.label("cost"),
            r.moment_id.label("moment_id"),
            r.budget_id.label("budget_id"),
            r.reason.label("reason"),
            r.logged_by.label("logged_by"),
            r.logged_at.label("logged_at"),
            r.decided_by.label("decided_by"),
            r.decided_at.label("decided_at"),
            r.decision_note.label("decision_note"),
        )
    g = Gesture
    return select(
        g.gesture_id.label("gesture_id"),
        null().label("request_id"),
        literal("import").label("source"),
        literal("approved").label("status"),
        g.account_id.label("account_id"),
        g.contact_id.label("contact_id"),
        g.employee_id.label("employee_id"),
        g.given_on.label("given_on"),
        g.kind.label("kind"),
        g.description.label("description"),
        g.cost.label("cost"),
        null().label("moment_id"),
        null().label("budget_id"),
        null().label("reason"),
        null().label("logged_by"),
        null().label("logged_at"),
        null().label("decided_by"),
        null().label("decided_at"),
        null().label("decision_note"),
    ).where(~g.gesture_id.in_(select(GestureRequest.gesture_id)))


def _filtered(
    employee_id: str | None,
    department: str | None,
    status: str | None,
    since: date | None,
    until: date | None,
    gesture_id: str | None = None,
) -> Any:
    parts = []
    for logged in (True, False):
        if status not in (None, "approved") and not logged:
            continue
        query = _columns(logged)
        table: Any = GestureRequest if logged else Gesture
        conditions = []
        if employee_id is not None:
            conditions.append(table.employee_id == employee_id)
        if department is not None:
            conditions.append(
                table.employee_id.in_(
                    select(Employee.employee_id).where(Employee.department == department)
                )
            )
        if status is not None and logged:
            conditions.append(GestureRequest.status == status)
        if since is not None:
            conditions.append(table.given_on >= since)
        if until is not None:
            conditions.append(table.given_on <= until)
        if gesture_id is not None:
            conditions.append(table.gesture_id == gesture_id)
        parts.append(query.where(and_(*conditions)) if conditions else query)
    return union_all(*parts).subquery("listed")


def _rows(session: Session, listed: Any, page: int | None, page_size: int) -> list[GestureView]:
    query = (
        select(listed, Account.name, Employee.name)
        .join(Account, Account.account_id == listed.c.account_id)
        .join(Employee, Employee.employee_id == listed.c.employee_id)
        .order_by(listed.c.given_on.desc(), listed.c.gesture_id.desc())
    )
    if page is not None:
        query = query.limit(page_size).offset((page - 1) * page_size)
    views = []
    for row in session.execute(query):
        values = row._mapping
        views.append(
            GestureView(
                gesture_id=values["gesture_id"],
                request_id=values["request_id"],
                source=values["source"],
                status=values["status"],
                account_id=values["account_id"],
                account_name=row[-2],
                contact_id=values["contact_id"],
                employee_id=values["employee_id"],
                employee_name=row[-1],
                given_on=_as_date(values["given_on"]),
                kind=values["kind"],
                description=values["description"],
                cost=values["cost"],
                moment_id=values["moment_id"],
                budget_id=values["budget_id"],
                reason=values["reason"],
                logged_by=values["logged_by"],
                logged_at=_as_datetime(values["logged_at"]),
                decided_by=values["decided_by"],
                decided_at=_as_datetime(values["decided_at"]),
                decision_note=values["decision_note"],
            )
        )
    return views


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _one(session: Session, gesture_id: str) -> GestureView:
    found = _rows(session, _filtered(None, None, None, None, None, gesture_id), None, 1)
    if not found:
        raise NotFoundError("gesture", gesture_id)
    return found[0]


def list_gestures(
    *,
    session: Session,
    viewer: Viewer,
    employee_id: str | None = None,
    department: str | None = None,
    status: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[GestureView]:
    """Gestures, newest first: frontline staff their own; managers anyone's, filtered.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    viewer : Viewer
        Who asks.
    employee_id : str, optional
        The giver (frontline staff: only themselves, the default).
    department : str, optional
        Givers of this department (managers).
    status : {"pending", "approved", "declined"}, optional
        Imported gestures count as approved.
    since, until : date, optional
        Given on or after, on or before.
    page, page_size : int
        Which page, and its size.

    Returns
    -------
    Page of GestureView
        The page and the total count.

    Raises
    ------
    ForbiddenError
        Frontline staff asking for someone else's gestures or a department's.
    UsageError
        An unknown status, or a frontline user not linked to an employee.
    """
    if status is not None and status not in STATUSES:
        raise UsageError(f"status must be one of {', '.join(STATUSES)}")
    if not allowed(require_actor(viewer), "see", Resource("gesture")):  # not everyone's
        if viewer.employee_id is None:
            raise UsageError("your user is not linked to an employee; ask an admin to link it")
        whose = (employee_id or viewer.employee_id,) if department is None else ()
        why = "you may list only your own gestures"
        require(viewer, "see", Resource("gesture", owners=whose), why=why)
        employee_id = viewer.employee_id
    listed = _filtered(employee_id, department, status, since, until)
    total = int(session.scalar(select(func.count()).select_from(listed)) or 0)
    items = _rows(session, listed, page, page_size)
    return Page(items=tuple(items), total=total, page=page, page_size=page_size)


def get_gesture(*, session: Session, viewer: Viewer, gesture_id: str) -> GestureView:
    """One gesture (frontline staff: only their own).

    Raises
    ------
    NotFoundError
        No such gesture, or someone else's for a frontline viewer.
    """
    require_actor(viewer)
    found = _one(session, gesture_id)
    if not allowed(viewer, "see", Resource("gesture", owners=(found.employee_id,))):
        raise NotFoundError("gesture", gesture_id)
    return found


def redact_contact(*, session: Session, contact_id: str, erased: str = "[erased]") -> int:
    """Redact the words of a contact's logged gestures (for a contact's erasure).

    Kinds, costs, days and decisions stay, so budgets and figures still add up.

    Returns
    -------
    int
        Requests redacted.
    """
    rows = session.scalars(
        select(GestureRequest).where(GestureRequest.contact_id == contact_id)
    ).all()
    for row in rows:
        row.description = erased if row.description is not None else None
        row.decision_note = erased if row.decision_note is not None else None
    return len(rows)
