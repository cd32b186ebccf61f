"""Dependencies point inward: a walk over every module's imports keeps it so.

The allowed imports are read from the table in ``docs/architecture.md``, so the
test enforces exactly what the document says.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "carpe"
DOC = ROOT / "docs" / "architecture.md"

# package -> third-party prefixes it must never import
FORBIDDEN = {
    "memory": ("fastapi", "sqlalchemy", "typer"),
    "analytics": ("fastapi", "typer"),
    "gestures": ("fastapi", "sqlalchemy", "typer"),
    "simulate": ("fastapi", "sqlalchemy", "typer"),
    "vocabulary": ("fastapi", "sqlalchemy", "typer"),
    "store": ("fastapi", "typer"),
    "ingest": ("fastapi", "typer"),
    "services": ("fastapi", "typer"),
    "web": ("typer",),
}  # fmt: skip


def allowed_by_doc() -> dict[str, tuple[str, ...]]:
    """Each package of the document's table → the ``carpe.*`` modules it may import."""
    table: dict[str, tuple[str, ...]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`carpe."):
            continue
        packages = re.findall(r"`carpe\.(\w+)`", cells[0])
        plain = re.sub(r"\([^)]*\)", "", cells[2])  # "(the pipeline runs ...)" is commentary
        names = [n.strip() for n in plain.split(",") if n.strip() not in ("", "—")]
        for package in packages:
            table[package] = tuple(f"carpe.{n}" for n in names)
    return table


ALLOWED = allowed_by_doc()


def imports_of(path: Path) -> set[str]:
    """Every module name a file imports (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "carpe" and node.level == 0:
            found.update(f"carpe.{alias.name}" for alias in node.names)  # from carpe import store
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def files_of(package: str) -> list[Path]:
    """The package's files (a module like ``carpe.config`` is one file)."""
    folder = SRC / package
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [SRC / f"{package}.py"]


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_the_table_names_every_package_and_module_of_carpe() -> None:
    present = {p.stem for p in SRC.glob("*.py") if p.stem not in ("__init__", "__main__")}
    present |= {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert set(ALLOWED) == present


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_the_architecture_document_allows(package: str) -> None:
    own = f"carpe.{package}"
    offences = []
    for path in files_of(package):
        for name in imports_of(path):
            if not _under(name, "carpe") or name == "carpe.__version__" or _under(name, own):
                continue  # third-party, the version, itself
            if not any(_under(name, ok) for ok in ALLOWED[package]):
                offences.append(f"{path.relative_to(SRC)} imports {name}")
    assert offences == []


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_no_framework_of_an_outer_layer(package: str) -> None:
    offences = []
    for path in files_of(package):
        for name in imports_of(path):
            if any(_under(name, bad) for bad in FORBIDDEN[package]):
                offences.append(f"{path.relative_to(SRC)} imports {name}")
    assert offences == []


def test_a_web_module_importing_the_store_is_caught(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from carpe.store.memory import StoredMoment\nfrom carpe import ingest\n")
    names = imports_of(sneaky)
    assert names == {"carpe.store.memory", "carpe.ingest"}
    assert not any(_under(n, ok) for n in names for ok in ALLOWED["web"])
