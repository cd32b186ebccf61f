"""The pipeline step on a small simulated business, read by DuckDB straight from its CSV files."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pytest

from carpe.analytics.pipeline import PIPELINE, Context, DuckDBEngine, RunOptions
from carpe.analytics.pipeline.specialists_step import (
    NEEDS,
    SpecialistsStep,
    _account_kpis,
    _handling,
    _kpi_months,
    gather_inputs,
)
from carpe.analytics.specialists import SpecialistsResult, Windows
from carpe.simulate import simulate_business

SEED = 7
END = date(2026, 3, 31)


def read_simulation(folder: Path) -> tuple[Any, dict[str, Any]]:
    """The simulator's CSV files as DuckDB tables (no follow-ups: an empty table)."""
    backend = ibis.duckdb.connect()
    tables = {
        name: backend.read_csv(str(folder / f"{name}.csv"), table_name=name)
        for name in NEEDS
        if name != "follow_ups"
    }
    tables["follow_ups"] = ibis.memtable(
        {"employee_id": ["-"], "due_on": [date(2000, 1, 1)], "status": ["open"]}
    ).filter(ibis._.employee_id != "-")
    return backend, tables


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[SpecialistsResult, dict[str, Any]]:
    print(f"seed {SEED}")
    folder = tmp_path_factory.mktemp("sim")
    simulate_business(folder, kind="b2b", accounts=300, months=24, seed=SEED, end=END)
    backend, tables = read_simulation(folder)
    context = Context(engine=DuckDBEngine(backend), options=RunOptions(as_of=date(2026, 4, 1)),
                      tables=tables)  # fmt: skip
    result = SpecialistsStep().run(context)
    truth = json.loads((folder / "ground_truth.json").read_text())
    return result, truth


def test_specialists_step_is_registered() -> None:
    assert "specialists" in PIPELINE.names
    assert PIPELINE["specialists"].reads["touchpoints"] == NEEDS["touchpoints"]


def test_specialists_step_lists_every_employee_sorted_by_effect(
    simulated: tuple[SpecialistsResult, dict[str, Any]],
) -> None:
    result, _truth = simulated
    assert result.windows.outcome_days == 365
    ids = [s.employee_id for s in result.specialists]
    assert len(ids) == len(set(ids)) > 10
    effects = [s.effect for s in result.specialists if s.effect == s.effect]
    assert effects == sorted(effects, reverse=True)
    for s in result.specialists:
        if s.effect == s.effect:
            assert s.ci_low <= s.effect <= s.ci_high
        assert not s.flagged or s.effect > 0


def test_specialists_step_finds_praise_by_name_for_the_heroes(
    simulated: tuple[SpecialistsResult, dict[str, Any]],
) -> None:
    result, truth = simulated
    praised = {m.employee_id for m in result.mentions if m.source == "feedback"}
    heroes = {h["hero_employee_id"] for h in truth["hero_episodes"]}
    assert heroes and heroes <= praised


def test_specialists_step_sees_declining_engagement_and_key_people(
    simulated: tuple[SpecialistsResult, dict[str, Any]],
) -> None:
    result, truth = simulated
    declining = {e.employee_id for e in result.engagement if e.declining}
    planted = {d["employee_id"] for d in truth["declining_employees"]}
    assert planted and planted <= declining
    assert result.dependences and all(0 < d.share <= 1 for d in result.dependences)
    owners = {d.owner_employee_id for d in result.dependences}
    assert {d.employee_id for d in result.dependences} - owners  # non-owners hold accounts too


def test_specialists_step_aggregates_the_monthly_model_inputs(tmp_path: Path) -> None:
    print(f"seed {SEED}")
    simulate_business(tmp_path, kind="b2b", accounts=120, months=12, seed=SEED, end=END)
    backend, tables = read_simulation(tmp_path)
    as_of = date(2026, 4, 1)
    options = RunOptions(as_of=as_of)
    context = Context(engine=DuckDBEngine(backend), options=options, tables=tables)
    inputs = gather_inputs(context)
    w = inputs.windows
    first = inputs.first_involvement
    days = pd.to_datetime(first["first_at"]).dt.date
    assert len(first) and days.min() >= w.exposure_start and days.max() < as_of
    assert not first.duplicated(["account_id", "employee_id"]).any()
    months = inputs.account_months
    assert not months.duplicated(["account_id", "month"]).any()
    lo = w.exposure_start.year * 12 + w.exposure_start.month - 1
    assert months["month"].between(lo, as_of.year * 12 + as_of.month - 1).all()
    touchpoints = pd.read_csv(tmp_path / "touchpoints.csv", usecols=["occurred_at"])
    at = pd.to_datetime(touchpoints["occurred_at"])
    inside = (at >= pd.Timestamp(w.exposure_start)) & (at < pd.Timestamp(as_of))
    assert months["touches"].sum() == inside.sum()
    feedback = pd.read_csv(tmp_path / "feedback.csv", usecols=["survey", "score"])
    assert 0 < months["nps_n"].sum() <= (feedback["survey"] == "nps").sum()
    assert inputs.account_kpis.empty  # the owners' health reports are an option
    health = gather_inputs(context, health_kpis=True).account_kpis
    assert len(health) and set(health["metric"]) <= {"pipeline_health", "health_score"}
    assert health["month"].between(lo, as_of.year * 12 + as_of.month - 1).all()


