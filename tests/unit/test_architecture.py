"""Dependencies point inward: a walk over every module's imports keeps it so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "carpe"

# package -> prefixes it must never import
FORBIDDEN = {
    "memory": ("carpe.web", "carpe.cli", "carpe.services", "carpe.store", "fastapi", "sqlalchemy", "typer"),
    "analytics": ("carpe.web", "carpe.cli", "carpe.services", "fastapi", "typer"),
    "gestures": ("carpe.web", "carpe.cli", "carpe.services", "fastapi", "sqlalchemy", "typer"),
    "simulate": ("carpe.web", "carpe.cli", "carpe.services", "carpe.store", "fastapi", "sqlalchemy", "typer"),
    "store": ("carpe.web", "carpe.cli", "carpe.services", "carpe.ingest", "fastapi", "typer"),
    "ingest": ("carpe.web", "carpe.cli", "carpe.services", "fastapi", "typer"),
    "services": ("carpe.web", "carpe.cli", "fastapi", "typer"),
    "web": ("carpe.cli", "typer"),
}  # fmt: skip


def imports_of(path: Path) -> set[str]:
    """Every module name a file imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_inward(package: str) -> None:
    offences = []
    for path in sorted((SRC / package).rglob("*.py")):
        for name in imports_of(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package]):
                offences.append(f"{path.relative_to(SRC)} imports {name}")
    assert offences == []
