"""`carpe digest`: the dry run prints the mail; a send reaches a real SMTP server once."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from carpe.cli import app
from tests.factories import small_business, write_folder
from tests.receivers import smtp_inbox

runner = CliRunner()


def carpe(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _store(tmp_path: Path) -> str:
    """A store whose Maria told Ana two days ago that her dog is sick, and a user for Ana."""
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    files = small_business()
    files["touchpoints"][1]["occurred_at"] = f"{date.today() - timedelta(days=2)}T09:00:00"
    assert carpe("--db", db, "import", str(write_folder(tmp_path / "in", files)))[0] == 0
    code, _, err = carpe(
        "--db", db, "user", "add", "ana", "--employee", "E1", "--password", "long enough pw"
    )
    assert code == 0, err
    return db


def test_digest_dry_run_prints_the_mail_without_an_address(tmp_path: Path) -> None:
    db = _store(tmp_path)
    code, out, err = carpe("--db", db, "digest", "send", "--dry-run", "--user", "ana")
    assert code == 0, err
    assert "Subject: Your day" in out
    assert "(no address: carpe digest preferences --user ana" in out
    assert "Maria Lopez" in out and "/contacts/C1" in out
    code, out, _ = carpe("--db", db, "digest", "send", "--dry-run", "--user", "ana", "--html")
    assert "<!DOCTYPE html>" in out


def test_digest_send_mails_once_and_logs_it(tmp_path: Path) -> None:
    db = _store(tmp_path)
    code, out, err = carpe(
        "--db", db, "digest", "preferences", "--user", "ana", "--email", "ana@acme.example",
        "--time", "07:00", "--zone", "Europe/Madrid",
    )  # fmt: skip
    assert code == 0, err
    assert "on, at 07:00 Europe/Madrid, to ana@acme.example" in out
    with smtp_inbox() as (box, port):
        env = {"CARPE_SMTP_HOST": "127.0.0.1", "CARPE_SMTP_PORT": str(port),
               "CARPE_SMTP_SECURITY": "none"}  # fmt: skip
        code, out, err = carpe("--db", db, "digest", "send", "--user", "ana", env=env)
        assert code == 0, err
        assert "sent 1" in out
        code, out, _ = carpe("--db", db, "digest", "send", "--user", "ana", env=env)
        assert "sent 0" in out
    assert [m["To"] for m in box.messages] == ["ana@acme.example"]
    code, out, _ = carpe("--db", db, "digest", "log")
    assert "ana" in out and "sent" in out


def test_digest_preferences_refuse_an_unknown_zone(tmp_path: Path) -> None:
    db = _store(tmp_path)
    code, _, err = carpe(
        "--db", db, "digest", "preferences", "--user", "ana", "--email", "a@b.example",
        "--zone", "Mars/Olympus",
    )  # fmt: skip
    assert code == 2
    assert "unknown time zone 'Mars/Olympus'" in err
