"""The ground truth: what was planted, streamed to ``ground_truth.json`` section by section."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from carpe.simulate.context import Block, fmt_id

Array = npt.NDArray[Any]

SECTIONS = ("moments", "non_moments", "conflicts", "hero_episodes", "genuine_gestures", "accounts")


def _tp(refs: Array, ref: int | None) -> str | None:
    if ref is None or ref < 0 or refs[ref] < 0:
        return None
    return fmt_id("touchpoint", int(refs[ref]))


def block_truth(
    blk: Block, refs: Array, acc_truth: dict[str, Array]
) -> dict[str, list[dict[str, Any]]]:
    """The truth fragments of one block, with touchpoint references resolved to ids."""
    acc, tl, staff = blk.acc, blk.biz.timeline, blk.biz.staff
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
    for e in blk.moments:
        tp = _tp(refs, e["ref"])
        if tp is None:
            continue
        mo = e["moment"]
        out["moments"].append(
            {
                "touchpoint_id": tp,
                "account_id": fmt_id("account", acc.first + e["acc"]),
                "contact_id": fmt_id("contact", e["contact"]),
                "kind": mo.kind,
                "subject": mo.subject,
                "when": None if mo.when is None else mo.when.isoformat(),
                "note_date": tl.date_of(e["day"]).isoformat(),
                "sensitive": mo.sensitive,
                "evidence": mo.sentence,
                "followed_up_by": _tp(refs, e["follow_ref"]),
                "resolved_by": _tp(refs, e["resolved_ref"]),
            }
        )
    tp = blk.final["touchpoints"]
    pool = blk.biz.pool
    size = len(pool.texts)
    pooled = tp["note"] < size
    tags = np.asarray(pool.tag, dtype=object)
    tagged = np.flatnonzero(pooled & (tags[np.where(pooled, tp["note"], 0)] != ""))
    for i in tagged.tolist():
        note = int(tp["note"][i])
        out["non_moments"].append(
            {
                "touchpoint_id": fmt_id("touchpoint", int(tp["numbers"][i])),
                "category": pool.tag[note],
                "text": pool.texts[note],
            }
        )
    for c in blk.conflicts:
        ev = dict(c["evidence"])
        ids = [_tp(refs, r) for r in ev.pop("touchpoint_refs")]
        ev["touchpoint_ids"] = [x for x in ids if x is not None]
        out["conflicts"].append({**c, "evidence": ev})
    for h in blk.heroes:
        ids = [_tp(refs, r) for r in h["touchpoint_refs"]]
        hero = {k: v for k, v in h.items() if k != "touchpoint_refs"}
        hero["touchpoint_ids"] = [x for x in ids if x is not None]
        out["hero_episodes"].append(hero)
    for g in blk.final["gestures"]:
        if "moment_ref" in g:
            out["genuine_gestures"].append(
                {
                    "gesture_id": fmt_id("gesture", g["num"]),
                    "employee_id": fmt_id("employee", g["emp"]),
                    "moment_touchpoint_id": _tp(refs, g["moment_ref"]),
                }
            )
    churned = acc.end_day < tl.n_days - 1
    hazard = np.round(acc_truth["hazard"], 5)
    months = [tl.date_of(int(d)).isoformat() for d in tl.month_start[:-1]]
    for a in range(acc.n):
        risky = np.flatnonzero(hazard[a] > 0)
        out["accounts"].append(
            {
                "account_id": fmt_id("account", acc.first + a),
                "churned": bool(churned[a]),
                "ended_on": tl.date_of(int(acc.end_day[a])).isoformat() if churned[a] else None,
                "churn_probability": round(float(acc_truth["probability"][a]), 5),
                "churn_probability_without_follow_up": round(
                    float(acc_truth["no_follow_up"][a]), 5
                ),
                "churn_probability_without_gesture": round(float(acc_truth["no_gesture"][a]), 5),
                "followed_up": bool(blk.care_month[a] >= 0),
                "genuine_gesture": bool(blk.gesture_month[a] >= 0),
                "neglected": bool(acc_truth["neglected"][a]),
                # the true monthly hazard while at risk, from the first month at risk on
                "monthly_hazard_from": months[risky[0]] if risky.size else None,
                "monthly_hazard": hazard[a, risky[0] : risky[-1] + 1].tolist()
                if risky.size
                else [],
                "specialist_ids": sorted(
                    {fmt_id("employee", int(e)) for e in _serving(blk, a) if staff.specialist[e]}
                ),
            }
        )
    return out


def _serving(blk: Block, a: int) -> list[int]:
    emps = [int(blk.acc.owner[a])] + [int(v[a]) for v in blk.acc.assigned.values()]
    if blk.acc.successor[a] >= 0:
        emps.append(int(blk.acc.successor[a]))
    return emps


class TruthWriter:
    """Streams truth sections to temporary files, then joins them into one JSON document."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = Path(tempfile.mkdtemp(prefix="carpe-truth-"))
        self.files = {s: (self.tmp / f"{s}.part").open("w", encoding="utf-8") for s in SECTIONS}
        self.counts = dict.fromkeys(SECTIONS, 0)

    def add(self, fragments: dict[str, list[dict[str, Any]]]) -> None:
        """Append a block's fragments."""
        for section, items in fragments.items():
            f = self.files[section]
            for item in items:
                f.write(",\n" if self.counts[section] else "\n")
                f.write(json.dumps(item, ensure_ascii=False, sort_keys=True))
                self.counts[section] += 1

    def finish(self, head: dict[str, Any]) -> None:
        """Write ``ground_truth.json``: ``head``'s keys, then every streamed section."""
        for f in self.files.values():
            f.close()
        with self.path.open("w", encoding="utf-8") as out:
            body = json.dumps(head, ensure_ascii=False, indent=1, sort_keys=True)
            out.write(body[:-2] if body.endswith("\n}") else body[:-1])
            for section in SECTIONS:
                out.write(f',\n "{section}": [')
                with (self.tmp / f"{section}.part").open(encoding="utf-8") as part:
                    shutil.copyfileobj(part, out)
                out.write("\n ]")
            out.write("\n}\n")
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> TruthWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for f in self.files.values():
            f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
