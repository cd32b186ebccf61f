"""Does it pay: does the estimate find the simulator's genuine-gesture effect, and no other?

For each seed, a simulated b2b business is imported into a fresh SQLite store and
the ``gestures`` pipeline step's inputs are gathered on DuckDB (landmark design:
gestures in the 180 days before the landmark, retention over the 180 days after,
see ``carpe.analytics.payoff``). The exposure window's gestures are then grouped
by what the simulator knows (``ground_truth.json``): *genuine* (answering a
moment: the simulator lowers these accounts' monthly churn log-odds by 0.5 from
the month after) and *templated* (the same voucher every month: no effect by
construction), and each group's adjusted effect on retention is estimated
against accounts with no gesture, exactly as the product does for a gesture kind.

Truth: templated 0; genuine positive (the simulator's ``genuine_gesture_att_pp``
is its effect on leaving over the whole 24 months, printed for scale; the
landmark window sees only six months of it). A baseline in the same run: the
unadjusted difference.

    uv run python -m benchmarks.gesture_payoff [--seeds 5] [--accounts 500]

Prints ``name: value`` lines (effects in percentage points of retention).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from statistics import mean
from typing import Any

from benchmarks._common import SIM_END, emit


def payoff_inputs(seed: int, accounts: int, work: Path) -> tuple[Any, Any, dict[str, Any]]:
    """The step's inputs for one simulated business, its gestures labelled by the truth."""
    from carpe.analytics.payoff import PayoffWindows
    from carpe.analytics.pipeline import (
        Context,
        RunOptions,
        open_engine,
        open_tables,
        snapshot_tables,
    )
    from carpe.analytics.pipeline.gestures_step import NEEDS, gather_payoff_inputs
    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.services.data import import_data
    from carpe.simulate import simulate_business
    from carpe.store.models import Base

    folder = work / f"sim-{seed}"
    simulate_business(folder, kind="b2b", accounts=accounts, months=24, seed=seed, end=SIM_END)
    truth = json.loads((folder / "ground_truth.json").read_text())
    genuine = {g["gesture_id"] for g in truth["genuine_gestures"]}
    templated = {g["employee_id"] for g in truth["templated_givers"]}
    carpe = Carpe(load_settings(database_url=f"sqlite:///{work / f'{seed}.db'}"))
    carpe.migrate()
    import_data(engine=carpe.engine, folder=folder, today=SIM_END)
    with carpe.engine.connect() as connection:
        tables = {name: Base.metadata.tables[name] for name in NEEDS}
        snapshot = snapshot_tables(connection, tables, work / f"snap-{seed}", columns=NEEDS)
    carpe.close()
    engine = open_engine("duckdb", workdir=work / f"engine-{seed}")
    try:
        context = Context(
            engine=engine,
            options=RunOptions(as_of=SIM_END),
            tables=open_tables(engine, snapshot, NEEDS),
        )
        windows = PayoffWindows.ending(SIM_END)
        frame, gifts = gather_payoff_inputs(context, windows)
    finally:
        engine.close()
    gifts = gifts.assign(
        kind=[
            "genuine" if g in genuine else "templated" if e in templated else "other"
            for g, e in zip(gifts["gesture_id"], gifts["employee_id"], strict=True)
        ]
    )
    return frame, gifts, truth


def one_seed(seed: int, accounts: int, work: Path) -> dict[str, float]:
    """The genuine and templated groups' effects (pp) and intervals for one business."""
    from carpe.analytics.payoff import PayoffWindows, estimate_payoff

    frame, gifts, truth = payoff_inputs(seed, accounts, work)
    result = estimate_payoff(frame, gifts, PayoffWindows.ending(SIM_END), random_state=seed)
    found: dict[str, float] = {
        "truth_genuine_att_pp_24m": -truth["churn_model"]["effects"]["genuine_gesture_att_pp"]
    }
    for row in result.rows:
        if row.dimension == "kind" and row.outcome == "stayed" and row.effect is not None:
            assert row.ci_low is not None and row.ci_high is not None and row.naive is not None
            found[f"{row.group}_pp"] = 100 * row.effect
            found[f"{row.group}_low"] = 100 * row.ci_low
            found[f"{row.group}_high"] = 100 * row.ci_high
            found[f"{row.group}_naive_pp"] = 100 * row.naive
            found[f"{row.group}_n"] = row.n_treated
    return found


def _describe(found: dict[str, float], group: str) -> str:
    if f"{group}_pp" not in found:
        return f"{group}: too few to estimate"
    return (
        f"{group} {found[f'{group}_pp']:+.1f} pp [{found[f'{group}_low']:+.1f}, "
        f"{found[f'{group}_high']:+.1f}] (n={found[f'{group}_n']:.0f})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=500)
    args = parser.parse_args(argv)
    seeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, args.seeds + 1):
            work = Path(tmp) / str(seed)
            work.mkdir()
            found = one_seed(seed, args.accounts, work)
            shutil.rmtree(work, ignore_errors=True)
            print(f"seed {seed}: {_describe(found, 'genuine')}; {_describe(found, 'templated')}")
            seeds.append(found)
    both = [s for s in seeds if "genuine_pp" in s and "templated_pp" in s]
    emit("seeds", args.seeds)
    emit("seeds_estimated", len(both))
    if not both:
        return
    emit(
        "truth_genuine_retention_pp_over_24_months",
        round(mean(s["truth_genuine_att_pp_24m"] for s in both), 2),
    )
    emit("genuine_effect_pp_mean", round(mean(s["genuine_pp"] for s in both), 2))
    emit("genuine_effect_positive", mean(float(s["genuine_pp"] > 0) for s in both))
    emit("genuine_interval_above_zero", mean(float(s["genuine_low"] > 0) for s in both))
    emit("templated_effect_pp_mean", round(mean(s["templated_pp"] for s in both), 2))
    emit(
        "templated_interval_covers_zero",
        mean(float(s["templated_low"] <= 0 <= s["templated_high"]) for s in both),
    )
    emit("baseline_naive_genuine_pp_mean", round(mean(s["genuine_naive_pp"] for s in both), 2))
    emit("baseline_naive_templated_pp_mean", round(mean(s["templated_naive_pp"] for s in both), 2))


if __name__ == "__main__":
    sys.exit(main())
