"""Crafted import files: every bad value named FILE:LINE with its column and a reason.

Repeats the probe's crafted files (oversized integers, a lone surrogate, a NUL
byte, a 100 KB note, end days before start days, links and FIFOs named like
interchange files), on SQLite and PostgreSQL, and lets Hypothesis feed the
readers arbitrary bytes and values: an import either lands or is refused with
located problems; it never raises anything else.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from typer.testing import CliRunner

from carpe.cli import app
from carpe.errors import ImportDataError
from carpe.ingest import import_folder
from carpe.ingest.format import FILES_BY_NAME
from carpe.services.data import count_rows
from tests.factories import small_business, write_folder

Files = dict[str, list[dict[str, Any]]]


def refused(engine: Engine, folder: Path) -> list[str]:
    """The problems an import of ``folder`` lists (it must be refused, nothing written)."""
    with pytest.raises(ImportDataError) as caught:
        import_folder(folder, engine=engine)
    assert count_rows(engine=engine)["accounts"] == 0
    return [str(p) for p in caught.value.problems]


def crafted(tmp_path: Path, change: Callable[[Files], None], format: str = "csv") -> Path:
    files = small_business()
    change(files)
    return write_folder(tmp_path / "in", files, format=format)


@pytest.mark.parametrize("format", ["csv", "jsonl"])
def test_import_names_an_oversized_integer(engine: Engine, tmp_path: Path, format: str) -> None:
    def change(files: Files) -> None:
        files["quotes"][0]["promised_lead_days"] = "99999999999999999999999"

    problems = refused(engine, crafted(tmp_path, change, format))
    line = 2 if format == "csv" else 1
    assert problems == [
        f"quotes.{format}:{line}: column 'promised_lead_days': value '99999999999999999999999': "
        "out of range (whole numbers go from -2,147,483,648 to 2,147,483,647)"
    ]


def test_import_names_an_integer_json_itself_refuses(engine: Engine, tmp_path: Path) -> None:
    folder = crafted(tmp_path, lambda files: None, "jsonl")
    with (folder / "quotes.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"quote_id": "Q2", "account_id": "A1", "issued_at": "2026-01-01", ')
        handle.write('"promised_lead_days": ' + "9" * 5000 + "}\n")
    [problem] = refused(engine, folder)
    assert problem.startswith("quotes.jsonl:2: not valid JSON: ")


def test_import_names_a_lone_surrogate_in_json_lines(engine: Engine, tmp_path: Path) -> None:
    folder = crafted(tmp_path, lambda files: None, "jsonl")
    with (folder / "contacts.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"contact_id": "C3", "account_id": "A1", "first_name": "Jo\\ud800"}\n')
    assert refused(engine, folder) == [
        "contacts.jsonl:3: column 'first_name': value 'Jo\\ud800': "
        "holds a lone UTF-16 surrogate (\\ud800-\\udfff): not valid Unicode text"
    ]


@pytest.mark.parametrize("format", ["csv", "jsonl"])
def test_import_names_a_nul_byte_in_text(engine: Engine, tmp_path: Path, format: str) -> None:
    def change(files: Files) -> None:
        files["touchpoints"][0]["note"] = "Called back\x00 about the order"

    problems = refused(engine, crafted(tmp_path, change, format))
    line = 2 if format == "csv" else 1
    assert problems == [
        f"touchpoints.{format}:{line}: column 'note': value 'Called back\\x00 about the order': "
        "holds a NUL character (\\x00), which no store accepts in text"
    ]


def test_import_refuses_a_note_over_the_limit_and_shows_only_its_start(
    engine: Engine, tmp_path: Path
) -> None:
    def change(files: Files) -> None:
        files["touchpoints"][1]["note"] = "word " * 20_000  # 100,000 bytes

    [problem] = refused(engine, crafted(tmp_path, change))
    assert problem.startswith("touchpoints.csv:3: column 'note': value 'word word")
    assert problem.endswith(
        "... (100,000 characters)': longer than 65,536 bytes "
        "(the limit is CARPE_IMPORT_MAX_TEXT_BYTES)"
    )
    assert len(problem) < 300


def test_import_takes_a_long_note_when_the_limit_allows(engine: Engine, tmp_path: Path) -> None:
    def change(files: Files) -> None:
        files["touchpoints"][1]["note"] = "word " * 20_000

    folder = crafted(tmp_path, change)
    import_folder(folder, engine=engine, max_text_bytes=200_000)
    assert count_rows(engine=engine)["touchpoints"] == 3


@pytest.mark.parametrize(
    ("file", "row", "values", "problem"),
    [
        ("accounts", 0, {"ended_on": "2023-12-31"}, "column 'ended_on': value '2023-12-31': "
         "before started_on (2024-01-15)"),
        ("employees", 0, {"left_on": "2020-01-01"}, "column 'left_on': value '2020-01-01': "
         "before hired_on (2021-04-01)"),
        ("orders", 0, {"delivered_on": "2026-01-31"}, "column 'delivered_on': value "
         "'2026-01-31': before ordered_at (2026-02-01)"),
        ("invoices", 0, {"due_on": "2026-02-11"}, "column 'due_on': value '2026-02-11': "
         "before issued_on (2026-02-12)"),
        ("budgets", 0, {"period_end": "2025-12-31"}, "column 'period_end': value "
         "'2025-12-31': before period_start (2026-01-01)"),
    ],
)  # fmt: skip
def test_import_refuses_an_end_before_its_start(
    engine: Engine, tmp_path: Path, file: str, row: int, values: dict[str, str], problem: str
) -> None:
    def change(files: Files) -> None:
        files[file][row].update(values)

    assert refused(engine, crafted(tmp_path, change)) == [f"{file}.csv:2: {problem}"]


def test_import_takes_an_end_on_its_start_day_but_not_the_day_before(
    engine: Engine, tmp_path: Path
) -> None:
    def same_day(files: Files) -> None:
        files["accounts"][0]["ended_on"] = files["accounts"][0]["started_on"]
        files["orders"][0]["delivered_on"] = "2026-02-01"  # ordered that morning

    def day_before(files: Files) -> None:
        same_day(files)
        files["orders"][0]["delivered_on"] = "2026-01-31"

    import_folder(crafted(tmp_path / "same", same_day), engine=engine)
    assert count_rows(engine=engine)["orders"] == 1
    with pytest.raises(ImportDataError) as caught:
        import_folder(crafted(tmp_path / "before", day_before), engine=engine)
    assert [str(p) for p in caught.value.problems] == [
        "orders.csv:2: column 'delivered_on': value '2026-01-31': before ordered_at (2026-02-01)"
    ]


def test_import_refuses_a_symbolic_link_without_reading_its_target(
    engine: Engine, tmp_path: Path
) -> None:
    folder = crafted(tmp_path, lambda files: None)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the first line of someone else's file\n", encoding="utf-8")
    (folder / "budgets.csv").unlink()
    (folder / "budgets.csv").symlink_to(secret)
    problems = refused(engine, folder)
    assert problems == [
        "budgets.csv: is a symbolic link; carpe reads only regular files "
        "(copy the file into the folder)"
    ]
    assert not any("root" in p for p in problems)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_import_refuses_a_fifo_named_like_a_file_instead_of_skipping_it(
    engine: Engine, tmp_path: Path
) -> None:
    folder = crafted(tmp_path, lambda files: None)
    (folder / "budgets.csv").unlink()
    os.mkfifo(folder / "budgets.csv")
    assert refused(engine, folder) == [
        "budgets.csv: is a FIFO (named pipe); carpe reads only regular files"
    ]


def test_import_refuses_a_folder_named_like_a_file(engine: Engine, tmp_path: Path) -> None:
    folder = crafted(tmp_path, lambda files: None)
    (folder / "budgets.csv").unlink()
    (folder / "budgets.csv").mkdir()
    assert refused(engine, folder) == ["budgets.csv: is a folder; carpe reads only regular files"]


def test_cli_import_of_crafted_values_prints_locations_never_a_traceback(tmp_path: Path) -> None:
    def change(files: Files) -> None:
        files["quotes"][0]["promised_lead_days"] = "1" + "0" * 30
        files["touchpoints"][0]["note"] = "nul\x00here"

    folder = crafted(tmp_path, change, "jsonl")
    with (folder / "contacts.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"contact_id": "C3", "account_id": "A1", "first_name": "\\udfff"}\n')
    result = CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "import", str(folder)]
    )
    assert result.exit_code == 1, result.output
    assert "import refused: 3 problem(s); nothing was written." in result.stderr
    assert "contacts.jsonl:3: column 'first_name'" in result.stderr
    assert "quotes.jsonl:1: column 'promised_lead_days'" in result.stderr
    assert "touchpoints.jsonl:1: column 'note': value 'nul\\x00here'" in result.stderr
    assert "Traceback" not in result.output


# --- property-based: arbitrary bytes and values never escape as a traceback -------------

HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def lands_or_is_refused(engine: Engine, folder: Path) -> None:
    """Import ``folder``: success, or an :class:`ImportDataError` whose problems all print."""
    try:
        import_folder(folder, engine=engine, chunk_rows=1_000)
    except ImportDataError as exc:
        assert exc.problems, "a refused import names at least one problem"
        for problem in exc.problems:
            text = str(problem)
            text.encode("utf-8")  # printable as it is, whatever the file held
            assert text.startswith(problem.file)


PIECES = (  # bytes that made readers stumble, for Hypothesis to combine with any others
    b",", b"\n", b"\r", b'"', b"{", b"}", b"[", b":", b"\x00", b"\xff", b"\xef\xbb\xbf",
    b'"contact_id"', b'"account_id"', b'"first_name"', b'"A1"', b'"\\ud800"', b'"\\udfff"',
    b"9" * 30, b"9" * 4400, b"-", b"1e400", b"NaN", b"2026-02-30", b"0001-01-01T00:00:00+14:00",
)  # fmt: skip
CONTENT = st.one_of(
    st.binary(max_size=600),
    st.lists(st.one_of(st.sampled_from(PIECES), st.binary(max_size=8)), max_size=40).map(b"".join),
)


@HYPOTHESIS
@given(
    name=st.sampled_from(["accounts.csv", "contacts.jsonl", "touchpoints.csv"]),
    content=CONTENT,
)
@example(  # the probe's cases, always tried first
    name="contacts.jsonl",
    content=b'{"contact_id": "C9", "account_id": "A1", "first_name": "\\ud800"}\n',
)
@example(name="contacts.jsonl", content=b'{"contact_id": "C9", "phone": ' + b"9" * 4400 + b"}")
@example(
    name="touchpoints.csv",
    content=b"T9,A1,,,0001-01-01T00:00:00+14:00,phone,,,,,\n",
)
def test_import_of_arbitrary_bytes_lands_or_names_the_problem(
    engine: Engine, name: str, content: bytes
) -> None:
    base = crafted(Path(tempfile.mkdtemp()), lambda files: None)
    header = b""
    if name.endswith(".csv"):  # a valid header first, so rows are read too, half the time
        header = (",".join(FILES_BY_NAME[name.split(".")[0]].column_names) + "\n").encode()
    for variant in (content, header + content):
        if name.endswith(".jsonl"):
            (base / "contacts.csv").unlink(missing_ok=True)
        (base / name).write_bytes(variant)
        lands_or_is_refused(engine, base)


TEXTS = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),  # lone surrogates too
    st.from_regex(r"[+-]?\d{1,40}(\.\d{0,5})?([eE][+-]?\d{1,4})?", fullmatch=True),
    st.from_regex(
        r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2})?)?", fullmatch=True
    ),
    st.sampled_from(["", " ", "\x00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]),
)
JSON_VALUES = st.one_of(
    TEXTS,
    st.sampled_from([10**30, -(10**20), 2**31, "\ud800", "x\udfffy", "a\x00b", "1" * 70_000]),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)
KEEP = object()


@HYPOTHESIS
@given(format=st.sampled_from(["csv", "jsonl"]), data=st.data())
def test_import_of_arbitrary_values_lands_or_names_the_problem(
    engine: Engine, format: str, data: st.DataObject
) -> None:
    files = small_business()
    name = data.draw(st.sampled_from(sorted(files)), label="file")
    values = TEXTS.filter(_encodable) if format == "csv" else JSON_VALUES
    for column in FILES_BY_NAME[name].column_names:  # every column of a row may change
        value = data.draw(st.one_of(st.just(KEEP), values), label=column)
        if value is not KEEP:
            files[name][0][column] = value
    folder = Path(tempfile.mkdtemp()) / "in"
    if format == "csv":
        write_folder(folder, files)
    else:
        folder.mkdir()
        for stem, rows in files.items():
            lines = [json.dumps(row) for row in rows]  # lone surrogates become \\udXXX
            (folder / f"{stem}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lands_or_is_refused(engine, folder)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
