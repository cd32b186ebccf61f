"""Migration 0014 drops the stored copy of a moment's sensitivity, and can put it back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect, text

from carpe.ingest import import_folder
from carpe.store import current_revision, head_revision
from carpe.store.engine import _alembic_config
from carpe.store.memory import StoredMoment
from tests.factories import small_business, write_folder


def _add_moments(engine: Engine) -> None:
    with engine.begin() as connection:
        for kind in ("health", "pet", "loss"):
            connection.execute(
                StoredMoment.__table__.insert().values(
                    account_id="A1", contact_id="C1", noted_on=date(2026, 3, 1), kind=kind,
                    subject=kind, summary=kind, confidence=1.0, evidence=kind,
                    review="confirmed", created_at=datetime(2026, 3, 1, 10),
                )
            )  # fmt: skip


def test_downgrade_restores_sensitivity_from_the_kind_and_upgrade_drops_it(
    engine: Engine, tmp_path: Path
) -> None:
    import_folder(write_folder(tmp_path / "in", small_business()), engine=engine)
    _add_moments(engine)
    assert "sensitive" not in {c["name"] for c in inspect(engine).get_columns("moments")}

    command.downgrade(_alembic_config(engine), "0013")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT kind, sensitive FROM moments ORDER BY kind")).all()
    assert [(kind, bool(flag)) for kind, flag in rows] == [
        ("health", True), ("loss", True), ("pet", False)
    ]  # fmt: skip

    command.upgrade(_alembic_config(engine), "head")
    assert current_revision(engine) == head_revision()
    assert "sensitive" not in {c["name"] for c in inspect(engine).get_columns("moments")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM moments")).scalar_one() == 3
