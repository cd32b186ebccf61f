"""CSV files written block by block, with an exact header row."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import IO

import pyarrow as pa
import pyarrow.csv as pacsv

from carpe.simulate.schema import COLUMNS


class CsvFiles:
    """One open CSV writer per interchange file; tables are appended as blocks arrive."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.handles: dict[str, IO[bytes]] = {}
        self.writers: dict[str, pacsv.CSVWriter] = {}
        self.schemas: dict[str, pa.Schema] = {}
        self.rows: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        for name, columns in COLUMNS.items():
            handle = (out_dir / name).open("wb")
            handle.write((",".join(columns) + "\n").encode("utf-8"))
            self.handles[name] = handle

    def write(self, name: str, table: pa.Table) -> None:
        """Append ``table`` (columns in the file's order) to ``name``."""
        if table.column_names != list(COLUMNS[name]):
            raise ValueError(f"{name}: columns {table.column_names} != {list(COLUMNS[name])}")
        if name not in self.writers:
            self.schemas[name] = table.schema
            self.writers[name] = pacsv.CSVWriter(
                self.handles[name],
                table.schema,
                write_options=pacsv.WriteOptions(include_header=False, batch_size=65536),
            )
        elif table.schema != self.schemas[name]:
            table = table.cast(self.schemas[name])
        self.writers[name].write_table(table)
        self.rows[name] += table.num_rows

    def close(self) -> None:
        """Flush and close every file."""
        for writer in self.writers.values():
            writer.close()
        for handle in self.handles.values():
            handle.close()

    def __enter__(self) -> CsvFiles:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
