"""Quality of moment extraction: labelled notes, held-out notes, PersonaChat.

Run: ``uv run python benchmarks/memory_quality.py`` (prints ``name: value`` lines).

Matching rules (also in docs/memory.md):

* A predicted moment matches a labelled one when the kind is the same and their
  evidence spans overlap in the note (at least one character). Matching is one to
  one, greedy in label order. Precision = matched / predicted, recall = matched /
  labelled, F1 their harmonic mean, overall and per kind.
* ``when`` accuracy: among matched pairs, the share whose ``when`` is exactly the
  labelled one (both ``None`` counts as equal); ``when_dated_accuracy`` restricts it
  to labels that carry a date.
* For a note that resolves earlier ones (``"resolves": [ids]``), the open moments
  are those extracted from the referenced notes plus those of five other notes before
  it (distractors); moments that restate a resolved one are dropped before scoring.
  Resolution recall = referenced notes with at least one moment closed / referenced
  notes; resolution precision = closed moments that belong to a referenced note /
  closed moments.
* PersonaChat: every turn of speaker B is a note (dated 2026-01-01); a persona line
  of B is recalled when some moment extracted from B's turns in the same dialogue has
  evidence containing at least half of the line's content words (``fact_recall``),
  or at least one (``fact_recall_any_word``). Content words: lower-cased words minus
  stop words and a trailing "s".
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

from carpe.memory import KINDS, Extractor, Moment
from carpe.memory.resolve import drop_resolved, find_resolutions

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "data" / "memory_notes.jsonl"
HOLDOUT = HERE / "data" / "memory_notes_holdout.jsonl"
PERSONACHAT = (
    HERE.parent.parent
    / "shared"
    / "data"
    / "personachat-convai2"
    / "valid_self_original_no_cands.txt"
)
DISTRACTORS = 5

_STOP_TEXT = """
    i i'm im i've ive me my mine a an the and or but of to in on at for with from by is am are
    was were be been being have has had do does did not no so as it its it's that this these
    those there their they them we our you your he she his her him very really just also like
    love likes loves enjoy enjoys one two all some any can will would about up out into over
    than then when what who how which too more most get got go going favorite favourite lot
    lots time day days year years every much many well good great thing things
