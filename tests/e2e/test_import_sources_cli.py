"""`carpe import --from SYSTEM`: every example export imports; a bad value names the export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from carpe.cli import app

runner = CliRunner()


EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "example"


@pytest.mark.parametrize(
    "system", ["hubspot", "salesforce", "zendesk", "freshdesk", "stripe", "quickbooks"]
)
def test_each_example_export_imports_without_hand_editing(system: str, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(app, ["--db", db, "import", "--from", system, str(EXAMPLES / system)])
    assert result.exit_code == 0, result.stderr
    assert "imported:" in result.stdout
    assert "converted" in result.stderr


def test_import_from_reports_the_exports_line_and_writes_nothing(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(EXAMPLES / "freshdesk", tmp_path / "fd"))
    tickets = folder / "tickets.csv"
    tickets.write_text(tickets.read_text().replace("2026-03-12 11:00:00", "12 March"))
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(app, ["--db", db, "import", "--from", "freshdesk", str(folder)])
    assert result.exit_code == 1
    assert "tickets.csv:3: column 'Created time': value '12 March'" in result.stderr
    engine = create_engine(db)
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from accounts")).scalar() == 0
    engine.dispose()
