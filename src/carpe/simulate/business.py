"""The public entry point: simulate a whole business into a folder."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa

from carpe.simulate.block import simulate_block
from carpe.simulate.churn import COEFFICIENTS
from carpe.simulate.context import Business, fmt_id
from carpe.simulate.gestures import TEMPLATED, budgets_table, engagement_table
from carpe.simulate.kpis import HEALTHY_AT, METRICS, OWNER_METRICS, TROUBLE
from carpe.simulate.notes import build_note_pool
from carpe.simulate.people import COMPONENTS, REGIONS, build_staff
from carpe.simulate.routine import DECLINE_SENTIMENT_DROP, SPECIALIST_SENTIMENT_LIFT
from carpe.simulate.schema import COLUMNS, GROUND_TRUTH_FILE, KINDS, Kind
from carpe.simulate.timeline import Timeline, make_ids
from carpe.simulate.truth import TruthWriter
from carpe.vocabulary import STORY_THEMES

BLOCK_SIZE: Final = 5000
"""Accounts simulated together; fixed, so the output never depends on anything but the args."""
TRUTH_FORMAT: Final = "carpe-ground-truth/1"


@dataclass(frozen=True)
class SimulationSummary:
    """What :func:`simulate_business` wrote."""

    out_dir: Path
    rows: dict[str, int]
    """Data rows (header excluded) per CSV file name."""
    ground_truth: Path
    seconds: float


def simulate_business(
    out_dir: Path,
    *,
    kind: Kind,
    accounts: int,
    months: int,
    seed: int,
    end: date,
    plant_conflicts: bool = True,
) -> SimulationSummary:
    """Simulate a business's history in the interchange format, with its ground truth.

    Parameters
    ----------
    out_dir : Path
        Folder to write into (created if missing; existing files of the same names are
        replaced).
    kind : {"b2b", "b2c"}
        ``b2b``: an industrial supplier; ``b2c``: a chain of hair and beauty salons.
    accounts : int
        Number of accounts (customers), at least 1.
    months : int
        Length of the history in months, at least 1.
    seed : int
        Seed of every random draw: the same arguments give byte-identical files.
    end : date
        Last day of the history.
    plant_conflicts : bool, default True
        Plant experience conflicts. With False the data holds none, for measuring
        false-positive rates.

    Returns
    -------
    SimulationSummary
        Row counts per file and the paths written.

    Examples
    --------
    >>> from datetime import date
    >>> from pathlib import Path
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> s = simulate_business(out, kind="b2b", accounts=50, months=12, seed=1,
    ...                       end=date(2026, 3, 31))
    >>> s.rows["accounts.csv"]
    50
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if accounts < 1 or months < 1:
        raise ValueError("accounts and months must be at least 1")
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline = Timeline(end=end, months=months)
    master = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    regions = REGIONS[kind]
    n_regions = max(1, min(len(regions), accounts // 250))
    staff = build_staff(
        kind,
        accounts=accounts,
        n_regions=n_regions,
        n_days=timeline.n_days,
        n_months=timeline.n_months,
        rng=master,
    )
    staff_ids = make_ids("E", np.arange(staff.size), 5)
    n_heroes = min(15, max(1, accounts // 40))
    hero_accounts = master.choice(accounts, size=min(n_heroes, accounts), replace=False)
    heroes: dict[int, str] = {
        int(a): STORY_THEMES[i % len(STORY_THEMES)] for i, a in enumerate(sorted(hero_accounts))
    }
    biz = Business(
        kind=kind,
        seed=seed,
        timeline=timeline,
        staff=staff,
        staff_ids=staff_ids,
        pool=build_note_pool(kind),
        n_regions=n_regions,
        regions=regions,
        plant_conflicts=plant_conflicts,
        heroes=heroes,
    )
    from carpe.simulate.writer import CsvFiles

    effects = _EffectTally()
    with CsvFiles(out_dir) as files, TruthWriter(out_dir / GROUND_TRUTH_FILE) as truth:
        files.write("employees.csv", _employees_table(biz))
        files.write("budgets.csv", budgets_table(biz))
        files.write("engagement.csv", engagement_table(biz, master))
        for index, first in enumerate(range(0, accounts, BLOCK_SIZE)):
            result = simulate_block(biz, index, first, min(BLOCK_SIZE, accounts - first))
            for name in COLUMNS:
                if name in result.tables:
                    files.write(name, result.tables[name])
            effects.add(result.truth["accounts"])
            truth.add(result.truth)
        files.close()
        truth.finish(_head(biz, effects, accounts=accounts, months=months, end=end))
        rows = dict(files.rows)
    return SimulationSummary(
        out_dir=out_dir,
        rows=rows,
        ground_truth=out_dir / GROUND_TRUTH_FILE,
        seconds=round(time.perf_counter() - started, 3),
    )


class _EffectTally:
    """Sums over accounts for the average effects of follow-ups and genuine gestures."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def _add(self, key: str, value: float) -> None:
        self.sums[key] = self.sums.get(key, 0.0) + value
        self.counts[key] = self.counts.get(key, 0) + 1

    def add(self, accounts: list[dict[str, Any]]) -> None:
        for a in accounts:
            p = a["churn_probability"]
            self._add("churn_rate", float(a["churned"]))
            self._add("churn_probability", p)
            if a["followed_up"]:
                self._add("follow_up_att", p - a["churn_probability_without_follow_up"])
            if a["genuine_gesture"]:
                self._add("gesture_att", p - a["churn_probability_without_gesture"])

    def mean(self, key: str) -> float | None:
        n = self.counts.get(key, 0)
        return round(self.sums[key] / n, 5) if n else None


def _employees_table(biz: Business) -> pa.Table:
    staff, tl = biz.staff, biz.timeline
    left = staff.left_day
    return pa.table(
        {
            "employee_id": biz.staff_ids,
            "name": pa.array(list(staff.names)),
            "department": pa.array(list(staff.departments)),
            "role": pa.array(list(staff.roles)),
            "frontline": pa.array(np.ones(staff.size, dtype=bool)),
            "hired_on": tl.dates(staff.hired_day),
            "left_on": tl.dates(np.maximum(left, 0), left >= 0),
        }
    )


def _head(
    biz: Business, effects: _EffectTally, *, accounts: int, months: int, end: date
) -> dict[str, Any]:
    staff, tl = biz.staff, biz.timeline

    def emp(e: int) -> dict[str, Any]:
        return {
            "employee_id": fmt_id("employee", e),
            "name": staff.names[e],
            "department": staff.departments[e],
        }

    return {
        "format": TRUTH_FORMAT,
        "parameters": {
            "kind": biz.kind,
            "accounts": accounts,
            "months": months,
            "seed": biz.seed,
            "start": tl.start.isoformat(),
            "end": end.isoformat(),
            "plant_conflicts": biz.plant_conflicts,
        },
        "churn_model": {
            "monthly_log_odds": COEFFICIENTS,
            "effects": {
                "follow_up_att_pp": _pp(effects.mean("follow_up_att")),
                "genuine_gesture_att_pp": _pp(effects.mean("gesture_att")),
                "templated_gesture_pp": 0.0,
                "mean_churn_probability": effects.mean("churn_probability"),
                "churn_rate": effects.mean("churn_rate"),
            },
        },
        "specialists": [
            {
                **emp(int(e)),
                "effect_log_odds": round(float(staff.effect[e]), 4),
                "component": COMPONENTS.get(staff.departments[int(e)], ""),
            }
            for e in np.flatnonzero(staff.specialist)
        ],
        "decoys": [emp(int(e)) for e in np.flatnonzero(staff.decoy)],
        "templated_givers": [
            {**emp(int(e)), "kind": TEMPLATED[0], "description": TEMPLATED[1], "cadence": "monthly"}
            for e in np.flatnonzero(staff.templated_giver)
        ],
        "genuine_givers": [emp(int(e)) for e in np.flatnonzero(staff.genuine_giver)],
        "declining_employees": [
            {**emp(int(e)), "decline_from": tl.labels[int(staff.decline_month[e])]}
            for e in np.flatnonzero(staff.decline_month >= 0)
        ],
        "sentiment_effects": [_sentiment_effect(biz, e, emp(e)) for e in range(staff.size)],
        "departed_owners": [
            {
                **emp(int(e)),
                "left_on": tl.date_of(int(staff.left_day[e])).isoformat(),
                "successor_id": fmt_id("employee", int(staff.successor[e])),
            }
            for e in np.flatnonzero(staff.left_day >= 0)
        ],
        "kpi_bands": {
            "owner_metrics": OWNER_METRICS,
            "department_metrics": METRICS,
            "owner_healthy_at": HEALTHY_AT,
            "trouble": TROUBLE,
        },
    }


def _sentiment_effect(biz: Business, e: int, who: dict[str, Any]) -> dict[str, Any]:
    """An employee's true effect on the sentiment of the touchpoints they serve.

    ``lift`` is added to every everyday touchpoint's sentiment; ``drop`` is taken
    off from ``drop_from`` (the first day after their decline month) on.
    """
    staff, tl = biz.staff, biz.timeline
    month = int(staff.decline_month[e])
    after = month + 1 if month >= 0 else -1
    drop_from = None
    if 0 <= after < tl.n_months:
        drop_from = tl.date_of(int(tl.month_start[after])).isoformat()
    return {
        **who,
        "lift": SPECIALIST_SENTIMENT_LIFT if staff.specialist[e] else 0.0,
        "drop": DECLINE_SENTIMENT_DROP if drop_from is not None else 0.0,
        "drop_from": drop_from,
    }


def _pp(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 3)
