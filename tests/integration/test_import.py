"""Importing interchange folders into the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from carpe.errors import ImportDataError
from carpe.ingest import export_folder, import_folder
from carpe.services.data import count_rows
from carpe.store.models import Account, Base, Touchpoint
from tests.factories import make_account, make_touchpoint, small_business, write_folder


def table_rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every interchange table, sorted, for whole-store comparisons."""
    rows: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in {"import_runs", "alembic_version", "budget_use_version"}:
                continue  # bookkeeping, not data: when it ran, which revision, a cache version
            rows[table.name] = sorted(
                (tuple(r) for r in connection.execute(select(table))), key=repr
            )
    return rows


def test_import_folder_lands_every_file(engine: Engine, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in", small_business())
    report = import_folder(folder, engine=engine)
    counts = count_rows(engine=engine)
    assert counts["accounts"] == 2
    assert counts["touchpoints"] == 3
    assert counts["kpis"] == 2
    assert counts["engagement"] == 1
    assert report.rows_changed == report.rows_read == 18
    if engine.dialect.name == "sqlite":  # the import turns foreign keys off only for itself
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_import_folder_changes_nothing_when_imported_twice(engine: Engine, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in", small_business())
    import_folder(folder, engine=engine)
    before = table_rows(engine)
    again = import_folder(folder, engine=engine)
    assert again.rows_changed == 0
    assert table_rows(engine) == before


def test_import_folder_updates_changed_rows(engine: Engine, tmp_path: Path) -> None:
    files = small_business()
    import_folder(write_folder(tmp_path / "one", files), engine=engine)
    files["accounts"][0]["name"] = "Acme Tools GmbH"
    report = import_folder(write_folder(tmp_path / "two", files), engine=engine)
    assert report.rows_changed == 1
    with engine.connect() as connection:
        name = connection.execute(select(Account.name).where(Account.account_id == "A1")).scalar()
    assert name == "Acme Tools GmbH"


def test_import_folder_refuses_bad_rows_and_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    files = small_business()
    files["accounts"].append(make_account(account_id="A3", started_on="2025-02-30"))
    files["accounts"].append(make_account(account_id="A4", annual_value="lots"))
    files["touchpoints"].append(make_touchpoint(touchpoint_id="T9", account_id="NOPE"))
    files["touchpoints"].append(make_touchpoint(touchpoint_id="T10", channel="pigeon"))
    files["touchpoints"].append(make_touchpoint(touchpoint_id="T1"))
    with pytest.raises(ImportDataError) as caught:
        import_folder(write_folder(tmp_path / "in", files), engine=engine)
    messages = [str(p) for p in caught.value.problems]
    assert "accounts.csv:4: column 'started_on': value '2025-02-30': not a date" in messages[0]
    assert "accounts.csv:5: column 'annual_value': value 'lots': not a number" in messages[1]
    assert any("column 'account_id': value 'NOPE': names no account" in m for m in messages)
    assert any("column 'channel': value 'pigeon': not one of: in_person" in m for m in messages)
    assert any("value 'T1': duplicate key (touchpoint_id) in this file" in m for m in messages)
    assert caught.value.total == 5
    counts = count_rows(engine=engine)
    assert counts["accounts"] == 0 and counts["touchpoints"] == 0 and counts["import_runs"] == 0


def test_import_folder_names_the_physical_line_after_a_multiline_note(
    engine: Engine, tmp_path: Path
) -> None:
    files = small_business()
    files["touchpoints"].append(make_touchpoint(touchpoint_id="T9", sentiment="7"))
    with pytest.raises(ImportDataError) as caught:
        import_folder(write_folder(tmp_path / "in", files), engine=engine)
    # T2's note spans two lines, so T9 (the fourth row) starts on line 6.
    assert str(caught.value.problems[0]).startswith("touchpoints.csv:6: column 'sentiment'")


def test_import_folder_caps_listed_problems_and_counts_the_rest(
    engine: Engine, tmp_path: Path
) -> None:
    files = {
        "accounts": [
            make_account(account_id=f"A{i}", started_on="soon", owner_employee_id="")
            for i in range(30)
        ]
    }
    with pytest.raises(ImportDataError) as caught:
        import_folder(write_folder(tmp_path / "in", files), engine=engine, max_problems=10)
    assert len(caught.value.problems) == 10
    assert caught.value.total == 30
    assert "... and 20 more problem(s)" in str(caught.value)


def test_import_folder_refuses_unknown_columns_unless_asked(engine: Engine, tmp_path: Path) -> None:
    files = {"accounts": [make_account(owner_employee_id="", colour="blue")]}
    folder = write_folder(tmp_path / "in", files)
    with pytest.raises(ImportDataError, match=r"column 'colour'.*unknown column"):
        import_folder(folder, engine=engine)
    report = import_folder(folder, engine=engine, ignore_unknown=True)
    assert report.rows_changed == 1


def test_import_folder_requires_accounts_and_required_columns(
    engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(ImportDataError, match="the folder has no accounts file"):
        import_folder(write_folder(tmp_path / "a", {"employees": []}), engine=engine)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "accounts.csv").write_text("account_id,name\nA1,Acme\n")
    with pytest.raises(ImportDataError, match=r"column 'started_on'.*required column is missing"):
        import_folder(tmp_path / "b", engine=engine)


def test_import_folder_dry_run_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    report = import_folder(
        write_folder(tmp_path / "in", small_business()), engine=engine, dry_run=True
    )
    assert report.rows_read == 18
    assert count_rows(engine=engine)["accounts"] == 0


def test_import_folder_reads_json_lines_like_csv(engine: Engine, tmp_path: Path) -> None:
    files = small_business()
    files["accounts"][0]["annual_value"] = 12000.5  # a JSON number, not a string
    import_folder(write_folder(tmp_path / "in", files, format="jsonl"), engine=engine)
    with engine.connect() as connection:
        value = connection.execute(
            select(Account.annual_value).where(Account.account_id == "A1")
        ).scalar()
    assert value == 12000.5


def test_import_folder_converts_offsets_to_utc(engine: Engine, tmp_path: Path) -> None:
    import_folder(write_folder(tmp_path / "in", small_business()), engine=engine)
    with engine.connect() as connection:
        when = connection.execute(
            select(Touchpoint.occurred_at).where(Touchpoint.touchpoint_id == "T2")
        ).scalar()
    assert when == datetime(2026, 3, 3, 8, 0, 0)


def test_import_folder_resolves_references_across_imports(engine: Engine, tmp_path: Path) -> None:
    import_folder(write_folder(tmp_path / "one", small_business()), engine=engine)
    later = {"accounts": [], "touchpoints": [make_touchpoint(touchpoint_id="T77")]}
    report = import_folder(write_folder(tmp_path / "two", later), engine=engine)
    assert report.rows_changed == 1
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(Touchpoint)).scalar()
    assert total == 4


def test_export_then_import_into_a_fresh_store_gives_identical_tables(
    engine: Engine, tmp_path: Path, store_url: str
) -> None:
    import_folder(write_folder(tmp_path / "in", small_business()), engine=engine)
    exported = export_folder(tmp_path / "out", engine=engine)
    assert exported.rows["touchpoints"] == 3
    from carpe.store import create_store_engine, migrate

    fresh = create_store_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    import_folder(tmp_path / "out", engine=fresh)
    assert table_rows(fresh) == table_rows(engine)
    export_folder(tmp_path / "out2", engine=fresh, format="jsonl")
    fresh2 = create_store_engine(f"sqlite:///{tmp_path / 'fresh2.db'}")
    migrate(fresh2)
    import_folder(tmp_path / "out2", engine=fresh2)
    assert table_rows(fresh2) == table_rows(engine)
    fresh.dispose()
    fresh2.dispose()
