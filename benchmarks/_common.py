"""Shared by the benchmarks: figures as ``name: value`` lines, child processes, data."""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from queue import Empty
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
_HERE = Path(__file__).resolve()
SHARED = Path(
    os.environ.get(
        "CARPE_SHARED_DIR",
        next(
            (p / "shared" for p in _HERE.parents[2:4] if (p / "shared" / "eval").exists()),
            _HERE.parents[2] / "shared",
        ),
    )
)
"""The shared folder beside the repository or its worktrees' folder (``CARPE_SHARED_DIR``)."""
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


def outside_folder(kind: str, seed: int, *, months: int, end: date) -> Path:
    """An outside world of 600 accounts (``../shared/eval/outside``), generated once.

    Its truth file (``<folder>_truth.json``, beside the folder) is for scoring only.
    """
    base = OUT / "outside"
    folder = base / f"{kind}{seed}" if months == 24 else base / f"{kind}{seed}-{months}m"
    if not folder.with_name(f"{folder.name}_truth.json").exists():
        base.mkdir(parents=True, exist_ok=True)
        script = SHARED / "eval" / "outside" / "outside_business.py"
        command = [sys.executable, str(script), "--kind", kind, "--seed", str(seed)]
        command += ["--accounts", "600", "--months", str(months), "--end", end.isoformat()]
        subprocess.run([*command, "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
    return folder
