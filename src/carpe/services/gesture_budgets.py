"""Gesture budgets: amount, spent, reserved and left per budget; managers create and edit them.

A budget's owner is an employee id or a department name; carpe's data knows no
team apart from the department, so a team's budget is its department's (give a
sub-team its own department name, or budget its people one by one). Each
gesture is charged to one budget (:mod:`carpe.gestures.budget`): given gestures
are spent, gestures waiting for a manager are reserved.

Access: managers and admins see and edit every budget; frontline staff see their
own and their department's.
"""

from __future__ import annotations

import math
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.gestures.budget import BudgetLine, BudgetUse, Charge, allocate
from carpe.services.audit import audit
from carpe.services.permissions import TEAM, Resource, Viewer, allowed, require, require_actor
from carpe.store.gestures import BudgetUseVersion, GestureRequest
from carpe.store.models import Budget, Employee, Gesture

BUDGET_ID_PREFIX = "carpe-b-"
"""Ids of budgets created in carpe (imported ones keep the source's ids)."""
MAX_AMOUNT = 10_000_000.0
FILTER_GIVERS = 1_000
"""Up to this many givers, only their gestures are read to fill the budgets asked for."""
KEPT_USES = 64
"""Budget uses (a circle over a period each) kept per store, least recently used dropped."""


@dataclass(frozen=True, slots=True)
class BudgetView:
    """A budget with what was spent, reserved and is left."""

    budget_id: str
    owner: str
    owner_name: str
    owner_kind: str
    """``"employee"`` or ``"department"``."""
    period_start: date
    period_end: date
    amount: float
    spent: float
    reserved: float
    left: float
    gestures: int
    givers: int


def departments_of(session: Session) -> dict[str, str]:
    """Employee id → department, for everyone."""
    return dict(session.execute(select(Employee.employee_id, Employee.department)).all())


_UseKey = tuple[str, frozenset[str], date, date]


class _KeptUses:
    """Budget uses already computed, per store and input version (see :class:`BudgetUseVersion`).

    The brief and Today show the viewer's budget left on every request; the
    allocation behind it reads every gesture of a department's period. Its inputs
    change far more rarely than it is read, and every change to them sets a new
    version by trigger, so a use computed for a version is kept and reused while
    the store still holds that version. Uses are only read, never changed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_store: weakref.WeakKeyDictionary[Any, OrderedDict[_UseKey, dict[str, BudgetUse]]]
        self._by_store = weakref.WeakKeyDictionary()

    def get(self, store: Any, key: _UseKey) -> dict[str, BudgetUse] | None:
        with self._lock:
            kept = self._by_store.get(store)
            if kept is None or key not in kept:
                return None
            kept.move_to_end(key)
            return kept[key]

    def put(self, store: Any, key: _UseKey, uses: dict[str, BudgetUse]) -> None:
        with self._lock:
            kept = self._by_store.setdefault(store, OrderedDict())
            kept[key] = uses
            while len(kept) > KEPT_USES:
                kept.popitem(last=False)


_KEPT = _KeptUses()


_VERSION = (  # read on every view of the brief and Today: built once, of table columns
    select(BudgetUseVersion.__table__.c.version).where(BudgetUseVersion.__table__.c.id == 1)
)


def _inputs_version(session: Session) -> str | None:
    """The version of budget use's inputs (None in a store built without migrations)."""
    return session.execute(_VERSION).scalar()


def budget_uses(
    *,
    session: Session,
    budgets: Sequence[Budget] | Sequence[BudgetLine],
    owner_departments: Mapping[str, str] | None = None,
) -> dict[str, BudgetUse]:
    """Spent and reserved for each of ``budgets``, charging every gesture of their periods once.

    A gesture is charged to its giver's own budget or their department's, so only
    the departments of the budgets asked for take part: their people's and their
    own budgets over the periods, and their people's gestures. Within them every
    gesture is charged where the rules put it, whichever budgets are asked for.

    The uses of a circle over a period are kept while their inputs do not change
    (their version, set by trigger, stays the same before and after reading them).
    ``owner_departments`` (employee id → department, for at least every budget
    owner that is an employee) saves reading them when the caller has them.
    """
    if not budgets:
        return {}
    start = min(b.period_start for b in budgets)
    end = max(b.period_end for b in budgets)
    if owner_departments is None:
        owners = sorted({b.owner for b in budgets})
        owner_departments = dict(
            session.execute(
                select(Employee.employee_id, Employee.department).where(
                    Employee.employee_id.in_(owners)
                )
            ).all()
        )
    # an employee's budget belongs to their department's circle; a department's to its own
    circles = {owner_departments.get(b.owner, b.owner) for b in budgets}
    version = _inputs_version(session)
    store = session.get_bind()
    key = (version or "", frozenset(circles), start, end)
    uses = _KEPT.get(store, key) if version else None
    if uses is None:
        uses = _allocate_circles(session, circles, departments_of(session), start, end)
        if version and _inputs_version(session) == version:  # nobody wrote meanwhile
            _KEPT.put(store, key, uses)
    return {b.budget_id: uses[b.budget_id] for b in budgets}


