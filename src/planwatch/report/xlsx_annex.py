"""The Excel data annex: every indicator with all its values, status and source reference.

Numbers are stored as numbers (with number formats), not text, so analysts can compute with
them; the header is frozen and filtered as statisticians expect of a data table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planwatch.evaluate import Status
from planwatch.report.charts import STATUS_COLOURS
from planwatch.report.content import TARGET_TYPE_ZH, ReportContent
from planwatch.spreadsheet_safety import text_row
from planwatch.text_cleaning import normalise_text

__all__ = ["write_xlsx"]

_HEADER_FONT = Font(name="黑体", bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
_PERCENT = "0.0%"
_NUMBER = "#,##0.00##"


def _sheet(sheet: Worksheet, header: list[str], rows: list[list[Any]], widths: list[int],
           formats: dict[int, str]) -> None:
    text_row(sheet, header)
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        text_row(sheet, row)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column, number_format in formats.items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def write_xlsx(content: ReportContent, path: Path) -> None:
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = "指标监测数据"
    years = content.years
    # Year columns hold what was entered (an amount's yearly increment, a verdict); 最新值 the
    # quantity compared (an amount's running total, a verdict).
    header = ["代码", "领域", "指标", "单位", "属性", "基期年", "基期值", *(f"{y}年" for y in years),
              "目标年", "目标值（原文）", "目标值", "最新值", "完成进度", "时间进度", "状态", "趋势预测值",
              "趋势研判", "还需年均增速", "责任单位", "出处", "原文", "评估说明", "目标类型"]
    rows: list[list[Any]] = []
    for entry in content.entries:
        r, spec = entry.result, entry.spec
        latest: Any = r.judgement.verdict.label_zh if r.judgement is not None else r.current
        rows.append([entry.code, spec.domain, spec.name, spec.unit, spec.attribute, spec.baseline_year, spec.baseline,
                     *(entry.year_cell(y) for y in years), r.target_year, entry.target_text, r.target, latest,
                     r.completion, r.schedule, r.status.label_zh, r.projected,
                     r.projection_verdict.label_zh if r.projected is not None else None, r.required_rate,
                     "、".join(r.responsible), entry.source, entry.source_text, r.explanation.text_zh,
                     TARGET_TYPE_ZH.get(r.target_type or "", "")])
    first_year = 8
    after = first_year + len(years)
    formats = {7: _NUMBER, **{first_year + i: _NUMBER for i in range(len(years))},
               after + 2: _NUMBER, after + 3: _NUMBER, after + 4: _PERCENT, after + 5: _PERCENT,
               after + 7: _NUMBER, after + 9: _PERCENT}
    widths = [7, 14, 30, 9, 8, 8, 11, *(11 for _ in years), 8, 18, 11, 11, 10, 10, 10, 11, 14, 12, 24, 30, 50, 60, 10]
    _sheet(data, header, rows, widths, formats)
    status_column = after + 6
    for (cell,) in data.iter_rows(min_row=2, min_col=status_column, max_col=status_column):
        status = next((s for s in Status if s.label_zh == cell.value), None)
        if status is not None:
            cell.font = Font(color=STATUS_COLOURS[status].lstrip("#"), bold=True)

    summary = content.summary
    _sheet(workbook.create_sheet("状态汇总"), ["监测状态", "指标数", "占比", "其中约束性"],
           [[s.label_zh, summary.counts.get(s, 0), summary.share(s), summary.binding_counts.get(s, 0)]
            for s in Status], [14, 10, 10, 12], {3: _PERCENT})
    _sheet(workbook.create_sheet("预警清单"), ["指标", "状态", "约束性", "距目标差距", "单位", "责任单位", "说明"],
           [[w.name, w.status.label_zh, "是" if w.binding else "否", w.gap, w.gap_unit, "、".join(w.responsible),
             w.reason] for w in content.warnings()], [30, 10, 8, 12, 8, 24, 80], {4: _NUMBER})
    entries = content.by_id()
    _sheet(workbook.create_sheet("报送完整性"), ["报送单位", "年度", "应报", "已报", "报送率", "未报指标"],
           [[c.org_unit, c.year, c.expected, c.reported, c.share, "、".join(entries[i].spec.name for i in c.missing)]
            for c in content.completeness], [28, 8, 8, 8, 10, 60], {5: _PERCENT})
    workbook.properties.title = normalise_text(content.title)
    workbook.save(path)
