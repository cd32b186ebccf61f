"""The fast read paths build rows by position (``AccountRow(*row)``): the columns must match.

Each prebuilt statement selects, in order, columns named as the fields of the
dataclass it fills (``.label(...)`` where a column is named otherwise), so a
column added, dropped or swapped in one but not the other fails here instead of
putting an amount where a date belongs.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from carpe.services import accounts, brief, users

SERVICES = Path(__file__).resolve().parents[2] / "src" / "carpe" / "services"

# (statement, dataclass, trailing columns read apart from the row)
BUILDERS: dict[str, tuple[Any, type, int]] = {
    "AccountRow": (accounts._ACCOUNT_ROWS, accounts.AccountRow, 0),
    "ContactRow": (accounts._CONTACTS, accounts.ContactRow, 0),
    "MomentRow": (accounts._MOMENTS, accounts.MomentRow, 2),  # recorded_by, owner
    "OrderRow": (accounts._ORDERS, accounts.OrderRow, 0),
    "InvoiceRow": (accounts._INVOICES, accounts.InvoiceRow, 0),
    "FeedbackRow": (accounts._FEEDBACK, accounts.FeedbackRow, 0),
    "LastGesture": (brief._LAST_GESTURE, brief.LastGesture, 0),
    "TokenRow": (users._TOKENS, users.TokenRow, 0),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_row_builder_statement_selects_the_dataclass_fields_in_order(name: str) -> None:
    statement, row_class, trailing = BUILDERS[name]
    columns = list(statement.selected_columns.keys())
    columns = columns[: len(columns) - trailing]
    assert columns == [f.name for f in dataclasses.fields(row_class)]


def positional_builders() -> set[str]:
    """Every class built from one unpacked row, ``Name(*row)``, in the services."""
    found: set[str] = set()
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id[:1].isupper()
                and len(node.args) == 1
                and isinstance(node.args[0], ast.Starred)
            ):
                found.add(node.func.id)
    return found


def test_every_positional_row_builder_is_checked() -> None:
    assert positional_builders() <= set(BUILDERS)


def test_a_swapped_column_is_caught() -> None:
    statement, row_class, _ = BUILDERS["InvoiceRow"]
    names = list(statement.selected_columns.keys())
    names[1], names[2] = names[2], names[1]
    assert names != [f.name for f in dataclasses.fields(row_class)]
