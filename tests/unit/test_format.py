"""The interchange format as data agrees with the store and with its documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Text

from carpe.ingest.format import FILES, FileSpec, Kind
from carpe.store.models import TABLES_BY_FILE

DOC = Path(__file__).resolve().parents[2] / "docs" / "interchange-format.md"
STORAGE = {
    Kind.TEXT: (String, Text), Kind.ENUM: (String,), Kind.PERIOD: (String,),
    Kind.INTEGER: (Integer,), Kind.NUMBER: (Float,), Kind.BOOLEAN: (Boolean,),
    Kind.DATE: (Date,), Kind.DATETIME: (DateTime,),
}  # fmt: skip


@pytest.mark.parametrize("spec", FILES, ids=lambda s: s.name)
def test_every_column_has_a_store_column_of_its_type(spec: FileSpec) -> None:
    table = TABLES_BY_FILE[spec.name].__table__
    assert tuple(c.name for c in table.primary_key.columns) == spec.key
    for col in spec.columns:
        stored = table.c[col.name]
        assert isinstance(stored.type, STORAGE[col.kind]), col.name
        assert stored.nullable == (not col.required), col.name


def test_files_come_in_reference_order() -> None:
    loaded: set[str] = set()
    for spec in FILES:
        for col in spec.columns:
            if col.references and col.references != spec.name:
                assert col.references in loaded, f"{spec.name}.{col.name}"
        loaded.add(spec.name)


@pytest.mark.parametrize("spec", FILES, ids=lambda s: s.name)
def test_every_column_is_documented(spec: FileSpec) -> None:
    text = DOC.read_text()
    section = re.search(rf"^### {spec.name}\.csv\n(.*?)(?=^### |\Z)", text, re.M | re.S)
    assert section, f"docs/interchange-format.md has no section for {spec.name}.csv"
    for col in spec.columns:
        assert f"`{col.name}`" in section.group(1), f"{spec.name}.{col.name}"
