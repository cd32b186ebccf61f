"""Recovery of planted hidden specialists, and agents credited on real support tweets.

Run: ``uv run python benchmarks/specialists_recovery.py [--accounts N] [--kind b2b|b2c]
[--months 24,48] [--seeds 1,2,3,4,5] [--fdr 0.1] [--outcome-days 365] [--twitter-only]
[--health-kpis] [--time-accounts 10000]`` (prints ``name: value`` lines; ``--time-accounts`` also
times the step on one business of that size).

Part 1, simulated businesses. For each history length of ``--months`` and each
seed, a business of ``--accounts`` accounts over that many months is simulated
(the analysis reads up to four years of history, so a longer history means more
departures per employee: more power); DuckDB reads its CSV files directly and
the pipeline's specialists step (:class:`SpecialistsStep`: Ibis aggregations,
then :func:`carpe.analytics.specialists.find_specialists`) runs as of the day
after the history ends. Against ``ground_truth.json``, averaged over seeds
(the first history length prints plain names after ``months: N``, the others
the same names suffixed ``_<N>m``, e.g. ``recall_flagged_48m``):

* ``precision_flagged`` = planted specialists flagged / flagged (a seed with
  nobody flagged counts as precision 1: no false claim);
* ``recall_flagged`` = planted specialists flagged / planted;
* ``decoys_flagged`` = decoys flagged (per seed);
* the same with plain Benjamini-Hochberg (every weight 1, the flags before the
  habit weights), from the same fit: ``precision_flagged_unweighted``,
  ``recall_flagged_unweighted``, ``decoys_flagged_unweighted``,
  ``flagged_unweighted``;
* the habit weights: ``habit_group`` = employees whose test got a weight
  above 1 (a working habit clearly better than their peers'), and how many of
  them are planted (``planted_in_habit_group``) or decoys
  (``decoys_in_habit_group``);
* the verdicts: ``safer_accounts`` = employees whose accounts stay as well
  without their recent work (not flagged, :mod:`carpe.analytics.specialists.evidence`),
  of them decoys (``decoys_safer_accounts``), and planted specialists told
  "not enough evidence" (``planted_not_enough_evidence``);
* ``precision_at_k``: share of the top k by effect that are planted (k = number planted),
  and ``decoys_in_top_k``;
* baselines in the same run: ranking by the raw retention rate of each employee's
  accounts (no adjustment, no shrinkage): ``naive_precision_at_k`` and
  ``naive_decoys_in_top_k``; and a plain per-employee hazard (accounts that ended
  per account-month exposed to the employee, :func:`hazard_baseline`):
  ``hazard_precision_at_k``, ``hazard_decoys_in_top_k``.

Part 1b, outside worlds (``--outside clinic,saas``, ``--outside-seeds 1,2,3``,
``--outside-months 24,48``): ``../shared/eval/outside/outside_business.py``
generates each world once (600 accounts, ending 2026-10-31); the step runs as of
the day after and the same figures print per world, e.g.
``recall_flagged_saas1_24m``. The truth file is read here only. Settings are
chosen on seeds 4-6 and carpe's simulator; seeds 1-3 are reported.

With ``--health-kpis`` the step also aggregates the health scores the account
owners' departments report in ``kpis.csv`` and the hazard model adjusts for
them (an option, off by default: see docs/specialists.md for why).

Part 2, the real Twitter sample (``../shared/data/twcs-customer-support-twitter/
twcs_first5000.csv``, see its SOURCE.md). Brand replies that end in an agent's
signature (``^JK``, ``-Becky``) credit that agent. A conversation is a customer
tweet the agent answered and the customer's later tweets in the same thread
(replies to the agent's reply, followed down the thread); it *ends better*
when the sentiment of the customer's last tweet is above that of the tweet the
agent answered. Sentiment is a small documented word list (:data:`POSITIVE`,
:data:`NEGATIVE`, a negation flips the next word), not a trained model. Per
brand, agents with at least two such conversations are ranked by the smoothed
share ``(better + 1) / (conversations + 2)``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import OUT, SIM_END, emit, outside_folder
from carpe.analytics.pipeline import Context, DuckDBEngine, RunOptions
from carpe.analytics.pipeline.specialists_step import NEEDS, SpecialistsStep

END = date(2026, 3, 31)
OUTSIDE_END = date(2026, 10, 31)
DATA = Path(
    os.environ.get("CARPE_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data")
)
TWEETS = DATA / "twcs-customer-support-twitter" / "twcs_first5000.csv"


def _words(text: str) -> frozenset[str]:
    return frozenset(re.split(r"\s+", text.strip()))


SIGNATURE: Final = re.compile(r"(?:\^|-)\s?([A-Z][A-Za-z]{1,5})\s*$")
POSITIVE: Final = _words(
    "thanks thank thx ty great awesome love appreciate appreciated perfect resolved fixed "
    "works working helpful amazing good excellent best happy glad nice brilliant sorted "
    "quick fast wonderful cool yay kind :) <3 ❤️ 👍 🙏 😊"
)
NEGATIVE: Final = _words(
    "worst terrible awful angry broken still waiting wait ridiculous frustrated frustrating "
    "disappointed hate bad issue problem charged unacceptable useless delayed delay "
    "cancelled cancel never nobody rude wrong fail failed failing error stuck slow lost "
    "horrible poor annoyed sucks :( 😡 😠 😤 👎"
)
NEGATIONS: Final = _words("not no never don't doesn't didn't isn't wasn't can't won't")


def sentiment(text: str) -> float:
    """Word-list sentiment of a tweet: (positive - negative) / number of words, in [-1, 1].

    Examples
    --------
    >>> sentiment("thanks, that fixed it") > 0 > sentiment("still not working, worst service")
    True
    """
    words = re.findall(r"[\w']+|[:;]-?[()]|<3|[^\s\w]", text.lower())
    score, flip = 0, False
    for w in words:
        value = (w in POSITIVE) - (w in NEGATIVE)
        score += -value if flip else value
        flip = w in NEGATIONS
    return max(-1.0, min(1.0, score / max(1, len(words)) * 5))


# ---------------------------------------------------------------- part 1


def _read(folder: Path) -> tuple[Any, dict[str, Any]]:
    import ibis

    backend = ibis.duckdb.connect()
    tables = {
        n: backend.read_csv(str(folder / f"{n}.csv"), table_name=n)
        for n in NEEDS
        if n != "follow_ups"
    }
    tables["follow_ups"] = ibis.memtable(
        {"employee_id": ["-"], "due_on": [date(2000, 1, 1)], "status": ["open"]}
    ).filter(ibis._.employee_id != "-")
    return backend, tables


def hazard_baseline(folder: Path, as_of: date, exposure_months: int = 6) -> list[str]:
    """Employees ranked by a plain per-employee churn hazard, lowest first.

    Each account-month from the account's start to its end (or ``as_of``) is
    exposed to every employee who touched the account in the ``exposure_months``
    before it; an employee's hazard is the accounts that ended in their exposed
    months over those months. No adjustment for who was assigned which accounts,
    no shrinkage: the baseline the issue compares with. Employees with fewer than
    60 exposed account-months are left out.
    """
    accounts = pd.read_csv(
        folder / "accounts.csv", usecols=["account_id", "started_on", "ended_on"]
    )
    touches = pd.read_csv(
        folder / "touchpoints.csv", usecols=["account_id", "employee_id", "occurred_at"]
    )
    touches = touches.dropna(subset=["employee_id"])

    def month(values: pd.Series) -> pd.Series:
        stamps = pd.to_datetime(values, format="mixed")
        return stamps.dt.year * 12 + stamps.dt.month

    last = as_of.year * 12 + as_of.month - 1
    ended = month(accounts["ended_on"]).fillna(last + 1)
    touches["month"] = month(touches["occurred_at"])
    pairs = touches[["account_id", "employee_id", "month"]].drop_duplicates()
    spread = pairs.loc[pairs.index.repeat(exposure_months)].copy()
    spread["month"] += np.tile(np.arange(1, exposure_months + 1), len(pairs))
    spread = spread.drop_duplicates()
    ends = dict(zip(accounts["account_id"], ended, strict=True))
    spread["end"] = spread["account_id"].map(ends)
    spread = spread[(spread["month"] <= spread["end"]) & (spread["month"] <= last)]
    spread["event"] = (spread["month"] == spread["end"]).astype(float)
    per = spread.groupby("employee_id").agg(months=("event", "size"), events=("event", "sum"))
    per = per[per["months"] >= 60]
    per["hazard"] = per["events"] / per["months"]
    return per.sort_values(["hazard", "months"], ascending=[True, False]).index.tolist()


def score(
    result: Any, planted: set[str], decoys: set[str], baseline: list[str]
) -> dict[str, float]:
    """Precision, recall, decoys and precision@k of a specialists result against the truth."""
    rows = [s for s in result.specialists if s.effect == s.effect]
    flagged = {s.employee_id for s in rows if s.flagged}
    plain = {s.employee_id for s in rows if s.flagged_unweighted}
    group = {s.employee_id for s in rows if s.weight > 1}
    k = len(planted)
    top = {s.employee_id for s in rows[:k]}
    naive = sorted(
        (s for s in rows if s.naive_retention == s.naive_retention and s.n_accounts >= 5),
        key=lambda s: (-s.naive_retention, s.employee_id),
    )
    naive_top = {s.employee_id for s in naive[:k]}
    hazard_top = set(baseline[:k])
    return {
        "precision_flagged": len(flagged & planted) / len(flagged) if flagged else 1.0,
        "recall_flagged": len(flagged & planted) / k,
        "decoys_flagged": float(len(flagged & decoys)),
        "precision_flagged_unweighted": len(plain & planted) / len(plain) if plain else 1.0,
        "recall_flagged_unweighted": len(plain & planted) / k,
        "decoys_flagged_unweighted": float(len(plain & decoys)),
        "precision_at_k": len(top & planted) / k,
        "decoys_in_top_k": float(len(top & decoys)),
        "naive_precision_at_k": len(naive_top & planted) / k,
        "naive_decoys_in_top_k": float(len(naive_top & decoys)),
        "hazard_precision_at_k": len(hazard_top & planted) / k,
        "hazard_decoys_in_top_k": float(len(hazard_top & decoys)),
        "flagged": float(len(flagged)),
        "safer_accounts": float(sum(s.verdict == "safer accounts" for s in rows)),
        "decoys_safer_accounts": float(
            sum(s.verdict == "safer accounts" and s.employee_id in decoys for s in rows)
        ),
        "planted_not_enough_evidence": float(
            sum(s.verdict == "not enough evidence" and s.employee_id in planted for s in rows)
        ),
        "flagged_unweighted": float(len(plain)),
        "habit_group": float(len(group)),
        "planted_in_habit_group": float(len(group & planted)),
        "decoys_in_habit_group": float(len(group & decoys)),
        "planted": float(k),
        "employees": float(len(result.specialists)),
    }


def _run_step(
    folder: Path, as_of: date, fdr: float, outcome_days: int, health_kpis: bool
) -> tuple[Any, float]:
    from carpe.analytics.pipeline.specialists_step import gather_inputs
    from carpe.analytics.specialists import find_specialists

    backend, tables = _read(folder)
    options = RunOptions(as_of=as_of, seed=0)
    context = Context(engine=DuckDBEngine(backend), options=options, tables=tables)
    started = time.perf_counter()
    if outcome_days == 365 and fdr == 0.1:
        result = SpecialistsStep(health_kpis=health_kpis).run(context)
    else:
        inputs = gather_inputs(context, outcome_days=outcome_days, health_kpis=health_kpis)
        result = find_specialists(inputs, fdr=fdr)
    return result, time.perf_counter() - started


def recover(
    kind: str,
    accounts: int,
    months: int,
    seed: int,
    fdr: float,
    outcome_days: int,
    health_kpis: bool = False,
) -> dict[str, float]:
    """One seed's figures on carpe's simulator (see the module docstring)."""
    from carpe.simulate import simulate_business

    folder = OUT / f"specialists-{kind}-{accounts}-{months}-{seed}"
    if not (folder / "ground_truth.json").exists():
        simulate_business(folder, kind=kind, accounts=accounts, months=months, seed=seed, end=END)  # type: ignore[arg-type]
    truth = json.loads((folder / "ground_truth.json").read_text())
    return _figures(folder, truth, END + timedelta(days=1), fdr, outcome_days, health_kpis)


def _figures(
    folder: Path,
    truth: dict[str, Any],
    as_of: date,
    fdr: float,
    outcome_days: int,
    health_kpis: bool,
) -> dict[str, float]:
    planted = {s["employee_id"] for s in truth["specialists"]}
    decoys = {d["employee_id"] for d in truth["decoys"]}
    result, seconds = _run_step(folder, as_of, fdr, outcome_days, health_kpis)
    figures = score(result, planted, decoys, hazard_baseline(folder, as_of))
    return figures | {"seconds": seconds}


def recover_outside(
    kind: str, months: int, seed: int, fdr: float, outcome_days: int
) -> dict[str, float]:
    """One outside world's figures (``../shared/eval/outside``, truth read here only)."""
    folder = outside_folder(kind, seed, months=months, end=OUTSIDE_END)
    truth = json.loads(folder.with_name(f"{folder.name}_truth.json").read_text())
    return _figures(folder, truth, OUTSIDE_END + timedelta(days=1), fdr, outcome_days, False)


