"""Serving with several worker processes: the settings travel through the environment."""

from __future__ import annotations

import os

import pytest

from carpe.cli.serve_cmd import _environment
from carpe.config import load_settings


def test_worker_processes_read_back_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    given = load_settings(
        database_url="sqlite:////tmp/shop.db",
        demo_user="demo",
        page_size=17,
        webhook_url="https://hooks.example.com/carpe",
        secret_key="s" * 40,
    )
    for name in list(os.environ):
        if name.startswith("CARPE_"):
            monkeypatch.delenv(name)
    for name, value in _environment(given).items():
        monkeypatch.setenv(name, value)

    assert load_settings() == given
