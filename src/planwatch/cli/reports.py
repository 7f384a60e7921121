"""``planwatch report annual|midterm|final``: the reports in Word, Excel, HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planwatch.cli import app
from planwatch.cli.common import (
    AsUser,
    DbOption,
    PlanOption,
    YearOption,
    acting_user,
    err,
    open_database,
    out,
    plan_of,
    plan_year,
    reported,
)
from planwatch.report import FORMATS

report_app = typer.Typer(help="报告：年度监测报告、中期评估报告和总结评估报告（.docx .xlsx .html .pdf）。",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")

OutputOption = Annotated[list[Path] | None, typer.Option(
    "-o", "--output", help=f"输出文件，扩展名决定格式（{' '.join(FORMATS)}）；可重复指定以输出多种格式。默认：<规划名称><报告名称>.docx")]
PendingOption = Annotated[bool, typer.Option(
    "--include-pending", help="把已报送但尚未审核通过的数值也计入。")]


def _report(kind: str, year: int, plan: str | None, outputs: list[Path] | None, include_pending: bool,
            as_user: str | None, db: str | None) -> None:
    from planwatch.report import ReportKind
    from planwatch.services.reports import default_filename, report_content, write_report

    with open_database(db) as database, reported():
        with database.session(readonly=True) as session:
            actor = acting_user(session, as_user)
            the_plan = plan_of(session, plan, actor)
            content = report_content(session, actor, the_plan, plan_year(the_plan, year), ReportKind(kind),
                                     include_pending=include_pending)
        if content.premature:
            err.print(f"[yellow]warning:[/yellow] {content.premature}", highlight=False)
        for path in outputs or [Path(default_filename(content))]:
            write_report(content, path)
            out.print(f"已生成 {path}", highlight=False)


@report_app.command()
def annual(year: YearOption, plan: PlanOption = None, output: OutputOption = None,
           include_pending: PendingOption = False, as_user: AsUser = None, db: DbOption = None) -> None:
    """某一年度的年度监测报告。"""
    _report("annual", year, plan, output, include_pending, as_user, db)


@report_app.command()
def midterm(year: YearOption, plan: PlanOption = None, output: OutputOption = None,
            include_pending: PendingOption = False, as_user: AsUser = None, db: DbOption = None) -> None:
    """中期评估报告，含到目标年份的趋势预测。"""
    _report("midterm", year, plan, output, include_pending, as_user, db)


@report_app.command()
def final(year: YearOption, plan: PlanOption = None, output: OutputOption = None,
          include_pending: PendingOption = False, as_user: AsUser = None, db: DbOption = None) -> None:
    """规划期末的总结评估报告。"""
    _report("final", year, plan, output, include_pending, as_user, db)
