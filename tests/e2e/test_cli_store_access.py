"""What a command does to the store: writing commands migrate, read-only ones never do
(they refuse a store whose schema is behind, naming ``carpe init``), and ``--db`` belongs to
one invocation only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from alembic import command
from typer.testing import CliRunner

from carpe.cli import app, data_cmd
from carpe.store import create_store_engine, current_revision, head_revision
from carpe.store.engine import _alembic_config

runner = CliRunner()
READ_ONLY = (["risk"], ["stats"], ["followups"], ["stories", "--json"])


def carpe(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _store_at(url: str, revision: str) -> None:
    engine = create_store_engine(url)
    try:
        command.upgrade(_alembic_config(engine), revision)
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = create_store_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: a[0])
def test_read_only_command_refuses_a_store_behind_and_leaves_it_alone(
    tmp_path: Path, args: list[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _store_at(url, "0012")
    code, out, err = carpe("--db", url, *args)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert "at revision 0012" in lines[0] and "run 'carpe init'" in lines[0]
    assert _revision(url) == "0012"


def test_read_only_command_on_an_empty_store_says_to_create_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    code, _, err = carpe("--db", url, "risk")
    assert code == 1
    assert "has no schema yet: run 'carpe init'" in err and "Traceback" not in err
    assert _revision(url) is None


def test_writing_commands_migrate_then_read_only_ones_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _store_at(url, "0012")
    code, out, _ = carpe("--db", url, "init")
    assert code == 0 and "store ready" in out
    assert _revision(url) == head_revision()
    code, out, _ = carpe("--db", url, "stats", "--json")
    assert code == 0 and json.loads(out)["accounts"] == 0


def test_db_option_belongs_to_one_invocation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = f"sqlite:///{tmp_path / 'first.db'}"
    second = f"sqlite:///{tmp_path / 'second.db'}"
    monkeypatch.setenv("CARPE_DATABASE_URL", second)
    code, out, _ = carpe("--db", first, "init")
    assert code == 0 and f"store ready: {first}" in out
    code, out, _ = carpe("init")  # no --db: the environment's store, not the last one given
    assert code == 0 and f"store ready: {second}" in out
    # the commands alone (no global options at all) read nothing a former invocation left behind
    carpe("--db", first, "stats")
    alone = typer.Typer()
    data_cmd.register(alone)
    result = runner.invoke(alone, ["init"])
    assert result.exit_code == 0 and f"store ready: {second}" in result.stdout
    assert _revision(first) == _revision(second) == head_revision()
