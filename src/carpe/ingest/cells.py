"""CSV cells a spreadsheet would run as a formula: escaped on export, restored on import.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``,
``=cmd|' /C calc'!A0``). carpe writes such a text cell with a leading ``'``,
which spreadsheets show as text and hide; a cell that already starts with ``'``
gets one more, so that :func:`unescape_cell` gives back exactly what was stored.
Numbers, dates and other typed columns are never escaped (``-3.5`` is a number).
"""

from __future__ import annotations

from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
QUOTE: Final = "'"


def escape_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs as a formula.

    Examples
    --------
    >>> escape_cell("=1+1")
    "'=1+1"
    >>> escape_cell("Maria")
    'Maria'
    """
    if value.startswith(FORMULA_STARTS) or value.startswith(QUOTE):
        return QUOTE + value
    return value


def unescape_cell(value: str) -> str:
    """Undo :func:`escape_cell`: drop the ``'`` it put before a formula start or a ``'``.

    Examples
    --------
    >>> unescape_cell("'=1+1")
    '=1+1'
    >>> unescape_cell("'tis")
    "'tis"
    """
    if value.startswith(QUOTE) and value[1:2] in (*FORMULA_STARTS, QUOTE) and len(value) > 1:
        return value[1:]
    return value
