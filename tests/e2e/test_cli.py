"""The ``carpe`` command through its runner: exit statuses, messages, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from carpe.cli import app
from tests.factories import make_account, small_business, write_folder

runner = CliRunner()


def carpe(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_import_then_stats_counts_the_rows(db: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in", small_business())
    code, out, _ = carpe("--db", db, "import", str(folder))
    assert code == 0
    assert "imported: 18 rows" in out
    code, out, _ = carpe("--db", db, "stats", "--json")
    assert code == 0
    assert json.loads(out)["touchpoints"] == 3


def test_import_reports_every_bad_row_and_exits_1(db: str, tmp_path: Path) -> None:
    files = small_business()
    files["accounts"].append(make_account(account_id="A9", kind="robot", started_on="yesterday"))
    code, _, err = carpe("--db", db, "import", str(write_folder(tmp_path / "in", files)))
    assert code == 1
    assert "import refused: 2 problem(s); nothing was written." in err
    assert "accounts.csv:4: column 'kind': value 'robot': not one of: business, consumer" in err
    assert "accounts.csv:4: column 'started_on': value 'yesterday': not a date" in err
    assert "Traceback" not in err
    _, out, _ = carpe("--db", db, "stats", "--json")
    assert json.loads(out)["accounts"] == 0


def test_import_of_a_missing_folder_is_a_usage_error(db: str, tmp_path: Path) -> None:
    code, _, err = carpe("--db", db, "import", str(tmp_path / "nowhere"))
    assert code == 2
    assert "is not a folder" in err


def test_import_dry_run_writes_nothing(db: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in", small_business())
    code, out, _ = carpe("--db", db, "import", "--dry-run", str(folder))
    assert code == 0 and "dry run, nothing written" in out
    _, out, _ = carpe("--db", db, "stats", "--json")
    assert json.loads(out)["accounts"] == 0


def test_export_writes_the_interchange_folder(db: str, tmp_path: Path) -> None:
    carpe("--db", db, "import", str(write_folder(tmp_path / "in", small_business())))
    code, out, _ = carpe("--db", db, "export", str(tmp_path / "out"), "--format", "jsonl")
    assert code == 0
    assert "touchpoints.jsonl: 3 rows" in out
    lines = (tmp_path / "out" / "accounts.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["account_id"] == "A1"


def test_bad_option_value_exits_2(db: str, tmp_path: Path) -> None:
    code, _, err = carpe("--db", db, "export", str(tmp_path / "o"), "--format", "xml")
    assert code == 2
    assert "--format must be csv or jsonl" in err
    code, _, _ = carpe("--db", "mysql://nope", "stats")
    assert code == 2


@pytest.mark.parametrize("command", sorted(typer.main.get_command(app).commands))  # type: ignore[attr-defined]
def test_every_command_has_help_with_an_example(command: str) -> None:
    code, out, _ = carpe(command, "--help")
    assert code == 0
    assert "Example" in out
