"""The pipeline's orchestration: which steps run, in what order, on which tables.

``run_pipeline(backend=..., engine=..., snapshot=..., options=...)`` opens the
snapshot's Parquet files as the engine's tables, then runs the steps in an
order that respects each step's ``requires``, handing every step the results of
the ones before it. Steps register by name in :data:`STEPS`; later analyses
(specialists, conflicts, gestures, stories) add theirs with
:func:`register_step`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carpe.analytics.pipeline.conflicts_step import ConflictsStep
from carpe.analytics.pipeline.context import Context, RunOptions, Step
from carpe.analytics.pipeline.risk import EarlyWarningStep, FeaturesStep
from carpe.analytics.pipeline.snapshot import ALL_COLUMNS, Snapshot

STEPS: dict[str, Step] = {}
"""Registered steps by name, in registration order."""


def register_step(step: Step) -> Step:
    """Add a step to the registry (replacing one of the same name).

    Parameters
    ----------
    step : Step
        An object with ``name``, ``needs``, ``requires`` and ``run(context)``.

    Returns
    -------
    Step
        The same step.
    """
    if not isinstance(step, Step):
        raise TypeError(f"{step!r} is not a pipeline step (name, needs, requires, run)")
    STEPS[step.name] = step
    return step


register_step(FeaturesStep())
register_step(EarlyWarningStep())
register_step(ConflictsStep())


def ordered_steps(names: Iterable[str] | None = None) -> list[Step]:
    """Steps to run, each after the ones it requires (those are added when missing).

    Parameters
    ----------
    names : iterable of str, optional
        Steps wanted; every registered step when omitted.

    Returns
    -------
    list of Step
        A dependency order.

    Raises
    ------
    KeyError
        For an unknown step name.
    ValueError
        For a cycle of ``requires``.
    """
    wanted = list(STEPS) if names is None else list(names)
    ordered: list[Step] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if any(step.name == name for step in ordered):
            return
        if name not in STEPS:
            raise KeyError(f"no pipeline step named {name!r}; known: {', '.join(STEPS)}")
        if name in visiting:
            raise ValueError(f"pipeline steps require each other in a cycle through {name!r}")
        visiting.add(name)
        for required in STEPS[name].requires:
            visit(required)
        visiting.discard(name)
        ordered.append(STEPS[name])

    for name in wanted:
        visit(name)
    return ordered


def needed_columns(steps: Sequence[Step]) -> dict[str, list[str] | str]:
    """The union of the steps' ``needs``: the columns a snapshot must hold, per table.

    Parameters
    ----------
    steps : sequence of Step
        The steps of a run.

    Returns
    -------
    dict of str to list of str or "*"
        Table name → its columns (``"*"`` when a step wants them all).
    """
    found: dict[str, list[str] | str] = {}
    for step in steps:
        for table, columns in step.needs.items():
            have = found.get(table, [])
            if columns == ALL_COLUMNS or have == ALL_COLUMNS:
                found[table] = ALL_COLUMNS
                continue
            assert isinstance(have, list)
            found[table] = have + [c for c in columns if c not in have]
    return found


def open_tables(backend: Any, snapshot: Snapshot, tables: Iterable[str]) -> dict[str, Any]:
    """The snapshot's Parquet files as the engine's tables.

    Parameters
    ----------
    backend : ibis.BaseBackend
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
        opened[name] = backend.read_parquet(str(snapshot.files[name]), table_name=f"snap_{name}")
    return opened


@dataclass(frozen=True, slots=True)
class PipelineResult:
    """What a run computed.

    Attributes
    ----------
    options : RunOptions
        The run's options.
    engine : str
        The engine it ran on.
    results : dict of str to object
        Each step's result, by step name.
    seconds : dict of str to float
        Time per step.
    cpu_seconds : dict of str to float
        CPU time per step, every thread of the process (the engine's too): on a
        machine shared with other work it varies less than the wall time.
    """

    options: RunOptions
    engine: str
    results: dict[str, Any]
    seconds: dict[str, float]
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def run_pipeline(
    *,
    backend: Any,
    engine: str,
    snapshot: Snapshot,
    options: RunOptions,
    steps: Iterable[str] | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
) -> PipelineResult:
    """Run the analysis steps on a snapshot.

    Parameters
    ----------
    backend : ibis.BaseBackend
        The engine's connection (:func:`~carpe.analytics.pipeline.engines.connect_engine`).
    engine : str
        Its name, recorded with the results.
    snapshot : Snapshot
        The store's tables as Parquet files.
    options : RunOptions
        The as-of day, horizon, seeds.
    steps : iterable of str, optional
        Step names; every registered step when omitted.
    on_step : callable, optional
        Called with (step name, steps done, steps in all) before each step (progress).

    Returns
    -------
    PipelineResult
        Every step's result and timing.
    """
    chosen = ordered_steps(steps)
    tables = open_tables(backend, snapshot, needed_columns(chosen))
    context = Context(backend=backend, engine=engine, options=options, tables=tables)
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    for done, step in enumerate(chosen):
        if on_step is not None:
            on_step(step.name, done, len(chosen))
        started, cpu_started = time.perf_counter(), time.process_time()
        context.results[step.name] = step.run(context)
        seconds[step.name] = round(time.perf_counter() - started, 3)
        cpu_seconds[step.name] = round(time.process_time() - cpu_started, 3)
    return PipelineResult(options, engine, dict(context.results), seconds, cpu_seconds)


def steps_needs(names: Iterable[str] | None = None) -> Mapping[str, list[str] | str]:
    """The snapshot columns a run of ``names`` (default: every step) needs."""
    return needed_columns(ordered_steps(names))


# Importing a step's module registers it.
from carpe.analytics.pipeline import (  # noqa: E402, F401
    alive_step,
    gestures_step,
    specialists_step,
    stories_step,
)
