"""Conflict detection on the store: the detectors' settings, and detect-and-record.

``detect_and_record`` runs the conflicts step through the pipeline runner
(:func:`carpe.services.analysis.analyze_store`); the step's optional input, the
churn risk that weighs severity, is the latest stored risk list (its declared
loader), unless early warning runs too. What it finds is recorded with
:func:`carpe.services.conflict_records.record_conflicts`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from carpe.analytics.conflicts import ConflictReport, DetectorSettings
from carpe.analytics.pipeline import RunOptions
from carpe.config import Settings
from carpe.services.analysis import analyze_store
from carpe.services.conflict_records import RecordSummary, record_conflicts
from carpe.services.runs import default_as_of

STEP: Final = "conflicts"


def detector_settings(settings: Settings) -> DetectorSettings:
    """The conflict detectors' thresholds from carpe's settings (``CARPE_CONFLICT_*``).

    Parameters
    ----------
    settings : Settings
        carpe's configuration.

    Returns
    -------
    DetectorSettings
        Everything not configurable from the environment keeps its default.
    """
    return DetectorSettings(
        duplicate_days=settings.conflict_duplicate_days,
        duplicate_window_days=settings.conflict_duplicate_window_days,
        amount_tolerance=settings.conflict_amount_tolerance,
        lead_time_slip_z=settings.conflict_lead_time_slip_z,
        lead_time_keep_z=settings.conflict_lead_time_keep_z,
        price_spread_z=settings.conflict_price_spread_z,
        handoff_min_days=settings.conflict_handoff_min_days,
        handoff_usual_quantile=settings.conflict_handoff_usual_quantile,
        reopen_min_days=settings.conflict_reopen_min_days,
        reopen_usual_quantile=settings.conflict_reopen_usual_quantile,
        kpi_tail=settings.conflict_kpi_tail,
        kpi_min_departments=settings.conflict_kpi_min_departments,
        kpi_min_months=settings.conflict_kpi_min_months,
    )


def detect_and_record(
    *,
    engine: Engine,
    engine_name: str = "duckdb",
    as_of: date | None = None,
    today: date | None = None,
    workdir: Path | None = None,
    settings: DetectorSettings | None = None,
) -> tuple[ConflictReport, RecordSummary]:
    """Snapshot the store, detect conflicts as of a day and record them.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    engine_name : {"duckdb", "spark"}, default "duckdb"
        The analytics engine.
    as_of : date, optional
        Default: the day after the last touchpoint (at most today).
    today : date, optional
        Today, for the default as-of day.
    workdir : Path, optional
        Keep the snapshot here (a temporary folder by default, removed).
    settings : DetectorSettings, optional
        The detectors' thresholds (see :func:`detector_settings`).

    Returns
    -------
    tuple of ConflictReport and RecordSummary
        What was found and what changed in the store.

    Raises
    ------
    UsageError
        For an unknown engine, or Spark without the ``carpe[spark]`` extra.
    """
    day = as_of or default_as_of(engine=engine, today=today or date.today())
    result, _ = analyze_store(
        engine=engine,
        options=RunOptions(as_of=day, conflicts=settings),
        steps=[STEP],
        engine_name=engine_name,
        workdir=workdir,
    )
    report = result.output(ConflictReport)
    assert report is not None
    with Session(engine) as session, session.begin():
        summary = record_conflicts(session=session, report=report)
    return report, summary
