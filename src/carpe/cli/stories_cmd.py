"""Story commands: the library of retention stories."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the story commands to ``app``."""
