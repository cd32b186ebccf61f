"""Outside worlds for the benchmarks: made by a generator carpe did not write, imported by carpe.

``/work/shared/eval/outside/outside_business.py`` (or ``$CARPE_OUTSIDE``) writes a
clinic chain or a SaaS firm with planted truth in ``OUT_truth.json``. Only the
benchmarks read that file; carpe's code never does. A world is generated once
(600 accounts, 24 months to 2026-10-31) and imported once into an SQLite store
with ``carpe import``'s use case (moments extracted, as in the product); each
benchmark works on a fresh copy of that store.

Seeds 1-3 are the reported worlds; seeds 4-6 are the ones any setting may be
chosen on. The benchmarks report 1-3 by default.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks._common import OUT

GENERATOR = Path(os.environ.get("CARPE_OUTSIDE", "/work/shared/eval/outside"))
WORLDS = OUT / "outside"
END = date(2026, 10, 31)
ACCOUNTS = 600
MONTHS = 24


def available() -> bool:
    """Whether the outside generator is on this machine."""
    return (GENERATOR / "outside_business.py").exists()


def world(kind: str, seed: int) -> tuple[Path, dict[str, Any]]:
    """The world's interchange folder (generated once) and its truth."""
    folder = WORLDS / f"{kind}{seed}"
    truth = WORLDS / f"{kind}{seed}_truth.json"
    if not truth.exists():
        WORLDS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(GENERATOR / "outside_business.py"),
                *("--kind", kind, "--seed", str(seed), "--accounts", str(ACCOUNTS)),
                *("--months", str(MONTHS), "--end", END.isoformat(), "--out", str(folder)),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder, json.loads(truth.read_text())


def store(kind: str, seed: int, work: Path) -> Path:
    """A fresh copy of the world imported into SQLite by carpe (import once, copy each time)."""
    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.services.data import import_data

    folder, _ = world(kind, seed)
    imported = WORLDS / f"{kind}{seed}.db"
    if not imported.exists():
        partial = imported.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        carpe = Carpe(load_settings(database_url=f"sqlite:///{partial}"))
        try:
            carpe.migrate()
            import_data(engine=carpe.engine, folder=folder, today=END)
        finally:
            carpe.close()
        partial.rename(imported)
    work.mkdir(parents=True, exist_ok=True)
    copy = work / f"{kind}{seed}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(imported, copy)
    return copy


def account_years(truth: dict[str, Any]) -> float:
    """Accounts × years the world covers (the denominator of false alarms per 100 a year)."""
    start = date.fromisoformat(str(truth["start"])[:10])
    end = date.fromisoformat(str(truth["end"])[:10])
    return len(truth["churn"]) * (end - start).days / 365.25
