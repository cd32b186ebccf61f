"""The analytics pipeline: store snapshot → Ibis features on DuckDB or Spark → models.

Modules:

``snapshot``
    Store tables → Parquet, streamed in batches.
``engines``
    An Ibis connection on DuckDB (default) or a local Spark session.
``features``
    Per-account features as of dates, as Ibis expressions (same on every engine).
``labels``
    "Left within the horizon" labels and the training dates whose labels are known.
``context``
    :class:`RunOptions`, :class:`Context` and the :class:`Step` protocol.
``risk``
    The features and early-warning steps, and a backtest.
``run``
    The step registry and :func:`run_pipeline`.

See docs/analytics.md.
"""

from carpe.analytics.early_warning import Driver
from carpe.analytics.pipeline.context import Context, RunOptions, Step
from carpe.analytics.pipeline.engines import ENGINES, close_engine, connect_engine
from carpe.analytics.pipeline.risk import AccountRisk, Features, RiskResult
from carpe.analytics.pipeline.run import (
    STEPS,
    PipelineResult,
    ordered_steps,
    register_step,
    run_pipeline,
    steps_needs,
)
from carpe.analytics.pipeline.snapshot import Snapshot, snapshot_from_folder, snapshot_tables

__all__ = [
    "ENGINES",
    "STEPS",
    "AccountRisk",
    "Context",
    "Driver",
    "Features",
    "PipelineResult",
    "RiskResult",
    "RunOptions",
    "Snapshot",
    "Step",
    "close_engine",
    "connect_engine",
    "ordered_steps",
    "register_step",
    "run_pipeline",
    "snapshot_from_folder",
    "snapshot_tables",
    "steps_needs",
]
