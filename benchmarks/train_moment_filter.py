"""Train the learned filter of the memory (src/carpe/memory/moment_filter.json).

Run: ``CARPE_OUTSIDE_DIR=/tmp/carpe-outside uv run python benchmarks/train_moment_filter.py``
(the outside worlds' tuning seeds 4-6 are generated there first by memory_quality.py
``--tune``). Training data, never a test split:

* the chitchat **train** split (benchmarks/data/chitchat/chitchat_train.jsonl): every
  moment the rules propose is labelled 1 when it matches a hand label (same kind,
  overlapping evidence), else 0;
* the outside worlds clinic and saas, seeds 4-6: the same, matched to the truth as
  ``score_outside.py`` does (same touchpoint and kind, a keyword or the evidence shared);
  at most 4,000 proposals per world so the chat is not drowned.

The threshold is chosen by two-fold cross-fitting: each half is scored by a model trained
on the other half, and the threshold that maximises F1 on the chat proposals while
keeping at least 99% of the outside worlds' true proposals is kept.
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import date
from pathlib import Path

import numpy as np

from carpe.memory import Extractor
from carpe.memory.vetting import WEIGHTS, MomentFilter, train

HERE = Path(__file__).resolve().parent
CHAT = HERE / "data" / "chitchat" / "chitchat_train.jsonl"


def _overlap(note: str, a: str, b: str) -> bool:
    sa, sb = note.find(a), note.find(b)
    return sa >= 0 and sb >= 0 and sa < sb + len(b) and sb < sa + len(a)


def _chat(extractor: Extractor) -> list[tuple[str, str, int]]:
    rows = []
    for line in CHAT.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        gold = list(r["moments"])
        for m in extractor.extract(r["note"], date.fromisoformat(r["note_date"])):
            hit = next(
                (
                    g
                    for g in gold
                    if g["kind"] == m.kind and _overlap(r["note"], g["evidence"], m.evidence)
                ),
                None,
            )
            if hit is not None:
                gold.remove(hit)
            rows.append((m.kind, m.evidence, int(hit is not None)))
    return rows


def _outside(extractor: Extractor, folder: Path) -> list[tuple[str, str, int]]:
    rows: list[tuple[str, str, int]] = []
    rng = random.Random(18)
    for kind in ("clinic", "saas"):
        for seed in (4, 5, 6):
            truth = json.loads((folder / f"{kind}{seed}_truth.json").read_text())
            by_tp: dict[str, list[dict[str, object]]] = {}
            for m in truth["moments"]:
                by_tp.setdefault(m["touchpoint_id"], []).append(m)
            found: list[tuple[str, str, int]] = []
            for line in (folder / f"{kind}{seed}_notes.jsonl").read_text().splitlines():
                r = json.loads(line)
                labs = by_tp.get(r["id"], [])
                for m in extractor.extract(r["note"], date.fromisoformat(r["note_date"])):
                    text = f"{m.evidence} {m.summary}".lower()
                    hit = next(
                        (
                            lab
                            for lab in labs
                            if lab["kind"] == m.kind
                            and (
                                any(str(k).lower() in text for k in lab["keywords"])  # type: ignore[attr-defined]
                                or str(lab["evidence"]).lower()[:25] in text
                            )
                        ),
                        None,
                    )
                    if hit is not None:
                        labs.remove(hit)
                    found.append((m.kind, m.evidence, int(hit is not None)))
            rows += rng.sample(found, min(4000, len(found)))
    return rows


def _f1(p: np.ndarray, y: np.ndarray, t: float) -> float:
    kept = p >= t
    tp = float((kept & (y == 1)).sum())
    precision = tp / max(1, int(kept.sum()))
    recall = tp / max(1, int((y == 1).sum()))
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main() -> None:
    """Train, choose the threshold, write the weights."""
    extractor = Extractor(use_filter=False)
    chat = _chat(extractor)
    outside = _outside(extractor, Path(os.environ.get("CARPE_OUTSIDE_DIR", "/tmp/carpe-outside")))
    data = chat + outside
    is_chat = np.asarray([1] * len(chat) + [0] * len(outside), dtype=bool)
    y = np.asarray([label for _, _, label in data])
    fold = np.asarray([i % 2 for i in range(len(data))])
    p = np.zeros(len(data))
    for k in (0, 1):
        model = train(r for r, f in zip(data, fold, strict=True) if f != k)
        for i in np.flatnonzero(fold == k):
            p[i] = model.probability(data[i][0], data[i][1])
    best, best_f1 = 0.0, _f1(p[is_chat], y[is_chat], 0.0)
    for t in np.arange(0.05, 0.95, 0.025):
        out_kept = ((p >= t) & ~is_chat & (y == 1)).sum() / max(1, (~is_chat & (y == 1)).sum())
        f1 = _f1(p[is_chat], y[is_chat], t)
        if out_kept >= 0.99 and f1 > best_f1:
            best, best_f1 = float(t), f1
    print(f"proposals: chat={len(chat)} (true {sum(y[is_chat])}) outside={len(outside)}")
    print(f"cross_fitted_chat_f1_no_filter: {_f1(p[is_chat], y[is_chat], 0.0):.3f}")
    print(f"cross_fitted_chat_f1_filtered: {best_f1:.3f} at threshold {best:.3f}")
    final = train(data)
    WEIGHTS.write_text(MomentFilter(final.weights, final.bias, best).to_json() + "\n")
    print(f"written: {WEIGHTS} ({WEIGHTS.stat().st_size} bytes)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
