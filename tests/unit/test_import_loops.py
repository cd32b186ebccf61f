"""No import loops: carpe's packages import each other one way, and no loop is taped over.

An import placed inside a function to dodge a cycle hides the cycle instead of
breaking it; the analysis services (orchestration, run bookkeeping, the
modules whose writers it calls) import at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "carpe"

TOP_LEVEL_ONLY = (
    "analytics/pipeline/run.py",
    "analytics/pipeline/steps.py",
    "analytics/pipeline/context.py",
    "services/analysis.py",
    "services/runs.py",
    "services/risk.py",
    "services/conflicts.py",
    "services/conflict_detection.py",
    "services/conflict_records.py",
    "services/specialists.py",
    "services/specialist_records.py",
    "services/retention.py",
    "services/gesture_payoff.py",
)


def _carpe_imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("carpe.")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("carpe."):
            found.append(str(node.module))
    return found


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if len(parts) == 1:
            continue  # carpe/__init__.py, config.py, errors.py ...: the shared base
        package = parts[0]
        for name in _carpe_imports(ast.parse(path.read_text(), filename=str(path))):
            other = name.split(".")[1]
            if other != package and (SRC / other).is_dir():
                graph.setdefault(package, set()).add(other)
    return graph


def test_carpe_packages_import_each_other_without_a_cycle() -> None:
    graph = _package_graph()
    cycles = []

    def walk(package: str, path: list[str]) -> None:
        for other in sorted(graph.get(package, ())):
            if other == path[0]:
                cycles.append(" -> ".join([*path, other]))
            elif other not in path:
                walk(other, [*path, other])

    for package in sorted(graph):
        walk(package, [package])
    assert cycles == []
    assert "analytics" not in graph.get("gestures", set())  # payoff lives in analytics


@pytest.mark.parametrize("module", TOP_LEVEL_ONLY)
def test_module_imports_carpe_at_the_top_only(module: str) -> None:
    tree = ast.parse((SRC / module).read_text(), filename=module)
    inside = [
        f"{module}:{node.lineno} {name}"
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in _carpe_imports(node)
    ]
    assert inside == []
