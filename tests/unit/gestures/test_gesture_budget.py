"""Budgets: every gesture charged once, pending ones reserved, and when approval is needed."""

from __future__ import annotations

from datetime import date

import pytest

from carpe.gestures.budget import BudgetLine, Charge, allocate, needs_approval

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
OWN = BudgetLine("B-ana", "E1", *Q1, 100.0)
TEAM = BudgetLine("B-ops", "Operations", *Q1, 500.0)
DEPARTMENTS = {"E1": "Operations", "E2": "Operations", "E3": "Billing"}


def test_allocate_charges_an_imported_gesture_to_the_givers_own_budget_first() -> None:
    uses = allocate([OWN, TEAM], [Charge("E1", date(2026, 2, 1), 20.0)], DEPARTMENTS)
    assert (uses["B-ana"].spent, uses["B-ops"].spent) == (20.0, 0.0)
    assert uses["B-ana"].left == 80.0


def test_allocate_falls_back_to_the_department_budget_when_the_giver_has_none() -> None:
    uses = allocate([OWN, TEAM], [Charge("E2", date(2026, 2, 1), 30.0)], DEPARTMENTS)
    assert uses["B-ops"].spent == 30.0 and uses["B-ops"].givers == {"E2"}


def test_allocate_honours_the_budget_a_gesture_was_logged_against() -> None:
    charge = Charge("E1", date(2026, 2, 1), 40.0, budget_id="B-ops")
    uses = allocate([OWN, TEAM], [charge], DEPARTMENTS)
    assert (uses["B-ana"].spent, uses["B-ops"].spent) == (0.0, 40.0)


def test_allocate_reserves_pending_gestures_without_spending_them() -> None:
    charges = [
        Charge("E1", date(2026, 2, 1), 10.0),
        Charge("E1", date(2026, 2, 2), 60.0, pending=True),
    ]
    use = allocate([OWN], charges, DEPARTMENTS)["B-ana"]
    assert (use.spent, use.reserved, use.left, use.gestures) == (10.0, 60.0, 30.0, 1)


def test_allocate_draws_on_the_department_pool_once_the_givers_own_budget_is_spent() -> None:
    charges = [Charge("E1", date(2026, 2, d), 40.0) for d in (3, 1, 2)]
    uses = allocate([OWN, TEAM], charges, DEPARTMENTS)
    assert (uses["B-ana"].spent, uses["B-ops"].spent) == (80.0, 40.0)
    assert uses["B-ops"].givers == {"E1"}


def test_allocate_overspends_the_givers_own_budget_when_the_pool_has_no_room_either() -> None:
    small_pool = BudgetLine("B-ops", "Operations", *Q1, 10.0)
    uses = allocate([OWN, small_pool], [Charge("E1", date(2026, 2, 1), 150.0)], DEPARTMENTS)
    assert (uses["B-ana"].left, uses["B-ops"].spent) == (-50.0, 0.0)


def test_allocate_gives_the_same_result_whatever_order_the_charges_come_in() -> None:
    charges = [Charge("E1", date(2026, 2, d), 30.0 + d) for d in range(1, 6)]
    forward = allocate([OWN, TEAM], charges, DEPARTMENTS)
    backward = allocate([OWN, TEAM], list(reversed(charges)), DEPARTMENTS)
    assert {k: (u.spent, u.gestures) for k, u in forward.items()} == {
        k: (u.spent, u.gestures) for k, u in backward.items()
    }


def test_allocate_leaves_gestures_outside_every_period_and_other_departments_alone() -> None:
    charges = [Charge("E1", date(2026, 4, 1), 10.0), Charge("E3", date(2026, 2, 1), 10.0)]
    uses = allocate([OWN, TEAM], charges, DEPARTMENTS)
    assert uses["B-ana"].spent == uses["B-ops"].spent == 0.0


@pytest.mark.parametrize(
    ("cost", "left", "expected"),
    [
        (20.0, 100.0, None),
        (50.0, 50.0, None),
        (50.01, 500.0, "threshold"),
        (30.0, 20.0, "over budget"),
        (5.0, None, "no budget"),
    ],
)
def test_needs_approval_says_why_a_gesture_waits(
    cost: float, left: float | None, expected: str | None
) -> None:
    reason = needs_approval(cost=cost, left=left, threshold=50.0)
    assert (reason is None) if expected is None else (expected in (reason or ""))


def test_genuineness_counts_a_gesture_that_names_its_moment_as_answering_it() -> None:
    import pandas as pd

    from carpe.gestures import score_genuineness

    frame = pd.DataFrame(
        {
            "employee_id": ["E1"] * 3,
            "contact_id": ["C1", "C2", "C3"],
            "account_id": ["A1", "A2", "A3"],
            "given_on": ["2026-01-05", "2026-02-11", "2026-03-02"],
            "kind": ["card", "book", "flowers"],
            "description": ["For Max", "Marathon guide", "Get well"],
        }
    )
    unlinked = score_genuineness(frame)[0]
    linked = score_genuineness(frame.assign(moment_id=[1, 2, 3]))[0]
    assert unlinked.unlinked_share == 1.0 and linked.unlinked_share == 0.0
    assert linked.score > unlinked.score