def _allocate_circles(
    session: Session, circles: set[str], departments: dict[str, str], start: date, end: date
) -> dict[str, BudgetUse]:
    """Every budget of the circles overlapping ``start``..``end``, filled with its charges."""
    givers = sorted(e for e, d in departments.items() if d in circles)
    lines = [  # plain rows: hundreds of budgets in a big department, read, never changed
        BudgetLine(budget_id, owner, period_start, period_end, float(amount))
        for budget_id, owner, period_start, period_end, amount in session.execute(
            select(
                Budget.budget_id,
                Budget.owner,
                Budget.period_start,
                Budget.period_end,
                Budget.amount,
            ).where(
                Budget.period_start <= end,
                Budget.period_end >= start,
                Budget.owner.in_(sorted(circles | set(givers))),
            )
        )
    ]
    given_query = (
        select(Gesture.employee_id, Gesture.given_on, Gesture.cost, GestureRequest.budget_id)
        .outerjoin(GestureRequest, GestureRequest.gesture_id == Gesture.gesture_id)
        .where(Gesture.given_on >= start, Gesture.given_on <= end)
    )
    pending_query = select(
        GestureRequest.employee_id,
        GestureRequest.given_on,
        GestureRequest.cost,
        GestureRequest.budget_id,
    ).where(
        GestureRequest.status == "pending",
        GestureRequest.given_on >= start,
        GestureRequest.given_on <= end,
    )
    if len(givers) <= FILTER_GIVERS:
        # logging charges only the giver's own or department's budget, so the circle's
        # people are everyone who can have charged these budgets
        given_query = given_query.where(Gesture.employee_id.in_(givers))
        pending_query = pending_query.where(GestureRequest.employee_id.in_(givers))
    given = session.execute(given_query).all()
    pending = session.execute(pending_query).all()
    charges = [Charge(e, d, float(c or 0.0), b) for e, d, c, b in given]
    charges += [Charge(e, d, float(c or 0.0), b, pending=True) for e, d, c, b in pending]
    return allocate(lines, charges, departments)


def _views(
    session: Session,
    budgets: Sequence[Budget] | Sequence[BudgetLine],
    owner_departments: Mapping[str, str] | None = None,
) -> list[BudgetView]:
    uses = budget_uses(session=session, budgets=budgets, owner_departments=owner_departments)
    owners = sorted({b.owner for b in budgets})
    names = dict(
        session.execute(
            select(Employee.employee_id, Employee.name).where(Employee.employee_id.in_(owners))
        ).all()
    )
    views = []
    for b in budgets:
        use = uses[b.budget_id]
        views.append(
            BudgetView(
                budget_id=b.budget_id,
                owner=b.owner,
                owner_name=names.get(b.owner, b.owner),
                owner_kind="employee" if b.owner in names else "department",
                period_start=b.period_start,
                period_end=b.period_end,
                amount=float(b.amount),
                spent=use.spent,
                reserved=use.reserved,
                left=use.left,
                gestures=use.gestures,
                givers=len(use.givers),
            )
        )
    return views


def _own_owners(session: Session, viewer: Viewer) -> list[str]:
    """The budget owners a frontline viewer spends from: themselves and their department."""
    me = require_actor(viewer).employee_id
    if me is None:
        return []
    employee = session.get(Employee, me)
    return [me] + ([employee.department] if employee else [])


def list_budgets(
    *,
    session: Session,
    viewer: Viewer,
    on: date | None = None,
    owner: str | None = None,
) -> list[BudgetView]:
    """Budgets the viewer may see, with spent, reserved and left; latest period first.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    viewer : Viewer
        Managers see every budget; frontline staff their own and their department's.
    on : date, optional
        Only budgets whose period covers this day.
    owner : str, optional
        Only this owner's (an employee id or a department).

    Returns
    -------
    list of BudgetView
        Latest period first, then departments before people, then by owner.
    """
    query = select(Budget)
    if not allowed(require_actor(viewer), "see", Resource("budget")):  # as "see": their own
        query = query.where(Budget.owner.in_(_own_owners(session, viewer) or ["\x00"]))
    if on is not None:
        query = query.where(Budget.period_start <= on, Budget.period_end >= on)
    if owner is not None:
        query = query.where(Budget.owner == owner)
    budgets = session.scalars(
        query.order_by(Budget.period_start.desc(), Budget.owner, Budget.budget_id)
    ).all()
    views = _views(session, budgets)
    return sorted(views, key=lambda v: (-v.period_start.toordinal(), v.owner_kind, v.owner_name))