def test_specialists_step_reads_the_owner_departments_health_by_month() -> None:
    """Only the owner's department's reports count; a week counts in its Thursday's month."""
    backend = ibis.duckdb.connect()
    tables = {
        "accounts": ibis.memtable({"account_id": ["A1", "A2"], "owner_employee_id": ["E1", "E2"]}),
        "employees": ibis.memtable(
            {"employee_id": ["E1", "E2"], "department": ["Sales", "Customer Success"]}
        ),
        "kpis": ibis.memtable(
            {
                "department": ["Sales", "Sales", "Sales", "Support", "Customer Success", "Sales"],
                "account_id": ["A1", "A1", "A1", "A1", "A2", "A2"],
                "period": ["2026-01", "2026-01", "2026-W05", "2026-01", "2025-12", "2026-01"],
                "metric": ["pipeline_health"] * 3 + ["csat", "health_score", "pipeline_health"],
                "value": [80.0, 60.0, 50.0, 2.0, 75.0, 10.0],
            }
        ),
    }
    w = Windows(date(2026, 3, 1), date(2025, 9, 1), date(2025, 12, 1), date(2025, 3, 1))
    context = Context(engine=DuckDBEngine(backend), options=RunOptions(as_of=w.as_of),
                      tables=tables)  # fmt: skip
    months = _kpi_months(context, w)
    assert months == {"2026-01": 2026 * 12, "2026-W05": 2026 * 12, "2025-12": 2025 * 12 + 11}
    frame = context.execute(_account_kpis(tables, months)).sort_values(["account_id", "month"])
    rows = frame[["account_id", "month", "metric", "value_sum", "value_n"]].values.tolist()
    assert rows == [
        ["A1", 2026 * 12, "pipeline_health", 190.0, 3],  # Support's csat is not the owner's
        ["A2", 2025 * 12 + 11, "health_score", 75.0, 1],  # Sales does not own A2
    ]


def test_specialists_step_times_each_problem_to_its_reply_and_sees_it_come_back() -> None:
    """E1 replies in 1 day and the account is back 10 days later; E2 replies in 7 days, not back;
    E3's problem has no reply; a reply before the problem does not count; E2's order is late."""
    backend = ibis.duckdb.connect()
    at = pd.to_datetime
    touchpoints = pd.DataFrame(
        {
            "touchpoint_id": ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"],
            "account_id": ["A1", "A1", "A1", "A2", "A2", "A3", "A3", "A1"],
            "employee_id": ["E1", "E1", "E9", "E2", "E2", "E3", "E3", "E1"],
            "kind": ["ticket"] * 7 + ["call"],
            "direction": [
                "inbound",
                "outbound",
                "inbound",
                "inbound",
                "outbound",
                "outbound",
                "inbound",
                "outbound",
            ],
            "occurred_at": at(
                [
                    "2026-01-05",
                    "2026-01-06",
                    "2026-01-16",
                    "2026-01-01",
                    "2026-01-08",
                    "2026-01-01",
                    "2026-01-02",
                    "2026-01-10",
                ]
            ),
        }
    )
    orders = pd.DataFrame(
        {
            "employee_id": ["E2", "E2", None],
            "promised_on": at(["2026-01-10", "2026-01-10", "2026-01-10"]).date,
            "delivered_on": at(["2026-01-09", "2026-01-20", "2026-01-30"]).date,
        }
    )
    tables = {"touchpoints": ibis.memtable(touchpoints), "orders": ibis.memtable(orders)}
    w = Windows(date(2026, 3, 1), date(2025, 9, 1), date(2025, 3, 1), date(2025, 3, 1))
    frame = backend.execute(_handling(tables, w)).set_index("employee_id").sort_index()
    print(frame)
    assert frame.loc["E1", ["problems", "replied", "reopened"]].tolist() == [1, 1, 1]
    assert frame.loc["E1", "log_days_sum"] == pytest.approx(math.log(2.0))
    assert frame.loc["E2", ["problems", "replied", "reopened"]].tolist() == [1, 1, 0]
    assert frame.loc["E2", "log_days_sum"] == pytest.approx(math.log(8.0))
    assert frame.loc["E2", ["own_orders", "own_late"]].tolist() == [2, 1]
    assert frame.loc["E3", ["problems", "replied"]].tolist() == [1, 0]
    assert frame.loc["E9", ["problems", "replied", "reopened"]].tolist() == [1, 0, 0]
