"""Recovery of planted experience conflicts, and billing-error tweets found in real text.

Run: ``uv run python benchmarks/conflicts_recovery.py [--accounts N] [--kinds b2b,b2c]``
(prints ``name: value`` lines); ``--scale N`` only times detection on one planted b2b
business of N accounts.

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
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import OUT, SIM_END, emit
from carpe.analytics.conflicts import Conflict, DetectorSettings, detect_conflicts
from carpe.analytics.conflicts.complaints import reports_billing_error
from carpe.vocabulary import CONFLICT_TYPES

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


def _settings() -> DetectorSettings:
    from carpe.config import load_settings
    from carpe.services.conflict_detection import detector_settings

    return detector_settings(load_settings())


def _detect(folder: Path, settings: DetectorSettings) -> tuple[list[Conflict], float]:
    tables = {name: pd.read_csv(folder / f"{name}.csv", low_memory=False) for name in TABLES}
    started = time.perf_counter()
    report = detect_conflicts(tables, as_of=SIM_END + timedelta(days=1), settings=settings)
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


def simulated(accounts: int, kinds: list[str], seeds: int) -> None:
    """carpe's simulator: planted businesses per kind, then clean ones (no planted conflicts)."""
    settings = _settings()
    for kind in kinds:
        pooled: dict[str, Counter[str]] = {k: Counter() for k in ("matched", "detected", "planted")}
        seconds = 0.0
        for seed in range(1, seeds + 1):
            folder = _business(kind, accounts, seed, plant=True)
            truth = json.loads((folder / "ground_truth.json").read_text())["conflicts"]
            found, took = _detect(folder, settings)
            seconds += took
            pooled["detected"].update(c.type for c in found)
            pooled["planted"].update(t["type"] for t in truth)
            pooled["matched"].update(_match(found, truth))
            print(f"# {kind} seed {seed}: {len(truth)} planted, {len(found)} detected", flush=True)
        clean, _ = _detect(_business(kind, accounts, seeds + 1, plant=False), settings)
        per_type = Counter(c.type for c in clean)
        years = accounts * 24 / 12
        for t in CONFLICT_TYPES:
            detected, planted = pooled["detected"][t], pooled["planted"][t]
            emit(
                f"carpe_{kind}_precision_{t}", pooled["matched"][t] / detected if detected else 1.0
            )
            emit(
                f"carpe_{kind}_recall_{t}",
                pooled["matched"][t] / planted if planted else float("nan"),
            )
            emit(
                f"carpe_{kind}_clean_false_alarms_per_100_accounts_year_{t}",
                100 * per_type[t] / years,
            )
        emit(f"carpe_{kind}_planted_conflicts", sum(pooled["planted"].values()))
        emit(f"carpe_{kind}_detect_seconds_per_business", seconds / seeds)


# --- Part 2: outside worlds -------------------------------------------------------------

TRUTH_IDS = ("invoice_ids", "order_ids", "quote_ids", "employee_ids")


def _truth_ids(item: dict[str, Any]) -> set[str]:
    found = {str(i) for key in TRUTH_IDS for i in item.get(key) or []}
    evidence = item.get("evidence")
    if isinstance(evidence, dict):
        found |= {str(i) for v in evidence.values() if isinstance(v, list) for i in v}
    return found


def score_outside(found: list[Conflict], truth: dict[str, Any]) -> dict[str, Counter[str]]:
    """Matched, detected, planted and near misses flagged per type (score_outside.py's rules).

    A detection matches a planted conflict of its type and account when their
    ids overlap or either names none (one to one); an unmatched detection on an
    account with a near miss of its type (ids overlapping, or none) is a near
    miss flagged. Every unmatched detection is a false alarm.
    """
    out: dict[str, Counter[str]] = {
        k: Counter() for k in ("matched", "detected", "planted", "near", "near_flagged")
    }
    for kind in CONFLICT_TYPES:
        planted = [c for c in truth["conflicts"] if c["type"] == kind]
        near = [c for c in truth["near_misses"] if c["type"] == kind]
        mine = [c for c in found if c.type == kind]
        out["planted"][kind] = len(planted)
        out["near"][kind] = len(near)
        out["detected"][kind] = len(mine)
        used: set[int] = set()
        for c in mine:
            ours = {i for key in EVIDENCE for i in getattr(c.evidence, key)}
            hit = next(
                (
                    n
                    for n, t in enumerate(planted)
                    if n not in used
                    and t["account_id"] == c.account_id
                    and (not ours or not _truth_ids(t) or bool(ours & _truth_ids(t)))
                ),
                None,
            )
            if hit is not None:
                used.add(hit)
                out["matched"][kind] += 1
            elif any(
                t["account_id"] == c.account_id and (not ours or bool(ours & _truth_ids(t)))
                for t in near
            ):
                out["near_flagged"][kind] += 1
    return out


