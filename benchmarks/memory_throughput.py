"""Throughput of ``carpe extract --jsonl`` on generated notes, next to a regex baseline.

Run: ``uv run python benchmarks/memory_throughput.py [--notes 100000] [--seed 7]``.

It writes N generated notes (about 88% plain business notes, 12% with a personal
moment, fixed seed) to a temporary JSON Lines file, then measures in the same run:

* ``baseline_regex_tokenise``: reading the same file, parsing each JSON line and
  tokenising the note with ``re.findall(r"\\w+", note)``, in-process;
* ``extract_cli``: ``python -m carpe.cli.extract_cmd --jsonl FILE`` as a subprocess,
  output to a file, wall time including interpreter start-up and package imports
  (measured alone on a one-note file as ``extract_cli_startup_seconds``);
* ``extract_in_process``: the same batch path (``run_jsonl``) called in-process, and
  ``extract_in_process_classifier`` with the sentence classifier on;
* ``import_notes_phase``: the notes phase of an import (``extract_new_notes``) over the
  first ``--store-notes`` (default 20,000) notes stored as touchpoints of 200 accounts
  in a fresh SQLite store: reading, extracting, storing moments and follow-ups; then
  the same with the sentence classifier on (``import_notes_phase_classifier``).
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from carpe.cli.extract_cmd import run_jsonl

NAMES = [
    "Dana",
    "Tom",
    "Priya",
    "Ben",
    "Maria",
    "Rob",
    "Sarah",
    "Jenna",
    "Liam",
    "Karen",
    "Mark",
    "Linda",
    "Zoe",
    "Owen",
    "Kate",
    "Raj",
]
COMPANIES = [
    "Acme",
    "Northwind",
    "Brightline",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
]
PRODUCTS = [
    "filters",
    "gloves",
    "resin",
    "tiles",
    "kegs",
    "masks",
    "labels",
    "pallets",
    "cartridges",
    "sensors",
]
BUSINESS = [
    "Called {name} at {company} about the Q{q} reorder of {n} {product}.",
    "Invoice #{inv} disputed; credit note issued and sent to {name}.",
    "Delivery of {product} to site {site} late again; carrier blamed road works.",
    "{name} confirmed the pallet count, {n} units of {product}, ship Friday.",
    "Quarterly business review with {company} went well; renewal likely.",
    "Pricing review with procurement at {company}: they want {pct}% off above {n} units.",
    "Ticket {inv}: portal login loop for {name}. Workaround sent, closing.",
    "Onboarding session for {company}'s billing team; two users reset.",
    "Moving the meeting with {name} to next Wednesday; agenda unchanged.",
    "The deal with {company} died after legal review. Close as lost.",
    "Sent samples of {product} to {name}; follow up on pricing next week.",
    "Our marathon quarter-end close starts Monday; hold non-urgent tickets.",
    "{company} celebrates its {n}th anniversary next month; co-branded banner requested.",
    "Kick-off for the {product} rollout on the {day}th. {name} owns the plan.",
    "Consolidated ship-to addresses for {company}. Billing contact {name} unchanged.",
]
PERSONAL = [
    "{name}'s dog Max is sick, vet on Thursday. Reorder of {product} confirmed.",
    "{name}'s husband is having knee surgery next Tuesday.",
    "{name} just got engaged! Also wants invoices split by cost centre.",
    "{name} is training for her first marathon in October.",
    "{name}'s car was stolen over the weekend; working from home.",
    "{name}'s mother passed away last week. Hold the renewal call.",
    "{name} is off to Portugal for two weeks from next Monday.",
    "Huge Packers fan. Usual order is {n} {product}, delivered Tuesdays.",
    "{name} prefers email over phone calls; never call before 10.",
    "{name}'s daughter had twins on Saturday!",
]


def generate_notes(count: int, seed: int) -> list[dict[str, object]]:
    """Generate ``count`` notes, about 12% of them personal, deterministically.

    Parameters
    ----------
    count : int
        How many notes.
    seed : int
        The random seed.

    Returns
    -------
    list of dict
        Records ``{"id", "note_date", "note"}``.
    """
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    notes: list[dict[str, object]] = []
    for i in range(count):
        template = rng.choice(PERSONAL) if rng.random() < 0.12 else rng.choice(BUSINESS)
        text = template.format(
            name=rng.choice(NAMES),
            company=rng.choice(COMPANIES),
            product=rng.choice(PRODUCTS),
            n=rng.randint(2, 900),
            q=rng.randint(1, 4),
            inv=rng.randint(1000, 99999),
            site=rng.choice("ABCDE"),
            pct=rng.randint(2, 15),
            day=rng.randint(4, 28),
        )
        day = start + timedelta(days=rng.randint(0, 330))
        notes.append({"id": f"n{i}", "note_date": day.isoformat(), "note": text})
    return notes


def _arg(name: str, default: int) -> int:
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return default


def main() -> None:
    """Print the throughput figures."""
    count = _arg("--notes", 100_000)
    seed = _arg("--seed", 7)
    notes = generate_notes(count, seed)
    print(f"notes: {count}")
    print(f"seed: {seed}")
    print(f"cpu_count: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "notes.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for record in notes:
                fh.write(json.dumps(record) + "\n")

        token = re.compile(r"\w+")
        started = time.perf_counter()
        tokens = 0
        with src.open(encoding="utf-8") as fh:
            for line in fh:
                tokens += len(token.findall(json.loads(line)["note"]))
        baseline = time.perf_counter() - started
        print(f"baseline_regex_tokenise_notes_per_s: {count / baseline:.0f}")

        one = Path(tmp) / "one.jsonl"
        one.write_text(json.dumps(notes[0]) + "\n", encoding="utf-8")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "carpe.cli.extract_cmd", "--jsonl", str(one)],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        startup = time.perf_counter() - started
        print(f"extract_cli_startup_seconds: {startup:.2f}")

        out = Path(tmp) / "moments.jsonl"
        started = time.perf_counter()
        with out.open("w", encoding="utf-8") as fh:
            subprocess.run(
                [sys.executable, "-m", "carpe.cli.extract_cmd", "--jsonl", str(src)],
                stdout=fh,
                check=True,
            )
        cli = time.perf_counter() - started
        lines = out.read_text(encoding="utf-8").splitlines()
        with_moments = sum(1 for line in lines if json.loads(line)["moments"])
        print(f"extract_cli_seconds: {cli:.2f}")
        print(f"extract_cli_notes_per_s: {count / cli:.0f}")
        print(f"extract_cli_notes_per_s_after_startup: {count / max(cli - startup, 1e-9):.0f}")
        print(f"extract_cli_output_lines: {len(lines)}")
        print(f"notes_with_moments: {with_moments}")

        started = time.perf_counter()
        with src.open(encoding="utf-8") as fh:
            run_jsonl(iter(fh), io.StringIO())
        in_process = time.perf_counter() - started
        print(f"extract_in_process_notes_per_s: {count / in_process:.0f}")
        started = time.perf_counter()
        with src.open(encoding="utf-8") as fh:
            run_jsonl(iter(fh), io.StringIO(), use_classifier=True)
        learned = time.perf_counter() - started
        print(f"extract_in_process_classifier_notes_per_s: {count / learned:.0f}")
        print(f"extract_vs_baseline_slowdown: {cli / baseline:.1f}x")
        for suffix in ("", "_classifier"):
            _notes_phase(notes[: _arg("--store-notes", 20_000)], Path(tmp), suffix)


def _notes_phase(notes: list[dict[str, str]], folder: Path, suffix: str) -> None:
    """Time the import's notes phase on a fresh SQLite store holding ``notes``."""
    from datetime import datetime

    from sqlalchemy import insert

    from carpe.config import load_settings
    from carpe.context import Carpe
    from carpe.memory import Extractor
    from carpe.services.memory import extract_new_notes
    from carpe.store.models import Account, Touchpoint

    carpe = Carpe(load_settings(database_url=f"sqlite:///{folder / f'notes{suffix}.db'}"))
    carpe.migrate()
    accounts = [
        {"account_id": f"A{i}", "name": f"Account {i}", "started_on": date(2020, 1, 1)}
        for i in range(200)
    ]
    touchpoints = [
        {
            "touchpoint_id": f"T{i}",
            "account_id": f"A{i % 200}",
            "occurred_at": datetime.fromisoformat(n["note_date"]),
            "channel": "phone",
            "note": n["note"],
        }
        for i, n in enumerate(notes)
    ]
    with carpe.engine.begin() as connection:
        connection.execute(insert(Account), accounts)
        connection.execute(insert(Touchpoint), touchpoints)
    cpu = time.process_time()
    extractor = Extractor(use_classifier=suffix == "_classifier")
    report = extract_new_notes(engine=carpe.engine, today=date(2026, 12, 31), extractor=extractor)
    cpu = time.process_time() - cpu
    carpe.close()
    print(f"import_notes_phase{suffix}_notes: {report.notes_read}")
    print(f"import_notes_phase{suffix}_moments: {report.moments_found}")
    print(f"import_notes_phase{suffix}_notes_per_s: {report.notes_read / report.seconds:.0f}")
    print(f"import_notes_phase{suffix}_notes_per_cpu_s: {report.notes_read / cpu:.0f}")


if __name__ == "__main__":
    main()
