"""A declared column map from another system's CSV exports onto the interchange format.

A map (TOML) lists, for each interchange file it fills, the export file it reads
and how each interchange column is made from the export's columns::

    system = "HubSpot"

    [[file]]
    source = "*companies*.csv"      # the export's file name (a glob) in the folder
    target = "accounts"             # the interchange file it fills
    [file.columns]
    account_id = "Record ID"                                   # copied
    name = "Company name"
    kind = { value = "business" }                              # a constant
    started_on = { column = "Create Date", date = "%Y-%m-%d %H:%M" }
    segment = { column = "Type", map = { "Customer" = "customer" }, default = "" }

Column rules (one table per column; a plain string is ``{ column = ... }``):

``column``
    The export's column; ``fallback`` lists columns tried when it is blank.
``columns`` and ``join``
    Several columns joined (``join = " "`` for first and last names).
``value``
    A constant.
``map`` and ``default``
    Values translated (matched ignoring case and surrounding spaces); a value
    not in the map takes ``default``, or is an error naming the column when
    there is none.
``date`` / ``datetime``
    A ``strptime`` format, or a list of them tried in turn (or ``"iso"``, or
    ``"epoch"`` for Unix seconds); written as ISO 8601.
``number``
    ``true``: a number written with thousands separators or a currency sign
    (``"$1,234.50"``) is read as ``1234.50``, ``"(12.00)"`` as ``-12``;
    ``negate = true`` makes it negative whatever its sign (refunds, credit notes).
``split``
    Keep the first of several values separated by this (``"123;456"``).
``prefix``
    Put before the value (to keep ids of two exports apart: ``"refund-"``).
``optional``
    ``true``: the export may lack this column (the value is then blank).
``lookup``
    ``{ file = "Case.csv", match = "Id", take = "AccountId" }``: the value is
    the key of a row of another export; the column ``take`` of that row is used
    (a case comment names its case, the case names the account).

File options: ``where = { "Column" = ["value", ...] }`` keeps only matching
rows; ``skip_blank = ["account_id"]`` leaves out rows where these interchange
columns come out blank (counted in the report); ``unique = true`` keeps the
first row of each key (owners named on many rows become one employee).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from carpe.errors import UsageError
from carpe.ingest.format import FILES_BY_NAME

SYSTEMS = ("hubspot", "salesforce", "zendesk", "freshdesk", "stripe", "quickbooks")
"""Systems with a built-in map, as ``carpe import --from`` names them."""

_RULE_KEYS = {
    "column", "fallback", "columns", "join", "value", "map", "default", "date", "datetime",
    "number", "negate", "split", "prefix", "optional", "lookup",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """How one interchange column is made from an export row."""

    target: str
    column: str | None = None
    fallback: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    join: str = " "
    value: str | None = None
    mapping: tuple[tuple[str, str], ...] | None = None
    default: str | None = None
    dates: tuple[str, ...] = ()
    """``strptime`` formats tried in turn (or ``iso``, ``epoch``) for a date or date-time."""
    number: bool = False
    negate: bool = False
    split: str | None = None
    prefix: str = ""
    optional: bool = False
    lookup: tuple[str, str, str] | None = None
    """(export file, its key column, the column to take): the value is looked up there."""

    @property
    def sources(self) -> tuple[str, ...]:
        """The export's columns this rule reads."""
        first = (self.column,) if self.column else ()
        return first + self.fallback + self.columns


@dataclass(frozen=True, slots=True)
class FileRule:
    """One export file read into one interchange file."""

    source: str
    """A file name or glob; several ``|``-separated are all read (``*invoice*.csv|*list*.csv``)."""
    target: str
    columns: tuple[ColumnRule, ...]
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    skip_blank: tuple[str, ...] = ()
    unique: bool = False


@dataclass(frozen=True, slots=True)
class SourceMap:
    """A whole map: the system's name and its file rules, in load order."""

    system: str
    files: tuple[FileRule, ...]
    origin: str


def _fail(origin: str, where: str, message: str) -> UsageError:
    return UsageError(f"{origin}: {where}: {message}")


