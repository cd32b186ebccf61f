"""The demo: a simulated business in a fresh SQLite store, a signed-in manager, a frontline user."""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select

from carpe.config import Settings, load_settings
from carpe.context import Carpe
from carpe.services.analysis import AnalysisReport, run_analysis
from carpe.services.data import ImportOutcome, import_data
from carpe.services.instance import ensure_instance_secret
from carpe.services.users import add_user
from carpe.store.memory import FollowUp
from carpe.store.models import Employee

DEMO_ACCOUNTS = 500
DEMO_MONTHS = 48
"""Four years of history: what the specialists model reads, and what a retention team has."""
DEMO_SEED = 7
DEMO_USER = "demo"
DEMO_FRONTLINE_USER = "frontline"
"""A frontline user of the demo, for seeing carpe as the people who serve the accounts do."""


@dataclass(frozen=True, slots=True)
class Demo:
    """A prepared demo: where its files are, what was imported, who is signed in.

    ``frontline_*``: the demo's frontline user (signs in with its password; never
    signed in automatically).
    """

    folder: Path
    settings: Settings
    outcome: ImportOutcome
    analysis: AnalysisReport
    username: str
    password: str
    employee: str | None
    frontline_username: str = DEMO_FRONTLINE_USER
    frontline_password: str = ""
    frontline_employee: str | None = None


def _busiest_owners(carpe: Carpe) -> list[tuple[str, str]]:
    """The two employees with the most open follow-ups: the demo's users see a full Today."""
    with carpe.unit_of_work() as uow:
        rows = uow.session.execute(
            select(FollowUp.employee_id, Employee.name, func.count().label("n"))
            .join(Employee, Employee.employee_id == FollowUp.employee_id)
            .where(FollowUp.status == "open")
            .group_by(FollowUp.employee_id, Employee.name)
            .order_by(func.count().desc(), FollowUp.employee_id)
            .limit(2)
        ).all()
    return [(str(row[0]), str(row[1])) for row in rows]


def prepare_demo(
    *,
    folder: Path,
    today: date,
    accounts: int = DEMO_ACCOUNTS,
    seed: int = DEMO_SEED,
    kind: Literal["b2b", "b2c"] = "b2b",
) -> Demo:
    """Simulate a business, import it into a fresh ``folder/carpe.db`` and analyse it.

    The business's files go to ``folder/business``. ``kind="b2c"`` simulates a
    consumer business (households that just stop buying: probability alive).

    A manager user ``demo``, linked to the employee with the most open
    follow-ups, is created with a random password, and a frontline user
    ``frontline``, linked to the employee with the next most, with another; the
    returned settings sign the first browser that opens a page in as the manager
    (development only; once: after signing out, the sign-in page asks for the
    password). The store gets a
    random secret of its own for its session cookies. Anything from
    an earlier demo in ``folder`` is replaced; nothing outside it is touched.
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
        business, kind=kind, accounts=accounts, months=DEMO_MONTHS, seed=seed, end=today
    )
    url = f"sqlite:///{database.resolve()}"
    carpe = Carpe(load_settings(database_url=url))
    password = secrets.token_urlsafe(12)
    frontline_password = secrets.token_urlsafe(12)
    try:
        carpe.migrate()
        outcome = import_data(engine=carpe.engine, folder=business, today=today)
        analysed = run_analysis(engine=carpe.engine, today=today)
        owners = _busiest_owners(carpe)
        employee_id, employee_name = owners[0] if owners else (None, None)
        frontline_id, frontline_name = owners[1] if len(owners) > 1 else (None, None)
        with carpe.unit_of_work() as uow:
            ensure_instance_secret(session=uow.session)
            for username, secret, role, employee in (
                (DEMO_USER, password, "manager", employee_id),
                (DEMO_FRONTLINE_USER, frontline_password, "frontline", frontline_id),
            ):
                add_user(
                    session=uow.session,
                    username=username,
                    password=secret,
                    role=role,
                    employee_id=employee,
                )
            uow.commit()
    finally:
        carpe.close()
    settings = load_settings(database_url=url, demo_user=DEMO_USER, environment="development")
    return Demo(
        folder,
        settings,
        outcome,
        analysed,
        DEMO_USER,
        password,
        employee_name,
        DEMO_FRONTLINE_USER,
        frontline_password,
        frontline_name,
    )
