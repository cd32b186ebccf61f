"""Simulated businesses for trying carpe (``carpe simulate``): the simulator behind a use case."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from carpe.simulate import SimulationSummary, simulate_business

__all__ = ["SimulationSummary", "simulate"]


def simulate(
    out_dir: Path,
    *,
    kind: Literal["b2b", "b2c"],
    accounts: int,
    months: int,
    seed: int,
    end: date,
) -> SimulationSummary:
    """Write a simulated business in the interchange format, with ``ground_truth.json``."""
    return simulate_business(
        out_dir, kind=kind, accounts=accounts, months=months, seed=seed, end=end
    )
