"""Text PlanWatch writes into spreadsheets never becomes a formula (CSV/formula injection).

Indicator names, notes and sources come from uploaded plans, corrections and clerks'
files; Excel, WPS and LibreOffice run a cell that starts with ``=`` (and, in CSV, also
``+``, ``-``, ``@``, tab or carriage return) as a formula, so ``=HYPERLINK(...)`` in a
name would become a live link in the report annex. In .xlsx every text cell is stored as
a string cell; in CSV such a field gets OWASP's leading single quote. Plain numbers
(``-3.5``, ``+2``, ``95%``) are left alone: they cannot be formulas and must stay numbers.

An .xlsx is XML, which cannot hold most control characters (openpyxl refuses them, and one
indicator name stored before they were cleaned broke every template): text cells drop them,
keeping line breaks and tabs (:func:`~planwatch.text_cleaning.normalise_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from planwatch.text_cleaning import normalise_text

__all__ = ["csv_field", "csv_row", "read_csv_field", "text_row"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[%‰]?")


def csv_field(value: Any) -> Any:
    """The field as written to CSV: text that a spreadsheet would evaluate gets a leading quote."""
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_field(v) for v in values]


def read_csv_field(text: str) -> str:
    """Undo :func:`csv_field`, so that a file PlanWatch exported imports back unchanged."""
    if text.startswith("'") and text[1:].startswith(_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text[1:]):
        return text[1:]
    return text


def text_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """``sheet.append`` with every text value stored as a string cell (openpyxl turns any
    str starting with "=" into a formula) and without characters XML cannot hold.

    Only the text openpyxl would not store as text (a leading "=", or an error code such as
    #N/A) gets a cell of its own, made before the row is appended: finding the row afterwards
    (``sheet.max_row``) scans every cell written so far, which made a 10,000-row annex
    quadratic (131 s), and a cell object for every text costs a streamed sheet its speed."""
    cleaned = [normalise_text(v) if isinstance(v, str) else v for v in values]
    sheet.append([_text_cell(sheet, v) if isinstance(v, str) and (v.startswith("=") or v in ERROR_CODES) else v
                  for v in cleaned])


def _text_cell(sheet: Worksheet | WriteOnlyWorksheet, value: str) -> Cell:
    cell = Cell(sheet, row=1, column=1, value=value)  # append() gives it its place
    cell.data_type = "s"
    return cell
