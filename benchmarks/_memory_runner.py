"""Run one version of ``carpe.memory`` over labelled notes (a child of memory_quality.py).

Reads JSON lines ``{"id", "note_date", "note", "resolves"?}`` on stdin and writes
``{"id", "moments": [...]}`` per line. ``carpe.memory`` is whichever is first on
``PYTHONPATH``: this work tree's ``src`` or the frozen copy of the rules taken from git.
With ``CARPE_MEMORY_CLASSIFIER=1`` the sentence classifier (:mod:`carpe.memory.classifier`)
is on.
A note that resolves earlier ones (``"resolves": [ids]``) has the moments that only
restate a resolved one dropped, as the store does.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date

from carpe.memory import Extractor, Moment
from carpe.memory.resolve import drop_resolved, find_resolutions


def main() -> None:
    """Extract every note of stdin."""
    # the baseline's Extractor predates the classifier: ask for it only when wanted
    learned = os.environ.get("CARPE_MEMORY_CLASSIFIER") == "1"
    extractor = Extractor(use_classifier=True) if learned else Extractor()
    raw: dict[str, list[Moment]] = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        row = json.loads(line)
        day = date.fromisoformat(row["note_date"])
        moments = extractor.extract(row["note"], day)
        raw[str(row["id"])] = moments
        refs = [str(r) for r in row.get("resolves") or []]
        if refs:
            open_moments = [m for ref in refs for m in raw.get(ref, [])]
            moments = drop_resolved(moments, find_resolutions(row["note"], day, open_moments))
        out = {"id": row["id"], "moments": [m.to_dict() for m in moments]}
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
