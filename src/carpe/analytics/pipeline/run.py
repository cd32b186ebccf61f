"""The pipeline runner: which steps run, in what order, on which tables, with which inputs.

A :class:`Pipeline` holds declared :class:`~carpe.analytics.pipeline.context.Step`
s (carpe's own are :data:`carpe.analytics.pipeline.steps.PIPELINE`).
``pipeline.run(engine=..., snapshot=..., options=..., steps=[...])`` runs all of
them or the chosen few, each after the steps whose outputs it needs (pulled in
when not chosen), and hands each step only the outputs it declared. An optional
input whose step is not part of the run is asked of ``load`` (the service's
loader of stored outputs). Every caller — ``carpe analyze``, conflict detection,
the specialists analysis, tests and benchmarks — runs steps this one way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from carpe.analytics.pipeline.context import Context, RunOptions, Step
from carpe.analytics.pipeline.engines import AnalyticsEngine
from carpe.analytics.pipeline.snapshot import ALL_COLUMNS, Snapshot
from carpe.errors import UsageError

T = TypeVar("T")
Loader = Callable[[type], object | None]
"""Gives the stored output of a type (or ``None``) for a step that does not run."""


@dataclass(frozen=True, slots=True)
class PipelineResult:
    """What a run computed.

    Attributes
    ----------
    options : RunOptions
        The run's options.
    engine : str
        The engine it ran on.
    steps : tuple of str
        The steps that ran, in order.
    outputs : dict of type to object
        Each step's output, by its type (see :meth:`output`).
    seconds : dict of str to float
        Time per step.
    cpu_seconds : dict of str to float
        CPU time per step, every thread of the process (the engine's too): on a
        machine shared with other work it varies less than the wall time.
    """

    options: RunOptions
    engine: str
    steps: tuple[str, ...]
    outputs: dict[type, object]
    seconds: dict[str, float]
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    def output(self, kind: type[T]) -> T | None:
        """The output of type ``kind``, or ``None`` when its step did not run."""
        found = self.outputs.get(kind)
        return found if isinstance(found, kind) else None


class Pipeline:
    """Declared steps, and the one way to run all of them or a chosen few.

    Parameters
    ----------
    steps : iterable of Step
        In the order they run when nothing else decides (ties of the dependency order).

    Raises
    ------
    ValueError
        For two steps of one name or one output type, an input no step
        produces, or steps needing each other in a cycle.
    """

    def __init__(self, steps: Iterable[Step[Any]]) -> None:
        self._steps: dict[str, Step[Any]] = {}
        self._producers: dict[type, str] = {}
        for step in steps:
            if step.name in self._steps:
                raise ValueError(f"two pipeline steps are named {step.name!r}")
            if step.produces in self._producers:
                raise ValueError(
                    f"steps {self._producers[step.produces]!r} and {step.name!r} "
                    f"both produce {step.produces.__name__}"
                )
            self._steps[step.name] = step
            self._producers[step.produces] = step.name
        for step in self._steps.values():
            for kind in (*step.inputs, *step.optional_inputs):
                if kind not in self._producers:
                    raise ValueError(
                        f"step {step.name!r} reads {kind.__name__}, which no step produces"
                    )
        self.plan()  # refuses a cycle now, not at the first run

    @property
    def names(self) -> tuple[str, ...]:
        """Every step's name, in declaration order."""
        return tuple(self._steps)

    def __getitem__(self, name: str) -> Step[Any]:
        """The step of that name (``UsageError`` listing the known ones)."""
        if name not in self._steps:
            raise UsageError(f"no analysis step named {name!r}; known: {', '.join(self._steps)}")
        return self._steps[name]

    def with_step(self, step: Step[Any]) -> Pipeline:
        """A new pipeline with ``step`` declared after these (an extension, or a test's step)."""
        return Pipeline([*self._steps.values(), step])

    def producer(self, kind: type) -> str:
        """The name of the step that produces ``kind``."""
        return self._producers[kind]

    def plan(self, names: Iterable[str] | None = None) -> list[Step[Any]]:
        """The steps to run for ``names``, each after the steps whose outputs it reads.

        Parameters
        ----------
        names : iterable of str, optional
            Steps wanted; every declared step when omitted. The steps producing
            their ``inputs`` are added; an ``optional_inputs`` step only orders
            the run when it is part of it.

        Returns
        -------
        list of Step
            A dependency order (declaration order between independent steps).

        Raises
        ------
        UsageError
            For an unknown step name (the message lists the known ones).
        ValueError
            For steps needing each other in a cycle.
        """
        wanted = list(self._steps) if names is None else list(names)
        chosen: set[str] = set()

        def pull(name: str) -> None:
            step = self[name]
            if name in chosen:
                return
            chosen.add(name)
            for kind in step.inputs:
                pull(self._producers[kind])

        for name in wanted:
            pull(name)
        ordered: list[Step[Any]] = []
        visiting: set[str] = set()

        def visit(name: str) -> None:
            if any(step.name == name for step in ordered):
                return
            if name in visiting:
                raise ValueError(f"pipeline steps need each other in a cycle through {name!r}")
            visiting.add(name)
            step = self._steps[name]
            for kind in (*step.inputs, *step.optional_inputs):
                if self._producers[kind] in chosen:
                    visit(self._producers[kind])
            visiting.discard(name)
            ordered.append(step)

        for name in self._steps:
            if name in chosen:
                visit(name)
        return ordered

    def reads(self, names: Iterable[str] | None = None) -> dict[str, list[str] | str]:
        """The snapshot columns a run of ``names`` (default: every step) reads, per table.

        Returns
        -------
        dict of str to list of str or "*"
            Table name → its columns (``"*"`` when a step wants them all).
        """
        found: dict[str, list[str] | str] = {}
        for step in self.plan(names):
            for table, columns in step.reads.items():
                have = found.get(table, [])
                if columns == ALL_COLUMNS or have == ALL_COLUMNS:
                    found[table] = ALL_COLUMNS
                    continue
                assert isinstance(have, list)
                found[table] = have + [c for c in columns if c not in have]
        return found

    def run(
        self,
        *,
        engine: AnalyticsEngine,
        snapshot: Snapshot,
        options: RunOptions,
        steps: Iterable[str] | None = None,
        load: Loader | None = None,
        on_step: Callable[[str, int, int], None] | None = None,
    ) -> PipelineResult:
        """Run the chosen steps (default: all) on a snapshot.

        Parameters
        ----------
        engine : AnalyticsEngine
            The engine the tables open on (its owner closes it).
        snapshot : Snapshot
            The store's tables as Parquet files, holding :meth:`reads`.
        options : RunOptions
            The as-of day, horizon, seeds.
        steps : iterable of str, optional
            Step names; every declared step when omitted.
        load : callable, optional
            ``load(output type)``: a stored output for an optional input whose
            step does not run (``None`` when there is none).
        on_step : callable, optional
            Called with (step name, steps done, steps in all) before each step (progress).

        Returns
        -------
        PipelineResult
            Every step's output and timing.
        """
        chosen = self.plan(steps)
        names = {step.name for step in chosen}
        tables = open_tables(engine, snapshot, self.reads(names))
        outputs: dict[type, object] = {}
        for step in chosen:
            for kind in step.optional_inputs:
                if self._producers[kind] not in names and load is not None:
                    stored = load(kind)
                    if stored is not None:
                        outputs[kind] = stored
        seconds: dict[str, float] = {}
        cpu_seconds: dict[str, float] = {}
        for done, step in enumerate(chosen):
            if on_step is not None:
                on_step(step.name, done, len(chosen))
            declared = (*step.inputs, *step.optional_inputs)
            context = Context(
                engine=engine,
                options=options,
                tables=tables,
                inputs={kind: outputs[kind] for kind in declared if kind in outputs},
            )
            started, cpu_started = time.perf_counter(), time.process_time()
            output = step.run(context)
            seconds[step.name] = round(time.perf_counter() - started, 3)
            cpu_seconds[step.name] = round(time.process_time() - cpu_started, 3)
            if not isinstance(output, step.produces):
                raise TypeError(
                    f"step {step.name!r} returned {type(output).__name__}, "
                    f"not the {step.produces.__name__} it declares"
                )
            outputs[step.produces] = output
        produced = {step.produces: outputs[step.produces] for step in chosen}
        return PipelineResult(
            options,
            engine.name,
            tuple(step.name for step in chosen),
            produced,
            seconds,
            cpu_seconds,
        )


def open_tables(
    engine: AnalyticsEngine, snapshot: Snapshot, tables: Iterable[str]
) -> dict[str, Any]:
    """The snapshot's Parquet files as the engine's tables.

    Parameters
    ----------
    engine : AnalyticsEngine
        The engine.
    snapshot : Snapshot
        Files written by :func:`~carpe.analytics.pipeline.snapshot.snapshot_tables`.
    tables : iterable of str
        Which tables.

    Returns
    -------
    dict of str to ibis.Table
        By table name.
    """
    opened: dict[str, Any] = {}
    for name in tables:
        if name not in snapshot.files:
            raise KeyError(f"the snapshot in {snapshot.folder} has no table {name!r}")
        opened[name] = engine.read_parquet(snapshot.files[name], table_name=f"snap_{name}")
    return opened
