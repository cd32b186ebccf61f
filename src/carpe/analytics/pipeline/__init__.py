"""The analytics pipeline: store snapshot → Ibis features on DuckDB or Spark → models.

Modules:

``snapshot``
    Store tables → Parquet, streamed in batches.
``engines``
    :class:`AnalyticsEngine`: DuckDB (default) or a local Spark session, passed
    to the runner as an object.
``features``
    Per-account features as of dates, as Ibis expressions (same on every engine).
``labels``
    "Left within the horizon" labels and the training dates whose labels are known.
``context``
    :class:`RunOptions`, a step's :class:`Context`, and :class:`Step`, a step's declaration.
``risk``
    The features and early-warning steps, and a backtest.
``steps``
    Every step, declared in one place: :data:`PIPELINE`.
``run``
    :class:`Pipeline`, the one runner: all steps or a chosen few, with what they need.

See docs/analytics.md.
"""

from carpe.analytics.early_warning import Driver
from carpe.analytics.pipeline.context import Context, RunOptions, Step
from carpe.analytics.pipeline.engines import (
    ENGINES,
    AnalyticsEngine,
    DuckDBEngine,
    SparkEngine,
    open_engine,
)
from carpe.analytics.pipeline.risk import AccountRisk, Features, RiskResult
from carpe.analytics.pipeline.run import Loader, Pipeline, PipelineResult, open_tables
from carpe.analytics.pipeline.snapshot import Snapshot, snapshot_from_folder, snapshot_tables
from carpe.analytics.pipeline.steps import PIPELINE
from carpe.analytics.pipeline.stories_step import StoriesResult

__all__ = [
    "ENGINES",
    "PIPELINE",
    "AccountRisk",
    "AnalyticsEngine",
    "Context",
    "Driver",
    "DuckDBEngine",
    "Features",
    "Loader",
    "Pipeline",
    "PipelineResult",
    "RiskResult",
    "RunOptions",
    "Snapshot",
    "SparkEngine",
    "Step",
    "StoriesResult",
    "open_engine",
    "open_tables",
    "snapshot_from_folder",
    "snapshot_tables",
]
