"""CSV formula injection: exported cells a spreadsheet would run are escaped.

Repeats the probe: a contact named ``=cmd|' /C calc'!A0`` must not come out of
``carpe export`` as a formula. Escaping is undone on import, so a CSV export
still round-trips; a setting turns it off for programs that read the files.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from carpe.cli import app
from carpe.ingest import export_folder, import_folder
from carpe.store.models import Contact, Touchpoint
from tests.factories import make_contact, small_business, write_folder

ATTACKS = {
    "C3": "=cmd|' /C calc'!A0",
    "C4": "+SUM(1+1)",
    "C5": "-2+3",
    "C6": '@HYPERLINK("http://evil.example")',
    "C7": "\t=1+1",
    "C8": "\r=1+1",
    "C9": "'=already quoted",
}


def business_with_attacks(tmp_path: Path) -> Path:
    files = small_business()
    for contact_id, name in ATTACKS.items():
        files["contacts"].append(
            make_contact(contact_id=contact_id, first_name=name, email=None, is_primary="false")
        )
    files["touchpoints"][0]["note"] = "=1+1 said the customer"
    return write_folder(tmp_path / "in", files, format="jsonl")  # JSON keeps a lone "\r"


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[next(iter(row))]: row for row in csv.DictReader(handle)}


def test_export_escapes_cells_that_start_a_formula(engine: Engine, tmp_path: Path) -> None:
    import_folder(business_with_attacks(tmp_path), engine=engine)
    export_folder(tmp_path / "out", engine=engine)
    contacts = read_csv(tmp_path / "out" / "contacts.csv")
    for contact_id, name in ATTACKS.items():
        cell = contacts[contact_id]["first_name"]
        assert cell == "'" + name, contact_id
    assert contacts["C1"]["first_name"] == "Maria"  # plain text untouched
    assert contacts["C1"]["phone"] == "'+34 600 000 001"  # a spreadsheet would compute it
    touchpoints = read_csv(tmp_path / "out" / "touchpoints.csv")
    assert touchpoints["T1"]["note"] == "'=1+1 said the customer"
    assert touchpoints["T3"]["sentiment"] == "-0.6"  # numbers are numbers, not formulas


def test_escaped_export_imports_back_to_the_same_values(engine: Engine, tmp_path: Path) -> None:
    import_folder(business_with_attacks(tmp_path), engine=engine)
    export_folder(tmp_path / "out", engine=engine)
    with engine.begin() as connection:
        before = dict(connection.execute(select(Contact.contact_id, Contact.first_name)).all())
        connection.execute(Contact.__table__.update().values(first_name="changed"))
        connection.execute(Touchpoint.__table__.update().values(note="changed"))
    import_folder(tmp_path / "out", engine=engine)
    with engine.connect() as connection:
        after = dict(connection.execute(select(Contact.contact_id, Contact.first_name)).all())
        note = connection.execute(
            select(Touchpoint.note).where(Touchpoint.touchpoint_id == "T1")
        ).scalar_one()
    assert after == before
    assert after["C9"] == "'=already quoted"
    assert note == "=1+1 said the customer"


def test_export_writes_raw_cells_when_asked(engine: Engine, tmp_path: Path) -> None:
    import_folder(business_with_attacks(tmp_path), engine=engine)
    export_folder(tmp_path / "out", engine=engine, escape_formulas=False)
    contacts = read_csv(tmp_path / "out" / "contacts.csv")
    assert contacts["C3"]["first_name"] == ATTACKS["C3"]


def test_cli_export_escapes_by_default_and_obeys_the_setting(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    folder = business_with_attacks(tmp_path)
    assert runner.invoke(app, ["--db", db, "import", str(folder)]).exit_code == 0
    for out, args, env, escaped in (
        ("default", [], {}, True),
        ("raw", ["--raw-cells"], {}, False),
        ("setting", [], {"CARPE_CSV_ESCAPE_FORMULAS": "false"}, False),
    ):
        result = runner.invoke(app, ["--db", db, "export", str(tmp_path / out), *args], env=env)
        assert result.exit_code == 0, result.output
        cell = read_csv(tmp_path / out / "contacts.csv")["C3"]["first_name"]
        assert cell == ("'" if escaped else "") + ATTACKS["C3"], out
