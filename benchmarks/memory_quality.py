"""Quality of moment extraction, the current rules beside the rules before issue 18.

Run: ``uv run python benchmarks/memory_quality.py`` (prints ``name: value`` lines; a figure
ending in ``_baseline`` is the same figure for the rules at git commit ``BASELINE``, taken
with ``git archive`` into a temp folder and run in a child process in the same run;
``--baseline REF`` picks another commit). About 3 minutes; ``--no-outside``,
``--no-personachat``, ``--no-tweets`` skip sets. ``--tune`` scores the outside worlds'
tuning seeds 4-6 instead of the reported seeds 1-3. The rules
with the sentence classifier (:mod:`carpe.memory.classifier`) are always printed beside
the rules alone, with the suffix ``_classifier`` (``--no-classifier`` leaves them out).

Sets and matching rules (also in docs/memory.md):

* Labelled notes (``benchmarks/data``): the 160 CRM notes the first rules were written
  against, the 47 held-out ones, and the hand-labelled real chat messages
  (``chitchat/chitchat_train.jsonl``, tuned on, and ``chitchat_dev.jsonl``, the
  development figure). A predicted moment matches a labelled one when the kind is the same
  and their evidence spans overlap in the note; one to one, greedy in label order.
  Precision, recall, F1 overall and per kind; ``when_dated_accuracy`` over matched labels
  that carry a date; ``subject_accuracy`` over matched pairs: a word of the labelled
  subject (3 letters or more, ``contact`` = any subject naming no relative or pet) is in the
  predicted subject.
* For a note that resolves earlier ones (``"resolves": [ids]``), moments that restate a
  resolved one are dropped before scoring; resolution recall / precision as before
  (current rules only).
* PersonaChat (a test split: measured, never read to write rules): every turn of speaker B
  is a note dated 2026-01-01; a persona line of B is recalled when some moment from B's
  turns in the same dialogue has evidence + subject holding at least half of the line's
  content words; precision is the share of moments that support some persona line of B.
* Tweets (a test split, unlabelled: no one may read them to label): the inbound consumer
  tweets of ``twcs_first5000.csv``; printed is how many moments per 100 tweets, by kind.
* Outside worlds (``/work/shared/eval/outside``): clinic and saas, 600 accounts, 24 months,
  generated into ``$CARPE_OUTSIDE_DIR`` (default ``/tmp/carpe-outside``) when missing and
  scored with ``score_outside.py --moments``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from carpe.memory import Extractor, Moment
from carpe.memory.resolve import find_resolutions
from carpe.vocabulary import MOMENT_KINDS as KINDS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
BASELINE = "2a1cbc5"
"""The last commit before issue 18 (the rules the issue measured)."""
SETS = (
    ("labelled", DATA / "memory_notes.jsonl"),
    ("holdout", DATA / "memory_notes_holdout.jsonl"),
    ("chitchat_train", DATA / "chitchat" / "chitchat_train.jsonl"),
    ("chitchat_dev", DATA / "chitchat" / "chitchat_dev.jsonl"),
)
SHARED = ROOT.parent.parent / "shared"
PERSONACHAT = SHARED / "data" / "personachat-convai2" / "valid_self_original_no_cands.txt"
TWEETS = SHARED / "data" / "twcs-customer-support-twitter" / "twcs_first5000.csv"
OUTSIDE = SHARED / "eval" / "outside"
DISTRACTORS = 5
_RELATIVES = re.compile(
    r"\b(?:dog|cat|puppy|kitten|pet|horse|husband|wife|partner|son|daughter|mother|father|mum|"
    r"mom|dad|sister|brother|grand\w+|aunt|uncle|fianc\w*|baby|kids?|parents)\b",
    re.IGNORECASE,
)

_STOP_TEXT = """
    i i'm im i've ive me my mine a an the and or but of to in on at for with from by is am are
    was were be been being have has had do does did not no so as it its it's that this these
    those there their they them we our you your he she his her him very really just also like
    love likes loves enjoy enjoys one two all some any can will would about up out into over
    than then when what who how which too more most get got go going favorite favourite lot
    lots time day days year years every much many well good great thing things
