"""Analytics engines: an Ibis connection on DuckDB (default, in-process) or Spark (local).

The pipeline's expressions are written once in Ibis and run unchanged on either
engine. DuckDB needs nothing beyond carpe's own dependencies; Spark needs the
optional extra ``carpe[spark]`` (``pip install 'carpe[spark]'``) and Java 17.

Only the engine's own session is opened here (an in-memory DuckDB database, or a
local Spark session); the store is never touched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Final, Literal, get_args

import ibis

from carpe.errors import UsageError

EngineName = Literal["duckdb", "spark"]
ENGINES: Final[tuple[str, ...]] = get_args(EngineName)
"""The engines ``carpe analyze --engine`` accepts."""


def spark_available() -> bool:
    """Tell whether pyspark (the ``carpe[spark]`` extra) is importable."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def connect_engine(
    name: str,
    *,
    workdir: Path | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> Any:
    """Open an Ibis backend for the pipeline.

    Parameters
    ----------
    name : {"duckdb", "spark"}
        The engine.
    workdir : Path, optional
        Scratch space (Spark's warehouse and DuckDB's spill directory). A fresh
        temporary folder when omitted.
    threads : int, optional
        Worker threads (DuckDB threads, Spark ``local[N]``); all cores when omitted.
    memory_limit : str, optional
        DuckDB's memory limit, e.g. ``"4GB"``.

    Returns
    -------
    ibis.BaseBackend
        The connection; close it with :func:`close_engine`.

    Raises
    ------
    UsageError
        For an unknown engine, or Spark when pyspark is not installed.
    """
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    scratch = workdir or Path(tempfile.mkdtemp(prefix="carpe-engine-"))
    scratch.mkdir(parents=True, exist_ok=True)
    if name == "duckdb":
        config: dict[str, Any] = {"temp_directory": str(scratch / "duckdb-spill")}
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        return ibis.duckdb.connect(**config)
    if not spark_available():
        raise UsageError(
            "the Spark engine needs the optional extra: pip install 'carpe[spark]' (and Java 17)"
        )
    return ibis.pyspark.connect(_spark_session(scratch, threads))


def _spark_session(scratch: Path, threads: int | None) -> Any:
    """The process's local Spark session, created once and reused (Spark allows one)."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = (
        SparkSession.builder.master(f"local[{threads or '*'}]")
        .appName("carpe-analyze")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(threads or os.cpu_count() or 2))
        .config("spark.sql.warehouse.dir", str(scratch / "spark-warehouse"))
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def close_engine(backend: Any, *, stop_spark: bool = False) -> None:
    """Close a backend from :func:`connect_engine`.

    Parameters
    ----------
    backend : ibis.BaseBackend
        The connection.
    stop_spark : bool, default False
        Also stop the Spark session. Spark allows one session per process and a
        new one takes seconds to start, so it is kept for the next run unless
        asked.
    """
    if backend.name == "pyspark":
        if stop_spark:
            backend._session.stop()
        return
    backend.disconnect()
