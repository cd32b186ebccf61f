"""The demo: a simulated business in a fresh SQLite store, ready to serve."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from carpe.config import Settings, load_settings
from carpe.context import Carpe
from carpe.services.data import ImportOutcome, import_data

DEMO_ACCOUNTS = 500
DEMO_MONTHS = 24
DEMO_SEED = 7


@dataclass(frozen=True, slots=True)
class Demo:
    """A prepared demo: where its files are and what was imported."""

    folder: Path
    settings: Settings
    outcome: ImportOutcome


def prepare_demo(
    *, folder: Path, today: date, accounts: int = DEMO_ACCOUNTS, seed: int = DEMO_SEED
) -> Demo:
    """Simulate a business into ``folder/business``, import it into a fresh ``folder/carpe.db``.

    Anything from an earlier demo in ``folder`` is replaced; nothing outside it is touched.
    """
    from carpe.simulate import simulate_business

    business = folder / "business"
    database = folder / "carpe.db"
    if business.exists():
        shutil.rmtree(business)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    simulate_business(
        business, kind="b2b", accounts=accounts, months=DEMO_MONTHS, seed=seed, end=today
    )
    settings = load_settings(database_url=f"sqlite:///{database.resolve()}")
    carpe = Carpe(settings)
    try:
        carpe.migrate()
        outcome = import_data(engine=carpe.engine, folder=business, today=today)
    finally:
        carpe.close()
    return Demo(folder, settings, outcome)