_employee = Employee.__table__.c
_budget = Budget.__table__.c
_COVERING = (  # each budget an employee spends from on a day, and its owner's department
    select(
        _budget.budget_id,
        _budget.owner,
        _budget.period_start,
        _budget.period_end,
        _budget.amount,
        # the department when the owner is an employee (see budget_uses' circles)
        select(_employee.department)
        .where(_employee.employee_id == _budget.owner)
        .scalar_subquery(),
    )
    .where(
        or_(
            _budget.owner == bindparam("employee_id"),
            _budget.owner
            == select(_employee.department)
            .where(_employee.employee_id == bindparam("employee_id"))
            .scalar_subquery(),
        ),
        _budget.period_start <= bindparam("on"),
        _budget.period_end >= bindparam("on"),
    )
    .order_by(_budget.period_start, _budget.budget_id)
)


def _covering(
    session: Session, employee_id: str, on: date
) -> tuple[list[BudgetLine], dict[str, str]]:
    """The budgets an employee spends from on a day, their own first, then their department's;
    and the departments of those owned by an employee."""
    rows = session.execute(_COVERING, {"employee_id": employee_id, "on": on}).all()
    lines = [
        BudgetLine(budget_id, owner, start, end, float(amount))
        for budget_id, owner, start, end, amount, _ in rows
    ]
    lines.sort(key=lambda b: (b.owner != employee_id, b.period_start, b.budget_id))
    departments = {
        owner: department for _, owner, _, _, _, department in rows if department is not None
    }
    return lines, departments


def budgets_for(*, session: Session, employee_id: str, on: date) -> list[BudgetView]:
    """The budgets an employee spends from on a day: their own, then their department's."""
    lines, departments = _covering(session, employee_id, on)
    return _views(session, lines, departments)


@dataclass(frozen=True, slots=True)
class SpendingRoom:
    """What an employee may still spend on a day: their own budget, and the pool beside it.

    The two are told apart everywhere they are shown: the own figure is the
    person's, the pool is their department's and shared with its people.
    """

    own: float | None
    """Left on the employee's own budget covering the day (None: they have none)."""
    pool: float | None
    """Left in their department's pool covering the day (None: there is none)."""
    pool_name: str | None
    """The department whose pool it is."""

    @property
    def most(self) -> float | None:
        """The most one gesture may cost without waiting for a manager (None: no budget)."""
        figures = [f for f in (self.own, self.pool) if f is not None]
        return max(figures) if figures else None


def spending_room(*, session: Session, employee_id: str, today: date) -> SpendingRoom:
    """What an employee may still spend today, on their own budget and from the pool.

    A gesture is charged to the giver's own budget while it has room, else to the
    department's pool (:mod:`carpe.gestures.budget`), so both are shown, each
    labelled. Negative figures (overspent) are shown as 0. The brief and Today ask
    on every view, so only the uses are computed, not views.
    """
    lines, departments = _covering(session, employee_id, today)
    if not lines:
        return SpendingRoom(None, None, None)
    uses = budget_uses(session=session, budgets=lines, owner_departments=departments)
    own = [b for b in lines if b.owner == employee_id]
    pool = [b for b in lines if b.owner != employee_id]

    def left(group: list[BudgetLine]) -> float | None:
        if not group:
            return None
        return round(sum(max(uses[b.budget_id].left, 0.0) for b in group), 2)

    return SpendingRoom(left(own), left(pool), pool[0].owner if pool else None)


def _check(
    session: Session, owner: str, period_start: date, period_end: date, amount: float
) -> None:
    if not owner.strip():
        raise UsageError("owner: name an employee id or a department")
    known = session.get(Employee, owner) is not None or session.scalar(
        select(func.count()).select_from(Employee).where(Employee.department == owner)
    )
    if not known:
        raise UsageError(f"owner: no employee or department called {owner!r}")
    if period_end <= period_start:
        raise UsageError("period_end: the period must end after it starts")
    if not math.isfinite(amount) or amount < 0 or amount > MAX_AMOUNT:
        raise UsageError(f"amount: must be between 0 and {MAX_AMOUNT:,.0f}")


