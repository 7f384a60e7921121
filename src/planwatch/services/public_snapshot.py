"""What a publication shows, taken from the database once: the snapshot of a plan's public site.

A snapshot is plain JSON (stored with the decision, rendered by :mod:`planwatch.web.public`),
so that what the public sees is what was approved, whatever changes later. It holds only
what was chosen and may be public: approved figures of locked yearly periods, the
indicators' definitions and the sentence of the plan that set each target, the responsible
departments (units, never people), and — when chosen — the approved progress of tasks and
projects and the list of indicators behind schedule. No login, no clerk's name, no
evidence file and no source-file name or line number ever enters it.

Format 1::

    {"format": 1, "plan": {key, slug, title, start_year, end_year, doc_number, issuer},
     "office", "note", "years": [...], "evaluation_year",
     "indicators": [{code, slug, key, name, unit, domain, attribute, baseline, baseline_year,
                     targets: [{year, text, value, value_high, comparator}], values: [[year, value]],
                     status, completion, schedule, current, data_year, target, target_year,
                     method, source, source_kind (table | prose | manual), responsible: [...],
                     chart: [{key, points}]}],
     "tasks": null | [...], "projects": null | [...], "warnings": null | [...],
     "reports": [{kind, year, title, file, sha256, size}],
     # set when the decision takes effect:
     "decision": {number, date, kind}, "changes": [...], "withdrawn": [...], "retracted": null | {date, reason}}
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.evaluate import EvaluationResult, IndicatorSpec, warning_list
from planwatch.evaluate.paths import indicator_paths
from planwatch.report import ReportKind
from planwatch.services import ledger
from planwatch.services.evaluation import evaluate_figures, yearly_values
from planwatch.store.models import Document, Indicator, Plan, ReportingPeriod

__all__ = ["BEIJING", "SNAPSHOT_FORMAT", "PublicationScope", "ScopeError", "build_snapshot", "changes_between",
           "evaluated", "figure_parts", "locked_years", "plan_slug", "today_in_beijing", "withdrawals"]

SNAPSHOT_FORMAT: Final = 1
BEIJING: Final = timezone(timedelta(hours=8), "北京时间")
# The parts of a snapshot that come from the data: a proposal is approved only while they
# still say what the database says.
_FIGURE_PARTS: Final = ("plan", "years", "evaluation_year", "indicators", "tasks", "projects", "warnings")


class ScopeError(PlanWatchError):
    """A choice that cannot be published; the message names the item and why."""


def today_in_beijing(moment: datetime) -> date:
    """The calendar day the office lives in: pages print decision dates as dates there."""
    return moment.astimezone(BEIJING).date()


def plan_slug(plan_key: str) -> str:
    """The plan's address on the public site: stable across revisions and databases (it is
    the plan's key, hashed) and free of characters a web server might mangle."""
    return "p" + hashlib.sha256(plan_key.encode()).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class PublicationScope:
    """What a proposal chooses: indicators by key (stable over revisions), locked years, and
    what else goes public with them; reports are (kind, year) of the chosen years."""

    indicators: tuple[str, ...]
    years: tuple[int, ...]
    tasks: bool = False
    projects: bool = False
    warnings: bool = False
    reports: tuple[tuple[str, int], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"indicators": sorted(self.indicators), "years": sorted(self.years), "tasks": self.tasks,
                "projects": self.projects, "warnings": self.warnings,
                "reports": [[kind, year] for kind, year in sorted(self.reports)]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PublicationScope:
        return cls(tuple(data.get("indicators", ())), tuple(int(y) for y in data.get("years", ())),
                   bool(data.get("tasks")), bool(data.get("projects")), bool(data.get("warnings")),
                   tuple((str(k), int(y)) for k, y in data.get("reports", ())))


def locked_years(session: Session, plan: Plan) -> list[int]:
    """The plan's yearly reporting periods that are locked: only their figures are final."""
    return sorted(session.scalars(select(ReportingPeriod.year).where(
        ReportingPeriod.plan_id == plan.id, ReportingPeriod.quarter.is_(None), ReportingPeriod.month.is_(None),
        ReportingPeriod.locked.is_(True))))


def _check(session: Session, plan: Plan, scope: PublicationScope) -> list[Indicator]:
    """The chosen indicators, after refusing anything that may not go public."""
    if not scope.years:
        raise ScopeError("请至少选择一个年份（只有已锁定报告期的数据可以公开）")
    locked = set(locked_years(session, plan))
    for year in sorted(scope.years):
        if year not in locked:
            raise ScopeError(f"{year} 年的报告期未锁定（或不存在），其数据不能公开：请监测组审定并锁定后再公开")
    if not scope.indicators and not (scope.tasks or scope.projects):
        raise ScopeError("请至少选择一个指标，或选择公开重点任务、重大项目进展")
    indicators = {i.key: i for i in session.scalars(select(Indicator).where(
        Indicator.plan_id == plan.id, Indicator.retired_at.is_(None)))}
    for key in scope.indicators:
        if key not in indicators:
            raise ScopeError(f"指标「{key}」不在规划《{plan.title}》的监测指标中（或已停用），不能公开")
    for kind, year in scope.reports:
        if kind not in {k.value for k in ReportKind}:
            raise ScopeError(f"报告类型「{kind}」应为 annual、midterm、final 之一")
        if year not in scope.years:
            raise ScopeError(f"{year} 年的{ReportKind(kind).title_zh}只能与 {year} 年的数据一起公开")
    return sorted((indicators[key] for key in set(scope.indicators)), key=lambda i: i.code)


def evaluated(session: Session, plan: Plan, indicators: Sequence[Indicator], years: Iterable[int], year: int,
              ) -> tuple[dict[int, dict[int, float]], list[tuple[IndicatorSpec, EvaluationResult]]]:
    """The approved figures of ``years`` up to ``year`` and the evaluation on them alone."""
    ids = [i.id for i in indicators]
    chosen = {y for y in years if y <= year}
    approved = yearly_values(session, plan, indicator_ids=ids)
    values = {i: {y: v for y, v in by_year.items() if y in chosen} for i, by_year in approved.items()}
    return values, evaluate_figures(session, plan, ids, values, year) if ids else []


def build_snapshot(session: Session, plan: Plan, scope: PublicationScope, office: str, note: str) -> dict[str, Any]:
    """The snapshot of ``scope`` as the database says now; its ``reports`` list is left empty
    (the report files are written from it, see :mod:`planwatch.services.publishing`)."""
    indicators = _check(session, plan, scope)
    year = max(scope.years)
    values, results = evaluated(session, plan, indicators, scope.years, year)
    by_id = {str(i.id): i for i in indicators}
    entries = [_indicator(by_id[spec.id], spec, result, values.get(int(spec.id), {}))
               for spec, result in results]
    period = session.scalar(select(ReportingPeriod.id).where(
        ReportingPeriod.plan_id == plan.id, ReportingPeriod.year == year, ReportingPeriod.quarter.is_(None),
        ReportingPeriod.month.is_(None)))
    book = ledger.plan_ledger(session, None, plan, period_id=period) if scope.tasks or scope.projects else None
    document = session.get(Document, plan.document_id) if plan.document_id is not None else None
    return {
        "format": SNAPSHOT_FORMAT,
        "plan": {"key": plan.plan_key, "slug": plan_slug(plan.plan_key), "title": plan.title,
                 "start_year": plan.start_year, "end_year": plan.end_year, "doc_number": plan.doc_number,
                 "issuer": document.issuer if document is not None else None},
        "office": office, "note": note, "years": sorted(scope.years), "evaluation_year": year,
        "indicators": entries,
        "tasks": [_task(t) for t in book.tasks if not t.retired] if book is not None and scope.tasks else None,
        "projects": [_project(p) for p in book.projects if not p.retired]
        if book is not None and scope.projects else None,
        "warnings": [{"code": by_id[w.indicator_id].code, "name": w.name, "status": w.status.value,
                      "binding": w.binding, "reason": w.reason}
                     for w in warning_list(r for _, r in results)] if scope.warnings else None,
        "reports": [],
    }


def _indicator(indicator: Indicator, spec: IndicatorSpec, result: EvaluationResult,
               values: Mapping[int, float]) -> dict[str, Any]:
    history = sorted(values.items())
    return {
        "code": indicator.code, "slug": indicator.code.lower(), "key": indicator.key, "name": indicator.name,
        "unit": indicator.unit, "domain": indicator.domain, "attribute": spec.attribute,
        "baseline": indicator.baseline, "baseline_year": indicator.baseline_year,
        "baseline_text": indicator.baseline_text,
        "targets": [{"year": t.year, "text": t.text, "value": t.value, "value_high": t.value_high,
                     "comparator": t.comparator} for t in indicator.targets],
        "values": [[year, value] for year, value in history],
        "status": result.status.value, "completion": result.completion, "schedule": result.schedule,
        "current": result.current, "data_year": result.data_year, "target": result.target,
        "target_year": result.target_year, "method": result.explanation.text_zh,
        "source": indicator.source_text, "source_kind": indicator.kind, "responsible": list(spec.responsible),
        "chart": [{"key": line.key, "points": [list(p) for p in line.points]}
                  for line in indicator_paths(spec, history, result)],
    }


def _approved(reports: Iterable[ledger.ReportLine]) -> list[ledger.ReportLine]:
    """Only what the monitoring group approved is public; drafts and returned reports are not."""
    return [r for r in reports if r.state == "approved"]


def _task(task: ledger.LedgerTask) -> dict[str, Any]:
    return {"number": task.number, "title": task.title, "section": task.section, "deadline": task.deadline,
            "units": {role: names for role, names in sorted(task.units.items())},
            "reports": [{"unit": r.org_unit, "status": r.status, "percent": r.percent, "progress": r.progress}
                        for r in _approved(task.reports)]}


def _project(project: ledger.LedgerProject) -> dict[str, Any]:
    reached = {m for r in _approved(project.reports) for m in r.milestones_reached}
    return {"name": project.name, "category": project.category, "content": project.content,
            "investment": project.investment, "start_year": project.start_year, "end_year": project.end_year,
            "units": list(project.units),
            "milestones": [{"title": m.title, "due": m.due, "reached": m.id in reached} for m in project.milestones],
            "reports": [{"unit": r.org_unit, "status": r.status, "percent": r.percent,
                         "investment_cumulative": r.investment_cumulative, "progress": r.progress}
                        for r in _approved(project.reports)]}


def figure_parts(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a snapshot that come from the data (to tell whether the data moved on)."""
    return {part: snapshot.get(part) for part in _FIGURE_PARTS}


def _figures(snapshot: Mapping[str, Any] | None) -> dict[str, dict[int, float]]:
    return {i["code"]: {int(y): v for y, v in i["values"]} for i in (snapshot or {}).get("indicators", [])}


def changes_between(previous: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What a decision changes on the public site, for the pages' 本次更新 list."""
    if previous is None or previous.get("retracted"):
        return [{"kind": "first"}]
    changes: list[dict[str, Any]] = []
    old_names = {i["code"]: i["name"] for i in previous.get("indicators", [])}
    old_figures, new_figures = _figures(previous), _figures(new)
    for year in sorted(set(new.get("years", [])) - set(previous.get("years", []))):
        changes.append({"kind": "year_added", "year": year})
    for indicator in new.get("indicators", []):
        code, name = indicator["code"], indicator["name"]
        if code not in old_names:
            changes.append({"kind": "indicator_added", "code": code, "name": name})
            continue
        for year, value in sorted(new_figures[code].items()):
            before = old_figures[code].get(year)
            if before is not None and before != value:
                changes.append({"kind": "figure_revised", "code": code, "name": name, "year": year,
                                "old": before, "new": value})
    for part in ("tasks", "projects", "warnings"):
        if new.get(part) is not None and previous.get(part) is None:
            changes.append({"kind": f"{part}_added"})
    old_reports = {r["file"]: r["sha256"] for r in previous.get("reports", [])}
    for report in new.get("reports", []):
        if old_reports.get(report["file"]) != report["sha256"]:
            changes.append({"kind": "report_added", "title": report["title"], "file": report["file"]})
    return changes


def withdrawals(previous: Mapping[str, Any] | None, new: Mapping[str, Any], day: date,
                reason: str = "") -> list[dict[str, Any]]:
    """The withdrawal notices the new snapshot carries: the earlier ones (less what is public
    again) and one for each item the previous snapshot showed and the new one does not."""
    if previous is None:
        return []
    shown_codes = {i["code"] for i in new.get("indicators", [])}
    shown_files = {r["file"] for r in new.get("reports", [])}
    notices = [copy.deepcopy(n) for n in previous.get("withdrawn", [])
               if not (n["what"] == "indicator" and n.get("code") in shown_codes)
               and not (n["what"] == "report" and n.get("file") in shown_files)
               and not (n["what"] in ("tasks", "projects", "warnings") and new.get(n["what"]) is not None)]
    when = day.isoformat()
    for indicator in previous.get("indicators", []):
        if indicator["code"] not in shown_codes:
            notices.append({"what": "indicator", "code": indicator["code"], "slug": indicator["slug"],
                            "name": indicator["name"], "date": when, "reason": reason})
    for report in previous.get("reports", []):
        if report["file"] not in shown_files:
            notices.append({"what": "report", "file": report["file"], "title": report["title"], "date": when,
                            "reason": reason})
    for part in ("tasks", "projects", "warnings"):
        if previous.get(part) is not None and new.get(part) is None:
            notices.append({"what": part, "date": when, "reason": reason})
    return notices
