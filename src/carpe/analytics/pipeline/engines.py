"""Analytics engines: an Ibis connection on DuckDB (default, in-process) or Spark (local).

The pipeline's expressions are written once in Ibis and run unchanged on either
engine. DuckDB needs nothing beyond carpe's own dependencies; Spark needs the
optional extra ``carpe[spark]`` (``pip install 'carpe[spark]'``) and Java 17.

An engine is an object (:class:`AnalyticsEngine`) handed to the pipeline, the way
an HTTP client is handed its transport: the runner and the steps call its
``read_parquet``, ``execute`` and ``close`` and never ask which engine it is.
:func:`open_engine` opens one by name, at the edge (the command line's
``--engine``); a test or a benchmark can wrap a connection it already holds.

Only the engine's own session is opened here (an in-memory DuckDB database, or a
local Spark session); the store is never touched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Final, Literal, get_args

import ibis
import pyarrow as pa

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


class AnalyticsEngine:
    """An Ibis connection the pipeline runs on: reads Parquet, executes expressions.

    Parameters
    ----------
    backend : ibis.BaseBackend
        The connection (its owner closes it with :meth:`close`).

    Attributes
    ----------
    name : str
        Recorded with a run's results (``"duckdb"``, ``"spark"``).
    """

    name: str = "ibis"

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def read_parquet(self, path: Path, *, table_name: str) -> Any:
        """A Parquet file as a table of the engine (an ``ibis.Table``)."""
        return self.backend.read_parquet(str(path), table_name=table_name)

    def execute(self, expression: Any) -> Any:
        """Run an Ibis expression and return a pandas DataFrame (or a scalar)."""
        return self.backend.execute(expression)

    def close(self) -> None:
        """Release the connection."""
        self.backend.disconnect()


class DuckDBEngine(AnalyticsEngine):
    """DuckDB in-process: tables come back through Arrow (a few times faster).

    Examples
    --------
    >>> engine = DuckDBEngine(ibis.duckdb.connect())
    >>> engine.name, int(engine.execute(ibis.literal(2) + 1))
    ('duckdb', 3)
    >>> engine.close()
    """

    name = "duckdb"

    def execute(self, expression: Any) -> Any:
        """Run an Ibis expression; a table comes back through Arrow.

        Dates come back as ``datetime64[s]``, as Ibis' own conversion gives them.
        """
        if not isinstance(expression, ibis.expr.types.Table):
            return self.backend.execute(expression)
        table = self.backend.to_pyarrow(expression)
        frame = table.to_pandas(date_as_object=False)
        for column in table.schema:
            if pa.types.is_date(column.type):
                frame[column.name] = frame[column.name].astype("datetime64[s]")
        return frame


class SparkEngine(AnalyticsEngine):
    """A local Spark session, kept for the process unless ``stop_spark`` (one per process)."""

    name = "spark"

    def __init__(self, backend: Any, *, stop_spark: bool = False) -> None:
        super().__init__(backend)
        self.stop_spark = stop_spark

    def close(self) -> None:
        """Stop the session only when asked: a new one takes seconds to start."""
        if self.stop_spark:
            self.backend._session.stop()


def open_engine(
    name: str,
    *,
    workdir: Path | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    stop_spark: bool = False,
) -> AnalyticsEngine:
    """Open an analytics engine by name (the command line's ``--engine``).

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
    stop_spark : bool, default False
        Spark: stop the session on :meth:`AnalyticsEngine.close` (otherwise it is
        kept for the process's next run).

    Returns
    -------
    AnalyticsEngine
        The engine; close it with its ``close()``.

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
        return DuckDBEngine(ibis.duckdb.connect(**config))
    if not spark_available():
        raise UsageError(
            "the Spark engine needs the optional extra: pip install 'carpe[spark]' (and Java 17)"
        )
    return SparkEngine(
        ibis.pyspark.connect(_spark_session(scratch, threads)), stop_spark=stop_spark
    )


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
