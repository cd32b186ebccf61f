"""What every pipeline step sees: the run's options, the engine's tables, earlier results.

A *step* is any object with a ``name``, the snapshot columns it ``needs``, the
names of the steps it ``requires`` before it, and ``run(context) -> result``.
Steps are pure: they read the engine's tables (Ibis) and earlier steps' results
and return a result object; the service writes results to the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

import ibis
import pyarrow as pa

from carpe.analytics.conflicts.model import DetectorSettings
from carpe.analytics.pipeline.labels import HORIZON_DAYS


@dataclass(frozen=True, slots=True)
class RunOptions:
    """Options of one analysis run.

    Attributes
    ----------
    as_of : date
        Score as of the start of this day: nothing on or after it is used.
    horizon_days : int
        Horizon of "leaves within" for early warning.
    training_months : int
        Monthly as-of snapshots the early-warning model trains on.
    top_drivers : int
        Reasons kept per account.
    seed : int
        Seed of everything random in the models.
    max_training_rows : int
        The early-warning model fits on at most this many past account-months:
        beyond it, every leaver and a random sample of the stayers, each
        sampled row weighted by how many it stands for.
    conflicts : DetectorSettings, optional
        The conflict detectors' thresholds (default: their defaults).
    """

    as_of: date
    horizon_days: int = HORIZON_DAYS
    training_months: int = 12
    top_drivers: int = 3
    seed: int = 0
    max_training_rows: int = 200_000
    conflicts: DetectorSettings | None = None


@dataclass(slots=True)
class Context:
    """The state a step runs in.

    Attributes
    ----------
    backend : ibis.BaseBackend
        The engine's connection (DuckDB or Spark).
    engine : str
        ``"duckdb"`` or ``"spark"``.
    options : RunOptions
        The run's options.
    tables : dict of str to ibis.Table
        The snapshot's tables, by name.
    results : dict of str to object
        Results of the steps that already ran, by step name.
    """

    backend: Any
    engine: str
    options: RunOptions
    tables: dict[str, Any]
    results: dict[str, Any] = field(default_factory=dict)

    def execute(self, expression: Any) -> Any:
        """Run an Ibis expression on the engine and return a pandas DataFrame.

        On DuckDB a table comes back through Arrow (a few times faster than
        Ibis' own conversion for millions of rows), with the types Ibis would
        give: dates as ``datetime64[s]``. Other expressions and engines go
        through Ibis.
        """
        if self.engine != "duckdb" or not isinstance(expression, ibis.expr.types.Table):
            return self.backend.execute(expression)
        table = self.backend.to_pyarrow(expression)
        frame = table.to_pandas(date_as_object=False)
        for column in table.schema:
            if pa.types.is_date(column.type):
                frame[column.name] = frame[column.name].astype("datetime64[s]")
        return frame

    def result(self, step: str) -> Any:
        """The result of an earlier step (a ``KeyError`` names the missing one)."""
        if step not in self.results:
            raise KeyError(f"step {step!r} has not run; declare it in 'requires'")
        return self.results[step]


@runtime_checkable
class Step(Protocol):
    """One analysis inside the pipeline.

    Attributes
    ----------
    name : str
        Unique name; its result is ``context.results[name]``.
    needs : mapping of str to sequence of str
        Snapshot columns it reads, per table (``"*"`` for every column).
    requires : sequence of str
        Steps that must run before it.
    """

    @property
    def name(self) -> str:
        """Unique name of the step."""
        ...

    @property
    def needs(self) -> Mapping[str, Sequence[str] | str]:
        """Snapshot columns read, per table."""
        ...

    @property
    def requires(self) -> Sequence[str]:
        """Steps that must run first."""
        ...

    def run(self, context: Context) -> Any:
        """Compute the step's result from ``context``."""
        ...
