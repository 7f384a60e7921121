"""SDMX-CSV 1.0 export, for statistical offices that load SDMX.

Mapping: FREQ A/Q/M from the period code; TIME_PERIOD 2025, 2025-Q1, 2025-03; SEX and
URBANISATION use the SDMX codes _T (total), M/F and U/R; AGE is _T or the group as
written; OBS_STATUS A (approved, "normal value") or P (submitted, "provisional"). Drafts
and returned values are not official figures and are not exported; neither are values
that are not numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from planwatch.monitor.exchange.rows import ExchangeRow, period_kind
from planwatch.numerals import parse_number
from planwatch.spreadsheet_safety import csv_row

__all__ = ["COLUMNS", "DEFAULT_DATAFLOW", "write_sdmx_csv"]

DEFAULT_DATAFLOW = "PLANWATCH:DF_PLAN_MONITORING(1.0)"
COLUMNS = ("DATAFLOW", "FREQ", "REF_AREA", "INDICATOR", "SEX", "URBANISATION", "AGE", "TIME_PERIOD", "OBS_VALUE",
           "UNIT_MEASURE", "OBS_STATUS")
_SEX = {"": "_T", "male": "M", "female": "F"}
_AREA = {"": "_T", "urban": "U", "rural": "R"}
_STATUS = {"approved": "A", "submitted": "P"}


def _time_period(code: str) -> str:
    kind = period_kind(code)
    if kind == "Q":
        return f"{code[:4]}-{code[4:]}"
    if kind == "M":
        return f"{code[:4]}-{code[4:]}"
    return code


def write_sdmx_csv(rows: Iterable[ExchangeRow], path: Path, dataflow: str = DEFAULT_DATAFLOW) -> tuple[int, int]:
    """Write the official figures; returns (written, skipped)."""
    written = skipped = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for row in rows:
            value = parse_number(row.value.rstrip("%‰"))
            status = _STATUS.get(row.state)
            kind = period_kind(row.period)
            if value is None or status is None or kind is None:
                skipped += 1
                continue
            writer.writerow(csv_row([dataflow, kind, row.org_unit, row.indicator, _SEX.get(row.sex, "_T"),
                             _AREA.get(row.area, "_T"), row.age_group or "_T", _time_period(row.period),
                             f"{value:g}", row.unit, status]))
            written += 1
    return written, skipped
