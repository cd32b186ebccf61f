"""Draw the chitchat sentences to label by hand (benchmarks/data/chitchat/).

The chitchat-dataset package on PyPI (MIT, BYU PCC lab) ships about 7,000 real
open-domain chat conversations between students. This script draws messages from it,
deterministically, and writes them *unlabelled* to ``chitchat_unlabelled.jsonl``;
a person labels them following ``benchmarks/data/chitchat/GUIDE.md`` before carpe
is run on them, and the labels go to ``chitchat_train.jsonl`` / ``chitchat_dev.jsonl``
(a conversation is in one split only: dev when its key's CRC32 is divisible by 3).

Half the draw is uniform over messages of 4 to 60 words (how often people say nothing
personal), half is over messages holding one of a broad list of life words (family,
pets, health, work, school, travel, money, celebrations) so that every kind has
examples. The broad list is not the extractor's vocabulary.

Run (the dataset is not a dependency of carpe)::

    pip download --no-deps chitchat-dataset -d /tmp/cc && unzip -o /tmp/cc/*.whl -d /tmp/cc/x
    uv run python benchmarks/label_chitchat.py /tmp/cc/x/chitchat_dataset/dataset.json
    # label by hand into data/chitchat/labels.txt, then
    uv run python benchmarks/label_chitchat.py --build
"""

from __future__ import annotations

import json
import random
import re
import sys
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "chitchat" / "chitchat_unlabelled.jsonl"
DRAW = 1600
SEED = 18
_LIFE = re.compile(
    r"\b(?:mom|mum|dad|mother|father|sister|brother|wife|husband|girlfriend|boyfriend|fianc"
    r"|son|daughter|kids?|baby|grand\w+|aunt|uncle|cousin|family|dog|cat|puppy|kitten|pet"
    r"|sick|ill|hospital|surgery|doctor|cancer|broke|injur\w*|hurt|flu|died|passed|funeral"
    r"|birthday|anniversary|wedding|married|engaged|pregnant|graduat\w+|exam|mission"
    r"|job|work|fired|quit|intern\w*|trip|vacation|travel\w*|flying|flight|visit\w*|moving"
    r"|moved|apartment|house|money|broke|car|marathon|race|concert|game|love|favorite"
    r"|tomorrow|weekend|next week|last week|tonight)\b",
    re.IGNORECASE,
)


LABELS = OUT.parent / "labels.txt"
LABELLED_UP_TO = 1540
"""Messages C0001..C1540 were labelled (1,536 of them after duplicates were dropped)."""


def build() -> None:
    """Join ``labels.txt`` to the draw: ``chitchat_train.jsonl`` and ``chitchat_dev.jsonl``."""
    rows = [json.loads(line) for line in OUT.read_text(encoding="utf-8").splitlines()]
    labels: dict[str, list[dict[str, object]]] = {}
    notes = {r["id"]: r["note"] for r in rows}
    for number, line in enumerate(LABELS.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        ident, kind, evidence, when, subject = line.split("|")
        if evidence not in notes.get(ident, ""):
            raise SystemExit(f"{LABELS}:{number}: evidence {evidence!r} is not in {ident}")
        labels.setdefault(ident, []).append(
            {
                "kind": kind,
                "subject": subject,
                "when": None if when == "-" else when,
                "evidence": evidence,
                "sensitive": kind in ("health", "loss"),
            }
        )
    outs = {
        s: (OUT.parent / f"chitchat_{s}.jsonl").open("w", encoding="utf-8")
        for s in ("train", "dev")
    }
    for row in rows:
        if int(row["id"][1:]) > LABELLED_UP_TO:
            continue
        record = {k: row[k] for k in ("id", "conversation", "note_date", "note")}
        record["moments"] = labels.get(row["id"], [])
        outs[row["split"]].write(json.dumps(record, ensure_ascii=False) + "\n")
    for out in outs.values():
        out.close()


def main() -> None:
    """Write the draw (``--build``: join the labels to it)."""
    if sys.argv[1] == "--build":
        build()
        return
    source = Path(sys.argv[1])
    data = json.loads(source.read_text(encoding="utf-8"))
    messages: list[dict[str, str]] = []
    for key in sorted(data):
        for turn in data[key]["messages"]:
            for message in turn:
                text = " ".join(message["text"].split())
                if 4 <= len(text.split()) <= 60:
                    messages.append(
                        {"conversation": key, "day": message["timestamp"][:10], "text": text}
                    )
    rng = random.Random(SEED)
    life = [m for m in messages if _LIFE.search(m["text"])]
    chosen = rng.sample(messages, DRAW // 2) + rng.sample(life, DRAW // 2)
    seen: set[str] = set()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as out:
        for number, message in enumerate(chosen, start=1):
            if message["text"] in seen:
                continue
            seen.add(message["text"])
            split = "dev" if zlib.crc32(message["conversation"].encode()) % 3 == 0 else "train"
            row = {
                "id": f"C{number:04d}",
                "conversation": message["conversation"],
                "split": split,
                "note_date": message["day"],
                "note": message["text"],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"messages: {len(messages)}; with a life word: {len(life)}; written: {len(seen)}")


if __name__ == "__main__":
    main()
