"""Erasure leaves nothing readable: the database files hold no trace of an erased contact.

Repeats the probe: after ``carpe contact erase`` the old contact row (name,
email, phone) was readable with ``strings`` in the SQLite file, and note words
in its log. A contact with words found nowhere else is added to a simulated
business, imported (notes read, moments and follow-ups found), analysed,
erased; then every file of the store (database, ``-wal``, ``-shm``; on
PostgreSQL the erased tables' files, their TOAST and indexes) is searched byte
by byte for those words.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from carpe.cli import app
from carpe.config import load_settings
from carpe.context import Carpe
from tests.conftest import POSTGRES_URL
from tests.factories import simulated_business

SEED = 21  # the simulated business's seed
END = date(2026, 3, 1)
CONTACT = "C-ERASE-ME"
ERASED_TABLES = ("contacts", "touchpoints", "feedback", "gestures", "gesture_requests",
                 "moments", "follow_ups", "stories")  # fmt: skip
SECRETS = (
    "Zephyrine",
    "Quillfeather",
    "zephyrine.quill@unique.example",
    "+34 699 123 987",
    "xylophone",
    "Wolfhound",
    "Marzipan",
)
NOTES = (
    "Zephyrine Quillfeather said her daughter Ottoline starts the xylophone recital "
    "next month; her Wolfhound Baskerville had surgery last week.",
    "Zephyrine loves Marzipan from Lubeck; call her back about the xylophone tuning.",
)


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        for row in rows:
            writer.writerow(row)


def business_with_contact(folder: Path) -> Path:
    simulated_business(folder, accounts=80, seed=SEED, end=END)
    with (folder / "accounts.csv").open(encoding="utf-8", newline="") as handle:
        account = next(csv.DictReader(handle))
    with (folder / "employees.csv").open(encoding="utf-8", newline="") as handle:
        employee = next(csv.DictReader(handle))
    append_rows(folder / "contacts.csv", [{
        "contact_id": CONTACT, "account_id": account["account_id"], "first_name": "Zephyrine",
        "last_name": "Quillfeather", "email": "zephyrine.quill@unique.example",
        "phone": "+34 699 123 987", "title": "Head of Xylophone Purchasing",
        "birthday": "1981-07-19", "is_primary": "false",
    }])  # fmt: skip
    append_rows(folder / "touchpoints.csv", [
        {"touchpoint_id": f"T-ERASE-{i}", "account_id": account["account_id"],
         "contact_id": CONTACT, "employee_id": employee["employee_id"],
         "occurred_at": f"2026-02-{10 + i}T10:00:00", "channel": "phone", "kind": "call",
         "direction": "inbound", "subject": "Zephyrine called", "note": note}
        for i, note in enumerate(NOTES)
    ])  # fmt: skip
    if (folder / "feedback.csv").exists():
        append_rows(folder / "feedback.csv", [{
            "feedback_id": "F-ERASE", "account_id": account["account_id"], "contact_id": CONTACT,
            "received_at": "2026-02-20T09:00:00", "survey": "nps", "score": "9",
            "comment": "Zephyrine: the Marzipan hamper was lovely",
        }])  # fmt: skip
    return folder


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def prepared(store_url: str, tmp_path: Path) -> None:
    folder = business_with_contact(tmp_path / "sim")
    cli("--db", store_url, "import", str(folder))
    cli("--db", store_url, "analyze", "--as-of", "2026-03-01")
    exported = json.loads(cli("--db", store_url, "contact", "export", CONTACT))
    assert exported["moments"], "the notes' moments were found before the erasure"
    assert any(s in json.dumps(exported) for s in SECRETS)


def found_in(files: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in files:
        data = path.read_bytes()
        hits = [s for s in SECRETS if s.encode() in data or s.lower().encode() in data]
        if hits:
            found[path.name] = hits
    return found


@pytest.mark.parametrize("vacuum", [False, True], ids=["erase", "erase-vacuum"])
def test_erased_contact_leaves_nothing_readable_in_the_sqlite_files(
    tmp_path: Path, vacuum: bool
) -> None:
    database = tmp_path / "shop.db"
    url = f"sqlite:///{database}"
    prepared(url, tmp_path)
    server = Carpe(load_settings(database_url=url, environment="test"))
    try:
        with server.engine.connect() as connection:  # a running server keeps the store open
            assert connection.execute(text("SELECT count(*) FROM contacts")).scalar_one() > 1
        before = found_in([p for p in tmp_path.iterdir() if p.name.startswith("shop.db")])
        assert before, "the contact's words are in the files before the erasure"
        cli("--db", url, "contact", "erase", CONTACT, "--yes", *(["--vacuum"] if vacuum else []))
        files = [p for p in tmp_path.iterdir() if p.name.startswith("shop.db")]
        assert database in files
        assert found_in(files) == {}
    finally:
        server.close()


def _relation_files(engine: Engine, tables: tuple[str, ...]) -> list[Path]:
    """The data files of ``tables``, their TOAST tables and indexes (after a checkpoint)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CHECKPOINT"))
        home = Path(connection.execute(text("SHOW data_directory")).scalar_one())
        paths = connection.execute(
            text(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relname = ANY(:tables) "
                "UNION SELECT pg_relation_filepath(c.reltoastrelid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relname = ANY(:tables) "
                "AND c.reltoastrelid <> 0 "
                "UNION SELECT pg_relation_filepath(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relname = ANY(:tables)"
            ),
            {"tables": list(tables)},
        ).scalars()
        files: list[Path] = []
        for relative in paths:
            base = home / relative
            files += [base, *sorted(base.parent.glob(base.name + ".*"))]
    return [f for f in files if f.exists()]


@pytest.fixture
def own_database() -> Iterator[str]:
    """A PostgreSQL database of the test's own: no other session's snapshot keeps old rows."""
    if not POSTGRES_URL:
        pytest.skip("CARPE_TEST_POSTGRES_URL is not set")
    base = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"carpe_erase_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_erased_contact_leaves_nothing_readable_in_the_postgres_tables(
    own_database: str, tmp_path: Path
) -> None:
    prepared(own_database, tmp_path)
    engine = create_engine(own_database)
    try:
        files = _relation_files(engine, ERASED_TABLES)
        if not files or not all(_readable(f) for f in files):
            pytest.skip("the server's data files are not readable from here")
        assert found_in(files), "the contact's words are in the table files before the erasure"
        cli("--db", own_database, "contact", "erase", CONTACT, "--yes", "--vacuum")
        assert found_in(_relation_files(engine, ERASED_TABLES)) == {}
    finally:
        engine.dispose()


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except OSError:
        return False
    return True


def test_contact_export_holds_the_note_reading_records_and_the_audit_entries(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    folder = business_with_contact(tmp_path / "sim")
    cli("--db", url, "import", str(folder))
    cli("--db", url, "contact", "export", CONTACT)  # an earlier export, in the audit log
    exported = json.loads(cli("--db", url, "contact", "export", CONTACT))
    assert {r["touchpoint_id"] for r in exported["note_extractions"]} == {
        "T-ERASE-0",
        "T-ERASE-1",
    }
    assert all(r["moments_found"] >= 1 for r in exported["note_extractions"])
    audit = exported["audit_log"]
    assert [(a["action"], a["subject_type"], a["subject_id"]) for a in audit] == [
        ("export", "contact", CONTACT)
    ]
    assert {"stories", "story_consents"} <= exported.keys()
