"""Snapshot: store tables → Parquet files, streamed in batches.

The analytics never read the store row by row. A snapshot copies the columns a
run needs into one Parquet file per table, a batch of rows at a time (the whole
table is never held in memory), with Arrow types derived from the store's
SQLAlchemy column types. Engines then read the files as tables.

The caller (a service) hands over an open connection; nothing here opens one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Column, Connection, String, Table, select, type_coerce
from sqlalchemy import types as sqltypes

ALL_COLUMNS: Final = "*"
"""Ask for every column of a table."""
BATCH_ROWS: Final = 100_000


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Parquet files of the store's tables, as of the moment they were written.

    Attributes
    ----------
    folder : Path
        Where the files are.
    files : dict of str to Path
        Table name → its Parquet file.
    rows : dict of str to int
        Table name → rows written.
    seconds : float
        Time taken.
    """

    folder: Path
    files: dict[str, Path]
    rows: dict[str, int]
    seconds: float


def arrow_type(column: Column[Any]) -> pa.DataType:
    """The Arrow type of a store column.

    Parameters
    ----------
    column : sqlalchemy.Column
        A column of a store table.

    Returns
    -------
    pyarrow.DataType
        ``string``, ``float64``, ``int64``, ``bool_``, ``date32`` or ``timestamp[us]``.
    """
    kind = column.type
    if isinstance(kind, sqltypes.DateTime):
        return pa.timestamp("us")
    if isinstance(kind, sqltypes.Date):
        return pa.date32()
    if isinstance(kind, sqltypes.Boolean):
        return pa.bool_()
    if isinstance(kind, sqltypes.Integer):
        return pa.int64()
    if isinstance(kind, sqltypes.Float | sqltypes.Numeric):
        return pa.float64()
    return pa.string()


def _selected(table: Table, wanted: Sequence[str] | str) -> list[Column[Any]]:
    if wanted == ALL_COLUMNS:
        return list(table.columns)
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise KeyError(f"table {table.name!r} has no column(s) {', '.join(missing)}")
    return [table.columns[c] for c in wanted]


def _as_text_on_sqlite(column: Column[Any], dialect: str) -> Any:
    """SQLite keeps dates as ISO text: read the text and let Arrow parse it in bulk."""
    if dialect == "sqlite" and isinstance(column.type, sqltypes.Date | sqltypes.DateTime):
        return type_coerce(column, String).label(column.name)
    return column


def _to_arrow(values: Sequence[Any], target: pa.DataType) -> pa.Array:
    dated = pa.types.is_timestamp(target) or pa.types.is_date32(target)
    if dated and isinstance(next((v for v in values if v is not None), None), str):
        text = pa.array(values, pa.string())
        # SQLite writes "YYYY-MM-DD HH:MM:SS.ffffff"; Arrow parses ISO 8601 text.
        parsed = pc.cast(pc.replace_substring(text, " ", "T"), pa.timestamp("us"))
        return pc.cast(parsed, target) if pa.types.is_date32(target) else parsed
    return pa.array(values, target)


def _batches(
    connection: Connection, table: Table, columns: list[Column[Any]], batch_rows: int
) -> Iterable[list[Sequence[Any]]]:
    dialect = connection.dialect.name
    statement = select(*(_as_text_on_sqlite(c, dialect) for c in columns))
    result = connection.execution_options(stream_results=True, yield_per=batch_rows).execute(
        statement
    )
    for part in result.partitions(batch_rows):
        yield list(zip(*part, strict=True))


def snapshot_tables(
    connection: Connection,
    tables: Mapping[str, Table],
    folder: Path,
    *,
    columns: Mapping[str, Sequence[str] | str] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Snapshot:
    """Copy store tables into Parquet files, one batch of rows at a time.

    Parameters
    ----------
    connection : sqlalchemy.Connection
        An open connection to the store (the caller's; it is not closed).
    tables : mapping of str to sqlalchemy.Table
        Tables to copy, by name.
    folder : Path
        Where to write ``<table>.parquet`` (created if missing; files replaced).
    columns : mapping of str to sequence of str, optional
        Columns to copy per table (``"*"`` for all, the default for a table
        not named here). Copying only what the steps need keeps notes and other
        long texts out of the snapshot.
    batch_rows : int, default 100000
        Rows fetched and written at a time; bounds the memory used.

    Returns
    -------
    Snapshot
        The files and their row counts.

    Examples
    --------
    >>> with engine.connect() as connection:  # doctest: +SKIP
    ...     snap = snapshot_tables(connection, {"accounts": Account.__table__}, Path("snap"))
    """
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    rows: dict[str, int] = {}
    for name, table in tables.items():
        wanted = (columns or {}).get(name, ALL_COLUMNS)
        selected = _selected(table, wanted)
        schema = pa.schema([pa.field(c.name, arrow_type(c)) for c in selected])
        path = folder / f"{name}.parquet"
        written = 0
        with pq.ParquetWriter(path, schema) as writer:
            for batch in _batches(connection, table, selected, batch_rows):
                arrays = [_to_arrow(v, f.type) for v, f in zip(batch, schema, strict=True)]
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                written += len(batch[0]) if batch else 0
        files[name] = path
        rows[name] = written
    return Snapshot(folder, files, rows, round(time.perf_counter() - started, 3))


def snapshot_from_folder(folder: Path) -> Snapshot:
    """Describe Parquet files already in ``folder`` (a warehouse export, an earlier snapshot).

    Parameters
    ----------
    folder : Path
        A folder of ``<table>.parquet`` files.

    Returns
    -------
    Snapshot
        The files found, with their row counts from the Parquet metadata.
    """
    files = {p.stem: p for p in sorted(folder.glob("*.parquet"))}
    rows = {name: pq.ParquetFile(path).metadata.num_rows for name, path in files.items()}
    return Snapshot(folder, files, rows, 0.0)