def time_step(accounts: int) -> None:
    """Seconds of the specialists step on one simulated b2b business of ``accounts`` accounts.

    Reuses ``out/sim-b2b-<accounts>-24-1`` (the other benchmarks' business) when
    it is there, loads its CSV files into DuckDB tables first, and prints the
    engine aggregations and the analysis apart.
    """
    from carpe.analytics.pipeline.specialists_step import gather_inputs
    from carpe.analytics.specialists import find_specialists
    from carpe.simulate import simulate_business

    folder = OUT / f"sim-b2b-{accounts}-24-1"
    if not (folder / "touchpoints.csv").exists():
        folder = OUT / f"specialists-time-b2b-{accounts}"
        if not (folder / "ground_truth.json").exists():
            simulate_business(folder, kind="b2b", accounts=accounts, months=24, seed=1, end=SIM_END)
    backend, tables = _read(folder)
    # load the CSV files once (the pipeline reads a Parquet snapshot, not CSV text)
    tables = {
        n: backend.create_table(f"t_{n}", t) if n != "follow_ups" else t for n, t in tables.items()
    }
    options = RunOptions(as_of=SIM_END + timedelta(days=1), seed=0)
    context = Context(engine=DuckDBEngine(backend), options=options, tables=tables)
    started, cpu = time.perf_counter(), time.process_time()
    inputs = gather_inputs(context)
    gathered = time.perf_counter()
    result = find_specialists(inputs)
    done = time.perf_counter()
    emit(f"step_seconds_at_{accounts}_accounts", done - started)
    emit(f"step_cpu_seconds_at_{accounts}_accounts", time.process_time() - cpu)
    emit(f"step_aggregation_seconds_at_{accounts}_accounts", gathered - started)
    emit(f"step_analysis_seconds_at_{accounts}_accounts", done - gathered)
    emit(f"step_employees_at_{accounts}_accounts", len(result.specialists))


