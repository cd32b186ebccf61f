"""``carpe analyze`` at scale: the whole pipeline next to one DuckDB scan of the same data.

Simulates a B2B business, imports it into a SQLite store (once; reused by later
runs), then in fresh processes: ``carpe analyze`` on DuckDB (snapshot to
Parquet, features, early warning, results written back) and the floor, one
DuckDB aggregate scan (count, last touch, mean sentiment per account) over the
same touchpoints Parquet file. With pyspark installed, the same analysis on a
local Spark session.

    uv run python -m benchmarks.analyze_scale [--accounts 2000] [--spark-accounts 1000]
    uv run python -m benchmarks.analyze_scale --accounts 100000 --spark-accounts 10000
    uv run python -m benchmarks.analyze_scale --accounts 10000 --spark-accounts 0 \
        --steps features,early_warning

The snapshot reads the SQLite store with DuckDB when the
``duckdb-extension-sqlite-scanner`` wheel is installed (``snapshot_reader:
duckdb``), else through Python (``snapshot_reader: python``).

``floor_store_seconds`` is the same scan read where ``carpe analyze`` reads the
touchpoints, the SQLite store (through DuckDB's scanner), and ``ratio_store`` the
run against it: the issue's floor reads the Parquet snapshot the run itself wrote.

Prints ``name: value`` lines: the run's wall and CPU seconds, each step's wall
(``<step>_seconds``) and CPU seconds (``<step>_cpu_seconds``, every thread of the
process), ``unreported_seconds`` (start, imports, opening the store, writing the
results back), peak RSS, the floor and the ratio. Goal (100,000 accounts): under
180 s, ratio under 20, peak RSS under 8 GB. Spark's peak RSS and CPU count the
Python driver, not the JVM.
"""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks import _common
from benchmarks._common import OUT, SIM_END, emit, measure, simulated_folder

AS_OF = date(SIM_END.year, SIM_END.month, 1)


def _store(folder: Path) -> str:
    """A SQLite store holding ``folder``, imported once (notes not extracted)."""
    from carpe.ingest import import_folder
    from carpe.store import create_store_engine, migrate

    database = folder.with_suffix(".db")
    done = folder.with_suffix(".imported")
    url = f"sqlite:///{database}"
    if not done.exists():
        database.unlink(missing_ok=True)
        engine = create_store_engine(url)
        migrate(engine)
        import_folder(folder, engine=engine)
        engine.dispose()
        done.touch()
    return url


def analyze(
    url: str, engine_name: str, workdir: str, steps: list[str] | None = None
) -> dict[str, Any]:
    """``carpe analyze`` as the command runs it; returns its report's figures."""
    from sqlalchemy.orm import Session

    from carpe.analytics.pipeline.snapshot import duckdb_snapshot_available
    from carpe.services.analysis import run_analysis
    from carpe.store import create_store_engine, migrate
    from carpe.store.analysis import AnalysisRun

    engine = create_store_engine(url)
    migrate(engine)
    report = run_analysis(
        engine=engine, engine_name=engine_name, as_of=AS_OF, workdir=Path(workdir), steps=steps
    )
    with engine.connect() as connection:
        reader = "duckdb" if duckdb_snapshot_available(connection) else "python"
    with Session(engine) as session:
        run = session.get(AnalysisRun, report.run_id)
        summary = json.loads(run.summary or "{}") if run is not None else {}
    engine.dispose()
    return {
        "scored": report.accounts_scored,
        "seconds": report.seconds,
        "cpu_seconds": summary.get("cpu_seconds", {}),
        "rows": report.snapshot_rows,
        "reader": reader,
    }


def floor(parquet: str) -> int:
    """One DuckDB aggregate scan over the touchpoints: the least any analysis must do."""
    import duckdb

    connection = duckdb.connect()
    rows = connection.execute(
        "SELECT account_id, count(*), max(occurred_at), avg(sentiment) "
        f"FROM read_parquet('{parquet}') GROUP BY account_id"
    ).fetchall()
    connection.close()
    return len(rows)


def floor_store(url: str) -> int:
    """The same aggregate scan read from the store itself (DuckDB's SQLite scanner)."""
    import duckdb

    from carpe.analytics.pipeline.snapshot import duckdb_extension_file

    extension = duckdb_extension_file("sqlite_scanner")
    if extension is None:
        raise LookupError("the duckdb-extension-sqlite-scanner wheel is not installed")
    connection = duckdb.connect()
    connection.execute(f"LOAD '{extension}'")
    database = url.removeprefix("sqlite:///")
    connection.execute(f"ATTACH '{database}' AS store (TYPE sqlite, READ_ONLY)")
    rows = connection.execute(
        "SELECT account_id, count(*), max(occurred_at), avg(sentiment) "
        "FROM store.touchpoints GROUP BY account_id"
    ).fetchall()
    connection.close()
    return len(rows)


def _run(
    prefix: str, accounts: int, engine_name: str, with_floor: bool, steps: list[str] | None
) -> None:
    folder = simulated_folder(kind="b2b", accounts=accounts, months=24, seed=1)
    url = _store(folder)
    workdir = OUT / f"analyze-{engine_name}-{accounts}"
    shutil.rmtree(workdir, ignore_errors=True)
    seconds, peak_mb, report = measure(analyze, url, engine_name, str(workdir), steps)
    emit(f"{prefix}accounts", accounts)
    emit(f"{prefix}touchpoints", report["rows"]["touchpoints"])
    emit(f"{prefix}accounts_scored", report["scored"])
    emit(f"{prefix}snapshot_reader", report["reader"])
    emit(f"{prefix}analyze_seconds", seconds)
    cpu = getattr(_common, "LAST_CPU_SECONDS", [])
    if cpu:
        # CPU seconds of the run's process (every thread): steadier than wall
        # time on a machine shared with other work.
        emit(f"{prefix}analyze_cpu_seconds", cpu[-1])
    for step, spent in report["seconds"].items():
        emit(f"{prefix}{step}_seconds", float(spent))
    for step, spent in report["cpu_seconds"].items():
        emit(f"{prefix}{step}_cpu_seconds", float(spent))
    # Starting the process, importing, opening the store, writing the results back.
    emit(f"{prefix}unreported_seconds", seconds - sum(map(float, report["seconds"].values())))
    emit(f"{prefix}peak_rss_mb", peak_mb)
    if with_floor:
        parquet = workdir / "snapshot" / "touchpoints.parquet"
        floor_seconds, _, _ = measure(floor, str(parquet))
        emit("floor_seconds", floor_seconds)
        emit("ratio", seconds / floor_seconds)
        if report["reader"] == "duckdb":
            store_seconds, _, _ = measure(floor_store, url)
            emit("floor_store_seconds", store_seconds)
            emit("ratio_store", seconds / store_seconds)


def main() -> None:
    """Parse the options, run the measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--spark-accounts", type=int, default=1000, help="0 to skip Spark")
    parser.add_argument(
        "--steps",
        default="",
        help="comma-separated pipeline steps (default: every registered step)",
    )
    args = parser.parse_args()
    steps = [s.strip() for s in args.steps.split(",") if s.strip()] or None
    OUT.mkdir(parents=True, exist_ok=True)
    _run("", args.accounts, "duckdb", with_floor=True, steps=steps)
    from carpe.analytics.pipeline.engines import spark_available

    if args.spark_accounts and spark_available():
        _run("spark_", args.spark_accounts, "spark", with_floor=False, steps=steps)
    elif args.spark_accounts:
        emit("spark", json.dumps("skipped: pyspark is not installed (uv sync --extra spark)"))


if __name__ == "__main__":
    main()
