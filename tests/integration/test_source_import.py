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
from carpe.store.models import Account, Contact, Employee, Invoice, Touchpoint

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


def test_stripe_example_imports_refunds_and_credit_notes_as_negative_invoices(
    carpe: Carpe,
) -> None:
    _import(carpe, EXAMPLES / "stripe", "stripe")
    with carpe.unit_of_work() as uow:
        amounts = dict(uow.session.execute(select(Invoice.invoice_id, Invoice.amount)).all())
    assert amounts["re_1"] == -120.0 and amounts["cn_1"] == -10.0
    assert amounts["ch_2"] == 120.0  # a payment of no invoice is billed on its own
    assert "py_1" not in amounts and "ch_3" not in amounts  # paid an invoice / failed
    assert _count(carpe, Account) == 2


def test_zendesk_example_reads_public_comments_as_notes(carpe: Carpe) -> None:
    _import(carpe, EXAMPLES / "zendesk", "zendesk")
    with carpe.unit_of_work() as uow:
        asked = uow.session.get(Touchpoint, "comment-90001")
        internal = uow.session.get(Touchpoint, "comment-90002")
        reply = uow.session.get(Touchpoint, "comment-90003")
        paul = uow.session.get(Account, "paul@example.org")  # no organization: their own account
        kinds = set(uow.session.scalars(select(StoredMoment.kind)))
        assert asked is not None and asked.direction == "inbound" and asked.employee_id is None
        assert internal is None
        assert reply is not None and reply.employee_id == "Carla Diaz"
        assert paul is not None and paul.name == "Paul Martin"
    assert kinds  # the wedding was noticed


def test_freshdesk_example_imports_the_ticket_description_as_the_note(carpe: Carpe) -> None:
    _import(carpe, EXAMPLES / "freshdesk", "freshdesk")
    with carpe.unit_of_work() as uow:
        ticket = uow.session.get(Touchpoint, "ticket-7001")
        callback = uow.session.get(Touchpoint, "ticket-7002")
        assert ticket is not None and "university" in (ticket.note or "")
        assert ticket.channel == "email" and ticket.employee_id == "Owen Price"
        assert callback is not None and callback.channel == "phone"


MAP = """
system = "Till"

[[file]]
source = "clients.csv"
target = "accounts"
[file.columns]
account_id = "Client no"
name = "Client"
kind = { column = "Type", map = { "Firma" = "business", "Privat" = "consumer" } }
started_on = { column = "Since", date = "%d.%m.%Y" }
annual_value = { column = "Yearly", number = true, optional = true }
"""


def test_mapping_file_declares_columns_value_maps_and_date_formats(
    carpe: Carpe, tmp_path: Path
) -> None:
    folder = tmp_path / "till"
    folder.mkdir()
    (folder / "clients.csv").write_text(
        'Client no,Client,Type,Since,Yearly\nK1,Bäckerei Lang,Firma,03.02.2025,"€ 1,200.00"\n'
        "K2,Eva Kranz,Privat,17.11.2024,\n"
    )
    (tmp_path / "map.toml").write_text(MAP)
    import_exports(engine=carpe.engine, folder=folder, mapping=tmp_path / "map.toml", today=DAY)
    with carpe.unit_of_work() as uow:
        lang = uow.session.get(Account, "K1")
        eva = uow.session.get(Account, "K2")
        assert lang is not None and (lang.kind, lang.annual_value) == ("business", 1200.0)
        assert eva is not None and (eva.kind, eva.started_on) == ("consumer", date(2024, 11, 17))
    (folder / "clients.csv").write_text("Client no,Client,Type,Since\nK3,Odd,Verein,01.01.2025\n")
    with pytest.raises(ImportDataError) as caught:
        import_exports(engine=carpe.engine, folder=folder, mapping=tmp_path / "map.toml")
    assert str(caught.value.problems[0]).startswith(
        "clients.csv:2: column 'Type': value 'Verein': not a value the map knows"
    )


def test_mapping_file_with_a_wrong_target_column_is_a_usage_error(tmp_path: Path) -> None:
    from carpe.ingest.sources import load_map_file

    (tmp_path / "map.toml").write_text(MAP.replace('name = "Client"', 'title = "Client"'))
    with pytest.raises(UsageError, match="'title' is not a column of accounts"):
        load_map_file(tmp_path / "map.toml")


def test_salesforce_case_comment_finds_its_account_through_the_case(
    carpe: Carpe, tmp_path: Path
) -> None:
    _import(carpe, EXAMPLES / "salesforce", "salesforce")
    with carpe.unit_of_work() as uow:
        comment = uow.session.get(Touchpoint, "comment-00a8d00000Com01")
        assert comment is not None and comment.account_id == "0018d00000AcmeA"
        assert uow.session.get(Touchpoint, "comment-00a8d00000Com02") is None  # not published
        assert uow.session.get(Employee, "0058d000001AAAA").department == "Sales"  # type: ignore[union-attr]
    folder = _copy("salesforce", tmp_path)
    comments = folder / "CaseComment.csv"
    comments.write_text(
        comments.read_text().replace(
            "00a8d00000Com01,5008d00000Case1", "00a8d00000Com01,5008d00000Gone"
        )
    )
    with pytest.raises(ImportDataError) as caught:
        _import(carpe, folder, "salesforce")
    assert str(caught.value.problems[0]) == (
        "CaseComment.csv:2: column 'ParentId': value '5008d00000Gone': "
        "no row of Case.csv has Id '5008d00000Gone'"
    )


def test_quickbooks_report_with_title_rows_imports_credit_memos_as_negative_invoices(
    carpe: Carpe,
) -> None:
    _import(carpe, EXAMPLES / "quickbooks", "quickbooks")
    with carpe.unit_of_work() as uow:
        rows = {i.invoice_id: (i.amount, i.status) for i in uow.session.scalars(select(Invoice))}
        amy = uow.session.get(Account, "Amy's Bird Sanctuary")
        assert amy is not None and amy.started_on == date(2026, 1, 5)
    assert rows == {
        "1037": (1250.0, "paid"),
        "1041": (420.0, "open"),
        "credit-1042": (-420.0, "paid"),
        "1043": (180.0, "paid"),
    }  # the report's title, total and footer lines are not rows
