"""One import at a time per store: a second waits, or says plainly that one is running.

Repeats the probe: two ``carpe import`` processes at once on one store. Before,
on SQLite the second died with a "database is locked" traceback and the first
then died partway through reading notes. Now the second waits (bounded) and
both land, or, when the wait runs out, it says an import is running and writes
nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from carpe.cli import app
from carpe.config import load_settings
from carpe.context import Carpe
from carpe.store.memory import NoteExtraction
from carpe.store.models import ImportRun, Touchpoint
from tests.factories import simulated_business, small_business, write_folder

SEED = 11  # the simulated business's seed
IMPORT_LOCK = "import"


def start_import(db: str, folder: Path, wait: float) -> subprocess.Popen[str]:
    env = {**os.environ, "CARPE_IMPORT_WAIT_SECONDS": str(wait), "CARPE_ENVIRONMENT": "test"}
    return subprocess.Popen(
        [sys.executable, "-m", "carpe.cli", "--db", db, "import", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_imports_at_once_both_land_the_second_after_the_first(
    carpe: Carpe, store_url: str, tmp_path: Path
) -> None:
    folder = simulated_business(tmp_path / "sim", accounts=120, seed=SEED, end=date(2026, 3, 1))
    first = start_import(store_url, folder, wait=300)
    time.sleep(1.0)  # the first is importing (or about to) when the second starts
    second = start_import(store_url, folder, wait=300)
    outcomes = [p.communicate(timeout=600) for p in (first, second)]
    for process, (out, err) in zip((first, second), outcomes, strict=True):
        assert "Traceback" not in err, err
        assert "database is locked" not in err, err
        assert process.returncode == 0, err
        assert "imported:" in out
    with carpe.engine.connect() as connection:
        imports = connection.execute(select(func.count()).select_from(ImportRun)).scalar_one()
        notes = connection.execute(
            select(func.count()).select_from(Touchpoint).where(Touchpoint.note.is_not(None))
        ).scalar_one()
        read = connection.execute(select(func.count()).select_from(NoteExtraction)).scalar_one()
    assert imports == 2
    assert notes > 0 and read == notes  # the first read every note it brought


def test_an_import_says_plainly_that_another_is_running(
    carpe: Carpe, store_url: str, tmp_path: Path
) -> None:
    from carpe.store.locks import try_lock

    folder = write_folder(tmp_path / "in", small_business())
    held = try_lock(carpe.engine, IMPORT_LOCK)  # an import is running
    assert held is not None
    try:
        result = CliRunner().invoke(
            app,
            ["--db", store_url, "import", str(folder)],
            env={"CARPE_IMPORT_WAIT_SECONDS": "0.3", "CARPE_ENVIRONMENT": "test"},
        )
    finally:
        held.release()
    assert result.exit_code == 1, result.output
    assert "another import into this store is running" in result.stderr
    assert "waited 0.3 s for it to finish. Nothing was written" in result.stderr
    assert "Traceback" not in result.output
    stats = CliRunner().invoke(app, ["--db", store_url, "stats", "--json"])
    assert '"accounts": 0' in stats.stdout


def test_an_import_goes_ahead_once_the_running_one_ends(
    carpe: Carpe, store_url: str, tmp_path: Path
) -> None:
    from carpe.store.locks import try_lock

    folder = write_folder(tmp_path / "in", small_business())
    held = try_lock(carpe.engine, IMPORT_LOCK)
    assert held is not None
    threading.Timer(0.5, held.release).start()  # the running import finishes in 0.5 s
    result = CliRunner().invoke(
        app,
        ["--db", store_url, "import", str(folder)],
        env={"CARPE_IMPORT_WAIT_SECONDS": "60", "CARPE_ENVIRONMENT": "test"},
    )
    assert result.exit_code == 0, result.output
    assert "imported: 18 rows" in result.stdout


def test_a_dry_run_does_not_wait_for_a_running_import(
    carpe: Carpe, store_url: str, tmp_path: Path
) -> None:
    from carpe.store.locks import try_lock

    folder = write_folder(tmp_path / "in", small_business())
    held = try_lock(carpe.engine, IMPORT_LOCK)
    assert held is not None
    try:
        result = CliRunner().invoke(
            app,
            ["--db", store_url, "import", "--dry-run", str(folder)],
            env={"CARPE_IMPORT_WAIT_SECONDS": "0", "CARPE_ENVIRONMENT": "test"},
        )
    finally:
        held.release()
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written" in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")
def test_a_killed_import_leaves_the_lock_free(store_url: str, tmp_path: Path) -> None:
    """The lock dies with its process: nothing to clean up after ``kill -9``."""
    from carpe.store.locks import try_lock

    running = Carpe(load_settings(database_url=store_url, environment="test"))
    running.migrate()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from carpe.context import Carpe\n"
            "from carpe.config import load_settings\n"
            "from carpe.store.locks import try_lock\n"
            "carpe = Carpe(load_settings(database_url=sys.argv[1]))\n"
            "assert try_lock(carpe.engine, 'import') is not None\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n",
            store_url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        assert try_lock(running.engine, IMPORT_LOCK) is None
        child.kill()
        child.wait(timeout=30)
        lock = None
        for _ in range(100):  # PostgreSQL notices the closed connection within moments
            lock = try_lock(running.engine, IMPORT_LOCK)
            if lock is not None:
                break
            time.sleep(0.1)
        assert lock is not None
        lock.release()
    finally:
        child.kill()
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
        running.close()
