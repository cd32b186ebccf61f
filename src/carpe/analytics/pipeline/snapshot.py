"""Snapshot: store tables → Parquet files, streamed in batches.

The analytics never read the store row by row. A snapshot copies the columns a
run needs into one Parquet file per table, a batch of rows at a time (the whole
table is never held in memory), with Arrow types derived from the store's
SQLAlchemy column types. Engines then read the files as tables.

Two ways, same files (same schema, same rows in the same order):

``"duckdb"``
    DuckDB reads the store itself — the SQLite file through the
    ``sqlite_scanner`` extension, PostgreSQL through ``postgres_scanner`` — and
    writes Parquet with ``COPY``: no Python object per row, 4–8× faster. A scan
    of the store runs on one thread, so touchpoints are copied beside the other
    tables on a second connection (``snapshot_seconds`` 36.3 → 22.3 at 100,000
    accounts, ``benchmarks/analyze_scale.py``). Needs
    the extension's wheel (``duckdb-extension-sqlite-scanner`` /
    ``duckdb-extension-postgres-scanner``, the version of ``duckdb``).
``"python"``
    The store's driver through the caller's connection, column by column into
    Arrow. Works on every store (an in-memory SQLite database too).

``"auto"`` (the default) takes DuckDB when its extension is installed and the
store is a SQLite file or PostgreSQL, and falls back to Python otherwise (or if
DuckDB fails on the store).

The caller (a service) hands over an open connection; the Python way reads
through it, the DuckDB way opens its own read-only connection to the same store.
"""

from __future__ import annotations

import importlib
import importlib.resources
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, get_args

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Column, Connection, String, Table, select, type_coerce
from sqlalchemy import types as sqltypes

log = logging.getLogger(__name__)