# ---------------------------------------------------------------- part 2


def credit_agents(path: Path) -> pd.DataFrame:
    """Per (brand, agent): conversations answered and how many ended with the customer happier.

    Parameters
    ----------
    path : Path
        ``twcs_first5000.csv``.

    Returns
    -------
    pandas.DataFrame
        ``brand``, ``agent``, ``conversations``, ``better``, ``smoothed``; best first per brand.
    """
    tweets = pd.read_csv(path, lineterminator="\n", index_col=0)
    tweets["inbound"] = tweets["inbound"].astype(str).str.lower() == "true"
    by_id = tweets.set_index("tweet_id")
    children: dict[int, list[int]] = defaultdict(list)
    for tid, parent in zip(tweets["tweet_id"], tweets["in_response_to_tweet_id"], strict=True):
        if pd.notna(parent):
            children[int(parent)].append(int(tid))
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in tweets[~tweets["inbound"]].itertuples(index=False):
        found = SIGNATURE.search(str(row.text).strip())
        parent = row.in_response_to_tweet_id
        if not found or pd.isna(parent) or int(parent) not in by_id.index:
            continue
        asked = by_id.loc[int(parent)]
        if not bool(asked["inbound"]):
            continue
        customer = asked["author_id"]
        later, queue = [], list(children.get(int(row.tweet_id), []))
        while queue:  # the customer's tweets further down this thread, in time order
            tid = queue.pop(0)
            tweet = by_id.loc[tid]
            if tweet["author_id"] == customer:
                later.append((str(tweet["created_at"]), str(tweet["text"])))
            queue.extend(children.get(tid, []))
        if not later:
            continue
        last = sorted(later)[-1][1]
        key = (str(row.author_id), found.group(1))
        tally[key][0] += 1
        tally[key][1] += int(sentiment(last) > sentiment(str(asked["text"])))
    frame = pd.DataFrame(
        [(b, a, n, k) for (b, a), (n, k) in tally.items()],
        columns=["brand", "agent", "conversations", "better"],
    )
    frame["smoothed"] = (frame["better"] + 1) / (frame["conversations"] + 2)
    return frame.sort_values(
        ["brand", "smoothed", "conversations", "agent"], ascending=[True, False, False, True]
    ).reset_index(drop=True)


