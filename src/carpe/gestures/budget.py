"""Discretionary budgets: what each has spent and reserved, and when a gesture needs approval.

A budget belongs to an employee or to a department (a team is a department in
carpe's data) for a period. Every gesture is charged to exactly one budget:

1. the budget it was logged against in carpe, when it names one;
2. otherwise (imported gestures) the giver's own budget covering its day, while it
   has room for the whole gesture;
3. otherwise their department's budget covering its day (the pool they draw on
   once their own is spent), while it has room;
4. otherwise, when neither has room, their own budget (overspent), or the pool
   when they have no budget of their own.

Gestures are charged in the order they were given (pending ones after the given
ones of the same day), so the same history always fills the same budgets. This is
the rule logging a gesture in carpe follows too, so imported and logged gestures
draw on a department's pool alike.

Given gestures are *spent*; gestures waiting for a manager are *reserved*; what
is left is the amount less both. A frontline gesture is approved at once when it
costs no more than the approval threshold and no more than what is left;
otherwise it waits for a manager (:func:`needs_approval` says why).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """A budget as the allocation sees it."""

    budget_id: str
    owner: str
    period_start: date
    period_end: date
    amount: float

    def covers(self, day: date) -> bool:
        """Whether ``day`` lies in the budget's period (both ends included)."""
        return self.period_start <= day <= self.period_end


@dataclass(frozen=True, slots=True)
class Charge:
    """A gesture's cost, who gave it, when, and the budget it was logged against (if any)."""

    employee_id: str
    given_on: date
    cost: float
    budget_id: str | None = None
    pending: bool = False
    """Waiting for a manager: reserved, not spent."""


@dataclass(slots=True)
class BudgetUse:
    """A budget with what was spent and reserved from it."""

    budget: BudgetLine
    spent: float = 0.0
    reserved: float = 0.0
    gestures: int = 0
    givers: set[str] = field(default_factory=set)

    @property
    def left(self) -> float:
        """The amount less what was spent and reserved (negative when overspent)."""
        return round(self.budget.amount - self.spent - self.reserved, 2)


def charge_to(
    charge: Charge,
    budgets: Mapping[str, BudgetLine],
    by_owner: Mapping[str, Sequence[BudgetLine]],
    department: str | None,
    uses: Mapping[str, BudgetUse] | None = None,
) -> str | None:
    """The id of the budget a gesture is charged to, or None when none covers it.

    Parameters
    ----------
    charge : Charge
        The gesture.
    budgets : mapping of str to BudgetLine
        Every budget, by id.
    by_owner : mapping of str to sequence of BudgetLine
        Budgets by owner (employee id or department), earliest period first.
    department : str or None
        The giver's department.
    uses : mapping of str to BudgetUse, optional
        What each budget has spent and reserved so far; without it, room is not
        considered (the giver's own budget first).

    Examples
    --------
    >>> b = BudgetLine("B1", "E1", date(2026, 1, 1), date(2026, 3, 31), 100.0)
    >>> charge_to(Charge("E1", date(2026, 2, 1), 5.0), {"B1": b}, {"E1": [b]}, "Sales")
    'B1'
    """
    if charge.budget_id is not None and charge.budget_id in budgets:
        return charge.budget_id
    candidates = [
        line
        for owner in (charge.employee_id, department)
        if owner is not None
        for line in by_owner.get(owner, ())
        if line.covers(charge.given_on)
    ]
    if not candidates:
        return None
    if uses is not None:
        for line in candidates:
            if uses[line.budget_id].left >= charge.cost:
                return line.budget_id
    return candidates[0].budget_id


def allocate(
    budgets: Iterable[BudgetLine],
    charges: Iterable[Charge],
    departments: Mapping[str, str],
) -> dict[str, BudgetUse]:
    """Spent and reserved per budget, each gesture charged to one budget (see the module).

    Parameters
    ----------
    budgets : iterable of BudgetLine
        The budgets to fill.
    charges : iterable of Charge
        Given (and pending) gestures, in any order.
    departments : mapping of str to str
        Employee id → department.

    Returns
    -------
    dict of str to BudgetUse
        By budget id; every budget appears, spent or not.
    """
    lines = {b.budget_id: b for b in budgets}
    by_owner: dict[str, list[BudgetLine]] = {}
    for line in sorted(lines.values(), key=lambda b: (b.period_start, b.budget_id)):
        by_owner.setdefault(line.owner, []).append(line)
    uses = {budget_id: BudgetUse(line) for budget_id, line in lines.items()}
    ordered = sorted(
        charges, key=lambda c: (c.given_on, c.pending, c.employee_id, c.budget_id or "", c.cost)
    )
    for charge in ordered:
        department = departments.get(charge.employee_id)
        target = charge_to(charge, lines, by_owner, department, uses)
        if target is None:
            continue
        use = uses[target]
        if charge.pending:
            use.reserved = round(use.reserved + charge.cost, 2)
        else:
            use.spent = round(use.spent + charge.cost, 2)
            use.gestures += 1
            use.givers.add(charge.employee_id)
    return uses


def needs_approval(*, cost: float, left: float | None, threshold: float) -> str | None:
    """Why a gesture must wait for a manager, or None when it may be given at once.

    Parameters
    ----------
    cost : float
        What the gesture costs.
    left : float or None
        What the budget it is charged to has left (None: no budget covers the day).
    threshold : float
        Gestures costing more wait for approval whatever the budget.

    Examples
    --------
    >>> needs_approval(cost=20.0, left=100.0, threshold=50.0) is None
    True
    >>> needs_approval(cost=80.0, left=100.0, threshold=50.0)
    'costs more than the approval threshold (50.00)'
    >>> needs_approval(cost=20.0, left=10.0, threshold=50.0)
    'over budget (10.00 left)'
    """
    if cost > threshold:
        return f"costs more than the approval threshold ({threshold:.2f})"
    if left is None:
        return "no budget of yours or your department covers that day"
    if cost > left:
        return f"over budget ({max(left, 0.0):.2f} left)"
    return None
