"""Recovery of planted experience conflicts, and billing-error tweets found in real text.

Run: ``uv run python benchmarks/conflicts_recovery.py [--accounts N] [--kinds b2b,b2c]``
(prints ``name: value`` lines).

Part 1, simulated businesses. For seeds 1–5 (b2b and b2c alternately unless
``--kinds`` is given), a business of ``--accounts`` accounts over 24 months is
simulated, imported into nothing (the detectors read the CSV files directly),
and :func:`carpe.analytics.conflicts.detect_conflicts` runs as of the day after
the history ends. A detected conflict matches a planted one (``ground_truth.json``,
``conflicts[]``) when the type and account are the same and either their
evidence ids overlap (invoices, orders, quotes, touchpoints, employees) or, when
the planted one names none, their periods are equal. Matching is one to one.
Per type, over the five seeds pooled: ``precision_<type>`` = matched /
detected, ``recall_<type>`` = matched / planted. Then one business with
``plant_conflicts=False`` gives ``false_conflicts_per_1000_accounts`` (every
detection is false there), per type as well.

Part 2, the real Twitter sample. ``benchmarks/data/conflicts_billing_tweets.csv``
holds 100 customer tweets from ``twcs_first5000.csv`` labelled by hand
(``billing_error`` 1/0) before the classifier was written: 60 drawn (seed 7)
from the 425 inbound tweets with a money word, 40 from the other inbound tweets.
:func:`carpe.analytics.conflicts.complaints.reports_billing_error` is scored
against the labels, next to a keyword baseline (any of charge/bill/refund).
The classifier's rules were written after reading this same sample, so its
figures are optimistic; there is no held-out set yet.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import OUT, SIM_END, emit
from carpe.analytics.conflicts import CONFLICT_TYPES, Conflict, detect_conflicts
from carpe.analytics.conflicts.complaints import reports_billing_error

HERE = Path(__file__).resolve().parent
TWEETS = HERE / "data" / "conflicts_billing_tweets.csv"
TABLES = ("accounts", "employees", "touchpoints", "orders", "quotes", "invoices", "kpis",
          "feedback")  # fmt: skip
EVIDENCE = ("invoice_ids", "order_ids", "quote_ids", "touchpoint_ids", "employee_ids")


def _business(kind: str, accounts: int, seed: int, plant: bool) -> Path:
    from carpe.simulate import simulate_business

    folder = OUT / f"conflicts-{kind}-{accounts}-{seed}-{'planted' if plant else 'clean'}"
    if not (folder / "ground_truth.json").exists():
        simulate_business(
            folder,
            kind=kind,  # type: ignore[arg-type]
            accounts=accounts,
            months=24,
            seed=seed,
            end=SIM_END,
            plant_conflicts=plant,
        )
    return folder


def _detect(folder: Path) -> tuple[list[Conflict], float]:
    tables = {name: pd.read_csv(folder / f"{name}.csv", low_memory=False) for name in TABLES}
    started = time.perf_counter()
    report = detect_conflicts(tables, as_of=SIM_END + timedelta(days=1))
    return report.conflicts, time.perf_counter() - started


def _ids(evidence: dict[str, Any]) -> set[str]:
    return {i for key in EVIDENCE for i in evidence.get(key) or []}


def _match(found: list[Conflict], planted: list[dict[str, Any]]) -> Counter[str]:
    matched: Counter[str] = Counter()
    used: set[int] = set()
    for c in found:
        mine = {i for key in EVIDENCE for i in getattr(c.evidence, key)}
        for n, truth in enumerate(planted):
            if n in used or truth["type"] != c.type or truth["account_id"] != c.account_id:
                continue
            theirs = _ids(truth["evidence"])
            same = (
                bool(mine & theirs)
                if theirs
                else truth["evidence"].get("period") == (c.evidence.period)
            )
            if same:
                used.add(n)
                matched[c.type] += 1
                break
    return matched


def simulated(accounts: int, kinds: list[str]) -> None:
    detected: Counter[str] = Counter()
    planted: Counter[str] = Counter()
    matched: Counter[str] = Counter()
    seconds = 0.0
    for seed in range(1, 6):
        kind = kinds[(seed - 1) % len(kinds)]
        folder = _business(kind, accounts, seed, plant=True)
        truth = json.loads((folder / "ground_truth.json").read_text())["conflicts"]
        found, took = _detect(folder)
        seconds += took
        detected.update(c.type for c in found)
        planted.update(t["type"] for t in truth)
        matched.update(_match(found, truth))
        print(f"# seed {seed} ({kind}): {len(truth)} planted, {len(found)} detected", flush=True)
    for kind in CONFLICT_TYPES:
        emit(f"precision_{kind}", matched[kind] / detected[kind] if detected[kind] else 1.0)
        emit(f"recall_{kind}", matched[kind] / planted[kind] if planted[kind] else float("nan"))
    emit("planted_conflicts", sum(planted.values()))
    emit("detected_conflicts", sum(detected.values()))
    emit("detect_seconds_per_business", seconds / 5)
    clean_total = 0
    for kind in kinds:
        folder = _business(kind, accounts, 6, plant=False)
        found, _ = _detect(folder)
        clean_total += len(found)
        per_type = Counter(c.type for c in found)
        for t in CONFLICT_TYPES:
            emit(f"false_conflicts_per_1000_accounts_{kind}_{t}", 1000 * per_type[t] / accounts)
    emit("false_conflicts_per_1000_accounts", 1000 * clean_total / (accounts * len(kinds)))


def _score(predicted: pd.Series, labels: pd.Series) -> tuple[float, float]:
    tp = int((predicted & (labels == 1)).sum())
    return tp / max(int(predicted.sum()), 1), tp / max(int((labels == 1).sum()), 1)


def tweets() -> None:
    labelled = pd.read_csv(TWEETS, keep_default_na=False, lineterminator="\n")
    labels = labelled["billing_error"].astype(int)
    ours = labelled["text"].map(reports_billing_error).astype(bool)
    baseline = labelled["text"].str.contains(re.compile(r"charg|bill|refund", re.IGNORECASE))
    emit("tweets_labelled", len(labelled))
    emit("tweets_billing_errors", int(labels.sum()))
    precision, recall = _score(ours, labels)
    emit("tweets_precision", precision)
    emit("tweets_recall", recall)
    precision, recall = _score(baseline.astype(bool), labels)
    emit("tweets_baseline_keyword_precision", precision)
    emit("tweets_baseline_keyword_recall", recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--kinds", default="b2b,b2c")
    parser.add_argument("--skip-simulated", action="store_true")
    args = parser.parse_args()
    if not args.skip_simulated:
        simulated(args.accounts, args.kinds.split(","))
    tweets()


if __name__ == "__main__":
    main()
