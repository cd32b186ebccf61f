"""The brief and its gesture ideas read little, and read what the caller has not flushed yet."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from carpe.context import Carpe
from carpe.services import accounts, brief, gesture_budgets, gestures
from carpe.services.data import import_data
from carpe.services.permissions import SYSTEM
from carpe.store.models import Budget, Gesture, Invoice, Order, Touchpoint
from tests.factories import add_viewer, small_business, write_folder

TODAY = date(2026, 3, 6)
DAY = date(2026, 3, 1)


@pytest.fixture
def imported(carpe: Carpe, tmp_path: Path) -> Carpe:
    import_data(
        engine=carpe.engine, folder=write_folder(tmp_path / "in", small_business()), today=TODAY
    )
    return carpe


@contextmanager
def _selects(engine: Engine) -> Iterator[list[str]]:
    """The SELECT statements run on ``engine`` inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_problems_on_one_day_keep_their_order_billing_then_delivery_then_sentiment(
    imported: Carpe,
) -> None:
    with imported.unit_of_work() as uow:
        uow.session.add_all(
            [
                Invoice(invoice_id="I9", account_id="A1", issued_on=DAY, amount=1234.5,
                        currency=None, status="disputed"),
                Invoice(invoice_id="I8", account_id="A1", issued_on=date(2026, 1, 1),
                        due_on=DAY, amount=10.0, currency="EUR", status="open"),
                Invoice(invoice_id="I7", account_id="A1", issued_on=date(2026, 1, 1),
                        due_on=date(2026, 3, 20), amount=10.0, currency="EUR", status="open"),
                Order(order_id="O9", account_id="A1", ordered_at=datetime(2026, 2, 1),
                      promised_on=DAY, amount=5.0, status="open"),
                Order(order_id="O8", account_id="A1", ordered_at=datetime(2026, 2, 1),
                      promised_on=date(2026, 2, 20), delivered_on=DAY, amount=5.0,
                      status="delivered"),
                Touchpoint(touchpoint_id="T9", account_id="A1", occurred_at=datetime(2026, 3, 1, 9),
                           channel="email", kind="complaint", subject=None, sentiment=-0.9),
            ]
        )  # fmt: skip
        uow.commit()
    with imported.unit_of_work() as uow:
        found = brief.contact_brief(
            viewer=SYSTEM, session=uow.session, contact_id="C1", today=TODAY
        )
    assert [(p.kind, p.text, p.day) for p in found.open_problems] == [
        ("billing", "Invoice I9 (1,234.50) is disputed", DAY),
        ("billing", "Invoice I8 is overdue since 1 Mar 2026", DAY),
        ("delivery", "Order O9 is late (promised 1 Mar 2026)", DAY),
        ("delivery", "Order O8 arrived 9 days late", DAY),
        ("sentiment", "Unhappy email contact: complaint", DAY),
        ("delivery", "Order O1 arrived 2 days late", date(2026, 2, 12)),
    ]


def test_brief_and_ideas_read_a_handful_of_statements(imported: Carpe) -> None:
    with imported.unit_of_work() as uow:
        ana = add_viewer(uow.session, "ana", "frontline", "E1")
        uow.commit()
    with imported.unit_of_work() as uow:  # budget use kept for this version
        gestures.suggest_for_contact(
            viewer=SYSTEM, session=uow.session, contact_id="C1", today=TODAY, giver="E1"
        )
    with imported.unit_of_work() as uow, _selects(imported.engine) as seen:
        brief.contact_brief(session=uow.session, contact_id="C1", today=TODAY, viewer=ana)
        read_by_brief = len(seen)
        gestures.suggest_for_contact(
            session=uow.session, contact_id="C1", today=TODAY, giver="E1", viewer=ana
        )
    # contact, moments, follow-ups, later mentions of them, last gesture, timeline and
    # the sensitive moments in it (for a frontline viewer), three kinds of problems, and
    # (an order is late) the conflicts that name the account's documents
    assert read_by_brief <= 11
    assert not any("count(" in s.lower() for s in seen[:read_by_brief])
    # contact with last gesture, moments, covering budgets, budget use version
    assert len(seen) - read_by_brief <= 4


def test_ideas_see_a_gesture_the_caller_has_not_flushed(imported: Carpe) -> None:
    with imported.unit_of_work() as uow:
        before = gestures.suggest_for_contact(
            viewer=SYSTEM, session=uow.session, contact_id="C1", today=TODAY, giver="E1"
        )
        uow.session.add(
            Gesture(gesture_id="G9", account_id="A1", contact_id="C1", employee_id="E1",
                    given_on=TODAY, kind="flowers", cost=20.0)
        )  # fmt: skip
        after = gestures.suggest_for_contact(
            viewer=SYSTEM, session=uow.session, contact_id="C1", today=TODAY, giver="E1"
        )
    assert before.last_gesture_kind == "card"
    assert after.last_gesture_kind == "flowers"
    assert before.budget_left is not None and after.budget_left == before.budget_left - 20.0


@pytest.mark.parametrize("employee_id", ["E1", "E2", "E9"])
def test_spending_room_is_what_budgets_for_leaves_own_and_pool_apart(
    imported: Carpe, employee_id: str
) -> None:
    with imported.unit_of_work() as uow:
        uow.session.add_all(
            [
                Budget(budget_id="B2", owner="Operations", period_start=date(2026, 3, 1),
                       period_end=date(2026, 3, 31), amount=40.0),
                Budget(budget_id="B3", owner="E1", period_start=date(2026, 3, 6),
                       period_end=date(2026, 3, 6), amount=2.0),
                Budget(budget_id="B4", owner="Billing", period_start=date(2026, 4, 1),
                       period_end=date(2026, 4, 30), amount=99.0),
            ]
        )  # fmt: skip
        uow.commit()
    with imported.unit_of_work() as uow:
        views = gesture_budgets.budgets_for(session=uow.session, employee_id=employee_id, on=TODAY)
        room = gesture_budgets.spending_room(
            session=uow.session, employee_id=employee_id, today=TODAY
        )
    own = [v for v in views if v.owner == employee_id]
    pool = [v for v in views if v.owner != employee_id]
    assert room.own == (round(sum(max(v.left, 0.0) for v in own), 2) if own else None)
    assert room.pool == (round(sum(max(v.left, 0.0) for v in pool), 2) if pool else None)
    assert room.pool_name == (pool[0].owner if pool else None)
    assert (room.own is None) == (employee_id != "E1")


def test_timeline_without_total_shows_the_same_page(imported: Carpe) -> None:
    with imported.unit_of_work() as uow:
        counted = accounts.list_timeline(
            viewer=SYSTEM, session=uow.session, account_id="A1", page_size=1
        )
        uncounted = accounts.list_timeline(
            viewer=SYSTEM, session=uow.session, account_id="A1", page_size=1, with_total=False
        )
    assert uncounted.items == counted.items
    assert counted.total == 2
    assert uncounted.total == 1