SnapshotMethod = Literal["auto", "duckdb", "python"]
METHODS: Final[tuple[str, ...]] = get_args(SnapshotMethod)
"""The ways :func:`snapshot_tables` can copy the store (see the module docstring)."""
ALL_COLUMNS: Final = "*"
"""Ask for every column of a table."""
BATCH_ROWS: Final = 100_000
LARGEST_TABLE: Final = "touchpoints"
"""Copied on its own connection while the other tables are copied beside it."""


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
    method : str
        ``"duckdb"`` or ``"python"``: how the store was read (``""`` for files
        found by :func:`snapshot_from_folder`).
    """

    folder: Path
    files: dict[str, Path]
    rows: dict[str, int]
    seconds: float
    method: str = ""


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


def _duckdb_type(column: Column[Any]) -> str:
    """The DuckDB type matching :func:`arrow_type`."""
    target = arrow_type(column)
    if pa.types.is_timestamp(target):
        return "TIMESTAMP"
    if pa.types.is_date32(target):
        return "DATE"
    if pa.types.is_boolean(target):
        return "BOOLEAN"
    if pa.types.is_int64(target):
        return "BIGINT"
    if pa.types.is_float64(target):
        return "DOUBLE"
    return "VARCHAR"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def duckdb_extension_file(name: str) -> Path | None:
    """The DuckDB extension ``name`` shipped by its PyPI wheel for this duckdb, if installed."""
    try:
        import duckdb

        package = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError:
        return None
    version = duckdb.__version__.removeprefix("v")
    root = Path(str(importlib.resources.files(package)))
    found = root / "extensions" / f"v{version}" / f"{name}.duckdb_extension"
    return found if found.is_file() else None


def _duckdb_source(connection: Connection) -> tuple[str, str, str | None] | None:
    """(extension, ATTACH target, schema) for a store DuckDB can read, else None."""
    url = connection.engine.url
    dialect = connection.dialect.name
    if dialect == "sqlite":
        database = url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return "sqlite_scanner", str(Path(database).resolve()), None
    if dialect == "postgresql":
        schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return "postgres_scanner", dsn, str(schema) if schema else None
    return None


def duckdb_snapshot_available(connection: Connection) -> bool:
    """Tell whether :func:`snapshot_tables` can read this store with DuckDB.

    Parameters
    ----------
    connection : sqlalchemy.Connection
        An open connection to the store.

    Returns
    -------
    bool
        True for a SQLite file or PostgreSQL when the matching DuckDB extension
        wheel is installed.
    """
    source = _duckdb_source(connection)
    return source is not None and duckdb_extension_file(source[0]) is not None


def _copy_with_duckdb(
    connection: Connection,
    plans: Mapping[str, tuple[Table, list[Column[Any]]]],
    folder: Path,
    batch_rows: int,
) -> dict[str, int]:
    """Copy each table with DuckDB, two tables at a time.

    A scan of the store runs on one thread, so the largest table (touchpoints)
    is copied on one DuckDB connection while the others follow one another on a
    second (cursors of the same database, sharing the attached store).
    """
    import duckdb

    source = _duckdb_source(connection)
    extension = duckdb_extension_file(source[0]) if source else None
    if source is None or extension is None:
        raise LookupError("DuckDB cannot read this store (no extension or no file)")
    kind, target, schema = source
    store = duckdb.connect(config={"preserve_insertion_order": True})
    try:
        store.execute(f"LOAD {_literal(str(extension))}")
        attach_type = "sqlite" if kind == "sqlite_scanner" else "postgres"
        store.execute(f"ATTACH {_literal(target)} AS store (TYPE {attach_type}, READ_ONLY)")
        where = f"store.{_quoted(schema)}." if schema else "store."

        def copy(names: Sequence[str]) -> dict[str, int]:
            cursor = store.cursor()
            try:
                rows: dict[str, int] = {}
                for name in names:
                    table, selected = plans[name]
                    casts = ", ".join(
                        f"CAST({_quoted(c.name)} AS {_duckdb_type(c)}) AS {_quoted(c.name)}"
                        for c in selected
                    )
                    path = folder / f"{name}.parquet"
                    copied = cursor.execute(
                        f"COPY (SELECT {casts} FROM {where}{_quoted(table.name)}) "
                        f"TO {_literal(str(path))} "
                        f"(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE {batch_rows})"
                    ).fetchone()
                    rows[name] = int(copied[0]) if copied else 0
                return rows
            finally:
                cursor.close()

        largest = [n for n in plans if n == LARGEST_TABLE]
        rest = [n for n in plans if n != LARGEST_TABLE]
        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = [pool.submit(copy, group) for group in (largest, rest) if group]
            copied = {name: n for part in parts for name, n in part.result().items()}
        return {name: copied[name] for name in plans}
    finally:
        store.close()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_with_python(
    connection: Connection,
    plans: Mapping[str, tuple[Table, list[Column[Any]]]],
    folder: Path,
    batch_rows: int,
) -> dict[str, int]:
    rows: dict[str, int] = {}
    for name, (table, selected) in plans.items():
        schema = pa.schema([pa.field(c.name, arrow_type(c)) for c in selected])
        written = 0
        with pq.ParquetWriter(folder / f"{name}.parquet", schema) as writer:
            for batch in _batches(connection, table, selected, batch_rows):
                arrays = [_to_arrow(v, f.type) for v, f in zip(batch, schema, strict=True)]
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                written += len(batch[0]) if batch else 0
        rows[name] = written
    return rows


def snapshot_tables(
    connection: Connection,
    tables: Mapping[str, Table],
    folder: Path,
    *,
    columns: Mapping[str, Sequence[str] | str] | None = None,
    batch_rows: int = BATCH_ROWS,
    method: SnapshotMethod = "auto",
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
        Rows fetched and written at a time (a Parquet row group); bounds the memory used.
    method : {"auto", "duckdb", "python"}, default "auto"
        How to read the store (see the module docstring). ``"duckdb"`` raises
        when DuckDB cannot read it; ``"auto"`` then falls back to Python.

    Returns
    -------
    Snapshot
        The files and their row counts.

    Raises
    ------
    ValueError
        For an unknown ``method``.
    LookupError
        For ``method="duckdb"`` when the store is not a SQLite file or
        PostgreSQL, or the extension's wheel is not installed.

    Examples
    --------
    >>> with engine.connect() as connection:  # doctest: +SKIP
    ...     snap = snapshot_tables(connection, {"accounts": Account.__table__}, Path("snap"))
    """
    if method not in METHODS:
        raise ValueError(f"unknown snapshot method {method!r}; choose one of {', '.join(METHODS)}")
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    plans = {
        name: (table, _selected(table, (columns or {}).get(name, ALL_COLUMNS)))
        for name, table in tables.items()
    }
    used = "python"
    if method == "duckdb" or (method == "auto" and duckdb_snapshot_available(connection)):
        try:
            rows = _copy_with_duckdb(connection, plans, folder, batch_rows)
            used = "duckdb"
        except Exception as error:  # any DuckDB or extension failure: the driver still works
            if method == "duckdb":
                raise
            secret = connection.engine.url.password
            said = str(error).replace(str(secret), "***") if secret else str(error)
            log.warning("DuckDB could not snapshot the store (%s); reading it with Python", said)
    if used == "python":
        rows = _copy_with_python(connection, plans, folder, batch_rows)
    files = {name: folder / f"{name}.parquet" for name in plans}
    return Snapshot(folder, files, rows, round(time.perf_counter() - started, 3), used)


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
