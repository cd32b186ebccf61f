"""Shared by the benchmarks: figures as ``name: value`` lines, child processes, data."""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from queue import Empty
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
SIM_END = date(2026, 10, 31)
LAST_CPU_SECONDS: list[float] = []


def emit(name: str, value: float | int | str) -> None:
    """Print one figure as ``name: value``."""
    if isinstance(value, float):
        print(f"{name}: {value:.4g}" if abs(value) < 1000 else f"{name}: {value:.0f}", flush=True)
    else:
        print(f"{name}: {value}", flush=True)


def _child(target: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = target(*args)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, peak_mb, result, cpu))


def measure(target: Callable[..., Any], *args: Any) -> tuple[float, float, Any]:
    """Run ``target(*args)`` in a fresh process; return (seconds, peak RSS in MB, result).

    The child's CPU seconds are kept in :data:`LAST_CPU_SECONDS` (on a busy
    machine they vary less than wall time).
    """
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(target, args, queue))
    process.start()
    while True:  # a child killed outright (out of memory) never answers: do not wait forever
        try:
            seconds, peak_mb, result, cpu = queue.get(timeout=5)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(
                    f"{target.__name__} died in its child process (exit code {process.exitcode})"
                ) from None
    LAST_CPU_SECONDS.append(cpu)
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"{target.__name__} failed in its child process")
    return seconds, peak_mb, result


def simulated_folder(*, kind: str, accounts: int, months: int, seed: int) -> Path:
    """A simulated business, written once and reused by later runs with the same arguments."""
    from carpe.simulate import simulate_business

    folder = OUT / f"sim-{kind}-{accounts}-{months}-{seed}"
    if not (folder / "ground_truth.json").exists():
        simulate_business(
            folder, kind=kind, accounts=accounts, months=months, seed=seed, end=SIM_END
        )  # type: ignore[arg-type]
    return folder
