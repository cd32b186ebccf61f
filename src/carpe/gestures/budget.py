"""Discretionary budgets: what each has spent and reserved, and when a gesture needs approval.

A budget belongs to an employee or to a department (a team is a department in
carpe's data) for a period. Every gesture is charged to exactly one budget:

1. the budget it was logged against in carpe, when it names one;
2. otherwise (imported gestures) the giver's own budget covering its day;
3. otherwise their department's budget covering its day.

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
) -> str | None:
    """The id of the budget a gesture is charged to, or None when none covers it.

    Examples
    --------
    >>> b = BudgetLine("B1", "E1", date(2026, 1, 1), date(2026, 3, 31), 100.0)
    >>> charge_to(Charge("E1", date(2026, 2, 1), 5.0), {"B1": b}, {"E1": [b]}, "Sales")
    'B1'
    """
    if charge.budget_id is not None and charge.budget_id in budgets:
        return charge.budget_id
    for owner in (charge.employee_id, department):
        if owner is None:
            continue
        for line in by_owner.get(owner, ()):
            if line.covers(charge.given_on):
                return line.budget_id
    return None


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
        Given (and pending) gestures.
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
    for charge in charges:
        target = charge_to(charge, lines, by_owner, departments.get(charge.employee_id))
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