def twitter(path: Path) -> None:
    """Print the per-brand agent ranking of part 2."""
    if not path.exists():
        emit("twitter", f"skipped: {path} not found (set CARPE_DATA_DIR)")
        return
    frame = credit_agents(path)
    emit("twitter_signed_conversations", int(frame["conversations"].sum()))
    emit("twitter_agents", len(frame))
    emit(
        "twitter_conversations_better_share",
        float(frame["better"].sum() / frame["conversations"].sum()),
    )
    ranked = frame[frame["conversations"] >= 2]
    for brand, rows in ranked.groupby("brand", sort=True):
        best = ", ".join(
            f"{r.agent} {r.better}/{r.conversations}" for r in rows.head(3).itertuples(index=False)
        )
        print(f"twitter_top_agents[{brand}]: {best}")


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, run both parts, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--kind", default="b2b", choices=("b2b", "b2c"))
    parser.add_argument(
        "--months", default="24,48", help="history lengths to simulate (comma-separated)"
    )
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--fdr", type=float, default=0.1)
    parser.add_argument("--outside", default="clinic,saas", help="outside worlds (or empty)")
    parser.add_argument("--outside-seeds", default="1,2,3")
    parser.add_argument("--outside-months", default="24,48")
    parser.add_argument("--outcome-days", type=int, default=365)
    parser.add_argument("--twitter-only", action="store_true")
    parser.add_argument(
        "--health-kpis",
        action="store_true",
        help="adjust for the owners' health reports in kpis.csv (off by default)",
    )
    parser.add_argument(
        "--time-accounts", type=int, default=0, help="also time the step at this many accounts"
    )
    args = parser.parse_args(argv)
    if args.time_accounts:
        time_step(args.time_accounts)
    if not args.twitter_only:
        seeds = [int(s) for s in args.seeds.split(",")]
        emit("seeds", ",".join(map(str, seeds)))
        emit("kind", args.kind)
        emit("accounts", args.accounts)
        emit("health_kpis", int(args.health_kpis))
        for i, months in enumerate(int(m) for m in args.months.split(",")):
            runs = [
                recover(
                    args.kind,
                    args.accounts,
                    months,
                    s,
                    args.fdr,
                    args.outcome_days,
                    args.health_kpis,
                )
                for s in seeds
            ]
            suffix = "" if i == 0 else f"_{months}m"
            emit(f"months{suffix}", months)
            for name in runs[0]:
                emit(f"{name}{suffix}", sum(r[name] for r in runs) / len(runs))
        for world in filter(None, args.outside.split(",")):
            for months in (int(m) for m in args.outside_months.split(",")):
                for seed in (int(s) for s in args.outside_seeds.split(",")):
                    found = recover_outside(world, months, seed, args.fdr, args.outcome_days)
                    for name, value in found.items():
                        emit(f"{name}_{world}{seed}_{months}m", value)
    twitter(TWEETS)


if __name__ == "__main__":
    main()
