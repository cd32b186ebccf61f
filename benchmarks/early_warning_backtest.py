"""Early warning out of time on a simulated business: every training row, or a weighted sample.

Simulates a B2B business (cached in ``benchmarks/out``), imports it into SQLite
(once), snapshots it, and for each cut-off runs
:func:`carpe.analytics.pipeline.backtest_early_warning` (trained on the labels
known at the cut-off, scored as of it, compared with who left in the 90 days
after) twice in the same run: fitting on every past account-month, and on a
case-control sample of ``--sample-rows`` rows (every leaver, a random share of
the stayers, weighted; :func:`carpe.analytics.pipeline.risk.sample_training_rows`).
At 10,000 accounts a 20,000-row sample keeps about the share of rows that the
default cap (200,000) keeps of a 100,000-account business.

    uv run python -m benchmarks.early_warning_backtest [--accounts 10000] [--sample-rows 20000]

Prints ``name: value`` lines: ``auc_<cutoff>_full``, ``auc_<cutoff>_sampled``,
the same for ``brier`` and ``mean_risk``, ``left_rate_<cutoff>``, the fit's
seconds, and the means over the cut-offs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks._common import emit, simulated_folder
from benchmarks.analyze_scale import _store

CUTOFFS = (date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1))


def main() -> None:
    """Backtest at each cut-off with every training row and with a sample; print the figures."""
    from carpe.analytics.pipeline import (
        RunOptions,
        backtest_early_warning,
        close_engine,
        connect_engine,
        steps_needs,
    )
    from carpe.analytics.pipeline.context import Context
    from carpe.analytics.pipeline.run import open_tables
    from carpe.analytics.pipeline.snapshot import snapshot_tables
    from carpe.store import Base, create_store_engine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10000)
    parser.add_argument("--sample-rows", type=int, default=20000)
    args = parser.parse_args()
    folder = simulated_folder(kind="b2b", accounts=args.accounts, months=24, seed=1)
    store = create_store_engine(_store(folder))
    needs = steps_needs(["early_warning"])
    with tempfile.TemporaryDirectory(prefix="carpe-backtest-") as scratch:
        with store.connect() as connection:
            tables = {name: Base.metadata.tables[name] for name in needs}
            snapshot = snapshot_tables(connection, tables, Path(scratch) / "snap", columns=needs)
        store.dispose()
        backend = connect_engine("duckdb", workdir=Path(scratch) / "engine")
        try:
            opened = open_tables(backend, snapshot, needs)
            emit("accounts", args.accounts)
            results: dict[str, list[float]] = {}
            for cutoff in CUTOFFS:
                for label, cap in (("full", 10**9), ("sampled", args.sample_rows)):
                    options = replace(RunOptions(as_of=cutoff), max_training_rows=cap)
                    context = Context(backend, "duckdb", options, opened)
                    started = time.perf_counter()
                    found = backtest_early_warning(context, cutoff)
                    seconds = time.perf_counter() - started
                    tag = f"{cutoff:%Y_%m_%d}_{label}"
                    for name, value in (
                        ("auc", found.auc),
                        ("brier", found.brier),
                        ("mean_risk", found.mean_risk),
                        ("backtest_seconds", seconds),
                    ):
                        emit(f"{name}_{tag}", value)
                        results.setdefault(f"{name}_{label}", []).append(value)
                emit(f"left_rate_{cutoff:%Y_%m_%d}", found.left / found.accounts)
            for name, values in results.items():
                emit(f"mean_{name}", float(np.mean(values)))
        finally:
            close_engine(backend)


if __name__ == "__main__":
    main()
