"""Importing other systems' exports: each example folder imports whole; errors name the export."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carpe.context import Carpe
from carpe.errors import ImportDataError, UsageError
from carpe.services.source_import import import_exports
from carpe.store.memory import StoredMoment
from carpe.store.models import Account, Contact, Employee, Touchpoint

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "example"
DAY = date(2026, 3, 20)


def _import(carpe: Carpe, folder: Path, system: str) -> None:
    import_exports(engine=carpe.engine, folder=folder, system=system, today=DAY)


def _count(carpe: Carpe, model: type) -> int:
    with carpe.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _copy(system: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLES / system, tmp_path / system))


def test_hubspot_example_imports_owners_notes_and_tickets(carpe: Carpe) -> None:
    _import(carpe, EXAMPLES / "hubspot", "hubspot")
    with carpe.unit_of_work() as uow:
        assert uow.session.get(Account, "9001").owner_employee_id == "Ana Ruiz"  # type: ignore[union-attr]
        assert {e.department for e in uow.session.scalars(select(Employee))} == {"Sales", "Support"}
        note = uow.session.get(Touchpoint, "note-6001")
        assert note is not None and "dog Max" in (note.note or "")
        assert uow.session.get(Contact, "502").account_id == "9002"  # type: ignore[union-attr]
        kinds = set(uow.session.scalars(select(StoredMoment.kind)))
    assert "pet" in kinds  # the note's moments were extracted
    _import(carpe, EXAMPLES / "hubspot", "hubspot")  # the same exports again change nothing
    assert _count(carpe, Account) == 2 and _count(carpe, Contact) == 2


def test_hubspot_bad_date_names_the_exports_file_line_and_column(
    carpe: Carpe, tmp_path: Path
) -> None:
    folder = _copy("hubspot", tmp_path)
    companies = next(folder.glob("*companies*.csv"))
    companies.write_text(companies.read_text().replace("2023-06-02 14:05", "last June"))
    with pytest.raises(ImportDataError) as caught:
        _import(carpe, folder, "hubspot")
    assert [str(p) for p in caught.value.problems] == [
        f"{companies.name}:3: column 'Create Date': value 'last June': not a date in the form "
        "%Y-%m-%d %H:%M or %Y-%m-%d %H:%M:%S or %Y-%m-%d or iso"
    ]
    assert _count(carpe, Account) == 0


def test_hubspot_unknown_company_is_refused_at_the_contacts_line(
    carpe: Carpe, tmp_path: Path
) -> None:
    folder = _copy("hubspot", tmp_path)
    contacts = next(folder.glob("*contacts*.csv"))
    contacts.write_text(contacts.read_text().replace(",Ana Ruiz,9001,", ",Ana Ruiz,9999,"))
    with pytest.raises(ImportDataError) as caught:
        _import(carpe, folder, "hubspot")
    problem = caught.value.problems[0]
    assert (problem.file, problem.line, problem.column, problem.value) == (
        contacts.name,
        2,
        "Associated Company IDs",
        "9999",
    )
    assert _count(carpe, Contact) == 0


def test_unknown_system_and_empty_folder_are_usage_errors(carpe: Carpe, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown system 'pipedrive'"):
        _import(carpe, tmp_path, "pipedrive")
    with pytest.raises(UsageError, match="holds none of HubSpot's exports"):
        _import(carpe, tmp_path, "hubspot")
