"""A conflict's state reaches every place that mentions its invoice or order."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from carpe.context import Carpe
from carpe.services import accounts, brief, conflicts
from carpe.services.data import import_data
from carpe.services.permissions import SYSTEM
from carpe.store.conflicts import StoredConflict
from carpe.store.models import Invoice
from tests.factories import small_business, write_folder

TODAY = date(2026, 3, 6)


@pytest.fixture
def billed_twice(carpe: Carpe, tmp_path: Path) -> Carpe:
    import_data(
        engine=carpe.engine, folder=write_folder(tmp_path / "in", small_business()), today=TODAY
    )
    seen = datetime(2026, 3, 5, 6, 0)
    with carpe.unit_of_work() as uow:
        uow.session.add_all(
            [
                Invoice(invoice_id="I2", account_id="A1", order_id="O1", issued_on=date(2026, 2, 13),
                        due_on=date(2026, 3, 1), amount=1500.0, currency="EUR", status="open"),
                StoredConflict(conflict_id="dup-1", type="duplicate_invoice", account_id="A1",
                               departments=json.dumps(["Billing"]),
                               evidence=json.dumps({"invoice_ids": ["I1", "I2"], "order_ids": ["O1"]}),
                               amount_at_risk=1500.0, severity=0.5, detected_at=seen,
                               last_seen_at=seen, status="open"),
            ]
        )  # fmt: skip
        uow.commit()
    return carpe


def _overdue_line(carpe: Carpe) -> str:
    with carpe.unit_of_work() as uow:
        found = brief.contact_brief(
            viewer=SYSTEM, session=uow.session, contact_id="C1", today=TODAY
        )
    (line,) = [p for p in found.open_problems if "I2" in p.text]
    return line.text


def _act(carpe: Carpe, action: str) -> None:
    with carpe.unit_of_work() as uow:
        conflicts.act_on_conflict(
            session=uow.session, conflict_id="dup-1", action=action, viewer=SYSTEM
        )
        uow.commit()


def test_brief_tells_the_caller_not_to_chase_an_invoice_billed_twice(billed_twice: Carpe) -> None:
    assert _overdue_line(billed_twice) == (
        "Invoice I2 is overdue since 1 Mar 2026: billed twice — "
        "billing is looking into it; don't chase payment yet"
    )
    _act(billed_twice, "resolve")
    assert _overdue_line(billed_twice).endswith(
        "billed twice — billing has corrected it; don't chase the original"
    )


def test_a_dismissed_conflict_leaves_the_invoice_as_it_is(billed_twice: Carpe) -> None:
    _act(billed_twice, "dismiss")
    assert _overdue_line(billed_twice) == "Invoice I2 is overdue since 1 Mar 2026"


def test_account_page_notes_each_invoice_and_order_the_conflict_names(
    billed_twice: Carpe,
) -> None:
    with billed_twice.unit_of_work() as uow:
        extras = accounts.account_extras(session=uow.session, account_id="A1", viewer=SYSTEM)
    assert set(extras.conflict_notes) == {"invoice:I1", "invoice:I2", "order:O1"}
    assert extras.conflict_notes["order:O1"].sentence == (
        "billed twice — being looked into; mention it only if they do"
    )