"""
_STOP = frozenset(_STOP_TEXT.split())


def _load(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _span(note: str, evidence: str) -> tuple[int, int]:
    start = note.find(evidence)
    return (start, start + len(evidence)) if start >= 0 else (-1, -1)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] >= 0 and b[0] >= 0 and a[0] < b[1] and b[0] < a[1]


def _predict(extractor: Extractor, rows: list[dict[str, object]]) -> dict[str, list[Moment]]:
    by_id = {str(r["id"]): r for r in rows}
    raw = {
        str(r["id"]): extractor.extract(str(r["note"]), date.fromisoformat(str(r["note_date"])))
        for r in rows
    }
    preds: dict[str, list[Moment]] = {}
    order = [str(r["id"]) for r in rows]
    for pos, nid in enumerate(order):
        row = by_id[nid]
        refs = [str(x) for x in row.get("resolves", []) or []]  # type: ignore[union-attr]
        if refs:
            open_moments = [m for ref in refs for m in raw.get(ref, [])]
            resolutions = find_resolutions(
                str(row["note"]), date.fromisoformat(str(row["note_date"])), open_moments
            )
            preds[nid] = drop_resolved(raw[nid], resolutions)
        else:
            preds[nid] = raw[nid]
        del pos
    return preds


def _score(prefix: str, rows: list[dict[str, object]], preds: dict[str, list[Moment]]) -> None:
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    when_ok = when_n = dated_ok = dated_n = 0
    misses: list[str] = []
    for row in rows:
        nid, note = str(row["id"]), str(row["note"])
        gold = list(row["moments"])  # type: ignore[call-overload]
        pred = preds[nid]
        used: set[int] = set()
        for g in gold:
            n_gold[g["kind"]] += 1
            g_span = _span(note, g["evidence"])
            hit = None
            for i, p in enumerate(pred):
                if (
                    i not in used
                    and p.kind == g["kind"]
                    and _overlaps(g_span, _span(note, p.evidence))
                ):
                    hit = i
                    break
            if hit is None:
                misses.append(f"FN {nid} {g['kind']}: {g['evidence']}")
                continue
            used.add(hit)
            tp[g["kind"]] += 1
            p_when = pred[hit].when.isoformat() if pred[hit].when else None
            when_n += 1
            when_ok += p_when == g["when"]
            if g["when"] is not None:
                dated_n += 1
                dated_ok += p_when == g["when"]
            elif p_when != g["when"]:
                misses.append(f"WHEN {nid} {g['kind']}: got {p_when} want {g['when']}")
            if g["when"] is not None and p_when != g["when"]:
                misses.append(f"WHEN {nid} {g['kind']}: got {p_when} want {g['when']}")
        for i, p in enumerate(pred):
            n_pred[p.kind] += 1
            if i not in used:
                misses.append(f"FP {nid} {p.kind}: {p.evidence}")

    def prf(t: int, p: int, g: int) -> tuple[float, float, float]:
        precision = t / p if p else 1.0
        recall = t / g if g else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    total = prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    print(f"{prefix}_notes: {len(rows)}")
    print(f"{prefix}_moments_labelled: {sum(n_gold.values())}")
    print(f"{prefix}_moments_predicted: {sum(n_pred.values())}")
    print(f"{prefix}_precision: {total[0]:.3f}")
    print(f"{prefix}_recall: {total[1]:.3f}")
    print(f"{prefix}_f1: {total[2]:.3f}")
    for kind in KINDS:
        p, r, f = prf(tp[kind], n_pred[kind], n_gold[kind])
        print(
            f"{prefix}_{kind}: precision={p:.2f} recall={r:.2f} f1={f:.2f} "
            f"labelled={n_gold[kind]} predicted={n_pred[kind]}"
        )
    print(f"{prefix}_when_accuracy: {when_ok / when_n if when_n else 1.0:.3f}")
    print(f"{prefix}_when_dated_accuracy: {dated_ok / dated_n if dated_n else 1.0:.3f}")
    if "-v" in sys.argv and prefix == "labelled":
        for line in misses:
            print(f"# {prefix} {line}")


def _score_resolutions(prefix: str, extractor: Extractor, rows: list[dict[str, object]]) -> None:
    raw = {
        str(r["id"]): extractor.extract(str(r["note"]), date.fromisoformat(str(r["note_date"])))
        for r in rows
    }
    order = [str(r["id"]) for r in rows]
    referenced = closed = closed_right = 0
    for pos, row in enumerate(rows):
        refs = [str(x) for x in row.get("resolves", []) or []]  # type: ignore[union-attr]
        others = [i for i in order[max(0, pos - DISTRACTORS - len(refs)) : pos] if i not in refs]
        owner: list[str] = []
        open_moments: list[Moment] = []
        for nid in refs + others[-DISTRACTORS:]:
            for m in raw[nid]:
                owner.append(nid)
                open_moments.append(m)
        found = find_resolutions(
            str(row["note"]), date.fromisoformat(str(row["note_date"])), open_moments
        )
        closed += len(found)
        closed_right += sum(owner[r.index] in refs for r in found)
        referenced += len(refs)
        hit_refs = {owner[r.index] for r in found if owner[r.index] in refs}
        if "-v" in sys.argv and prefix == "labelled":
            for ref in set(refs) - hit_refs:
                print(f"# {prefix} RES-FN {row['id']} -> {ref}")
            for r in found:
                if owner[r.index] not in refs:
                    print(
                        f"# {prefix} RES-FP {row['id']} closed {owner[r.index]} {r.moment.subject}"
                    )
        referenced_hit = len(hit_refs)
        row["_hit"] = referenced_hit
    hits = sum(int(r.get("_hit", 0)) for r in rows)  # type: ignore[call-overload]
    print(f"{prefix}_resolution_notes: {sum(1 for r in rows if r.get('resolves'))}")
    print(f"{prefix}_resolution_recall: {hits / referenced if referenced else 1.0:.3f}")
    print(f"{prefix}_resolution_precision: {closed_right / closed if closed else 1.0:.3f}")


def _content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z']+", text.lower())
    return {w.rstrip("s") if len(w) > 3 else w for w in words if w not in _STOP}


def _personachat(extractor: Extractor) -> None:
    if not PERSONACHAT.exists():
        print("personachat: skipped (file not found)")
        return
    dialogues: list[tuple[list[str], list[str]]] = []
    for line in PERSONACHAT.read_text(encoding="utf-8").splitlines():
        number, _, text = line.partition(" ")
        if number == "1":
            dialogues.append(([], []))
        if text.startswith("your persona:"):
            dialogues[-1][0].append(text.removeprefix("your persona:").strip())
        elif "\t" in text:
            dialogues[-1][1].append(text.split("\t")[1])
    day = date(2026, 1, 1)
    persona_n = half_hits = any_hits = moments_n = moments_matching = turns = 0
    per_kind: Counter[str] = Counter()
    for persona, b_turns in dialogues:
        turns += len(b_turns)
        moments = [m for t in b_turns for m in extractor.extract(t, day)]
        moments_n += len(moments)
        evid = [_content_words(m.evidence + " " + m.subject) for m in moments]
        persona_words = [_content_words(p) for p in persona]
        for words in persona_words:
            persona_n += 1
            if not words:
                continue
            best = max((len(words & e) for e in evid), default=0)
            half_hits += best * 2 >= len(words) and best > 0
            any_hits += best > 0
        for m, e in zip(moments, evid, strict=True):
            if any(w and len(w & e) * 2 >= len(w) for w in persona_words):
                moments_matching += 1
                per_kind[m.kind] += 1
    print(f"personachat_dialogues: {len(dialogues)}")
    print(f"personachat_b_turns: {turns}")
    print(f"personachat_persona_lines: {persona_n}")
    print(f"personachat_moments: {moments_n}")
    print(f"personachat_fact_recall: {half_hits / persona_n:.3f}")
    print(f"personachat_fact_recall_any_word: {any_hits / persona_n:.3f}")
    print(f"personachat_moments_supporting_a_persona_line: {moments_matching / moments_n:.3f}")
    print(
        "personachat_supporting_by_kind: "
        + " ".join(f"{k}={per_kind[k]}" for k in KINDS if per_kind[k])
    )


def main() -> None:
    """Print every quality figure."""
    started = time.perf_counter()
    extractor = Extractor()
    for prefix, path in (("labelled", LABELLED), ("holdout", HOLDOUT)):
        rows = _load(path)
        _score(prefix, rows, _predict(extractor, rows))
        _score_resolutions(prefix, extractor, rows)
    if "--no-personachat" not in sys.argv:
        _personachat(extractor)
    print(f"seconds: {time.perf_counter() - started:.1f}")


if __name__ == "__main__":
    main()
