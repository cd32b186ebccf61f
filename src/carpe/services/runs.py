"""Analysis run bookkeeping: start, finish or fail a run, store step outputs, find the latest.

:func:`begin_run` writes a run ``running`` and holds its lock; :func:`finish_run`
and :func:`fail_run` close it; :func:`write_outputs` stores a step's rows under
it; :func:`latest_run` is the one pages read. The orchestration (which steps run
and what they store) is :mod:`carpe.services.analysis`.

Runs outlive their process: a run is written ``running`` while its process holds the store lock
``analysis-run-<id>`` (see :mod:`carpe.store.locks`). A process killed midway
(``kill -9``, the machine stopping) drops the lock with it, so the next start
of carpe finds a ``running`` run whose lock is free and marks it ``failed``.
Pages and the API read the latest *finished* run, so the previous results stay
readable meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.orm import Session

from carpe.errors import StoreError
from carpe.store.analysis import AnalysisOutput, AnalysisRun
from carpe.store.locks import HeldLock, try_lock
from carpe.store.models import Touchpoint, utc_now

INSERT_BATCH = 10_000
"""Rows per plain insert statement when a run writes its results."""

INTERRUPTED = "stopped before it finished: its process ended (killed, or the machine stopped)"


def _lock_name(run_id: int) -> str:
    return f"analysis-run-{run_id}"


def begin_run(*, engine: Engine, run: AnalysisRun) -> tuple[int, HeldLock]:
    """Write ``run`` as running and hold its lock until the caller releases it.

    Runs interrupted earlier are marked failed first. The lock is taken before
    the run is committed, so nobody ever sees it running without its lock.

    Returns
    -------
    tuple of (int, HeldLock)
        The run's id and its lock; release the lock once the run is finished or failed.
    """
    recover_interrupted_runs(engine=engine)
    with Session(engine) as session, session.begin():
        run.status = "running"
        session.add(run)
        session.flush()
        run_id = run.id
        lock = try_lock(engine, _lock_name(run_id), remove=True)
        if lock is None:  # pragma: no cover - a new id's lock is free
            raise StoreError(f"analysis run {run_id} is locked by another process")
    return run_id, lock


def recover_interrupted_runs(*, engine: Engine) -> list[int]:
    """Mark failed every ``running`` run whose process has ended; return their ids.

    Safe while other runs work: a run whose process is alive holds its lock and
    is left alone, and a run that finishes meanwhile is not touched.
    """
    with Session(engine) as session:
        running = session.scalars(
            select(AnalysisRun.id).where(AnalysisRun.status == "running")
        ).all()
    failed: list[int] = []
    for run_id in running:
        lock = try_lock(engine, _lock_name(run_id), remove=True)
        if lock is None:
            continue  # its process is at work
        try:
            with Session(engine) as session, session.begin():
                changed = session.execute(
                    update(AnalysisRun)
                    .where(AnalysisRun.id == run_id, AnalysisRun.status == "running")
                    .values(
                        status="failed",
                        finished_at=utc_now(),
                        summary=json.dumps({"note": INTERRUPTED}),
                    )
                )
                if getattr(changed, "rowcount", 0):
                    failed.append(run_id)
        finally:
            lock.release()
    return failed


def start_run(
    *, engine: Engine, as_of: date, engine_name: str, horizon_days: int
) -> tuple[int, HeldLock]:
    """Write a new run ``running`` (see :func:`begin_run`) and return its id and lock."""
    run = AnalysisRun(
        as_of=as_of, engine=engine_name, horizon_days=horizon_days, started_at=utc_now()
    )
    return begin_run(engine=engine, run=run)


def finish_run(*, session: Session, run_id: int, summary: dict[str, Any]) -> None:
    """Mark a run finished with its summary (JSON), in the caller's transaction."""
    run = session.get(AnalysisRun, run_id)
    assert run is not None
    run.status = "finished"
    run.finished_at = utc_now()
    run.summary = json.dumps(summary, default=str)


def fail_run(*, engine: Engine, run_id: int) -> None:
    """Mark a run failed, in its own transaction (the run's own may have been rolled back)."""
    with Session(engine) as session, session.begin():
        run = session.get(AnalysisRun, run_id)
        if run is not None:
            run.status = "failed"
            run.finished_at = utc_now()


def write_outputs(
    *,
    session: Session,
    run_id: int,
    step: str,
    rows: Iterable[tuple[str, str, str]],
) -> int:
    """Store a step's results under a run as :class:`AnalysisOutput` rows, replacing earlier ones.

    Written in batches of plain inserts (no ORM object per row: a run at
    100,000 accounts writes one row per account).

    Parameters
    ----------
    session, run_id, step
        Where the rows go (the caller commits) and under which run and step name.
    rows : iterable of (str, str, str)
        ``(subject_type, subject_id, payload JSON)``.

    Returns
    -------
    int
        Rows written.
    """
    session.execute(
        delete(AnalysisOutput).where(AnalysisOutput.run_id == run_id, AnalysisOutput.step == step)
    )
    values = [
        {
            "run_id": run_id,
            "step": step,
            "subject_type": kind,
            "subject_id": subject,
            "payload": payload,
        }
        for kind, subject, payload in rows
    ]
    for start in range(0, len(values), INSERT_BATCH):
        session.execute(insert(AnalysisOutput), values[start : start + INSERT_BATCH])
    return len(values)


_LATEST_RUN = (
    select(AnalysisRun)
    .where(AnalysisRun.status == "finished")
    .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
    .limit(1)
)


def latest_run(*, session: Session) -> AnalysisRun | None:
    """The most recent finished analysis run, if any."""
    return session.scalars(_LATEST_RUN).first()


def default_as_of(*, engine: Engine, today: date) -> date:
    """The day after the store's last touchpoint, or ``today`` if earlier (or no touchpoints)."""
    with engine.connect() as connection:
        last = connection.execute(select(func.max(Touchpoint.occurred_at))).scalar_one()
    if last is None:
        return today
    if not isinstance(last, datetime):
        last = datetime.fromisoformat(str(last))
    return min(today, last.date() + timedelta(days=1))
