"""A plan's monitoring data as a file, in the formats the office and other systems read.

The command line (``planwatch export``) and the web's export page write the same files
through :func:`export_data`: long CSV (Open SDG), the same table as Excel, DHIS2
dataValueSets JSON and SDMX-CSV, of the approved values only or of every current value,
for one period or all. What a user may export is what :func:`exchange.export_rows` gives
them (a clerk: its own unit's).
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session

from planwatch.monitor.exchange import to_data_value_set, write_csv, write_sdmx_csv, write_xlsx_long
from planwatch.monitor.workflow import ObservationState
from planwatch.services import exchange
from planwatch.store.models import Plan, User

__all__ = ["DataExport", "DataFormat", "export_data"]


class DataFormat(StrEnum):
    CSV = "csv"  # long CSV, UTF-8 with BOM (Excel on a Chinese PC opens it as it is)
    XLSX = "xlsx"  # the same table as an Excel workbook, Chinese column titles
    DHIS2 = "dhis2"  # dataValueSets JSON
    SDMX = "sdmx"  # SDMX-CSV 1.0, approved and submitted numbers only

    @property
    def suffix(self) -> str:
        return {"csv": ".csv", "xlsx": ".xlsx", "dhis2": ".json", "sdmx": ".sdmx.csv"}[self.value]

    @property
    def media_type(self) -> str:
        return {"csv": "text/csv; charset=utf-8", "dhis2": "application/json",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "sdmx": "text/csv; charset=utf-8"}[self.value]


@dataclass(frozen=True, slots=True)
class DataExport:
    data: bytes
    filename: str
    media_type: str
    count: int  # values written
    skipped: int = 0  # values a format cannot carry (SDMX: drafts, returned values, words)


def export_data(session: Session, actor: User, plan: Plan, fmt: DataFormat, *, period: str | None = None,
                approved_only: bool = False) -> DataExport:
    """The plan's current values (approved only, when asked) of one period or all, as ``fmt``."""
    states = [ObservationState.APPROVED] if approved_only else None
    rows = exchange.export_rows(session, actor, plan, period=period, states=states)
    name = f"{plan.title}_{period or '全部报告期'}_{'已审核数据' if approved_only else '全部数据'}{fmt.suffix}"
    skipped = 0
    if fmt is DataFormat.DHIS2:
        payload = to_data_value_set(rows, data_set=plan.plan_key)
        data, count = json.dumps(payload, ensure_ascii=False, indent=1).encode(), len(payload["dataValues"])
    elif fmt is DataFormat.XLSX:
        buffer = io.BytesIO()
        count = write_xlsx_long(rows, buffer)
        data = buffer.getvalue()
    else:
        with tempfile.TemporaryDirectory(prefix="planwatch-export-") as scratch:
            path = Path(scratch) / f"export{fmt.suffix}"
            if fmt is DataFormat.CSV:
                count = write_csv(rows, path)
            else:
                count, skipped = write_sdmx_csv(rows, path)
            data = path.read_bytes()
    return DataExport(data, name, fmt.media_type, count, skipped)