def _strings(value: Any, origin: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _fail(origin, where, "expected a text or a list of texts")


def _rule(target: str, raw: Any, origin: str, where: str) -> ColumnRule:
    if isinstance(raw, str):
        return ColumnRule(target, column=raw)
    if not isinstance(raw, dict):
        raise _fail(origin, where, "a column is a text (the export's column) or a table")
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise _fail(origin, where, f"unknown key(s) {', '.join(unknown)}")
    if sum(k in raw for k in ("column", "columns", "value")) != 1:
        raise _fail(origin, where, "give exactly one of column, columns or value")
    mapping = raw.get("map")
    if mapping is not None and not (
        isinstance(mapping, dict) and all(isinstance(v, str) for v in mapping.values())
    ):
        raise _fail(origin, where, "map must be a table of texts")
    return ColumnRule(
        target,
        column=raw.get("column"),
        fallback=_strings(raw.get("fallback", []), origin, where),
        columns=_strings(raw.get("columns", []), origin, where),
        join=str(raw.get("join", " ")),
        value=None if raw.get("value") is None else str(raw["value"]),
        mapping=tuple((k.strip().casefold(), v) for k, v in mapping.items()) if mapping else None,
        default=None if raw.get("default") is None else str(raw["default"]),
        dates=_strings(raw.get("date", raw.get("datetime", [])), origin, where),
        number=bool(raw.get("number", False)),
        negate=bool(raw.get("negate", False)),
        split=raw.get("split"),
        prefix=str(raw.get("prefix", "")),
        optional=bool(raw.get("optional", False)),
        lookup=_lookup(raw.get("lookup"), origin, where),
    )


def _lookup(raw: Any, origin: str, where: str) -> tuple[str, str, str] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), str) for k in ("file", "match", "take")
    ):
        raise _fail(origin, where, "lookup is a table { file = ..., match = ..., take = ... }")
    return (raw["file"], raw["match"], raw["take"])


def parse_map(data: dict[str, Any], origin: str) -> SourceMap:
    """Check a map read from TOML and turn it into rules.

    Raises
    ------
    UsageError
        Naming the map, the entry and what is wrong with it.
    """
    files = data.get("file")
    if not isinstance(files, list) or not files:
        raise _fail(origin, "file", "a map needs at least one [[file]] entry")
    rules: list[FileRule] = []
    for index, entry in enumerate(files, start=1):
        where = f"file #{index}"
        if not isinstance(entry, dict):
            raise _fail(origin, where, "each [[file]] is a table")
        source, target = entry.get("source"), entry.get("target")
        if not isinstance(source, str) or not source:
            raise _fail(origin, where, "source (the export's file name) is missing")
        spec = FILES_BY_NAME.get(str(target))
        if spec is None:
            raise _fail(
                origin, where, f"target {target!r} is not an interchange file "
                f"({', '.join(sorted(FILES_BY_NAME))})",
            )  # fmt: skip
        columns = entry.get("columns")
        if not isinstance(columns, dict):
            raise _fail(origin, where, "[file.columns] is missing")
        made: list[ColumnRule] = []
        for name, raw in columns.items():
            if name not in spec.column_names:
                raise _fail(
                    origin, f"{where} ({source} → {spec.name})",
                    f"{name!r} is not a column of {spec.name} ({', '.join(spec.column_names)})",
                )  # fmt: skip
            made.append(_rule(name, raw, origin, f"{where} ({source}) column {name}"))
        missing = [c.name for c in spec.columns if c.required and c.name not in columns]
        if missing:
            raise _fail(origin, f"{where} ({source})", f"no rule for {', '.join(missing)}")
        where_rows = entry.get("where", {})
        if not isinstance(where_rows, dict):
            raise _fail(origin, where, "where is a table: column = [values]")
        rules.append(
            FileRule(
                source,
                spec.name,
                tuple(made),
                tuple(
                    (column, tuple(v.casefold() for v in _strings(values, origin, where)))
                    for column, values in where_rows.items()
                ),
                _strings(entry.get("skip_blank", []), origin, where),
                bool(entry.get("unique", False)),
            )
        )
    return SourceMap(str(data.get("system", origin)), tuple(rules), origin)


def load_map_file(path: Path) -> SourceMap:
    """Read a map from a TOML file.

    Raises
    ------
    UsageError
        When the file is missing, is not TOML or is not a valid map.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such mapping file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    return parse_map(data, path.name)


def builtin_map(system: str) -> SourceMap:
    """The map carpe ships for ``system`` (one of :data:`SYSTEMS`).

    Raises
    ------
    UsageError
        For a system carpe has no map for.
    """
    key = system.strip().lower()
    if key not in SYSTEMS:
        raise UsageError(f"unknown system {system!r}; known: {', '.join(SYSTEMS)}")
    resource = resources.files("carpe.ingest.sources").joinpath(f"{key}.toml")
    if not resource.is_file():
        raise UsageError(f"carpe has no map for {system} yet; write one and pass --mapping")
    return parse_map(tomllib.loads(resource.read_text(encoding="utf-8")), f"{key}.toml")
