"""Suggestion fit: does the top gesture idea suit the moment it answers?

For every planted time-bound moment of simulated businesses (``ground_truth.json``:
kind and subject), the top idea from ``suggest_gestures`` is judged by this rule,
written down independently of the idea table:

* its kind is one a thoughtful person would choose for that moment — loss: a card
  only; health: a card or flowers; pet: a gift or a card; family: a card or a gift;
  celebration: a card, a gift or a gift card; milestone: a book, a card or a gift;
  hardship: a card or a gift card; travel: a book or a card — and never a discount,
  voucher or sample for a loss or an illness;
* when the moment names someone (a pet's name), the idea says the name.

    uv run python -m benchmarks.suggestion_fit [--seeds 5] [--accounts 300]

Prints ``name: value`` lines. Goal: ``suggestion_fit`` ≥ 0.9.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from benchmarks._common import SIM_END, emit

SUITS = {
    "loss": {"card"},
    "health": {"card", "flowers"},
    "pet": {"gift", "card"},
    "family": {"card", "gift"},
    "celebration": {"card", "gift", "gift card"},
    "milestone": {"book", "card", "gift"},
    "hardship": {"card", "gift card"},
    "travel": {"book", "card"},
}
NAME = re.compile(r"\b([A-Z][a-z]+)\b")


def fits(kind: str, subject: str, idea_kind: str, idea: str) -> bool:
    """The documented rule."""
    if idea_kind not in SUITS.get(kind, set()):
        return False
    words = subject.split()
    name = NAME.search(" ".join(words[1:])) if kind == "pet" and len(words) > 1 else None
    return name is None or name.group(1) in idea


def main(argv: list[str] | None = None) -> None:
    from carpe.gestures import MomentCue, suggest_gestures
    from carpe.simulate import simulate_business

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=300)
    args = parser.parse_args(argv)
    judged = fitting = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, args.seeds + 1):
            kind = "b2b" if seed % 2 else "b2c"
            folder = Path(tmp) / f"sim-{seed}"
            simulate_business(
                folder, kind=kind, accounts=args.accounts, months=24, seed=seed, end=SIM_END
            )
            truth = json.loads((folder / "ground_truth.json").read_text())
            for moment in truth["moments"]:
                if moment["kind"] not in SUITS:
                    continue
                ideas = suggest_gestures(
                    moments=[MomentCue(moment["kind"], moment["subject"], moment["evidence"])]
                )
                judged += 1
                fitting += bool(ideas) and fits(
                    moment["kind"], moment["subject"], ideas[0].kind, ideas[0].idea
                )
    emit("moments_judged", judged)
    emit("suggestion_fit", fitting / judged if judged else 0.0)


if __name__ == "__main__":
    sys.exit(main())
