"""carpe's exceptions: one tree, every name ending in ``Error``.

::

    CarpeError
    ├── ConfigError            a setting is missing, malformed or unsafe
    ├── StoreError             the database cannot be opened or is not at the right schema
    ├── ImportDataError        an import folder holds bad rows; carries every ``RowProblem``
    ├── ExportError            an export could not be written
    ├── NotFoundError          an id names nothing (account, contact, ...)
    ├── ForbiddenError         the viewer's role does not allow the action
    ├── BusyError              work that goes one at a time (an import) is running already
    └── UsageError             a caller asked for something that makes no sense

The web, API and CLI shells map these to statuses and exit codes in one place
each; services raise them and never format responses.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

SHOWN_CHARACTERS = 80
"""How much of a bad value a message shows (a 50 MB note is named, not printed)."""


def shown(value: str) -> str:
    """``value`` safe to print: control characters and lone surrogates escaped, long text cut.

    Examples
    --------
    >>> shown("a\x00b")
    'a\\x00b'
    """
    cut = value[:SHOWN_CHARACTERS]
    text = "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c) in ("Cc", "Cs", "Cf", "Zl", "Zp")
        else c
        for c in cut
    )
    if len(value) > SHOWN_CHARACTERS:
        text += f"... ({len(value):,} characters)"
    return text


class CarpeError(Exception):
    """Base of every error carpe raises on purpose."""


class ConfigError(CarpeError):
    """A setting is missing, malformed or unsafe for the environment."""


class StoreError(CarpeError):
    """The database cannot be opened, or its schema is not the expected one."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad value in an import file, located precisely.

    ``line`` is the 1-based physical line of a CSV file (the header is line 1)
    or of a JSON Lines file. ``column`` and ``value`` are empty when the
    problem concerns the whole file (a missing required column, say).
    """

    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if not self.column:
            return f"{shown(where)}: {self.reason}"
        return (
            f"{shown(where)}: column '{shown(self.column)}': value '{shown(self.value)}': "
            f"{self.reason}"
        )


class ImportDataError(CarpeError):
    """An import was refused because of bad rows; nothing was written.

    Attributes
    ----------
    problems:
        The problems reported, at most the import's report limit.
    total:
        How many problems were found in all (may exceed ``len(problems)``).
    """

    def __init__(self, problems: list[RowProblem], total: int) -> None:
        self.problems = problems
        self.total = total
        more = total - len(problems)
        lines = [str(p) for p in problems]
        if more > 0:
            lines.append(f"... and {more} more problem(s)")
        super().__init__("\n".join(lines))


class ExportError(CarpeError):
    """An export could not be written."""


class NotFoundError(CarpeError):
    """An id names no row of the store."""

    def __init__(self, what: str, key: str) -> None:
        self.what = what
        self.key = key
        super().__init__(f"no {what} with id '{key}'")


class ForbiddenError(CarpeError):
    """The viewer's role (or ownership) does not allow the action."""


class BusyError(CarpeError):
    """Work that runs one at a time on a store (an import) is running already."""


class UsageError(CarpeError):
    """A caller asked for something that makes no sense (bad argument combination)."""
