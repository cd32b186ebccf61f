"""The conflict detectors on tiny hand-made tables: each finds its case and nothing else."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from carpe.analytics.conflicts import (
    DetectorSettings,
    MetricMapping,
    conflict_id,
    detect_conflicts,
    infer_mapping,
    score_severity,
)
from carpe.analytics.conflicts.ledger import build_ledger, period_month
from carpe.vocabulary import CONFLICT_TYPES

AS_OF = date(2026, 4, 1)


def _tables() -> dict[str, pd.DataFrame]:
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3"],
            "owner_employee_id": ["E1", "E1", "E5"],
            "started_on": ["2024-01-01"] * 3,
            "ended_on": [None, None, None],
            "annual_value": [120_000.0, 60_000.0, 24_000.0],
        }
    )
    employees = pd.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3", "E4", "E5"],
            "department": ["Sales", "Billing", "Sales", "Support", "Sales"],
            "left_on": [None, None, "2025-06-01", None, None],
        }
    )
    employees.loc[0, "left_on"] = None
    orders = pd.DataFrame(
        {
            "order_id": ["O1", "O2", "O3", "O4", "O5", "O6", "O7"],
            "account_id": ["A1", "A1", "A1", "A2", "A2", "A2", "A2"],
            "ordered_at": ["2025-01-01T09:00:00", "2025-02-01T09:00:00", "2025-03-01T09:00:00",
                           "2025-01-01T09:00:00", "2025-02-01T09:00:00", "2025-03-01T09:00:00",
                           "2025-04-01T09:00:00"],
            "promised_on": ["2025-01-11", "2025-02-11", "2025-03-11", "2025-01-11",
                            "2025-02-11", "2025-03-11", "2025-04-11"],
            "delivered_on": ["2025-01-11", "2025-02-11", "2025-03-11", "2025-01-11",
                             "2025-02-11", "2025-03-11", "2025-04-11"],
            "amount": [1000.0, 500.0, 800.0, 300.0, 400.0, 450.0, 1100.0],
            "status": ["delivered", "delivered", "returned", "delivered", "delivered",
                       "delivered", "delivered"],
        }
    )  # fmt: skip
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8"],
            "account_id": ["A1", "A1", "A1", "A1", "A2", "A2", "A2", "A2"],
            "order_id": ["O1", "O1", "O2", "O3", "O4", "O4", "O5", "O7"],
            "issued_on": ["2025-01-11", "2025-01-13", "2025-02-11", "2025-03-15", "2025-01-11",
                          "2025-03-20", "2025-02-11", "2025-04-11"],
            "amount": [1000.0, 1000.0, 650.0, 800.0, 300.0, 300.0, 400.0, 1100.0],
            "status": ["paid", "disputed", "open", "open", "paid", "open", "paid", "open"],
            "paid_on": ["2025-02-01", None, None, None, "2025-02-01", None, "2025-03-01", None],
        }
    )  # fmt: skip
    quotes = pd.DataFrame(
        {
            "quote_id": ["Q1", "Q2", "Q3"],
            "account_id": ["A2", "A2", "A1"],
            "employee_id": ["E1", "E1", "E1"],
            "issued_at": ["2026-03-20T10:00:00", "2025-03-28T10:00:00", "2025-01-01T10:00:00"],
            "promised_lead_days": [2, 12, 10],
            "price": [5000.0, 900.0, 1000.0],
            "status": ["open", "won", "won"],
        }
    )
    touchpoints = pd.DataFrame(
        {
            "touchpoint_id": ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "TA", "TB",
                              "TC", "TD"],
            "account_id": ["A2", "A1", "A1", "A1", "A2", "A2", "A2", "A3", "A1", "A2", "A2",
                           "A2", "A2"],
            "employee_id": ["E1", "E4", "E4", "E4", "E4", "E4", "E4", "E3", "E4", "E4", "E4",
                            "E4", "E4"],
            "occurred_at": ["2025-04-01T09:00:00", "2025-05-01T09:00:00", "2025-05-02T09:00:00",
                            "2025-05-03T09:00:00", "2025-05-01T09:00:00", "2025-05-02T09:00:00",
                            "2025-05-04T09:00:00", "2025-05-20T09:00:00", "2025-05-06T09:00:00",
                            "2025-06-01T09:00:00", "2025-06-02T09:00:00", "2025-06-09T09:00:00",
                            "2025-06-10T09:00:00"],
            "kind": ["order", "ticket", "ticket", "ticket", "ticket", "ticket", "ticket", "call",
                     "ticket", "ticket", "ticket", "ticket", "ticket"],
            "direction": ["inbound", "inbound", "outbound", "internal", "inbound", "outbound",
                          "inbound", "outbound", "inbound", "inbound", "outbound", "inbound",
                          "outbound"],
            "subject": ["Order O7 (quote Q2)", "Ticket S1: broken", "Ticket S1: broken",
                        "Ticket S1: broken", "Ticket S2: slow", "Ticket S2: slow",
                        "Ticket S2: slow", "Check-in", "Ticket S1: broken", "Ticket S3: login",
                        "Ticket S3: login", "Ticket S3: login", "Ticket S3: login"],
            "sentiment": [0.1, -0.4, 0.1, 0.0, -0.2, 0.1, 0.3, 0.2, -0.5, -0.3, 0.1, -0.4, 0.2],
        }
    )  # fmt: skip
    kpis = pd.DataFrame(
        {
            "department": ["Sales", "Billing", "Sales", "Billing", "Sales", "Billing"],
            "account_id": ["A1", "A1", "A2", "A2", "A3", "A3"],
            "period": ["2025-01", "2025-01", "2025-01", "2025-01", "2025-01", "2025-W03"],
            "metric": ["pipeline_health", "dispute_count"] * 3,
            "value": [88.0, 1.0, 85.0, 0.0, 40.0, 1.0],
        }
    )
    return {
        "accounts": accounts,
        "employees": employees,
        "orders": orders,
        "invoices": invoices,
        "quotes": quotes,
        "touchpoints": touchpoints,
        "kpis": kpis,
    }


@pytest.fixture
def found() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    disputes = MetricMapping("dispute_count", "lower", 0.0, 0.0, "count")
    settings = DetectorSettings(mappings={"dispute_count": disputes})
    report = detect_conflicts(_tables(), as_of=AS_OF, churn_risk={"A1": 0.5}, settings=settings)
    by_type: dict[str, list[tuple[str, tuple[str, ...]]]] = {t: [] for t in CONFLICT_TYPES}
    for c in report.conflicts:
        ids = c.evidence.invoice_ids or c.evidence.quote_ids or c.evidence.touchpoint_ids
        by_type[c.type].append((c.account_id, ids))
    return by_type


def test_duplicate_invoice_is_the_same_order_billed_twice_within_days(found: dict) -> None:
    assert found["duplicate_invoice"] == [("A1", ("I1", "I2"))]


def test_backbilling_is_an_order_billed_again_after_payment(found: dict) -> None:
    assert found["backbilling"] == [("A2", ("I5", "I6"))]


def test_overbilling_is_an_invoice_above_its_order(found: dict) -> None:
    assert found["overbilling"] == [("A1", ("I3",))]


def test_billing_returned_is_a_returned_order_billed(found: dict) -> None:
    assert found["billing_returned"] == [("A1", ("I4",))]


def test_promise_lead_time_flags_an_open_quote_pre_sale(found: dict) -> None:
    assert found["promise_lead_time"] == [("A2", ("Q1",))]


def test_promise_price_is_an_invoice_above_the_quoted_price(found: dict) -> None:
    assert found["promise_price"] == [("A2", ("I8",))]


def test_promise_price_is_not_raised_when_the_order_kept_the_quoted_price() -> None:
    from carpe.analytics.conflicts.promises import detect_price_promises

    quotes = pd.DataFrame(
        {"quote_id": ["Q1", "Q2"], "account_id": ["A1", "A2"], "employee_id": ["E1", "E1"],
         "issued_at": ["2025-01-01T10:00:00"] * 2, "promised_lead_days": [None, None],
         "price": [1000.0, 1000.0], "status": ["won", "won"]}
    )  # fmt: skip
    orders = pd.DataFrame(
        {"order_id": ["O1", "O2"], "account_id": ["A1", "A2"], "quote_id": ["Q1", "Q2"],
         "amount": [1000.0, 1250.0]}  # O1 booked as quoted, O2 above the quote
    )  # fmt: skip
    invoices = pd.DataFrame(
        {"invoice_id": ["I1", "I2"], "account_id": ["A1", "A2"], "order_id": ["O1", "O2"],
         "issued_on": ["2025-01-20"] * 2, "amount": [1250.0, 1250.0], "status": ["open"] * 2}
    )  # fmt: skip
    found = detect_price_promises(quotes, invoices, None, orders)
    # I1 is above its order (overbilling, the billing detectors' case); I2 broke the quote.
    assert [(c.account_id, c.evidence.invoice_ids) for c in found] == [("A2", ("I2",))]


def _kpi_business() -> dict[str, pd.DataFrame]:
    """40 accounts over 4 months, each department's metric in its own unit and direction.

    A1: Sales reports it well two months running while Support and Billing are
    at their worst (a disagreement); A2: every department dips together
    (agreement); A3: Billing alone in trouble (its own news, a dispute).
    """
    rows = []
    for n in range(40):
        account = f"A{n + 1}"
        for month in ("2025-01", "2025-02", "2025-03", "2025-04"):
            spread = (n * 7 + int(month[-1]) * 3) % 40
            health, csat, disputed = 40.0 + spread, 3.0 + spread / 20, 0.0
            if account == "A1" and month in ("2025-02", "2025-03"):
                health, csat, disputed = 95.0, 1.0, 900.0
            if account == "A2" and month in ("2025-02", "2025-03"):
                health, csat, disputed = 10.0, 1.0, 800.0
            if account == "A3" and month == "2025-02":
                health, disputed = 90.0, 700.0
            rows += [
                ("Sales", account, month, "pipeline_health", health),
                ("Support", account, month, "csat", csat),
                ("Billing", account, month, "disputed_amount", disputed),
            ]
    kpis = pd.DataFrame(rows, columns=["department", "account_id", "period", "metric", "value"])
    accounts = pd.DataFrame(
        {
            "account_id": [f"A{n + 1}" for n in range(40)],
            "owner_employee_id": ["E1"] * 40,
            "started_on": ["2024-01-01"] * 40,
            "ended_on": [None] * 40,
            "annual_value": [12_000.0] * 40,
        }
    )
    employees = pd.DataFrame({"employee_id": ["E1"], "department": ["Sales"], "left_on": [None]})
    return {"kpis": kpis, "accounts": accounts, "employees": employees}


def test_kpi_disagreement_is_one_department_well_while_others_are_at_their_worst() -> None:
    report = detect_conflicts(_kpi_business(), as_of=AS_OF, types=["kpi_disagreement"])
    (conflict,) = report.conflicts
    assert conflict.account_id == "A1" and conflict.evidence.period == "2025-02"
    assert conflict.departments == ("Billing", "Sales", "Support")
    assert "2025-02 to 2025-03" in conflict.evidence.detail


def test_kpi_disagreement_needs_two_months_running() -> None:
    one_month = DetectorSettings(kpi_min_months=3)
    report = detect_conflicts(
        _kpi_business(), as_of=AS_OF, types=["kpi_disagreement"], settings=one_month
    )
    assert report.conflicts == []


def test_a_closed_ticket_alone_is_no_handoff_gap_but_an_unanswered_reopen_is(found: dict) -> None:
    tickets = [ids for _, ids in found["handoff_gap"] if ids]
    assert tickets == [("T4", "T9")]  # S1: closed, the customer complains, nobody answers
    # S2 ends with the customer's thanks; S3's complaint was answered the next day


def test_handoff_gap_finds_the_silent_successor(found: dict) -> None:
    assert ("A3", ()) in found["handoff_gap"]


def test_detectors_accept_arrow_tables_and_give_the_same_ids() -> None:
    tables = _tables()
    arrow = {name: pa.Table.from_pandas(frame) for name, frame in tables.items()}
    a = detect_conflicts(tables, as_of=AS_OF)
    b = detect_conflicts(arrow, as_of=AS_OF)
    assert [c.conflict_id for c in a.conflicts] == [c.conflict_id for c in b.conflicts]


def test_nothing_on_or_after_the_as_of_day_is_used() -> None:
    assert detect_conflicts(_tables(), as_of=date(2025, 1, 1)).conflicts == []
    early = detect_conflicts(_tables(), as_of=date(2025, 1, 13))
    assert "duplicate_invoice" not in {c.type for c in early.conflicts}  # I2 is issued that day


def test_conflict_id_is_stable_and_depends_on_the_evidence() -> None:
    from carpe.analytics.conflicts import Evidence

    one = conflict_id("overbilling", "A1", Evidence(invoice_ids=("I1",), detail="a"))
    same = conflict_id("overbilling", "A1", Evidence(invoice_ids=("I1",), detail="b"))
    other = conflict_id("overbilling", "A1", Evidence(invoice_ids=("I2",)))
    assert one == same != other


def test_severity_grows_with_money_and_with_churn_risk() -> None:
    low = score_severity(100.0, 120_000.0, 0.05)
    more_money = score_severity(20_000.0, 120_000.0, 0.05)
    more_risk = score_severity(100.0, 120_000.0, 0.8)
    assert low < more_money and low < more_risk
    assert 0.0 <= low <= 1.0 and more_money <= 1.0


def test_infer_mapping_reads_direction_and_scale_from_the_distribution() -> None:
    disputes = infer_mapping("disputes_raised", pd.Series([0, 0, 0, 1]))
    routine = infer_mapping("no_shows", pd.Series([0] * 90 + [1] * 10))
    rate = infer_mapping("on_time_rate", pd.Series([0.9, 1.0, 0.5]))
    csat = infer_mapping("csat", pd.Series([4.5, 3.0, 1.0, 5.0]))
    assert (disputes.direction, disputes.transform) == ("lower", "count")
    assert disputes.score(1) < 40 <= disputes.score(0)
    assert routine.score(1) == 100.0  # one in ten months: routine, not trouble
    assert (rate.direction, rate.low, rate.high) == ("higher", 0.0, 1.0)
    assert (csat.low, csat.high) == (1.0, 5.0) and csat.score(2.5) < 40


def test_configured_mappings_win_over_inferred_ones() -> None:
    kpis = pd.DataFrame(
        {"department": ["Ops"], "account_id": ["A1"], "period": ["2026-W09"],
         "metric": ["latency"], "value": [2.0]}
    )  # fmt: skip
    backwards = MetricMapping("latency", "lower", 0.0, 10.0)
    ledger = build_ledger(kpis, settings=DetectorSettings(mappings={"latency": backwards}))
    assert ledger["score"].tolist() == [80.0]
    assert ledger["period"].tolist() == [period_month("2026-W09")] == ["2026-02"]


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown conflict type"):
        detect_conflicts({}, as_of=AS_OF, types=["mystery"])
