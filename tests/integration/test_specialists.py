"""Specialists on the store (SQLite and PostgreSQL): analyse, store in analysis_outputs, read back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carpe.context import Carpe
from carpe.errors import ForbiddenError
from carpe.ingest import import_folder
from carpe.services import specialists
from carpe.services.permissions import Viewer
from carpe.simulate import simulate_business
from carpe.store.analysis import AnalysisOutput, AnalysisRun

SEED = 11
MANAGER = Viewer(user_id=1, username="mona", role="manager", employee_id=None)
FRONTLINE = Viewer(user_id=2, username="ana", role="frontline", employee_id="E00001")


@pytest.fixture
def analysed(carpe: Carpe, tmp_path: Path) -> tuple[Carpe, int, dict[str, object]]:
    print(f"seed {SEED}")
    simulate_business(tmp_path / "sim", kind="b2b", accounts=150, months=24, seed=SEED,
                      end=date(2026, 3, 31))  # fmt: skip
    import_folder(tmp_path / "sim", engine=carpe.engine)
    run_id = specialists.analyze_specialists(engine=carpe.engine, today=date(2026, 11, 1))
    truth = json.loads((tmp_path / "sim" / "ground_truth.json").read_text())
    return carpe, run_id, truth


def test_analyze_specialists_stores_the_result_and_managers_read_it_back(
    analysed: tuple[Carpe, int, dict[str, object]],
) -> None:
    carpe, run_id, truth = analysed
    with carpe.unit_of_work() as uow:
        run = uow.session.get(AnalysisRun, run_id)
        assert run is not None and run.status == "finished"
        assert run.as_of == date(2026, 4, 1)  # the day after the last touchpoint
        stored = uow.session.scalar(
            select(func.count()).where(
                AnalysisOutput.run_id == run_id, AnalysisOutput.subject_type == "employee"
            )
        )
        view = specialists.load_specialists(session=uow.session, viewer=MANAGER)
    assert view.run_id == run_id
    assert view.summary["outcome_days"] == 365
    rows = view.specialists
    assert stored == len(rows) > 10
    effects = [r["effect"] for r in rows if r["effect"] is not None]
    assert effects == sorted(effects, reverse=True)
    assert {"employee_id", "name", "department", "ci_low", "ci_high", "components",
            "praise_mentions", "dependent_value", "flagged"} <= set(rows[0])  # fmt: skip
    assert sum(r["praise_mentions"] for r in rows) > 0
    assert view.board and view.board[0]["employee_name"]
    declining = {e["employee_id"] for e in view.engagement if e["declining"]}
    assert {d["employee_id"] for d in truth["declining_employees"]} <= declining  # type: ignore[attr-defined]

    second = specialists.analyze_specialists(engine=carpe.engine, as_of=date(2026, 3, 1))
    with carpe.unit_of_work() as uow:
        assert specialists.latest_specialists_run(session=uow.session) == second
        old = specialists.load_specialists(session=uow.session, viewer=MANAGER, run_id=run_id)
        new = specialists.load_specialists(session=uow.session, viewer=MANAGER)
    assert old.summary["as_of"] == "2026-04-01" and new.summary["as_of"] == "2026-03-01"


def test_load_specialists_refuses_frontline_and_is_empty_before_any_run(carpe: Carpe) -> None:
    with carpe.unit_of_work() as uow:
        with pytest.raises(ForbiddenError):
            specialists.load_specialists(session=uow.session, viewer=FRONTLINE)
        assert specialists.load_specialists(session=uow.session, viewer=MANAGER).run_id is None
