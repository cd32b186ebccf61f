"""The `extract` command: its JSON contract and its errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from carpe.cli.extract_cmd import register, run_jsonl


def make_app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def noop() -> None:  # a second command keeps "extract" a sub-command, as in carpe
        """Do nothing."""

    return app


runner = CliRunner()


def test_extract_prints_a_json_array_of_moments() -> None:
    result = runner.invoke(
        make_app(), ["extract", "--date", "2026-03-02", "Her dog Max is sick, vet on Thursday."]
    )
    assert result.exit_code == 0, result.output
    moments = json.loads(result.stdout)
    assert isinstance(moments, list)
    assert moments[0]["kind"] == "pet"
    assert moments[0]["when"] == "2026-03-05"
    assert set(moments[0]) == {
        "kind",
        "subject",
        "summary",
        "when",
        "follow_up_on",
        "sensitive",
        "confidence",
        "evidence",
    }


def test_extract_prints_an_empty_array_for_a_business_note() -> None:
    result = runner.invoke(make_app(), ["extract", "--date", "2026-03-02", "Invoice paid."])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_extract_jsonl_writes_one_line_per_input_line(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "note_date": "2026-03-02", "note": "Mike's wife had a baby boy last night."},
        {"id": 7, "note_date": "2026-03-02", "note": "Invoice paid."},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    result = runner.invoke(make_app(), ["extract", "--jsonl", str(src)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", 7]
    assert lines[0]["moments"][0]["kind"] == "family"
    assert lines[1]["moments"] == []


def test_extract_jsonl_reads_stdin() -> None:
    line = json.dumps({"id": 1, "note_date": "2026-03-02", "note": "Her cat is sick."})
    result = runner.invoke(make_app(), ["extract", "--jsonl", "-"], input=line + "\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["moments"][0]["kind"] == "pet"


def test_extract_jsonl_names_the_bad_line_and_exits_1(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": 1, "note_date": "2026-03-02", "note": "ok"}) + "\n{not json\n",
        encoding="utf-8",
    )
    result = runner.invoke(make_app(), ["extract", "--jsonl", str(src)])
    assert result.exit_code == 1
    assert "line 2" in result.stderr
    assert "not valid JSON" in result.stderr
    assert "Traceback" not in result.output


def test_extract_jsonl_rejects_a_bad_note_date_with_its_line(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "note_date": "02/03/2026", "note": "x"}) + "\n")
    result = runner.invoke(make_app(), ["extract", "--jsonl", str(src)])
    assert result.exit_code == 1
    assert "line 1" in result.stderr
    assert "YYYY-MM-DD" in result.stderr


def test_extract_jsonl_rejects_a_line_missing_a_field(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "note": "x"}) + "\n")
    result = runner.invoke(make_app(), ["extract", "--jsonl", str(src)])
    assert result.exit_code == 1
    assert "missing field(s) note_date" in result.stderr


def test_extract_reports_a_missing_file_without_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(make_app(), ["extract", "--jsonl", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert "cannot read" in result.stderr


def test_extract_rejects_a_bad_date_with_exit_1() -> None:
    result = runner.invoke(make_app(), ["extract", "--date", "2026-13-02", "note"])
    assert result.exit_code == 1
    assert "--date" in result.stderr


def test_extract_without_text_or_jsonl_is_a_usage_error() -> None:
    assert runner.invoke(make_app(), ["extract"]).exit_code == 2
    assert runner.invoke(make_app(), ["extract", "--jsonl", "x", "text"]).exit_code == 2
    assert runner.invoke(make_app(), ["extract", "--bogus"]).exit_code == 2


def test_extract_help_shows_an_example() -> None:
    result = runner.invoke(make_app(), ["extract", "--help"])
    assert result.exit_code == 0
    assert "carpe extract --date 2026-03-02" in result.stdout


def test_date_order_decides_how_an_ambiguous_all_number_date_is_read() -> None:
    line = '{"id": 1, "note_date": "2026-03-02", "note": "Knee surgery on 3/4."}'
    for order, expected in (("dmy", "2026-04-03"), ("mdy", "2026-03-04")):
        out = io.StringIO()
        run_jsonl(iter([line]), out, date_order=order)
        assert json.loads(out.getvalue())["moments"][0]["when"] == expected


def test_a_note_carpe_wrote_itself_gives_no_moments() -> None:
    line = '{"id": 7, "note_date": "2026-03-02", "note": "Her dog Max is sick.", "origin": "%s"}'
    out = io.StringIO()
    run_jsonl(iter([line % "follow_up", line % ""]), out)
    assert [len(json.loads(x)["moments"]) for x in out.getvalue().splitlines()] == [0, 1]
