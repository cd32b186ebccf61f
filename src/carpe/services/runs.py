"""Analysis runs that outlive their process: each running run holds a lock while it works.

A run is written ``running`` while its process holds the store lock
``analysis-run-<id>`` (see :mod:`carpe.store.locks`). A process killed midway
(``kill -9``, the machine stopping) drops the lock with it, so the next start
of carpe finds a ``running`` run whose lock is free and marks it ``failed``.
Pages and the API read the latest *finished* run, so the previous results stay
readable meanwhile.
"""

from __future__ import annotations

import json

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from carpe.errors import StoreError
from carpe.store.analysis import AnalysisRun
from carpe.store.locks import HeldLock, try_lock
from carpe.store.models import utc_now

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
