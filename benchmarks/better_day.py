"""Better days: does carpe's per-employee better-day share rank those who truly lift customers?

Run: ``uv run python benchmarks/better_day.py [--seeds 1,2,3] [--worlds carpe,clinic,saas]
[--accounts 600] [--weeks 26] [--min-contacts 20]`` (prints ``name: value`` lines), or
``--page-store STORE.db`` to time a My week page view (``my_week_page_seconds``) against
judging every employee's contacts (``my_week_baseline_judge_everyone_seconds``).

For each world and seed, the last ``--weeks`` weeks of the history are judged with
:class:`carpe.analytics.better_day.BetterDayEstimator` (its defaults, the settings the
page uses), from the files as carpe would import them: every employee's touchpoints
are the contacts; the customers' words are touchpoint sentiment and survey scores;
events are praise naming an employee (:func:`carpe.analytics.specialists.find_praise`
on feedback comments and notes). Employees with at least ``--min-contacts`` judged
contacts are ranked by their smoothed better-day share.

Truth:

* ``carpe`` — carpe's simulator, b2b, 24 months (``ground_truth.json``,
  ``sentiment_effects``): each employee's true shift of the sentiment of the
  touchpoints they serve, averaged over their touchpoints in the judged weeks
  (``lift``, minus ``drop`` on those from ``drop_from`` on).
* ``clinic``, ``saas`` — the outside worlds (``../shared/eval/outside/``), which
  plant no per-employee effect on sentiment: their truth is whether the employee is
  a planted specialist (1) or not (0; the three decoys, among them a "cheerful" one
  whose own touchpoints read positive with no effect, are 0). Specialists there act
  through speed and quality (fewer complications, faster resolutions, fewer
  reopened tickets), which the customers' later words reflect.

Printed per world: ``<world>_spearman`` (mean over seeds of the Spearman rank
correlation between the share and the truth) and, beside it,
``<world>_baseline_spearman``: the naive ranking by the mean sentiment of the
employee's own touchpoints; ``<world>_employees`` ranked; per seed
``<world>_s<seed>_spearman`` and ``..._baseline_spearman``. Settings are chosen on
seeds 4-6; report seeds 1-3.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from benchmarks._common import OUT, SIM_END, emit, simulated_folder
from carpe.analytics.better_day import BetterDayEstimator, feedback_sentiment, resolved_tickets
from carpe.analytics.specialists import find_praise

OUTSIDE = Path(__file__).resolve().parents[2] / "shared" / "eval" / "outside"
if not OUTSIDE.exists():
    OUTSIDE = Path("/work/shared/eval/outside")


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False).replace("", None)


def load_world(folder: Path) -> dict[str, pd.DataFrame]:
    """Contacts, words and praise events of a folder in the interchange format."""
    tp = _read(folder, "touchpoints.csv")
    tp["occurred_at"] = pd.to_datetime(tp["occurred_at"], format="ISO8601")
    tp["sentiment"] = pd.to_numeric(tp["sentiment"])
    fb = _read(folder, "feedback.csv")
    fb["received_at"] = pd.to_datetime(fb["received_at"], format="ISO8601")
    staffed = tp[tp["employee_id"].notna() & (tp["direction"] != "internal")]
    words = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": "touchpoint",
                    "source_id": tp["touchpoint_id"],
                    "account_id": tp["account_id"],
                    "employee_id": tp["employee_id"],
                    "at": tp["occurred_at"],
                    "sentiment": tp["sentiment"],
                }
            ),
            pd.DataFrame(
                {
                    "source": "feedback",
                    "source_id": fb["feedback_id"],
                    "account_id": fb["account_id"],
                    "at": fb["received_at"],
                    "sentiment": feedback_sentiment(fb["survey"], fb["score"]),
                }
            ),
        ],
        ignore_index=True,
    ).dropna(subset=["sentiment"])
    employees = _read(folder, "employees.csv")
    texts = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": "feedback",
                    "source_id": fb["feedback_id"],
                    "account_id": fb["account_id"],
                    "employee_id": None,
                    "at": fb["received_at"],
                    "text": fb["comment"],
                }
            ),
            pd.DataFrame(
                {
                    "source": "note",
                    "source_id": tp["touchpoint_id"],
                    "account_id": tp["account_id"],
                    "employee_id": tp["employee_id"],
                    "at": tp["occurred_at"],
                    "text": tp["note"],
                }
            ),
        ],
        ignore_index=True,
    ).dropna(subset=["text"])
    involvement = staffed.groupby(["account_id", "employee_id"]).size().rename("n").reset_index()
    mentions = find_praise(employees, texts, involvement)
    events = pd.DataFrame(
        {
            "kind": "praise",
            "source": [m.source for m in mentions],
            "source_id": [m.source_id for m in mentions],
            "account_id": [m.account_id for m in mentions],
            "employee_id": [m.employee_id for m in mentions],
            "at": pd.to_datetime([m.at for m in mentions]),
            "text": [m.text for m in mentions],
        }
    )
    events = pd.concat([events, resolved_tickets(tp)], ignore_index=True)
    contacts = staffed.loc[
        :,
        [
            "touchpoint_id",
            "account_id",
            "contact_id",
            "employee_id",
            "occurred_at",
            "sentiment",
            "kind",
        ],
    ]
    return {"contacts": contacts, "words": words, "events": events}


def judge(
    world: dict[str, pd.DataFrame], *, end: pd.Timestamp, weeks: int, model: BetterDayEstimator
) -> pd.DataFrame:
    """Per employee: smoothed better-day share, judged contacts, baseline mean sentiment."""
    start = end - pd.Timedelta(weeks=weeks)
    contacts = world["contacts"]
    window = contacts[(contacts["occurred_at"] >= start) & (contacts["occurred_at"] < end)]
    events = world["events"]
    events = events[(events["at"] >= start) & (events["at"] < end)]
    model.fit(window, world["words"], events)
    shares = model.shares().set_index("employee_id")
    shares["baseline"] = window.groupby("employee_id")["sentiment"].mean()
    return shares


def _truth_carpe(folder: Path, contacts: pd.DataFrame, start: pd.Timestamp) -> pd.Series:
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    seen = contacts[contacts["occurred_at"] >= start]
    out = {}
    for e in truth["sentiment_effects"]:
        mine = seen.loc[seen["employee_id"] == e["employee_id"], "occurred_at"]
        dropped = 0.0
        if e["drop_from"] and len(mine):
            dropped = float((mine >= pd.Timestamp(e["drop_from"])).mean())
        out[e["employee_id"]] = e["lift"] - e["drop"] * dropped
    return pd.Series(out)


def _outside(kind: str, seed: int, accounts: int) -> tuple[Path, Path]:
    base = OUT / "outside" / f"{kind}{seed}"
    truth = base.parent / f"{kind}{seed}_truth.json"
    if not truth.exists():
        subprocess.run(
            [sys.executable, str(OUTSIDE / "outside_business.py"), "--kind", kind, "--seed",
             str(seed), "--accounts", str(accounts), "--months", "24", "--end",
             SIM_END.isoformat(), "--out", str(base)],
            check=True, capture_output=True,
        )  # fmt: skip
    return base, truth


def _spearman(a: pd.Series, b: pd.Series) -> float:
    both = pd.concat([a, b], axis=1).dropna()
    if len(both) < 3 or both.iloc[:, 1].nunique() < 2 or both.iloc[:, 0].nunique() < 2:
        return float("nan")
    return float(both.rank().corr().iloc[0, 1])


def run(world: str, seed: int, args: argparse.Namespace) -> tuple[float, float, int]:
    """Spearman of the share and of the baseline against the truth, and employees ranked."""
    end = pd.Timestamp(SIM_END) + pd.Timedelta(days=1)
    start = end - pd.Timedelta(weeks=args.weeks)
    if world == "carpe":
        folder = simulated_folder(kind="b2b", accounts=args.accounts, months=24, seed=seed)
        data = load_world(folder)
        truth = _truth_carpe(folder, data["contacts"], start)
    else:
        folder, truth_file = _outside(world, seed, args.accounts)
        data = load_world(folder)
        planted = json.loads(truth_file.read_text(encoding="utf-8"))["specialists"]
        ids = {s["employee_id"] for s in planted}
        staff = _read(folder, "employees.csv")["employee_id"]
        truth = pd.Series({e: float(e in ids) for e in staff})
    model = BetterDayEstimator(
        before_days=args.before_days,
        after_days=args.after_days,
        margin=args.margin,
        own_words=not args.next_words_only,
    )
    shares = judge(data, end=end, weeks=args.weeks, model=model)
    ranked = shares[shares["judged"] >= args.min_contacts]
    truth = truth.reindex(ranked.index)
    return (
        _spearman(ranked["smoothed"], truth),
        _spearman(ranked["baseline"], truth),
        len(ranked),
    )


def page_seconds(store: Path, day: str | None) -> None:
    """Time a My week page view on a store: the busiest employee of the last week.

    Baseline in the same run: judging every employee's contacts of the eight
    weeks and keeping the page's (how the page was built before). Median of 3.
    """
    import time
    from datetime import date, timedelta

    from sqlalchemy import func, select

    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.services import my_week
    from carpe.services.permissions import Viewer
    from carpe.store.models import Touchpoint

    carpe = Carpe(load_settings(database_url=f"sqlite:///{store}"))
    try:
        with carpe.unit_of_work() as uow:
            session = uow.session
            last = date.fromisoformat(day) if day else session.scalar(
                select(func.max(Touchpoint.occurred_at))
            ).date()  # fmt: skip
            busiest = session.execute(
                select(Touchpoint.employee_id, func.count())
                .where(Touchpoint.occurred_at >= last - timedelta(days=6))
                .group_by(Touchpoint.employee_id).order_by(func.count().desc()).limit(1)
            ).scalar_one()  # fmt: skip
            viewer = Viewer(0, "bench", "frontline", busiest)

            def page() -> None:
                my_week.my_week(session=session, viewer=viewer, employee_id=busiest, day=last)

            def everyone() -> None:
                start = my_week._starts(last, my_week.TREND_WEEKS)[0]
                my_week._judge(session, start, last)

            for name, call in (("page", page), ("baseline_judge_everyone", everyone)):
                took = []
                for _ in range(3):
                    started = time.perf_counter()
                    call()
                    took.append(time.perf_counter() - started)
                emit(f"my_week_{name}_seconds", float(np.median(took)))
    finally:
        carpe.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--worlds", default="carpe,clinic,saas")
    parser.add_argument("--accounts", type=int, default=600)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--min-contacts", type=int, default=20)
    defaults = BetterDayEstimator()
    parser.add_argument("--before-days", type=int, default=defaults.before_days)
    parser.add_argument("--after-days", type=int, default=defaults.after_days)
    parser.add_argument("--margin", type=float, default=defaults.margin)
    parser.add_argument("--next-words-only", action="store_true")
    parser.add_argument("--page-store", type=Path, help="time a My week page on this store")
    parser.add_argument("--page-day", help="the page's last day (default: the last touchpoint's)")
    args = parser.parse_args()
    if args.page_store:
        page_seconds(args.page_store, args.page_day)
        return
    seeds = [int(s) for s in args.seeds.split(",")]
    emit("seeds", args.seeds)
    emit("weeks", args.weeks)
    for world in args.worlds.split(","):
        ours, naive = [], []
        for seed in seeds:
            rho, base, n = run(world, seed, args)
            emit(f"{world}_s{seed}_spearman", rho)
            emit(f"{world}_s{seed}_baseline_spearman", base)
            emit(f"{world}_s{seed}_employees", n)
            ours.append(rho)
            naive.append(base)
        emit(f"{world}_spearman", float(np.nanmean(ours)))
        emit(f"{world}_baseline_spearman", float(np.nanmean(naive)))


if __name__ == "__main__":
    main()
