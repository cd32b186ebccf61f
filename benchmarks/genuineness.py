"""Genuineness guard: templated givers at the bottom, ordinary givers left alone.

Two kinds of business, each imported into a fresh SQLite store (moments read
from its notes by ``carpe import``, as in the product), every giver scored by
:func:`carpe.services.gestures.review_givers`:

- carpe's simulator: ``--seeds`` b2b businesses of ``--accounts`` accounts
  (``ground_truth.json``: ``templated_givers``);
- the outside worlds (clinic, saas; ``--world-seeds``, reported 1,2,3, chosen
  on 4,5,6): ``givers[]`` in the truth file, read here only, labelled
  ``genuine``/``genuine_hard_styles`` (ordinary givers), ``templated``,
  ``rotating_templated`` (templated) and ``mixed``.

Per kind of business: ``templated_in_bottom_k`` (the k templated givers among
the k lowest scores), ``auc_genuine_over_templated``, and
``ordinary_flagged_share`` (ordinary givers with at least one flag; goal ≤ 0.10).
A naive baseline in the same run ranks givers by how many gestures they gave.

    uv run python -m benchmarks.genuineness [--seeds 3] [--accounts 400] [--world-seeds 1,2,3]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import SIM_END, emit

ORDINARY = ("genuine", "genuine_hard_styles")


@dataclass
class Tally:
    """Pooled figures of one kind of business."""

    bottom: list[float] = field(default_factory=list)
    naive: list[float] = field(default_factory=list)
    pairs: list[float] = field(default_factory=list)
    ordinary: int = 0
    flagged: int = 0
    flags: Counter[str] = field(default_factory=Counter)


def _reviews(db: Path) -> list[Any]:
    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.services.gestures import review_givers
    from carpe.services.permissions import SYSTEM

    carpe = Carpe(load_settings(database_url=f"sqlite:///{db}"))
    try:
        with carpe.unit_of_work() as uow:
            return review_givers(session=uow.session, viewer=SYSTEM)
    finally:
        carpe.close()


def _judge(tally: Tally, reviews: list[Any], labels: dict[str, str], counts: Counter[str]) -> None:
    templated = {e for e, lab in labels.items() if "templated" in lab}
    k = len(templated)
    bottom = {r.employee_id for r in reviews[:k]}
    tally.bottom.append(len(bottom & templated) / k if k else 1.0)
    naive = {e for e, _ in counts.most_common(k)}
    tally.naive.append(len(naive & templated) / k if k else 1.0)
    score = {r.employee_id: r.score for r in reviews}
    good = [score[e] for e, lab in labels.items() if lab in ORDINARY and e in score]
    bad = [score[e] for e in templated if e in score]
    for g in good:
        tally.pairs += [1.0 if g > b else 0.5 if g == b else 0.0 for b in bad]
    for r in reviews:
        if labels.get(r.employee_id, "ordinary") in (*ORDINARY, "ordinary"):
            tally.ordinary += 1
            tally.flagged += bool(r.flags)
            for flag in r.flags:
                tally.flags[flag.split(" (")[0][:60]] += 1


def _emit(name: str, tally: Tally) -> None:
    emit(f"{name}_templated_in_bottom_k", sum(tally.bottom) / len(tally.bottom))
    emit(f"{name}_naive_most_gestures_in_top_k", sum(tally.naive) / len(tally.naive))
    auc = sum(tally.pairs) / len(tally.pairs) if tally.pairs else float("nan")
    emit(f"{name}_auc_genuine_over_templated", auc)
    emit(f"{name}_ordinary_givers", tally.ordinary)
    emit(f"{name}_ordinary_flagged_share", tally.flagged / max(tally.ordinary, 1))
    for flag, n in tally.flags.most_common(3):
        print(f"# {name} ordinary givers' flag: {flag} ({n})")


def simulated(seeds: int, accounts: int, work: Path) -> None:
    """carpe's simulator: b2b businesses (where its templated givers are planted)."""
    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.services.data import import_data
    from carpe.simulate import simulate_business

    tally = Tally()
    for seed in range(1, seeds + 1):
        folder = work / f"sim-{seed}"
        simulate_business(folder, kind="b2b", accounts=accounts, months=24, seed=seed, end=SIM_END)
        truth = json.loads((folder / "ground_truth.json").read_text())
        labels = {g["employee_id"]: "templated" for g in truth["templated_givers"]}
        with (folder / "gestures.csv").open(newline="", encoding="utf-8") as handle:
            counts = Counter(row["employee_id"] for row in csv.DictReader(handle))
        labels.update({e: "genuine" for e in counts if e not in labels})
        db = work / f"{seed}.db"
        carpe = Carpe(load_settings(database_url=f"sqlite:///{db}"))
        carpe.migrate()
        import_data(engine=carpe.engine, folder=folder, today=SIM_END)
        carpe.close()
        reviews = _reviews(db)
        _judge(tally, reviews, labels, counts)
        print(f"# carpe b2b seed {seed}: {len(reviews)} givers scored", flush=True)
    _emit("carpe_b2b", tally)


def outside(kinds: list[str], seeds: list[int], work: Path) -> None:
    """The outside worlds: their givers' labels from the truth file."""
    from benchmarks._outside import available, store, world

    if not available():
        print("# outside worlds: generator not found, skipped")
        return
    for kind in kinds:
        tally = Tally()
        for seed in seeds:
            folder, truth = world(kind, seed)
            labels = {g["employee_id"]: g["label"] for g in truth["givers"]}
            with (folder / "gestures.csv").open(newline="", encoding="utf-8") as handle:
                counts = Counter(row["employee_id"] for row in csv.DictReader(handle))
            reviews = _reviews(store(kind, seed, work))
            _judge(tally, reviews, labels, counts)
            shown = ", ".join(
                f"{labels.get(r.employee_id, '?')} {r.score:.2f}{'*' if r.flags else ''}"
                for r in reviews
            )
            print(f"# {kind} seed {seed}: {shown}", flush=True)
        _emit(f"{kind}_s{'-'.join(map(str, seeds))}", tally)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=400)
    parser.add_argument("--worlds", default="clinic,saas")
    parser.add_argument("--world-seeds", default="1,2,3")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.seeds:
            simulated(args.seeds, args.accounts, Path(tmp))
        if args.worlds:
            seeds = [int(s) for s in args.world_seeds.split(",")]
            outside(args.worlds.split(","), seeds, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