def save_budget(
    *,
    session: Session,
    viewer: Viewer,
    owner: str,
    period_start: date,
    period_end: date,
    amount: float,
    budget_id: str | None = None,
) -> BudgetView:
    """Create a budget, or edit one (managers and admins; audited).

    A new budget gets an id starting ``carpe-b-``. Re-importing a ``budgets.csv``
    that carries an edited budget's id puts the file's values back.

    Raises
    ------
    ForbiddenError
        For a frontline viewer.
    NotFoundError
        When ``budget_id`` names no budget.
    UsageError
        An unknown owner, a period that does not end after it starts, or an
        amount below 0.
    """
    require(viewer, "manage", Resource("budget"), why="only a manager may set budgets")
    _check(session, owner, period_start, period_end, amount)
    if budget_id is None:
        budget = Budget(
            budget_id=f"{BUDGET_ID_PREFIX}{uuid.uuid4().hex[:16]}",
            owner=owner,
            period_start=period_start,
            period_end=period_end,
            amount=round(amount, 2),
        )
        session.add(budget)
        action = "budget.create"
    else:
        found = session.get(Budget, budget_id)
        if found is None:
            raise NotFoundError("budget", budget_id)
        budget = found
        budget.owner = owner
        budget.period_start = period_start
        budget.period_end = period_end
        budget.amount = round(amount, 2)
        action = "budget.update"
    session.flush()
    audit(
        session=session,
        viewer=viewer,
        action=action,
        subject_type="budget",
        subject_id=budget.budget_id,
        detail=f"{owner} {period_start}..{period_end}: {amount:.2f}",
    )
    return _views(session, [budget])[0]


def get_budget(*, session: Session, viewer: Viewer, budget_id: str) -> BudgetView:
    """One budget (hidden from frontline staff unless it is theirs or their department's).

    Raises
    ------
    NotFoundError
        No such budget, or one the viewer may not see.
    """
    require_actor(viewer)
    budget = session.get(Budget, budget_id)
    if budget is None or not allowed(viewer, "see", _whose(session, budget)):
        raise NotFoundError("budget", budget_id)
    return _views(session, [budget])[0]


def _whose(session: Session, budget: Budget) -> Resource:
    """A budget as a resource: its employee's, or every employee's of its department."""
    if session.get(Employee, budget.owner) is not None:
        return Resource("budget", owners=(budget.owner,))
    members = session.scalars(
        select(Employee.employee_id).where(Employee.department == budget.owner)
    )
    return Resource("budget", owners=tuple(members))


@dataclass(frozen=True, slots=True)
class SpendLine:
    """What one department or employee gave in a period."""

    key: str
    name: str
    department: str
    gestures: int
    spent: float
    pending: int
    reserved: float


def spend_overview(
    *, session: Session, viewer: Viewer, start: date, end: date
) -> tuple[list[SpendLine], list[SpendLine]]:
    """Spend by department and by employee between two days (managers and admins).

    Returns
    -------
    tuple of two lists of SpendLine
        By department, then by employee; most spent first.

    Raises
    ------
    ForbiddenError
        For a frontline viewer.
    """
    require(viewer, "see", TEAM, why="spend across the company is for managers")
    given = session.execute(
        select(
            Gesture.employee_id,
            func.count(),
            func.coalesce(func.sum(Gesture.cost), 0.0),
        )
        .where(Gesture.given_on >= start, Gesture.given_on <= end)
        .group_by(Gesture.employee_id)
    ).all()
    waiting = session.execute(
        select(
            GestureRequest.employee_id,
            func.count(),
            func.coalesce(func.sum(GestureRequest.cost), 0.0),
        )
        .where(
            GestureRequest.status == "pending",
            GestureRequest.given_on >= start,
            GestureRequest.given_on <= end,
        )
        .group_by(GestureRequest.employee_id)
    ).all()
    people = {
        e: (n, d)
        for e, n, d in session.execute(
            select(Employee.employee_id, Employee.name, Employee.department).where(
                or_(
                    Employee.employee_id.in_([g[0] for g in given]),
                    Employee.employee_id.in_([w[0] for w in waiting]),
                )
            )
        )
    }
    lines: dict[str, list[float]] = {}
    for employee_id, n, total in given:
        lines.setdefault(employee_id, [0, 0.0, 0, 0.0])[:2] = [n, float(total or 0.0)]
    for employee_id, n, total in waiting:
        lines.setdefault(employee_id, [0, 0.0, 0, 0.0])[2:] = [n, float(total)]
    by_employee = [
        SpendLine(
            key=e,
            name=people.get(e, (e, ""))[0],
            department=people.get(e, (e, ""))[1],
            gestures=int(v[0]),
            spent=round(v[1], 2),
            pending=int(v[2]),
            reserved=round(v[3], 2),
        )
        for e, v in lines.items()
    ]
    departments: dict[str, list[float]] = {}
    for line in by_employee:
        d = departments.setdefault(line.department, [0, 0.0, 0, 0.0])
        d[0] += line.gestures
        d[1] += line.spent
        d[2] += line.pending
        d[3] += line.reserved
    by_department = [
        SpendLine(k, k, k, int(v[0]), round(v[1], 2), int(v[2]), round(v[3], 2))
        for k, v in departments.items()
    ]
    return sorted(by_department, key=_most_spent), sorted(by_employee, key=_most_spent)


def _most_spent(line: SpendLine) -> tuple[float, str]:
    return -line.spent, line.name