"""
_STOP = frozenset(_STOP_TEXT.split())


def _option(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def _load(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _span(note: str, evidence: str) -> tuple[int, int]:
    start = note.find(evidence)
    return (start, start + len(evidence)) if start >= 0 else (-1, -1)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] >= 0 and b[0] >= 0 and a[0] < b[1] and b[0] < a[1]


def _subject_right(label: str, predicted: str) -> bool:
    if label == "contact":
        return not _RELATIVES.search(predicted)
    words = [
        re.sub(r"^(\d+)(?:st|nd|rd|th)$", r"\1", w)
        for w in re.findall(r"[a-z0-9']+", label.lower())
        if len(w) >= 3 or w.isdigit()
    ]
    return any(w in predicted.lower() for w in words) if words else True


def _prf(t: int, p: int, g: int) -> tuple[float, float, float]:
    precision = t / p if p else 1.0
    recall = t / g if g else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _score(
    prefix: str, suffix: str, rows: list[dict[str, object]], preds: dict[str, list[dict[str, Any]]]
) -> None:
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    dated_ok = dated_n = subject_ok = subject_n = 0
    misses: list[str] = []
    for row in rows:
        nid, note = str(row["id"]), str(row["note"])
        gold = list(row["moments"])  # type: ignore[call-overload]
        pred = preds.get(nid, [])
        used: set[int] = set()
        for g in gold:
            n_gold[g["kind"]] += 1
            g_span = _span(note, g["evidence"])
            hit = next(
                (
                    i
                    for i, p in enumerate(pred)
                    if i not in used
                    and p["kind"] == g["kind"]
                    and _overlaps(g_span, _span(note, p["evidence"]))
                ),
                None,
            )
            if hit is None:
                misses.append(f"FN {nid} {g['kind']}: {g['evidence']}")
                continue
            used.add(hit)
            tp[g["kind"]] += 1
            if g["when"] is not None:
                dated_n += 1
                dated_ok += pred[hit]["when"] == g["when"]
                if pred[hit]["when"] != g["when"]:
                    misses.append(f"WHEN {nid}: got {pred[hit]['when']} want {g['when']}")
            if g.get("subject"):
                subject_n += 1
                right = _subject_right(g["subject"], pred[hit]["subject"])
                subject_ok += right
                if not right:
                    misses.append(f"SUBJ {nid}: got {pred[hit]['subject']} want {g['subject']}")
        for i, p in enumerate(pred):
            n_pred[p["kind"]] += 1
            if i not in used:
                misses.append(f"FP {nid} {p['kind']}: {p['evidence']}")
    name = f"{prefix}{{}}{suffix}"
    total = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    if not suffix:
        print(f"{prefix}_notes: {len(rows)}")
        print(f"{prefix}_moments_labelled: {sum(n_gold.values())}")
    print(f"{name.format('_moments_predicted')}: {sum(n_pred.values())}")
    for label, value in zip(("precision", "recall", "f1"), total, strict=True):
        print(f"{name.format('_' + label)}: {value:.3f}")
    for kind in KINDS:
        p, r, f = _prf(tp[kind], n_pred[kind], n_gold[kind])
        if n_gold[kind] or n_pred[kind]:
            print(
                f"{name.format('_' + kind)}: precision={p:.2f} recall={r:.2f} f1={f:.2f} "
                f"labelled={n_gold[kind]} predicted={n_pred[kind]}"
            )
    dated = f"{dated_ok / dated_n:.3f} (n={dated_n})" if dated_n else "n/a"
    print(f"{name.format('_when_dated_accuracy')}: {dated}")
    subject = f"{subject_ok / subject_n:.3f} (n={subject_n})" if subject_n else "n/a"
    print(f"{name.format('_subject_accuracy')}: {subject}")
    if "-v" in sys.argv and not suffix and prefix in _option("-v", ""):
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


def _personachat(versions: list[tuple[str, Path]]) -> None:
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
    rows = [
        {"id": f"{d}.{t}", "note_date": "2026-01-01", "note": turn}
        for d, (_, turns) in enumerate(dialogues)
        for t, turn in enumerate(turns)
    ]
    print(f"personachat_dialogues: {len(dialogues)}")
    print(f"personachat_b_turns: {len(rows)}")
    for suffix, src in versions:
        found = _run_with(src, rows, suffix)
        persona_n = half_hits = moments_n = supporting = 0
        for d, (persona, turns) in enumerate(dialogues):
            moments = [m for t in range(len(turns)) for m in found.get(f"{d}.{t}", [])]
            moments_n += len(moments)
            evid = [_content_words(m["evidence"] + " " + m["subject"]) for m in moments]
            persona_words = [_content_words(p) for p in persona]
            for words in persona_words:
                persona_n += 1
                best = max((len(words & e) for e in evid), default=0)
                half_hits += bool(words) and best > 0 and best * 2 >= len(words)
            supporting += sum(
                any(w and len(w & e) * 2 >= len(w) for w in persona_words) for e in evid
            )
        p, r, f = _prf(supporting, moments_n, 0)[0], half_hits / persona_n, 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"personachat_moments{suffix}: {moments_n}")
        print(f"personachat_precision{suffix}: {p:.3f}")
        print(f"personachat_recall{suffix}: {r:.3f}")
        print(f"personachat_f1{suffix}: {f:.3f}")


def _tweets(versions: list[tuple[str, Path]]) -> None:
    if not TWEETS.exists():
        print("tweets: skipped (file not found)")
        return
    with TWEETS.open(encoding="utf-8", newline="") as fh:
        rows = [
            {"id": r["tweet_id"], "note_date": "2017-10-31", "note": r["text"]}
            for r in csv.DictReader(fh)
            if r["inbound"] == "True"
        ]
    print(f"tweets_inbound: {len(rows)} (unlabelled: precision and recall are not measured)")
    for suffix, src in versions:
        kinds: Counter[str] = Counter(
            m["kind"] for ms in _run_with(src, rows, suffix).values() for m in ms
        )
        print(f"tweets_moments_per_100{suffix}: {100 * sum(kinds.values()) / len(rows):.1f}")
        print(f"tweets_by_kind{suffix}: " + " ".join(f"{k}={kinds[k]}" for k in KINDS if kinds[k]))


def _outside(versions: list[tuple[str, Path]]) -> None:
    folder = Path(os.environ.get("CARPE_OUTSIDE_DIR", "/tmp/carpe-outside"))
    seeds = (4, 5, 6) if "--tune" in sys.argv else (1, 2, 3)
    if not (OUTSIDE / "outside_business.py").exists():
        print("outside: skipped (generator not found)")
        return
    wanted = ("precision", "recall", "precision_excl_clinical", "date_accuracy_dated")
    totals: dict[str, list[float]] = defaultdict(list)
    for kind in ("clinic", "saas"):
        for seed in seeds:
            world = folder / f"{kind}{seed}"
            notes = folder / f"{kind}{seed}_notes.jsonl"
            if not notes.exists():
                subprocess.run(
                    [sys.executable, str(OUTSIDE / "outside_business.py"), "--kind", kind,
                     "--seed", str(seed), "--accounts", "600", "--months", "24",
                     "--end", "2026-10-31", "--out", str(world)],
                    check=True, capture_output=True,
                )  # fmt: skip
            rows = _load(notes)
            for suffix, src in versions:
                out = folder / f"{kind}{seed}_moments{suffix or '_current'}.jsonl"
                found = _run_with(src, rows, suffix)
                out.write_text(
                    "".join(json.dumps({"id": k, "moments": v}) + "\n" for k, v in found.items()),
                    encoding="utf-8",
                )
                scored = subprocess.run(
                    [sys.executable, str(OUTSIDE / "score_outside.py"),
                     str(folder / f"{kind}{seed}_truth.json"), "--moments", str(out)],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                for line in scored.stdout.splitlines():
                    key, _, value = line.partition(": ")
                    key = key.removeprefix("moments_")
                    if key in wanted or key.startswith("recall_style_"):
                        number = float(value.split()[0])
                        print(f"outside_{kind}{seed}_{key}{suffix}: {number:.3f}")
                        totals[f"{key}{suffix}"].append(number)
    for key, values in sorted(totals.items()):
        print(f"outside_mean_{key}: {sum(values) / len(values):.3f}")


def _baseline_src(ref: str) -> Path | None:
    """The rules as they were at ``ref``: ``src/carpe/memory`` from git, in a temp folder."""
    target = Path(tempfile.mkdtemp(prefix="carpe-memory-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src/carpe/memory"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        print(f"baseline: skipped (git archive {ref} failed)")
        return None
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    (target / "src" / "carpe" / "__init__.py").write_text("", encoding="utf-8")
    return target / "src"


def _run_with(
    src: Path, rows: Iterable[dict[str, object]], suffix: str
) -> dict[str, list[dict[str, Any]]]:
    """Moments of every row, by the ``carpe.memory`` found in ``src`` (a child process)."""
    lines = "".join(
        json.dumps({k: r[k] for k in ("id", "note_date", "note", "resolves") if k in r}) + "\n"
        for r in rows
    )
    done = subprocess.run(
        [sys.executable, str(HERE / "_memory_runner.py")],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "PYTHONPATH": str(src),
            "CARPE_MEMORY_CLASSIFIER": str(int(suffix == "_classifier")),
        },
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for line in done.stdout.splitlines():
        out = json.loads(line)
        found[str(out["id"])] = out["moments"]
    return found


def main() -> None:
    """Print every quality figure, the current rules beside the frozen baseline."""
    started = time.perf_counter()
    ref = _option("--baseline", BASELINE)
    versions: list[tuple[str, Path]] = [("", ROOT / "src")]
    if "--no-classifier" not in sys.argv:
        versions.append(("_classifier", ROOT / "src"))
    base = _baseline_src(ref)
    if base is not None:
        versions.append(("_baseline", base))
        print(f"baseline: rules at {ref} (figures ending in _baseline)")
    for prefix, path in SETS:
        rows = _load(path)
        for suffix, src in versions:
            _score(prefix, suffix, rows, _run_with(src, rows, suffix))
        if prefix in ("labelled", "holdout"):
            _score_resolutions(prefix, Extractor(), rows)
    if "--no-personachat" not in sys.argv:
        _personachat(versions)
    if "--no-tweets" not in sys.argv:
        _tweets(versions)
    if "--no-outside" not in sys.argv:
        _outside(versions)
    print(f"seconds: {time.perf_counter() - started:.1f}")


if __name__ == "__main__":
    main()
