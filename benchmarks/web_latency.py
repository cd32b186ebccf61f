"""Web latency: the account page, the brief and Today under concurrent load, next to /healthz.

Simulates a business (``--accounts``, default 20,000; the issue's figure is
100,000 ≈ 10 million touchpoints), imports it into SQLite, starts ``carpe serve``
as its own process with ``--workers`` processes (default: one per core), and
loads it from this process with ``--clients`` concurrent clients, each request
signed with an API token of a frontline user who owns accounts.

    uv run python -m benchmarks.web_latency [--accounts 20000] [--requests 400]

Prints ``name: value`` lines: ``<page>_p50_ms``, ``_p95_ms``, ``_p99_ms``,
``_rps`` for ``account``, ``brief``, ``today`` and ``healthz``. Goal: p95 ≤ 100 ms
for the account page and the brief.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import numpy as np

from benchmarks._common import OUT, SIM_END, emit, simulated_folder


def _prepare(
    folder: Path, database: Path, extract: bool, keep: bool
) -> tuple[str, list[str], list[str]]:
    from sqlalchemy import func, select

    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.services import users
    from carpe.services.data import import_data
    from carpe.store.models import Account, Contact

    marker = database.with_suffix(".imported")  # which business the store holds
    if not (keep and marker.exists() and marker.read_text() == str(folder)):
        marker.unlink(missing_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        carpe = Carpe(load_settings(database_url=f"sqlite:///{database}"))
        carpe.migrate()
        import_data(engine=carpe.engine, folder=folder, today=SIM_END, extract=extract)
        carpe.close()
        marker.write_text(str(folder))
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
        token = users.create_api_token(session=uow.session, user_id=user.id, name="bench")
        uow.commit()
        accounts = list(uow.session.scalars(select(Account.account_id)))
        contacts = list(uow.session.scalars(select(Contact.contact_id)))
    carpe.close()
    return token, accounts, contacts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _load(base: str, token: str, paths: list[str], clients: int) -> tuple[list[float], float]:
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=400, help="per page")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="carpe serve --workers"
    )
    parser.add_argument(
        "--extract", action="store_true", help="also read every note's moments on import"
    )
    parser.add_argument(
        "--keep-store",
        action="store_true",
        help="reuse the store an earlier run imported from the same business",
    )
    args = parser.parse_args(argv)

    folder = simulated_folder(kind="b2b", accounts=args.accounts, months=24, seed=args.seed)
    database = OUT / "web-latency" / "carpe.db"
    database.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    token, accounts, contacts = _prepare(folder, database, args.extract, args.keep_store)
    emit("accounts", len(accounts))
    emit("prepare_seconds", time.perf_counter() - started)
    emit("workers", args.workers)

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
        pages = {
            "healthz": ["/healthz"] * args.requests,
            "account": [f"/accounts/{rng.choice(accounts)}" for _ in range(args.requests)],
            "brief": [f"/contacts/{rng.choice(contacts)}" for _ in range(args.requests)],
            "today": ["/today"] * args.requests,
        }
        _load(base, token, pages["account"][:20] + pages["brief"][:20], args.clients)  # warm up
        for name, paths in pages.items():
            latencies, wall = _load(base, token, paths, args.clients)
            values = np.array(latencies)
            emit(f"{name}_p50_ms", float(np.percentile(values, 50)))
            emit(f"{name}_p95_ms", float(np.percentile(values, 95)))
            emit(f"{name}_p99_ms", float(np.percentile(values, 99)))
            emit(f"{name}_rps", len(paths) / wall)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
