"""Reports from the monitoring database: gather the evaluation once, write any format.

The same evaluation the dashboard shows (approved data only unless asked otherwise) goes
into the report, so a number in the Word file, the Excel annex and the web page agree.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.evaluate.assessment import GROUP_ZH
from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.report import (
    FORMATS,
    IndicatorEntry,
    ReportContent,
    ReportKind,
    docx_to_pdf,
    write_docx,
    write_html,
    write_xlsx,
)
from planwatch.report.compose import compose
from planwatch.report.content import LedgerRow, RankingRow
from planwatch.services import assessment, ledger, ledger_progress, opinions, region_scope
from planwatch.services.evaluation import evaluate_stored_plan
from planwatch.services.kept import Kept
from planwatch.services.ledger_progress import STATUSES
from planwatch.services.plan_calendar import evaluation_year
from planwatch.store.models import AuditEvent, Indicator, Plan, ReportingPeriod, User

__all__ = ["FORMATS", "ReportFormatError", "default_filename", "report_content", "report_file", "write_report"]


class ReportFormatError(PlanWatchError):
    """The output file name does not end in a report format."""


def report_content(session: Session, actor: User | None, plan: Plan, year: int, kind: ReportKind, *,
                   include_pending: bool = False, today: date | None = None) -> ReportContent:
    """Everything a report of ``kind`` about ``plan`` at ``year`` shows, as the actor may see it
    (a year before the plan's first is its first: a plan is not reported on before it began)."""
    year = evaluation_year(plan, year)
    evaluation = evaluate_stored_plan(session, actor, plan, year, include_pending=include_pending)
    indicators = {str(i.id): i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan.id))}
    entries = []
    for spec, result in zip(evaluation.specs, evaluation.results, strict=True):
        indicator = indicators[spec.id]
        history = tuple(sorted((y, v) for y, v in evaluation.values.get(spec.id, {}).items() if y <= year))
        judged = tuple(j for j in evaluation.judgements.get(spec.id, ()) if j.year <= year)
        entries.append(IndicatorEntry(code=indicator.code, spec=spec, result=result, history=history,
                                      source=f"{indicator.file} 第{indicator.line}行",
                                      source_text=indicator.source_text, judgements=judged))
    tasks, projects, warnings = _ledger_rows(session, actor, plan, year, today)
    return ReportContent(kind=kind, plan_title=plan.title, start_year=plan.start_year, end_year=plan.end_year,
                         year=year, generated_on=today or date.today(), entries=tuple(entries),
                         completeness=tuple(evaluation.completeness), include_pending=include_pending,
                         tasks=tasks, projects=projects, ledger_warnings=warnings,
                         ranking=_ranking_rows(session, actor, plan, year),
                         participation=opinions.report_participation(session, plan, year,
                                                                     kind is not ReportKind.ANNUAL))


def _ledger_rows(session: Session, actor: User | None, plan: Plan, year: int, today: date | None,
                 ) -> tuple[tuple[LedgerRow, ...], tuple[LedgerRow, ...], tuple[str, ...]]:
    """The year's state of the plan's tasks and projects, from the units' approved or pending reports."""
    period = session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.plan_id == plan.id, ReportingPeriod.year == year, ReportingPeriod.quarter.is_(None),
        ReportingPeriod.month.is_(None)))
    book = ledger.plan_ledger(session, actor, plan, today, period_id=period.id if period else None)

    def progress(reports: list[ledger.ReportLine]) -> str:
        shown = [r for r in reports if r.state != "returned"]
        return "；".join(f"{STATUSES[r.status]}（{r.org_unit}）" for r in shown) or "未报告"

    tasks = tuple(LedgerRow(f"{t.number}{t.title}", "、".join(n for names in t.units.values() for n in names),
                            t.deadline or "", progress(t.reports)) for t in book.tasks if not t.retired)
    projects = tuple(LedgerRow(p.name, "、".join(p.units), f"{p.start_year}—{p.end_year}" if p.start_year else "",
                               progress(p.reports)) for p in book.projects if not p.retired)
    warnings = tuple(f"{w.title}：{w.detail}" for w in ledger_progress.ledger_warnings(session, period, today)) \
        if period is not None else ()
    return tasks, projects, warnings


def _ranking_rows(session: Session, actor: User | None, plan: Plan, year: int) -> tuple[RankingRow, ...]:
    result = assessment.assess(session, actor, plan, year)
    return tuple(RankingRow(GROUP_ZH.get(group, group), u.rank, u.name, u.total)
                 for group, members in result.groups.items() for u in members)


_reports: Kept[tuple[bytes, str]] = Kept(16)  # a report's bytes and file name, by data state and day


def report_file(session: Session, actor: User | None, plan: Plan, year: int, kind: ReportKind,
                suffix: str) -> tuple[bytes, str]:
    """A report as downloaded: its bytes and file name.

    Writing a report costs seconds of CPU (a PDF more); downloads of the same plan state,
    year, kind, format and view on the same day are the same file, written once.
    """
    if suffix not in FORMATS:
        raise ReportFormatError(f"{suffix}: 报告格式应为 {'、'.join(FORMATS)} 之一")
    unit_only = visible_org_unit_id(actor) if actor is not None else None
    if actor is not None:
        check(actor, Action.VIEW, Scope(org_unit_id=unit_only))
    region_scope.require_plan(session, actor, plan)
    year = evaluation_year(plan, year)
    key = (*_state(session, plan), year, unit_only, kind, suffix, date.today())
    return _reports.computed(key, lambda: _written(session, actor, plan, year, kind, suffix))


def _written(session: Session, actor: User | None, plan: Plan, year: int, kind: ReportKind,
             suffix: str) -> tuple[bytes, str]:
    content = report_content(session, actor, plan, year, kind)
    with tempfile.TemporaryDirectory(prefix="planwatch-download-") as scratch:
        path = write_report(content, Path(scratch) / f"report{suffix}")
        return path.read_bytes(), default_filename(content, suffix)


def _state(session: Session, plan: Plan) -> tuple[object, ...]:
    """What a report shows besides the evaluation (the ledger's progress reports, the
    assessment's adjustments) has no data version of its own, but every change to it is
    audited: the newest audit event and the plan's settings stand for the state of the data."""
    return (str(session.get_bind().engine.url), plan.id, session.scalar(select(func.max(AuditEvent.id))),
            json.dumps(plan.settings, sort_keys=True, default=str))


def default_filename(content: ReportContent, suffix: str = ".docx") -> str:
    label = f"{content.year}年度监测报告" if content.kind is ReportKind.ANNUAL else content.kind.title_zh
    return f"{content.plan_title}{label}{suffix}"


def write_report(content: ReportContent, path: Path) -> Path:
    """Write ``content`` in the format named by the file's suffix (.docx, .xlsx, .html, .pdf)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReportFormatError(f"{path}: 报告格式应为 {'、'.join(FORMATS)} 之一")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        write_xlsx(content, path)
    elif suffix == ".html":
        write_html(compose(content), path)
    elif suffix == ".docx":
        write_docx(compose(content), path)
    else:
        with tempfile.TemporaryDirectory(prefix="planwatch-report-") as scratch:
            docx = Path(scratch, path.stem + ".docx")
            write_docx(compose(content), docx)
            docx_to_pdf(docx, path)
    return path
