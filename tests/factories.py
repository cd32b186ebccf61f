"""Test data: rows for interchange files, and folders written from them."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carpe.ingest.format import FILES_BY_NAME

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from carpe.analytics.stories import Story
    from carpe.services.permissions import Viewer


def make_employee(**overrides: Any) -> dict[str, Any]:
    """An employee row."""
    return {"employee_id": "E1", "name": "Ana Ruiz", "department": "Operations",
            "role": "dispatcher", "frontline": "true", "hired_on": "2021-04-01"} | overrides  # fmt: skip


def make_account(**overrides: Any) -> dict[str, Any]:
    """An account row."""
    return {"account_id": "A1", "name": "Acme Tools", "kind": "business", "segment": "mid",
            "region": "North", "owner_employee_id": "E1", "started_on": "2024-01-15",
            "annual_value": "12000.5"} | overrides  # fmt: skip


def make_contact(**overrides: Any) -> dict[str, Any]:
    """A contact row."""
    return {"contact_id": "C1", "account_id": "A1", "first_name": "Maria", "last_name": "Lopez",
            "email": "maria@acme.example", "phone": "+34 600 000 001", "is_primary": "true"} | overrides  # fmt: skip


def make_touchpoint(**overrides: Any) -> dict[str, Any]:
    """A touchpoint row."""
    return {"touchpoint_id": "T1", "account_id": "A1", "contact_id": "C1", "employee_id": "E1",
            "occurred_at": "2026-03-02T10:15:00", "channel": "phone", "kind": "call",
            "direction": "inbound", "subject": "Spare part", "note": "Asked about the spare part.",
            "sentiment": "0.4"} | overrides  # fmt: skip


def small_business() -> dict[str, list[dict[str, Any]]]:
    """A tiny consistent business touching every file of the format."""
    return {
        "employees": [make_employee(), make_employee(employee_id="E2", name="Ben Ode",
                                                      department="Billing", frontline="false")],
        "accounts": [make_account(), make_account(account_id="A2", name="Bolt & Co",
                                                  owner_employee_id="E2", ended_on="2026-02-01")],
        "contacts": [make_contact(), make_contact(contact_id="C2", account_id="A2",
                                                  first_name="Li", last_name="Wei", email="li@bolt.example")],
        "touchpoints": [
            make_touchpoint(),
            make_touchpoint(touchpoint_id="T2", note="Her dog Max is sick,\nshe was worried.",
                            occurred_at="2026-03-03T09:00:00+01:00", channel="in_person", kind="visit"),
            make_touchpoint(touchpoint_id="T3", account_id="A2", contact_id="C2", employee_id="E2",
                            channel="email", kind="invoice", sentiment="-0.6", note="Invoice query."),
        ],
        "feedback": [{"feedback_id": "F1", "account_id": "A1", "contact_id": "C1",
                      "received_at": "2026-03-05T12:00:00", "survey": "nps", "score": "9",
                      "comment": "Ana in dispatch saved us again", "touchpoint_id": "T1"}],
        "orders": [{"order_id": "O1", "account_id": "A1", "contact_id": "C1", "employee_id": "E1",
                    "ordered_at": "2026-02-01T08:00:00", "promised_on": "2026-02-10",
                    "delivered_on": "2026-02-12", "amount": "1500", "status": "delivered"}],
        "quotes": [{"quote_id": "Q1", "account_id": "A1", "employee_id": "E1",
                    "issued_at": "2026-01-20T10:00:00", "promised_lead_days": "7",
                    "price": "1450", "status": "won"}],
        "invoices": [{"invoice_id": "I1", "account_id": "A1", "order_id": "O1",
                      "issued_on": "2026-02-12", "due_on": "2026-03-12", "amount": "1500",
                      "currency": "EUR", "status": "paid", "paid_on": "2026-03-01"}],
        "kpis": [{"department": "Sales", "account_id": "A1", "period": "2026-02",
                  "metric": "pipeline_health", "value": "0.9"},
                 {"department": "Billing", "account_id": "A1", "period": "2026-W09",
                  "metric": "dispute_count", "value": "2"}],
        "gestures": [{"gesture_id": "G1", "account_id": "A1", "contact_id": "C1",
                      "employee_id": "E1", "given_on": "2026-03-06", "kind": "card",
                      "description": "Get-well card for Max", "cost": "4.5"}],
        "budgets": [{"budget_id": "B1", "owner": "E1", "period_start": "2026-01-01",
                     "period_end": "2026-03-31", "amount": "150"}],
        "engagement": [{"employee_id": "E1", "period": "2026-02", "score": "8"}],
    }  # fmt: skip


def write_folder(
    folder: Path, files: dict[str, list[dict[str, Any]]], *, format: str = "csv"
) -> Path:
    """Write ``files`` (stem → rows) as an interchange folder and return it.

    Columns follow the format's order; a row may leave columns out (blank).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        spec = FILES_BY_NAME.get(name)
        header = list(spec.column_names) if spec else sorted({k for r in rows for k in r})
        extra = [k for r in rows for k in r if k not in header]
        header += list(dict.fromkeys(extra))
        if format == "jsonl":
            with (folder / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
                for row in rows:
                    handle.write(json.dumps(row) + "\n")
            continue
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
    return folder


def story_on(account: str, name: str, employee: tuple[str, str, str], score: float) -> Story:
    """A drafted story on ``account``: a call, a Saturday visit by ``employee``, praise by name."""
    from carpe.analytics.stories import Episode, Record, Scores, draft_story, story_id

    emp, emp_name, dept = employee
    records = {
        "T1": Record(
            "T1",
            "touchpoint",
            datetime(2026, 3, 2, 10, 15),
            "Asked about the spare part.",
            emp,
            emp_name,
            dept,
            "phone",
            "call",
            "inbound",
        ),
        "T2": Record(
            "T2",
            "touchpoint",
            datetime(2026, 3, 7, 8, 30),
            "Drove the spare part over myself on Saturday; invoice of €1,500 credited.",
            emp,
            emp_name,
            dept,
            "in_person",
            "visit",
            "outbound",
        ),
        "F1": Record(
            "F1",
            "feedback",
            datetime(2026, 3, 9, 12, 0),
            f"{emp_name.split()[0]} in dispatch saved us again",
            survey="nps",
            score=9.0,
        ),
    }
    episode = Episode(
        account_id=account,
        started_at=datetime(2026, 3, 2, 10, 15),
        problem_kinds=("complaint",),
        problem_ids=("T1",),
        effort_ids=("T2",),
        helper_ids=(),
        resolution_id=None,
        words_id="F1",
        latest_id=None,
        hero_id=emp,
        employee_ids=(emp,),
        effort_signals=("off-hours", "in person"),
        outcomes=("stayed", "praised by name"),
        theme="delivery rescue",
        conflict_ids=(),
        scores=Scores(0.6, 0.8, 0.4, 0.9, 0.6, score),
    )
    return draft_story(story_id(account, f"T1-{account}"), episode, records, account_name=name)


def add_viewer(session: Session, username: str, role: str, employee_id: str | None) -> Viewer:
    """A new user (password "long enough pw") in ``session``, as the viewer they sign in as."""
    from carpe.services import users

    user = users.add_user(
        session=session,
        username=username,
        password="long enough pw",
        role=role,
        employee_id=employee_id,
    )
    return users.viewer_of(user)


def simulated_business(folder: Path, *, accounts: int, seed: int, end: date) -> Path:
    """A simulated B2B business of ``accounts`` accounts over 24 months, written to ``folder``."""
    from carpe.simulate import simulate_business

    simulate_business(folder, kind="b2b", accounts=accounts, months=24, seed=seed, end=end)
    return folder
