"""Synthetic businesses with known truth, for the demo, tests and benchmarks.

``simulate_business(out_dir, kind=..., accounts=..., months=..., seed=..., end=...)``
writes a folder in the interchange format plus ``ground_truth.json``; see
``docs/simulator.md``.
"""

from carpe.simulate.business import BLOCK_SIZE, SimulationSummary, simulate_business
from carpe.simulate.schema import (
    COLUMNS,
    FILES,
    GROUND_TRUTH_FILE,
    KINDS,
    Kind,
)

__all__ = [
    "BLOCK_SIZE",
    "COLUMNS",
    "FILES",
    "GROUND_TRUTH_FILE",
    "KINDS",
    "Kind",
    "SimulationSummary",
    "simulate_business",
]