def _outside_conflicts(kind: str, seed: int, work: Path) -> tuple[list[Conflict], float]:
    from benchmarks._outside import END, store
    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.services.conflict_detection import detect_and_record, detector_settings

    db = store(kind, seed, work)
    carpe = Carpe(load_settings(database_url=f"sqlite:///{db}"))
    try:
        started = time.perf_counter()
        report, _ = detect_and_record(
            engine=carpe.engine,
            as_of=END + timedelta(days=1),
            settings=detector_settings(carpe.settings),
        )
        return report.conflicts, time.perf_counter() - started
    finally:
        carpe.close()


def outside(kinds: list[str], seeds: list[int]) -> None:
    """Every outside world: per type precision, recall, false alarms per 100 accounts a year."""
    from benchmarks._outside import account_years, available, world

    if not available():
        print("# outside worlds: generator not found, skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            pooled: dict[str, Counter[str]] = {}
            years = 0.0
            for seed in seeds:
                _, truth = world(kind, seed)
                found, took = _outside_conflicts(kind, seed, Path(tmp))
                scored = score_outside(found, truth)
                for key, counts in scored.items():
                    pooled.setdefault(key, Counter()).update(counts)
                years += account_years(truth)
                print(
                    f"# {kind} seed {seed}: {sum(scored['planted'].values())} planted, "
                    f"{len(found)} detected, {sum(scored['matched'].values())} matched "
                    f"({took:.1f} s)",
                    flush=True,
                )
            _emit_scores(f"{kind}_s{'-'.join(map(str, seeds))}", pooled, years)


def _emit_scores(name: str, s: dict[str, Counter[str]], account_years: float) -> None:
    for t in CONFLICT_TYPES:
        detected, planted, matched = s["detected"][t], s["planted"][t], s["matched"][t]
        emit(f"{name}_precision_{t}", matched / detected if detected else 1.0)
        emit(f"{name}_recall_{t}", matched / planted if planted else float("nan"))
        false = detected - matched
        emit(f"{name}_false_alarms_per_100_accounts_year_{t}", 100 * false / account_years)
        emit(f"{name}_near_misses_flagged_{t}", f"{s['near_flagged'][t]} of {s['near'][t]}")


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


def scale(accounts: int) -> None:
    """Detection time on one planted b2b business of ``accounts`` accounts (CSV read first).

    Prints ``scale_<n>_read_seconds`` (reading the CSV files: the floor any detector
    pays), ``scale_<n>_detect_seconds`` (wall) and ``_detect_cpu_seconds`` (this
    process's CPU, every thread), and the pooled precision and recall.
    """
    folder = _business("b2b", accounts, 1, plant=True)
    started = time.perf_counter()
    tables = {name: pd.read_csv(folder / f"{name}.csv", low_memory=False) for name in TABLES}
    emit(f"scale_{accounts}_read_seconds", time.perf_counter() - started)
    started, cpu = time.perf_counter(), time.process_time()
    report = detect_conflicts(tables, as_of=SIM_END + timedelta(days=1), settings=_settings())
    emit(f"scale_{accounts}_detect_seconds", time.perf_counter() - started)
    emit(f"scale_{accounts}_detect_cpu_seconds", time.process_time() - cpu)
    truth = json.loads((folder / "ground_truth.json").read_text())["conflicts"]
    matched = sum(_match(report.conflicts, truth).values())
    emit(f"scale_{accounts}_precision", matched / max(len(report.conflicts), 1))
    emit(f"scale_{accounts}_recall", matched / max(len(truth), 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--kinds", default="b2b,b2c")
    parser.add_argument("--seeds", type=int, default=3, help="planted businesses per kind")
    parser.add_argument("--worlds", default="clinic,saas", help="outside worlds ('' for none)")
    parser.add_argument("--world-seeds", default="1,2,3", help="reported: 1,2,3; tuning: 4,5,6")
    parser.add_argument("--skip-simulated", action="store_true")
    parser.add_argument("--scale", type=int, help="only time detection at this many accounts")
    args = parser.parse_args()
    if args.scale:
        scale(args.scale)
        return
    if not args.skip_simulated:
        simulated(args.accounts, args.kinds.split(","), args.seeds)
    if args.worlds:
        outside(args.worlds.split(","), [int(s) for s in args.world_seeds.split(",")])
    tweets()


if __name__ == "__main__":
    main()
