"""What a pipeline step is and what it sees: its declaration, the run's options, its inputs.

A step is declared once, as a :class:`Step`: its name, the snapshot columns it
reads, the outputs of other steps it reads (by their type), the type of the
frozen dataclass it produces, and the function that computes it. The function
is pure: it reads the engine's tables (Ibis) through its :class:`Context` and
the outputs it declared, and returns its output; the services write outputs to
the store. Every step of carpe is declared in :mod:`carpe.analytics.pipeline.steps`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from carpe.analytics.conflicts.model import DetectorSettings
from carpe.analytics.pipeline.engines import AnalyticsEngine
from carpe.analytics.pipeline.labels import HORIZON_DAYS

T = TypeVar("T")


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
    engine : AnalyticsEngine
        The engine (DuckDB or Spark) the tables live on.
    options : RunOptions
        The run's options.
    tables : dict of str to ibis.Table
        The snapshot's tables, by name.
    inputs : mapping of type to object
        The outputs of other steps this step declared, by their type (those of
        its ``optional_inputs`` only when they were computed or loaded).
    """

    engine: AnalyticsEngine
    options: RunOptions
    tables: dict[str, Any]
    inputs: Mapping[type, object] = field(default_factory=dict)

    def execute(self, expression: Any) -> Any:
        """Run an Ibis expression on the engine and return a pandas DataFrame (or a scalar)."""
        return self.engine.execute(expression)

    def output(self, kind: type[T]) -> T:
        """The output of type ``kind`` of a step this one declared in ``inputs``.

        Raises
        ------
        KeyError
            When the step did not declare it (or it is optional and absent).
        """
        found = self.inputs.get(kind)
        if not isinstance(found, kind):
            raise KeyError(f"no {kind.__name__} here: declare it in the step's inputs")
        return found

    def optional_output(self, kind: type[T]) -> T | None:
        """The output of type ``kind`` if it was computed or loaded, else ``None``."""
        found = self.inputs.get(kind)
        return found if isinstance(found, kind) else None


@dataclass(frozen=True, slots=True)
class Step(Generic[T]):
    """One analysis step, declared once.

    Attributes
    ----------
    name : str
        Unique name (``carpe analyze --steps NAME``).
    reads : mapping of str to sequence of str
        Snapshot columns it reads, per table (``"*"`` for every column).
    produces : type
        The frozen dataclass it returns; other steps ask for it by this type.
    run : callable
        ``run(context) -> produces``: pure, it opens no connection and writes nothing.
    inputs : tuple of type
        Outputs of other steps it needs: their steps run before it, pulled in
        when not chosen.
    optional_inputs : tuple of type
        Outputs it uses when there are any: computed when their step runs in the
        same run (before it), else loaded from the store by the caller's loader.
    """

    name: str
    reads: Mapping[str, Sequence[str] | str]
    produces: type[T]
    run: Callable[[Context], T]
    inputs: tuple[type, ...] = ()
    optional_inputs: tuple[type, ...] = ()
