"""Import throughput: carpe's validated, all-or-nothing upsert next to the raw driver.

Simulates a business with about a million touchpoints, imports it into a fresh
SQLite file and (when a server is given) PostgreSQL, and loads the same rows
with the raw driver in the same run: ``sqlite3`` ``executemany`` in one
transaction, and psycopg ``COPY``. Each load runs in its own process so its
peak memory is its own.

    uv run python -m benchmarks.import_throughput [--accounts 10000] [--postgres URL]

Carpe's and the raw loads alternate ``--repeat`` times and each keeps its best
time, so a busy machine skews both alike. Prints ``name: value`` lines. Goal:
both ratios at least 0.5.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import sys
import uuid
from pathlib import Path

from benchmarks._common import LAST_CPU_SECONDS, OUT, emit, measure, simulated_folder

csv.field_size_limit(2**31 - 1)


def _files(folder: Path) -> list[tuple[str, Path]]:
    from carpe.ingest.format import FILES

    return [
        (s.table, folder / f"{s.name}.csv") for s in FILES if (folder / f"{s.name}.csv").exists()
    ]


def carpe_import(url: str, folder: str) -> int:
    """carpe's own import into a fresh, migrated store; returns rows read."""
    from carpe.ingest import import_folder
    from carpe.store import create_store_engine, migrate

    engine = create_store_engine(url)
    migrate(engine)
    report = import_folder(Path(folder), engine=engine)
    engine.dispose()
    return report.rows_read


def _migrated(url: str) -> None:
    from carpe.store import create_store_engine, migrate

    engine = create_store_engine(url)
    migrate(engine)
    engine.dispose()


def raw_sqlite(path: str, folder: str) -> int:
    """The floor: csv.reader rows straight into executemany, one transaction."""
    _migrated(f"sqlite:///{path}")
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    rows = 0
    with connection:
        for table, file in _files(Path(folder)):
            with file.open(newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                header = next(reader)
                marks = ", ".join("?" * len(header))
                sql = f"INSERT INTO {table} ({', '.join(header)}) VALUES ({marks})"
                batch: list[list[str | None]] = []
                for record in reader:
                    batch.append([v if v != "" else None for v in record])
                    if len(batch) >= 50_000:
                        connection.executemany(sql, batch)
                        rows += len(batch)
                        batch = []
                connection.executemany(sql, batch)
                rows += len(batch)
    connection.close()
    return rows


def raw_postgres(url: str, folder: str) -> int:
    """The floor: psycopg COPY of every file's rows, one transaction."""
    import psycopg

    _migrated(url)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    rows = 0
    with psycopg.connect(plain) as connection, connection.cursor() as cursor:
        for table, file in _files(Path(folder)):
            with file.open(newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                header = next(reader)
                with cursor.copy(f"COPY {table} ({', '.join(header)}) FROM STDIN") as copy:
                    for record in reader:
                        copy.write_row([v if v != "" else None for v in record])
                        rows += 1
    return rows


def _schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--repeat", type=int, default=2, help="alternate carpe and raw runs; keep each one's best"
    )
    parser.add_argument("--postgres", default=os.environ.get("CARPE_TEST_POSTGRES_URL", ""))
    args = parser.parse_args(argv)

    folder = simulated_folder(
        kind="b2b", accounts=args.accounts, months=args.months, seed=args.seed
    )
    with (folder / "touchpoints.csv").open("rb") as handle:
        touchpoints = sum(1 for _ in handle) - 1
    emit("accounts", args.accounts)
    emit("touchpoints_in_file", touchpoints)

    work = OUT / "import-throughput"
    work.mkdir(parents=True, exist_ok=True)

    def fresh(name: str) -> Path:
        for suffix in ("", "-wal", "-shm"):
            (work / f"{name}{suffix}").unlink(missing_ok=True)
        return work / name

    runs = []
    cpu_carpe: list[float] = []
    cpu_raw: list[float] = []
    for _ in range(args.repeat):
        ours = measure(carpe_import, f"sqlite:///{fresh('carpe.db')}", str(folder))
        cpu_carpe.append(LAST_CPU_SECONDS[-1])
        theirs = measure(raw_sqlite, str(fresh("raw.db")), str(folder))
        cpu_raw.append(LAST_CPU_SECONDS[-1])
        runs.append((ours, theirs))
    seconds, peak, rows = min((r[0] for r in runs), key=lambda m: m[0])
    raw_seconds, _, raw_rows = min((r[1] for r in runs), key=lambda m: m[0])
    emit("rows", rows)
    emit("sqlite_seconds", seconds)
    emit("sqlite_rows_per_s", rows / seconds)
    emit("sqlite_raw_rows_per_s", raw_rows / raw_seconds)
    emit("sqlite_ratio", (rows / seconds) / (raw_rows / raw_seconds))
    emit("sqlite_cpu_seconds", min(cpu_carpe))
    emit("sqlite_raw_cpu_seconds", min(cpu_raw))
    emit("sqlite_cpu_ratio", min(cpu_raw) / min(cpu_carpe))
    emit("peak_rss_mb", peak)

    if not args.postgres:
        print("postgres: skipped (no --postgres URL and no CARPE_TEST_POSTGRES_URL)")
        return
    from sqlalchemy import create_engine, text

    base = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(base)
    schemas = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(2 * args.repeat)]
    with admin.begin() as connection:
        for schema in schemas:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        pg_runs = [
            (
                measure(carpe_import, _schema_url(base, schemas[2 * i]), str(folder)),
                measure(raw_postgres, _schema_url(base, schemas[2 * i + 1]), str(folder)),
            )
            for i in range(args.repeat)
        ]
        pg_seconds, pg_peak, pg_rows = min((r[0] for r in pg_runs), key=lambda m: m[0])
        pg_raw_seconds, _, pg_raw_rows = min((r[1] for r in pg_runs), key=lambda m: m[0])
    finally:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    emit("postgres_seconds", pg_seconds)
    emit("postgres_rows_per_s", pg_rows / pg_seconds)
    emit("postgres_raw_rows_per_s", pg_raw_rows / pg_raw_seconds)
    emit("postgres_ratio", (pg_rows / pg_seconds) / (pg_raw_rows / pg_raw_seconds))
    emit("postgres_peak_rss_mb", pg_peak)


if __name__ == "__main__":
    sys.exit(main())
