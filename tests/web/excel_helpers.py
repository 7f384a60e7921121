"""Reading and filling the fill-in template as a clerk's Excel would, for the web tests."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from planwatch.monitor.exchange.xlsx_template import DATA_SHEET, HEADER
from planwatch.store import Database
from planwatch.store.models import Assignment, Indicator, Observation, ReportingPeriod, User

__all__ = ["column", "fill", "open_period", "reportable", "rows_by_code"]


def column(header: str) -> int:
    return HEADER.index(header)


def rows_by_code(data: bytes) -> dict[str, tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(data))[DATA_SHEET]
    return {str(r[0]): r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}


def fill(data: bytes, values: dict[str, str], path: Path) -> Path:
    """The template with ``values`` (by indicator code) typed into 本期数值, saved to ``path``."""
    book = load_workbook(io.BytesIO(data))
    for row in book[DATA_SHEET].iter_rows(min_row=4):
        if row[0].value in values:
            row[column("本期数值")].value = values[str(row[0].value)]
            row[column("数据来源")].value = "统计快报"
    book.save(path)
    return path


def open_period(url: str) -> tuple[int, str]:
    database = Database(url)
    with database.session(readonly=True) as session:
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.locked.is_(False))).one()
        found = period.id, period.code
    database.dispose()
    return found


def reportable(url: str, login: str) -> list[Indicator]:
    """The clerk's indicators of the open period with nothing submitted yet (none or a draft)."""
    database = Database(url)
    with database.session(readonly=True) as session:
        clerk = session.scalars(select(User).where(User.login == login)).one()
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.locked.is_(False))).one()
        taken = set(session.scalars(select(Observation.indicator_id).where(
            Observation.period_id == period.id, Observation.state.not_in(["draft"]))))
        found = [i for i in session.scalars(
            select(Indicator).join(Assignment, Assignment.indicator_id == Indicator.id)
            .where(Assignment.org_unit_id == clerk.org_unit_id).order_by(Indicator.code)) if i.id not in taken]
        for indicator in found:
            _ = indicator.targets
            session.expunge(indicator)
    database.dispose()
    return found
