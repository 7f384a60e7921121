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

report_app = typer.Typer(help="Reports: annual monitoring, mid-term and final evaluation (.docx .xlsx .html .pdf).",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")

OutputOption = Annotated[list[Path] | None, typer.Option(
    "-o", "--output", help=f"Output file(s); the suffix chooses the format ({' '.join(FORMATS)}). "
                           "Repeat for several formats. Default: <plan title><report name>.docx")]
PendingOption = Annotated[bool, typer.Option(
    "--include-pending", help="Count submitted values that are not approved yet.")]


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
    """Annual monitoring report (年度监测报告) for one year."""
    _report("annual", year, plan, output, include_pending, as_user, db)


@report_app.command()
def midterm(year: YearOption, plan: PlanOption = None, output: OutputOption = None,
            include_pending: PendingOption = False, as_user: AsUser = None, db: DbOption = None) -> None:
    """Mid-term evaluation report (中期评估报告), with projections to the target year."""
    _report("midterm", year, plan, output, include_pending, as_user, db)


@report_app.command()
def final(year: YearOption, plan: PlanOption = None, output: OutputOption = None,
          include_pending: PendingOption = False, as_user: AsUser = None, db: DbOption = None) -> None:
    """Final evaluation report (总结评估报告) at the end of the plan period."""
    _report("final", year, plan, output, include_pending, as_user, db)
