"""The simulator writes a valid interchange folder with its planted truth."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from carpe.simulate import COLUMNS, GROUND_TRUTH_FILE, simulate_business
from carpe.vocabulary import (
    CHANNELS,
    CONFLICT_TYPES,
    DIRECTIONS,
    INVOICE_STATUSES,
    MOMENT_KINDS,
    ORDER_STATUSES,
    QUOTE_STATUSES,
    STORY_THEMES,
    TOUCHPOINT_KINDS,
)

SEED = 7
END = date(2026, 3, 31)


def _run(path: Path, kind: str = "b2b", **overrides: Any) -> Path:
    args: dict[str, Any] = {"kind": kind, "accounts": 240, "months": 12, "seed": SEED, "end": END}
    args.update(overrides)
    print(f"simulating {args}")
    simulate_business(path, **args)
    return path


@pytest.fixture(scope="module", params=["b2b", "b2c"])
def folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp(request.param), request.param)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("clean"), plant_conflicts=False)


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def _truth(folder: Path) -> dict[str, Any]:
    return json.loads((folder / GROUND_TRUTH_FILE).read_text(encoding="utf-8"))


def test_simulate_business_is_byte_identical_for_a_seed(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", accounts=60, months=8)
    b = _run(tmp_path / "b", accounts=60, months=8)
    for name in (*COLUMNS, GROUND_TRUTH_FILE):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_simulate_business_headers_match_the_interchange_format(folder: Path) -> None:
    for name, columns in COLUMNS.items():
        header = (folder / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert header == ",".join(columns), name


def test_simulate_business_ids_are_unique_and_references_resolve(folder: Path) -> None:
    accounts = _read(folder, "accounts.csv")
    contacts = _read(folder, "contacts.csv")
    employees = _read(folder, "employees.csv")
    touchpoints = _read(folder, "touchpoints.csv")
    orders = _read(folder, "orders.csv")
    account_ids = set(accounts.account_id)
    employee_ids = set(employees.employee_id)
    for name, key in [
        ("accounts.csv", "account_id"),
        ("contacts.csv", "contact_id"),
        ("employees.csv", "employee_id"),
        ("touchpoints.csv", "touchpoint_id"),
        ("feedback.csv", "feedback_id"),
        ("orders.csv", "order_id"),
        ("quotes.csv", "quote_id"),
        ("invoices.csv", "invoice_id"),
        ("gestures.csv", "gesture_id"),
        ("budgets.csv", "budget_id"),
    ]:
        frame = _read(folder, name)
        assert frame[key].is_unique, name
        if "account_id" in frame and name != "accounts.csv":
            assert set(frame.account_id) <= account_ids, name
        if "contact_id" in frame and name != "contacts.csv":
            assert set(frame.contact_id) - {""} <= set(contacts.contact_id), name
        if "employee_id" in frame and name != "employees.csv":
            assert set(frame.employee_id) - {""} <= employee_ids, name
    assert set(accounts.owner_employee_id) <= employee_ids
    assert set(_read(folder, "feedback.csv").touchpoint_id) <= set(touchpoints.touchpoint_id)
    assert set(_read(folder, "invoices.csv").order_id) <= set(orders.order_id)
    assert set(_read(folder, "kpis.csv").account_id) <= account_ids
    assert set(_read(folder, "engagement.csv").employee_id) <= employee_ids
    owners = set(_read(folder, "budgets.csv").owner)
    assert owners <= employee_ids | set(employees.department)


def test_simulate_business_uses_only_known_enum_values(folder: Path) -> None:
    tp = _read(folder, "touchpoints.csv")
    assert set(tp.channel) <= set(CHANNELS)
    assert set(tp.kind) <= set(TOUCHPOINT_KINDS)
    assert set(tp.direction) <= set(DIRECTIONS)
    sentiment = pd.to_numeric(tp.sentiment[tp.sentiment != ""])
    assert sentiment.between(-1, 1).all()
    assert set(_read(folder, "orders.csv").status) <= set(ORDER_STATUSES)
    assert set(_read(folder, "quotes.csv").status) <= set(QUOTE_STATUSES)
    assert set(_read(folder, "invoices.csv").status) <= set(INVOICE_STATUSES)
    assert set(_read(folder, "contacts.csv").is_primary) == {"true", "false"}
    assert tp.occurred_at.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    assert len(tp) / len(_read(folder, "accounts.csv")) > 30


def test_simulate_business_plants_every_conflict_type_with_resolvable_evidence(
    folder: Path,
) -> None:
    truth = _truth(folder)
    assert {c["type"] for c in truth["conflicts"]} == set(CONFLICT_TYPES)
    invoices = set(_read(folder, "invoices.csv").invoice_id)
    orders = set(_read(folder, "orders.csv").order_id)
    quotes = set(_read(folder, "quotes.csv").quote_id)
    touchpoints = set(_read(folder, "touchpoints.csv").touchpoint_id)
    for conflict in truth["conflicts"]:
        ev = conflict["evidence"]
        assert set(ev["invoice_ids"]) <= invoices
        assert set(ev["order_ids"]) <= orders
        assert set(ev["quote_ids"]) <= quotes
        assert set(ev["touchpoint_ids"]) <= touchpoints


def test_simulate_business_plants_every_moment_kind_with_evidence_in_the_note(folder: Path) -> None:
    truth = _truth(folder)
    assert {m["kind"] for m in truth["moments"]} == set(MOMENT_KINDS)
    notes = dict(
        zip(*(_read(folder, "touchpoints.csv")[c] for c in ("touchpoint_id", "note")), strict=True)
    )
    for moment in truth["moments"]:
        assert moment["evidence"] in notes[moment["touchpoint_id"]]
        assert moment["sensitive"] == (moment["kind"] in ("health", "loss"))
    assert any(m["resolved_by"] for m in truth["moments"])
    assert {n["category"] for n in truth["non_moments"]} == {"trap", "negation"}


def test_simulate_business_plants_hero_episodes_praising_the_employee(folder: Path) -> None:
    truth = _truth(folder)
    employees = _read(folder, "employees.csv").set_index("employee_id")
    feedback = _read(folder, "feedback.csv").set_index("feedback_id")
    assert {h["theme"] for h in truth["hero_episodes"]} <= set(STORY_THEMES)
    assert len(truth["hero_episodes"]) >= 4
    for hero in truth["hero_episodes"]:
        first = employees.loc[hero["hero_employee_id"], "name"].split()[0]
        comments = " ".join(feedback.loc[f, "comment"] for f in hero["feedback_ids"])
        assert first in comments
        churned = {a["account_id"] for a in truth["accounts"] if a["churned"]}
        assert hero["account_id"] not in churned


def test_simulate_business_records_planted_people(folder: Path) -> None:
    truth = _truth(folder)
    departments = {s["department"] for s in truth["specialists"]}
    assert {"Operations", "Billing", "Support"} <= departments
    assert truth["decoys"] and truth["templated_givers"] and truth["genuine_givers"]
    assert truth["churn_model"]["effects"]["follow_up_att_pp"] < 0
    gestures = _read(folder, "gestures.csv")
    templated = {g["employee_id"] for g in truth["templated_givers"]}
    mine = gestures[gestures.employee_id.isin(templated)]
    assert mine.description.nunique() == 1


def test_simulate_business_thanks_a_customer_for_the_years_they_have_really_been_with_us(
    folder: Path,
) -> None:
    from carpe.simulate.gestures import NUMBER_WORDS

    gestures = _read(folder, "gestures.csv")
    calls = gestures[gestures.description.str.startswith("Called to thank them")]
    assert len(calls) > 0
    started = _read(folder, "accounts.csv").set_index("account_id").started_on
    for row in calls.itertuples():
        days = (pd.Timestamp(row.given_on[:10]) - pd.Timestamp(started[row.account_id])).days
        said = str(row.description)
        if days < 365:
            assert "choosing us this year" in said, (row.account_id, days, said)
        elif days < 730:
            assert "a year with us" in said, (row.account_id, days, said)
        else:
            years = days // 365
            word = NUMBER_WORDS[years - 2] if years <= 10 else str(years)
            assert f" {word} years with us" in said, (row.account_id, days, said)


def test_simulate_business_has_no_activity_after_an_account_ended(folder: Path) -> None:
    accounts = _read(folder, "accounts.csv")
    ended = accounts[accounts.ended_on != ""].set_index("account_id").ended_on
    assert len(ended) > 0
    for name, column in [
        ("touchpoints.csv", "occurred_at"),
        ("orders.csv", "ordered_at"),
        ("orders.csv", "delivered_on"),
        ("invoices.csv", "issued_on"),
        ("invoices.csv", "paid_on"),
        ("feedback.csv", "received_at"),
        ("gestures.csv", "given_on"),
        ("quotes.csv", "issued_at"),
    ]:
        frame = _read(folder, name)
        frame = frame[frame.account_id.isin(ended.index) & (frame[column] != "")]
        assert (frame[column].str[:10] <= frame.account_id.map(ended)).all(), (name, column)


def test_simulate_business_without_conflicts_is_naturally_clean(clean: Path) -> None:
    assert _truth(clean)["conflicts"] == []
    invoices = _read(clean, "invoices.csv")
    orders = _read(clean, "orders.csv").set_index("order_id")
    live = invoices[invoices.status != "void"]
    assert live.order_id.is_unique
    amount = pd.to_numeric(live.amount)
    assert (amount.values <= pd.to_numeric(orders.loc[live.order_id, "amount"]).values).all()
    assert (orders.loc[live.order_id, "status"].isin(["delivered", "open"])).all()
    kpis = _read(clean, "kpis.csv")
    wide = kpis.pivot_table(
        index=["account_id", "period"], columns="metric", values="value", aggfunc="first"
    )
    healthy = pd.to_numeric(wide.get("pipeline_health"), errors="coerce") >= 70
    disputes = pd.to_numeric(wide.get("dispute_count"), errors="coerce") >= 1
    assert not (healthy & disputes).any()


def test_simulate_business_keeps_the_risk_of_a_leaving_owners_accounts_before_they_leave(
    tmp_path: Path,
) -> None:
    """Only the handover month is held for the successor's introduction, not the months before.

    Holding every earlier month would make whoever leaves look like a perfect
    keeper of customers (none of their accounts could leave while they served them).
    """
    folder = _run(tmp_path, accounts=800, months=24)
    truth = _truth(folder)
    left = {d["employee_id"]: d["left_on"] for d in truth["departed_owners"]}
    assert left
    touchpoints = _read(folder, "touchpoints.csv")
    accounts = _read(folder, "accounts.csv").set_index("account_id")
    served = touchpoints[touchpoints.employee_id.isin(left)]
    pairs = served.groupby(["account_id", "employee_id"]).occurred_at.min().reset_index()
    pairs = pairs[pairs.occurred_at.str[:10] < pairs.employee_id.map(left)]
    ended = pairs.account_id.map(accounts.ended_on)
    before = (ended != "") & (ended < pairs.employee_id.map(left))
    assert before.sum() >= 3, f"{before.sum()} of {len(pairs)} accounts left before their owner"
    introduced = set(touchpoints[touchpoints.subject == "Introduction"].account_id)
    assert introduced and not introduced & set(pairs.account_id[before])


def test_simulate_business_records_each_employees_true_effect_on_sentiment(folder: Path) -> None:
    """Every employee has a recorded effect; specialists' touchpoints read warmer than others'."""
    truth = _truth(folder)
    effects = {e["employee_id"]: e for e in truth["sentiment_effects"]}
    assert set(effects) == set(_read(folder, "employees.csv").employee_id)
    lifted = {e for e, x in effects.items() if x["lift"] > 0}
    assert lifted == {s["employee_id"] for s in truth["specialists"]}
    dropping = {e for e, x in effects.items() if x["drop"] > 0}
    assert all(effects[e]["drop_from"] for e in dropping)
    assert dropping <= {d["employee_id"] for d in truth["declining_employees"]}
    tp = _read(folder, "touchpoints.csv")
    tp = tp[tp.sentiment != ""].assign(sentiment=lambda t: t.sentiment.astype(float))
    tp = tp[tp.employee_id.map(lambda e: effects.get(e, {"drop": 1.0})["drop"] == 0)]
    by_kind = tp.groupby(["kind", tp.employee_id.isin(lifted)]).sentiment.mean().unstack()
    gap = (by_kind[True] - by_kind[False]).dropna()
    assert (gap > 0.05).mean() >= 0.75, gap
