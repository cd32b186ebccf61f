"""``carpe extract``: personal moments and facts from notes, as JSON.

Two forms (a contract other tools rely on, issue 3):

* ``carpe extract --date 2026-03-02 "note text"`` prints a JSON array of moments.
* ``carpe extract --jsonl IN.jsonl`` reads lines ``{"id", "note_date", "note"}`` and
  writes one line ``{"id", "moments": [...]}`` per input line to stdout, streaming;
  ``-`` reads standard input.

A line with a non-empty ``"origin"`` (a note carpe wrote itself) gives no moments.
Bad input (a bad date, a line that is not a JSON object with the three fields) stops
with a message naming the line, on stderr, and exit status 1; lines before it have
already been written. Usage errors exit with status 2.

Run standalone with ``python -m carpe.cli.extract_cmd``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from carpe.services.extraction import DATE_ORDERS, note_extractor

__all__ = ["InputError", "main", "register", "run_jsonl"]

_HELP = """Extract personal moments and facts from a note, or from many as JSON Lines.

Examples:

  carpe extract --date 2026-03-02 "Her dog Max is sick, vet on Thursday."

  carpe extract --jsonl notes.jsonl > moments.jsonl

Each input line of --jsonl is {"id": ..., "note_date": "YYYY-MM-DD", "note": "..."};
each output line is {"id": ..., "moments": [...]}.
"""


class InputError(ValueError):
    """A line of input, or the --date value, that cannot be read."""


def _parse_date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def _read_line(line: str, where: str) -> tuple[Any, str, date]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object with id, note_date and note")
    missing = [k for k in ("id", "note_date", "note") if k not in record]
    if missing:
        raise InputError(f"{where}: missing field(s) {', '.join(missing)}")
    if not isinstance(record["note"], str):
        raise InputError(f"{where}: note must be a string")
    if not isinstance(record["note_date"], str):
        raise InputError(f"{where}: note_date must be a string YYYY-MM-DD")
    # a note carpe wrote itself ("origin": "follow_up", "gesture", "generated") is not read
    note = "" if record.get("origin") else record["note"]
    return record["id"], note, _parse_date(record["note_date"], f"{where}: note_date")


def run_jsonl(
    lines: Iterator[str],
    out: TextIO,
    *,
    source: str = "input",
    date_order: str = "dmy",
    use_classifier: bool = False,
) -> int:
    """Extract the moments of JSON Lines notes and write one JSON line per note.

    Parameters
    ----------
    lines : iterator of str
        The input lines (blank lines are skipped).
    out : text stream
        Where the output lines go.
    source : str
        The name used in error messages (the file name).
    date_order : {"dmy", "mdy"}
        How an ambiguous all-number date (3/4) is read.
    use_classifier : bool
        Whether the sentence classifier reads beside the rules (docs/memory.md).

    Returns
    -------
    int
        The number of notes written.

    Raises
    ------
    InputError
        For the first line that cannot be read, naming it.

    Examples
    --------
    >>> import io
    >>> buf = io.StringIO()
    >>> run_jsonl(iter(['{"id": 1, "note_date": "2026-03-02", "note": "Paid."}']), buf)
    1
    >>> buf.getvalue()
    '{"id": 1, "moments": []}\\n'
    """
    extractor = note_extractor(date_order=date_order, use_classifier=use_classifier)
    written = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        note_id, note, note_date = _read_line(line, f"{source} line {number}")
        moments = [m.to_dict() for m in extractor.extract(note, note_date)]
        out.write(json.dumps({"id": note_id, "moments": moments}, ensure_ascii=False) + "\n")
        written += 1
    return written


def _usage_error(ctx: typer.Context, message: str) -> typer.Exit:
    typer.echo(ctx.get_usage(), err=True)
    typer.echo(f"Try '{ctx.command_path} --help' for help.\n\nerror: {message}", err=True)
    return typer.Exit(code=2)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def extract(
    ctx: typer.Context,
    text: Annotated[
        str | None,
        typer.Argument(help="The note text (omit when using --jsonl).", show_default=False),
    ] = None,
    note_date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The day the note was written, YYYY-MM-DD (default: today).",
            show_default=False,
        ),
    ] = None,
    jsonl: Annotated[
        str | None,
        typer.Option(
            "--jsonl",
            help="Read notes from this JSON Lines file ('-' for stdin) and stream results.",
            show_default=False,
        ),
    ] = None,
    date_order: Annotated[
        str | None,
        typer.Option(
            "--date-order",
            help="How 3/4 is read: dmy (3 April) or mdy (March 4); default: "
            "CARPE_MEMORY_DATE_ORDER, else from the locale.",
            show_default=False,
        ),
    ] = None,
    classifier: Annotated[
        bool,
        typer.Option(
            "--classifier",
            help="Let the sentence classifier read beside the rules (docs/memory.md).",
        ),
    ] = False,
) -> None:
    """Extract personal moments and facts from a note, or from many as JSON Lines."""
    if date_order is None:
        from carpe.config import load_settings

        date_order = load_settings().date_order()
    if date_order not in DATE_ORDERS:
        raise _usage_error(ctx, f"--date-order must be dmy or mdy, not {date_order!r}")
    if (text is None) == (jsonl is None):
        raise _usage_error(ctx, "give either a note text or --jsonl FILE, not both or neither")
    if jsonl is not None:
        if note_date is not None:
            raise _usage_error(
                ctx, "--date applies to a single note; --jsonl lines carry their own"
            )
        _extract_jsonl(jsonl, date_order, classifier)
        return
    assert text is not None
    try:
        day = _parse_date(note_date, "--date") if note_date is not None else date.today()
    except InputError as exc:
        raise _fail(str(exc)) from None
    extractor = note_extractor(date_order=date_order, use_classifier=classifier)
    moments = [m.to_dict() for m in extractor.extract(text, day)]
    typer.echo(json.dumps(moments, ensure_ascii=False, indent=2))


def _extract_jsonl(path: str, date_order: str, classifier: bool) -> None:
    out = sys.stdout
    try:
        if path == "-":
            run_jsonl(
                iter(sys.stdin),
                out,
                source="stdin",
                date_order=date_order,
                use_classifier=classifier,
            )
        else:
            with Path(path).open(encoding="utf-8") as fh:
                run_jsonl(
                    iter(fh), out, source=path, date_order=date_order, use_classifier=classifier
                )
    except InputError as exc:
        out.flush()
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise _fail(f"{path} is not UTF-8 text ({exc.reason})") from None
    out.flush()


def register(app: typer.Typer) -> None:
    """Add the ``extract`` command to a Typer application.

    Parameters
    ----------
    app : typer.Typer
        The ``carpe`` application (or any other).

    Examples
    --------
    >>> app = typer.Typer()
    >>> register(app)
    """
    app.command("extract", help=_HELP, no_args_is_help=False)(extract)


def main() -> None:
    """Run ``extract`` as a program of its own (``python -m carpe.cli.extract_cmd``)."""
    app = typer.Typer(add_completion=False)
    register(app)
    app()


if __name__ == "__main__":
    main()
