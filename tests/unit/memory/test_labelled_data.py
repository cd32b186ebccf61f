"""The labelled notes used by benchmarks/memory_quality.py are well formed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from carpe.vocabulary import MOMENT_KINDS as KINDS
from carpe.vocabulary import SENSITIVE_KINDS

DATA = Path(__file__).resolve().parents[3] / "benchmarks" / "data"


@pytest.mark.parametrize(("name", "minimum"), [("memory_notes", 150), ("memory_notes_holdout", 40)])
def test_labelled_notes_are_well_formed(name: str, minimum: int) -> None:
    rows = [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text().splitlines()]
    assert len(rows) >= minimum
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    for row in rows:
        date.fromisoformat(row["note_date"])
        for ref in row.get("resolves", []):
            assert ref in ids
        for m in row["moments"]:
            assert m["kind"] in KINDS
            assert m["evidence"] in row["note"]
            assert m["sensitive"] == (m["kind"] in SENSITIVE_KINDS)
            if m["when"] is not None:
                date.fromisoformat(m["when"])
