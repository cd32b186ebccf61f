"""Genuineness guard: are the planted templated givers the least genuine?

For each seed, a simulated b2b business is imported into a fresh SQLite store
(moments read from its notes, as in the product), every giver is scored, and
the planted templated givers (``ground_truth.json``) are looked for among the k
lowest scores, k = their number. A naive baseline in the same run ranks givers
by how many gestures they gave (most first).

    uv run python -m benchmarks.genuineness [--seeds 5] [--accounts 400]

Prints ``name: value`` lines. Goal: ``templated_in_bottom_k`` = 1.0.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path

from benchmarks._common import SIM_END, emit


def one_seed(seed: int, accounts: int, work: Path) -> tuple[float, float, int, int]:
    """(templated in bottom k, same for the baseline, k, givers) for one simulated business."""
    from collections import Counter

    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.services.data import import_data
    from carpe.services.gestures import review_givers
    from carpe.simulate import simulate_business

    folder = work / f"sim-{seed}"
    simulate_business(folder, kind="b2b", accounts=accounts, months=24, seed=seed, end=SIM_END)
    truth = json.loads((folder / "ground_truth.json").read_text())
    templated = {g["employee_id"] for g in truth["templated_givers"]}
    carpe = Carpe(load_settings(database_url=f"sqlite:///{work / f'{seed}.db'}"))
    carpe.migrate()
    import_data(engine=carpe.engine, folder=folder, today=SIM_END)
    with carpe.unit_of_work() as uow:
        reviews = review_givers(session=uow.session)
    carpe.close()
    k = len(templated)
    bottom = {r.employee_id for r in reviews[:k]}
    with (folder / "gestures.csv").open(newline="", encoding="utf-8") as handle:
        counts = Counter(row["employee_id"] for row in csv.DictReader(handle))
    naive = {e for e, _ in counts.most_common(k)}
    share = len(bottom & templated) / k if k else 1.0
    naive_share = len(naive & templated) / k if k else 1.0
    return share, naive_share, k, len(reviews)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=400)
    args = parser.parse_args(argv)
    shares, naive, ks = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, args.seeds + 1):
            share, naive_share, k, givers = one_seed(seed, args.accounts, Path(tmp))
            print(f"seed {seed}: {k} templated among {givers} givers, {share:.2f} in the bottom k")
            shares.append(share)
            naive.append(naive_share)
            ks.append(k)
    emit("seeds", args.seeds)
    emit("templated_givers_per_seed", sum(ks) / len(ks))
    emit("templated_in_bottom_k", sum(shares) / len(shares))
    emit("naive_most_gestures_in_top_k", sum(naive) / len(naive))


if __name__ == "__main__":
    sys.exit(main())
