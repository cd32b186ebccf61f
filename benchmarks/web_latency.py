"""Web latency: the account page, the brief and Today under concurrent load, next to /healthz.

Simulates a business (``--accounts``, default 20,000; the issue's figure is
100,000 ≈ 10 million touchpoints) and imports it into SQLite, or copies a store
imported earlier (``--store``), starts ``carpe serve`` as its own process with
``--workers`` processes (default: one per core), and loads it with ``--clients``
concurrent connections, each request signed with an API token of a frontline
user who owns accounts.

The load comes from ``wrk`` when it is on PATH (a C client that costs the server
little CPU on a small machine), else from this process with httpx. Each page is
loaded in its own phase after a short warm-up on that page.

    uv run python -m benchmarks.web_latency [--accounts 20000] [--seconds 15]
    uv run python -m benchmarks.web_latency --store benchmarks/out/sim-b2b-100000-24-1.db

Prints ``name: value`` lines: ``load_tool`` (``wrk`` or ``httpx``), then
``<page>_p50_ms``, ``_p95_ms``, ``_p99_ms``, ``_rps`` for ``healthz``, ``account``,
``brief`` and ``today``; with ``--cpu-per-request``, ``<page>_server_cpu_ms`` (the
server's CPU per request over sequential requests, from ``/proc``). Goal: p95 ≤
100 ms for the account page and the brief.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import numpy as np

from benchmarks._common import OUT, SIM_END, emit, simulated_folder

WRK_PATHS = 5_000
"""Random pages wrk rotates over, per page: more than a phase sends, so few repeat."""

WRK_SCRIPT = """\
-- carpe's web-latency load: each connection sends GETs signed with an API token,
-- rotating through the paths of one page (a file, one path a line); done() prints
-- the latency percentiles (wrk keeps them in microseconds) and the request rate.
local paths, next_path = {}, 1
local headers = {}

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  headers["Authorization"] = "Bearer " .. args[2]
  headers["Accept"] = "text/html"
  next_path = math.random(#paths)  -- threads start at different places
end

function request()
  local path = paths[next_path]
  next_path = next_path % #paths + 1
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("p50_us: %d\\np95_us: %d\\np99_us: %d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
  io.write(string.format("requests: %d\\nseconds: %.3f\\nfailed: %d\\n",
    summary.requests, summary.duration / 1e6, failed))
end
"""


def _copy_store(source: Path, database: Path) -> None:
    """Copy an imported store (with its write-ahead log, if any) through SQLite's backup."""
    if not source.exists():
        raise SystemExit(f"--store: no file {source}")
    if database.exists() and source.samefile(database):
        raise SystemExit(f"--store: {source} is the benchmark's own copy; name the original")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src,
        sqlite3.connect(database) as dst,
    ):
        src.backup(dst)


def _prepare(
    source: Path, database: Path, extract: bool, keep: bool, copy: bool
) -> tuple[str, list[str], list[str]]:
    """Fill the store (import ``source``'s business, or copy the store ``source``); sign in."""
    from sqlalchemy import func, select

    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.services import users
    from carpe.services.data import import_data
    from carpe.services.permissions import SYSTEM
    from carpe.store.models import Account, Contact

    marker = database.with_suffix(".imported")  # which business (or store) the copy holds
    if not (keep and marker.exists() and marker.read_text() == str(source)):
        marker.unlink(missing_ok=True)
        if copy:
            _copy_store(source, database)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            carpe = Carpe(load_settings(database_url=f"sqlite:///{database}"))
            carpe.migrate()
            import_data(engine=carpe.engine, folder=source, today=SIM_END, extract=extract)
            carpe.close()
        marker.write_text(str(source))
    carpe = Carpe(load_settings(database_url=f"sqlite:///{database}"))
    carpe.migrate()
    with carpe.unit_of_work() as uow:
        owner = uow.session.execute(
            select(Account.owner_employee_id, func.count())
            .group_by(Account.owner_employee_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()[0]
        user = uow.session.scalars(users.select_user_by_name("bench")).first() or users.add_user(
            session=uow.session,
            username="bench",
            password="benchmark-pass",
            role="frontline",
            employee_id=owner,
        )
        token = users.create_api_token(
            session=uow.session, by=SYSTEM, user_id=user.id, name="bench"
        )
        uow.commit()
        accounts = list(uow.session.scalars(select(Account.account_id)))
        contacts = list(uow.session.scalars(select(Contact.contact_id)))
    carpe.close()
    return token, accounts, contacts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _load_httpx(base: str, token: str, paths: list[str], clients: int) -> tuple[list[float], float]:
    """Send every path once, ``clients`` at a time; return latencies (ms) and the wall time."""
    headers = {"Authorization": f"Bearer {token}", "accept": "text/html"}

    def one(path: str, client: httpx.Client) -> float:
        started = time.perf_counter()
        response = client.get(path)
        response.raise_for_status()
        return (time.perf_counter() - started) * 1000

    with httpx.Client(
        base_url=base, headers=headers, timeout=30, limits=httpx.Limits(max_connections=clients)
    ) as client:
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            latencies = list(pool.map(lambda p: one(p, client), paths))
        return latencies, time.perf_counter() - started


def _page_httpx(base: str, token: str, paths: list[str], clients: int) -> dict[str, float]:
    _load_httpx(base, token, paths[: max(clients * 4, 20)], clients)  # warm-up
    latencies, wall = _load_httpx(base, token, paths, clients)
    values = np.array(latencies)
    return {
        "p50_ms": float(np.percentile(values, 50)),
        "p95_ms": float(np.percentile(values, 95)),
        "p99_ms": float(np.percentile(values, 99)),
        "rps": len(paths) / wall,
    }


def _wrk(
    wrk: str, base: str, token: str, paths: list[str], clients: int, seconds: float, work: Path
) -> dict[str, float]:
    """Load ``paths`` (rotated) with wrk for ``seconds``; the figures its ``done()`` prints."""
    script, listing = work / "load.lua", work / "paths.txt"
    script.write_text(WRK_SCRIPT)
    listing.write_text("\n".join(paths) + "\n")
    run = subprocess.run(
        [
            wrk,
            "--threads",
            "1",  # one event loop drives every connection; more would take the server's CPU
            "--connections",
            str(clients),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "--script",
            str(script),
            base,
            "--",
            str(listing),
            token,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = dict(re.findall(r"^(\w+): ([\d.]+)$", run.stdout, flags=re.MULTILINE))
    if int(found.get("failed", "1")):
        raise RuntimeError(f"wrk: {found.get('failed')} requests failed\n{run.stdout}")
    return {
        "p50_ms": int(found["p50_us"]) / 1000,
        "p95_ms": int(found["p95_us"]) / 1000,
        "p99_ms": int(found["p99_us"]) / 1000,
        "rps": int(found["requests"]) / float(found["seconds"]),
    }


def _server_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) of the server process and every process under it."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(times.get(pid, 0.0) for pid in tree)


def _cpu_per_request(base: str, token: str, paths: list[str], server: int) -> float:
    """The server's CPU milliseconds per request over ``paths`` sent one after another."""
    headers = {"Authorization": f"Bearer {token}", "accept": "text/html"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for path in paths[:10]:  # warm-up
            client.get(path).raise_for_status()
        before = _server_cpu_seconds(server)
        for path in paths:
            client.get(path).raise_for_status()
        return (_server_cpu_seconds(server) - before) * 1000 / len(paths)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument(
        "--store",
        type=Path,
        help="copy this imported carpe SQLite store instead of simulating and importing",
    )
    parser.add_argument("--requests", type=int, default=400, help="per page, with httpx")
    parser.add_argument("--seconds", type=float, default=15.0, help="per page, with wrk")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="carpe serve --workers"
    )
    parser.add_argument(
        "--load-tool", choices=("auto", "wrk", "httpx"), default="auto", help="auto: wrk if found"
    )
    parser.add_argument(
        "--cpu-per-request",
        type=int,
        default=0,
        metavar="N",
        help="also send N sequential requests per page and print the server's CPU ms per request",
    )
    parser.add_argument(
        "--extract", action="store_true", help="also read every note's moments on import"
    )
    parser.add_argument(
        "--keep-store",
        action="store_true",
        help="reuse the store an earlier run imported (or copied) from the same source",
    )
    args = parser.parse_args(argv)

    wrk = shutil.which("wrk") if args.load_tool in ("auto", "wrk") else None
    if args.load_tool == "wrk" and wrk is None:
        raise SystemExit("--load-tool wrk: wrk is not on PATH (Debian: apt-get install wrk)")
    if args.store is not None:
        source, copy = args.store.resolve(), True
    else:
        source = simulated_folder(kind="b2b", accounts=args.accounts, months=24, seed=args.seed)
        copy = False
    database = OUT / "web-latency" / "carpe.db"
    database.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    token, accounts, contacts = _prepare(source, database, args.extract, args.keep_store, copy)
    emit("accounts", len(accounts))
    emit("prepare_seconds", time.perf_counter() - started)
    emit("workers", args.workers)
    emit("clients", args.clients)
    emit("load_tool", "wrk" if wrk else "httpx")

    port = _free_port()
    log = (database.parent / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "carpe.cli",
            "--db",
            f"sqlite:///{database}",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ | {"CARPE_ENVIRONMENT": "test"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # workers import carpe before they answer
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        rng = random.Random(args.seed)
        n = max(args.requests, WRK_PATHS) if wrk else args.requests
        pages = {
            "healthz": ["/healthz"] * n,
            "account": [f"/accounts/{rng.choice(accounts)}" for _ in range(n)],
            "brief": [f"/contacts/{rng.choice(contacts)}" for _ in range(n)],
            "today": ["/today"] * n,
        }
        with tempfile.TemporaryDirectory(prefix="carpe-wrk-") as work:
            for name, paths in pages.items():
                if wrk:
                    _wrk(wrk, base, token, paths, args.clients, 3, Path(work))  # warm-up
                    figures = _wrk(wrk, base, token, paths, args.clients, args.seconds, Path(work))
                else:
                    figures = _page_httpx(base, token, paths, args.clients)
                for figure, value in figures.items():
                    emit(f"{name}_{figure}", value)
        if args.cpu_per_request:
            for name, paths in pages.items():
                cpu = _cpu_per_request(base, token, paths[: args.cpu_per_request], server.pid)
                emit(f"{name}_server_cpu_ms", cpu)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
