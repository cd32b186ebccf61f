"""An analysis killed midway is marked failed on the next start; earlier results stay.

Repeats the probe: ``kill -9`` of ``carpe analyze`` while it runs left the run
"running" forever. Now the next start of carpe sees that the run's process has
gone and marks it failed, while the risk list still shows the last finished run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from carpe.cli import app
from carpe.context import Carpe
from carpe.services.analysis import run_analysis
from carpe.services.data import import_data
from carpe.services.risk import list_risk
from carpe.store.analysis import AnalysisRun
from carpe.store.models import utc_now
from tests.factories import simulated_business

SEED = 5  # the simulated business's seed
END = date(2026, 3, 1)


def statuses(engine: Engine) -> dict[int, str]:
    with Session(engine) as session:
        rows = session.execute(select(AnalysisRun.id, AnalysisRun.status)).all()
    return {run_id: status for run_id, status in rows}


def wait_for_a_running_run(engine: Engine, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 900  # a loaded machine takes long to start a process
    while time.monotonic() < deadline:
        running = [i for i, status in statuses(engine).items() if status == "running"]
        if running:
            return running[0]
        if process.poll() is not None:
            errors = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"the analysis ended before it could be killed: {errors}")
        time.sleep(0.02)
    raise AssertionError("no analysis run started")


def test_a_killed_analysis_is_marked_failed_and_the_last_results_stay(
    carpe: Carpe, store_url: str, tmp_path: Path
) -> None:
    folder = simulated_business(tmp_path / "sim", accounts=120, seed=SEED, end=END)
    import_data(engine=carpe.engine, folder=folder, today=END)
    first = run_analysis(engine=carpe.engine, today=END, workdir=tmp_path / "work1")
    with Session(carpe.engine) as session:
        before = list_risk(session=session, top=10)
    assert before

    env = {**os.environ, "CARPE_ENVIRONMENT": "test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "carpe.cli", "--db", store_url, "analyze"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        killed = wait_for_a_running_run(carpe.engine, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        process.kill()
        process.wait(timeout=60)
        if process.stderr is not None:
            process.stderr.close()
    assert statuses(carpe.engine)[killed] == "running"  # nobody could say otherwise yet

    result = CliRunner().invoke(app, ["--db", store_url, "risk", "--top", "10"])  # reads only
    assert result.exit_code == 0, result.output
    assert statuses(carpe.engine)[killed] == "running"
    started = CliRunner().invoke(app, ["--db", store_url, "init"])  # the next writing start
    assert started.exit_code == 0, started.output
    assert statuses(carpe.engine) == {first.run_id: "finished", killed: "failed"}
    with Session(carpe.engine) as session:
        after = list_risk(session=session, top=10)
        note = session.get(AnalysisRun, killed)
        assert note is not None and note.summary is not None
        assert "stopped before it finished" in note.summary
    assert [(r.account_id, r.rank) for r in after] == [(r.account_id, r.rank) for r in before]
    assert before[0].account_id in result.stdout


def test_a_run_whose_process_is_alive_is_left_running(carpe: Carpe, store_url: str) -> None:
    from carpe.services.runs import begin_run

    run_id, lock = begin_run(
        engine=carpe.engine,
        run=AnalysisRun(as_of=END, engine="duckdb", horizon_days=90, started_at=utc_now()),
    )
    try:
        result = CliRunner().invoke(app, ["--db", store_url, "init"])  # another start meanwhile
        assert result.exit_code == 0, result.output
        assert statuses(carpe.engine)[run_id] == "running"
    finally:
        lock.release()
    CliRunner().invoke(app, ["--db", store_url, "init"])
    assert statuses(carpe.engine)[run_id] == "failed"  # released without finishing: it died
