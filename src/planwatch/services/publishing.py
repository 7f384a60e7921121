"""Publishing as a decision: what of a plan's progress the public site shows, and since when.

The evaluation group proposes (indicators, locked years, tasks, projects, warnings, reports);
the proposal holds the snapshot of everything the pages would show and the report PDFs
written from it, so the approver reads exactly what will go out. A second person approves
(never the proposer: four eyes), and only while the snapshot's figures are still what the
database says — otherwise the proposal must be made again. A retraction takes an item (or
the whole plan) off the site at once, by one person, and the site says what was withdrawn
and when. Every step is an audit event, and every change to what the site shows moves the
site version the public pages are cached by.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from planwatch.errors import NotFound, PlanWatchError
from planwatch.monitor.permissions import Action, PermissionDenied, check, is_allowed
from planwatch.report import IndicatorEntry, ReportContent, ReportKind
from planwatch.report.content import LedgerRow
from planwatch.report.render import libreoffice
from planwatch.services import opinions, region_scope
from planwatch.services.evaluation import yearly_values
from planwatch.services.ledger_progress import STATUSES
from planwatch.services.periods import utc
from planwatch.services.public_snapshot import (
    BEIJING,
    PublicationScope,
    ScopeError,
    build_snapshot,
    changes_between,
    evaluated,
    figure_parts,
    locked_years,
    plan_slug,
    today_in_beijing,
    withdrawals,
)
from planwatch.services.site_version import bump_site_version
from planwatch.store.models import (
    AuditEvent,
    Document,
    Indicator,
    Plan,
    PublicationDecision,
    PublicationFile,
    Task,
    User,
    utcnow,
)
from planwatch.store.models import Project as ProjectRow

__all__ = ["PUBLICATION_ENTITY", "RETRACTABLE", "Candidate", "DecisionView", "Eligibility", "PublicationError",
           "PublicationNotFound", "PublicationStale", "SamePublisher", "approve", "current_decision", "current_snapshots",
           "decision", "decisions",
           "eligibility", "file_content", "pdf_available", "pending_decisions", "propose", "reject", "retract",
           "snapshot_of"]

PUBLICATION_ENTITY: Final = "publication_decisions"
RETRACTABLE: Final = ("plan", "indicator", "report", "tasks", "projects", "warnings")
_PART_ZH: Final = {"tasks": "重点任务进展", "projects": "重大项目进展", "warnings": "预警指标"}
MAX_OFFICE, MAX_NOTE = 200, 2000


class PublicationError(PlanWatchError):
    """A decision that cannot be taken as asked; the message says why."""


class PublicationNotFound(PublicationError, NotFound):
    """No such decision, or one about a plan of another district (answered alike: 404)."""

    def __init__(self, decision_id: int) -> None:
        super().__init__(f"公开决定 #{decision_id} 不存在")


class PublicationStale(PublicationError):
    """The data moved on after the proposal: the approver would publish something else."""


class SamePublisher(PermissionDenied):
    """Approving one's own proposal (the four-eyes rule of publishing)."""


def pdf_available() -> bool:
    """Reports are published as PDF, which LibreOffice writes; without it none can be chosen."""
    return libreoffice() is not None


def _current_plan(session: Session, plan_key: str) -> Plan:
    plan = session.scalar(select(Plan).where(Plan.plan_key == plan_key, Plan.current.is_(True)))
    if plan is None:
        raise PublicationError(f"没有规划「{plan_key}」的现行版本")
    return plan


def current_decision(session: Session, plan_key: str) -> PublicationDecision | None:
    """The decision whose snapshot the plan's public site shows now."""
    return session.scalar(select(PublicationDecision).where(
        PublicationDecision.plan_key == plan_key, PublicationDecision.state == "published")
        .order_by(PublicationDecision.number.desc()).limit(1))


def current_snapshots(session: Session) -> list[dict[str, Any]]:
    """Every published plan's snapshot as its site shows it now, in title order."""
    latest = (select(PublicationDecision.plan_key, func.max(PublicationDecision.number).label("number"))
              .where(PublicationDecision.state == "published").group_by(PublicationDecision.plan_key).subquery())
    rows = session.scalars(select(PublicationDecision).join(
        latest, (latest.c.plan_key == PublicationDecision.plan_key) & (latest.c.number == PublicationDecision.number)))
    return sorted((row.snapshot for row in rows), key=lambda s: (s["plan"]["title"], s["plan"]["key"]))


def file_content(session: Session, sha256: str) -> bytes | None:
    """A published file's bytes by content hash (the snapshots name their files so)."""
    return session.scalar(select(PublicationFile.content).where(PublicationFile.sha256 == sha256))


@dataclass(frozen=True, slots=True)
class Candidate:
    """An indicator the proposal form offers, with the locked years it has approved figures of."""

    key: str
    code: str
    name: str
    domain: str | None
    attribute: str | None
    years: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Eligibility:
    plan_id: int
    plan_key: str
    slug: str
    locked_years: tuple[int, ...]
    candidates: tuple[Candidate, ...]
    has_tasks: bool
    has_projects: bool
    pdf_available: bool
    office: str  # the office of the current publication, else the plan's issuer
    current: PublicationScope | None  # what is public now


def _of_region(session: Session, actor: User | None) -> ColumnElement[bool]:
    """A WHERE clause keeping the decisions about plans of ``actor``'s district."""
    region = region_scope.region_of(session, actor)
    return true() if region.everywhere else PublicationDecision.plan_id.in_(select(Plan.id).where(region.plan_filter()))


def _decision_row(session: Session, actor: User | None, decision_id: int) -> PublicationDecision:
    """A decision about a plan of ``actor``'s district; one of another district is answered
    like a missing one, so trying numbers tells nothing of it."""
    row = session.scalar(select(PublicationDecision).where(PublicationDecision.id == decision_id,
                                                           _of_region(session, actor)))
    if row is None:
        raise PublicationNotFound(decision_id)
    return row


def _may_read(actor: User) -> None:
    """Those who propose or approve publications, or moderate opinions, see the publishing pages."""
    if not any(is_allowed(actor, a) for a in (Action.PUBLISH, Action.APPROVE_PUBLICATION, Action.MODERATE_OPINIONS)):
        check(actor, Action.PUBLISH)  # raises, naming the action


def eligibility(session: Session, actor: User, plan: Plan) -> Eligibility:
    """What a proposal about ``plan`` may choose among."""
    _may_read(actor)
    region_scope.require_plan(session, actor, plan)
    years = locked_years(session, plan)
    indicators = list(session.scalars(select(Indicator).where(
        Indicator.plan_id == plan.id, Indicator.retired_at.is_(None)).order_by(Indicator.code)))
    approved = yearly_values(session, plan, indicator_ids=[i.id for i in indicators])
    candidates = tuple(Candidate(i.key, i.code, i.name, i.domain, i.attribute,
                                 tuple(sorted(y for y in approved.get(i.id, {}) if y in years)))
                       for i in indicators)
    current = current_decision(session, plan.plan_key)
    document = session.get(Document, plan.document_id) if plan.document_id is not None else None
    office = current.office if current is not None else (document.issuer if document and document.issuer else "")
    return Eligibility(
        plan.id, plan.plan_key, plan_slug(plan.plan_key), tuple(years), candidates,
        session.scalar(select(func.count()).select_from(Task).where(Task.plan_id == plan.id)) != 0,
        session.scalar(select(func.count()).select_from(ProjectRow).where(ProjectRow.plan_id == plan.id)) != 0,
        pdf_available(), office,
        PublicationScope.from_json(current.scope) if current is not None and not current.snapshot.get("retracted")
        else None)


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise PublicationError(f"{field}不能为空")
    if len(value) > limit:
        raise PublicationError(f"{field}最多 {limit} 个字，实际 {len(value)} 个字")
    return value


def propose(session: Session, actor: User, plan: Plan, scope: PublicationScope, *, office: str,
            note: str = "") -> PublicationDecision:
    """A proposal to publish ``scope`` of the plan's current version, with its snapshot and the
    report PDFs written from it, waiting for a second person's approval."""
    check(actor, Action.PUBLISH)
    region_scope.require_plan(session, actor, plan)
    office = _text(office, "发布机关", MAX_OFFICE, required=True)
    note = _text(note, "发布说明", MAX_NOTE)
    if not plan.current:
        raise PublicationError(f"规划 #{plan.id} 不是现行版本，请对现行版本提出公开申请")
    if scope.reports and not pdf_available():
        raise ScopeError("公开报告须生成 PDF，本机未安装 LibreOffice（Debian：apt-get install libreoffice-writer-nogui）；"
                         "请取消选择报告，或安装后再提出申请")
    snapshot = build_snapshot(session, plan, scope, office, note)
    for kind, year in sorted(scope.reports):
        snapshot["reports"].append(_store_report(session, plan, scope, snapshot, ReportKind(kind), year, office))
    decision = PublicationDecision(plan_key=plan.plan_key, plan_id=plan.id, kind="publish", state="proposed",
                                   scope=scope.to_json(), snapshot=snapshot, office=office, note=note,
                                   proposed_by_id=actor.id, proposed_at=utcnow(), reason="")
    session.add(decision)
    session.flush()
    session.add(AuditEvent.of(actor, "propose", PUBLICATION_ENTITY, decision.id,
                              new={"plan_key": plan.plan_key, "scope": scope.to_json(), "office": office,
                                   "reports": [r["sha256"] for r in snapshot["reports"]]}))
    session.flush()
    return decision


def _store_report(session: Session, plan: Plan, scope: PublicationScope, snapshot: dict[str, Any],
                  kind: ReportKind, year: int, office: str) -> dict[str, Any]:
    """The public edition of a report as PDF, from the published figures alone."""
    from planwatch.services.reports import write_report

    chosen = {i["key"] for i in snapshot["indicators"]}
    indicators = list(session.scalars(select(Indicator).where(Indicator.plan_id == plan.id,
                                                              Indicator.key.in_(chosen)).order_by(Indicator.code)))
    values, results = evaluated(session, plan, indicators, scope.years, year)
    by_id = {str(i.id): i for i in indicators}
    entries = tuple(IndicatorEntry(code=by_id[spec.id].code, spec=spec, result=result,
                                   history=tuple(sorted(values.get(int(spec.id), {}).items())),
                                   source=_short(by_id[spec.id].source_text), source_text=by_id[spec.id].source_text)
                    for spec, result in results)
    latest = year == snapshot["evaluation_year"]  # the ledger's state is the latest published year's
    content = ReportContent(
        kind=kind, plan_title=plan.title, start_year=plan.start_year, end_year=plan.end_year, year=year,
        generated_on=today_in_beijing(utcnow()), entries=entries, completeness=(),
        tasks=_ledger_rows(snapshot["tasks"], "title") if latest else (),
        projects=_ledger_rows(snapshot["projects"], "name") if latest else (),
        participation=opinions.participation(session, plan.plan_key,
                                             *opinions.report_years(plan, year, kind is not ReportKind.ANNUAL)),
        public=True, office=office, show_warnings=scope.warnings)
    with tempfile.TemporaryDirectory(prefix="planwatch-publish-") as scratch:
        data = write_report(content, Path(scratch) / "report.pdf").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if session.scalar(select(PublicationFile.id).where(PublicationFile.sha256 == sha)) is None:
        session.add(PublicationFile(sha256=sha, media_type="application/pdf", size=len(data), content=data))
        session.flush()
    return {"kind": kind.value, "year": year, "title": content.title, "file": f"{kind.value}-{year}.pdf",
            "sha256": sha, "size": len(data)}


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _ledger_rows(items: list[dict[str, Any]] | None, name: str) -> tuple[LedgerRow, ...]:
    if not items:
        return ()
    return tuple(LedgerRow(
        f"{item.get('number', '')}{item[name]}",
        "、".join(n for names in item["units"].values() for n in names) if isinstance(item["units"], dict)
        else "、".join(item["units"]),
        item.get("deadline") or (f"{item['start_year']}—{item['end_year']}" if item.get("start_year") else ""),
        "；".join(f"{STATUSES.get(r['status'], r['status'])}（{r['unit']}）" for r in item["reports"]) or "未报告")
        for item in items)


def _proposed(session: Session, actor: User, decision_id: int) -> PublicationDecision:
    decision = _decision_row(session, actor, decision_id)
    if decision.state != "proposed":
        raise PublicationError(f"公开申请 #{decision_id} 已经{'批准' if decision.state == 'published' else '退回'}")
    return decision


def approve(session: Session, actor: User, decision_id: int) -> PublicationDecision:
    """The second person's approval: the proposal's snapshot becomes the plan's public site."""
    check(actor, Action.APPROVE_PUBLICATION)
    decision = _proposed(session, actor, decision_id)
    if decision.proposed_by_id == actor.id:
        raise SamePublisher(actor.login, Action.APPROVE_PUBLICATION, "本人提出的公开申请须由他人批准（四眼原则）")
    plan = _current_plan(session, decision.plan_key)
    if plan.id != decision.plan_id:
        raise PublicationStale("规划在提出申请后已修订（导入了新版本），请对新版本重新提出公开申请")
    fresh = build_snapshot(session, plan, PublicationScope.from_json(decision.scope), decision.office, decision.note)
    if figure_parts(fresh) != figure_parts(decision.snapshot):
        raise PublicationStale(f"提出申请后数据已有变化（{_difference(decision.snapshot, fresh)}），"
                               "为免公开未经确认的数字，请重新提出公开申请")
    _take_effect(session, actor, decision)
    return decision


def _difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    """The first difference between two snapshots' data, as the approver reads it."""
    before = {i["code"]: i for i in old.get("indicators", [])}
    for indicator in new.get("indicators", []):
        was = before.get(indicator["code"])
        if was is None or was != indicator:
            return f"指标「{indicator['name']}」"
    for part, label in _PART_ZH.items():
        if old.get(part) != new.get(part):
            return label
    return "规划信息"


def _effective(session: Session, decision: PublicationDecision, now: datetime,
               reason: str = "") -> tuple[dict[str, Any], PublicationDecision | None]:
    """The decision's snapshot as it reads once in effect at ``now`` — numbered, dated, with
    what it changes and the withdrawal notices — and the decision it follows."""
    previous = current_decision(session, decision.plan_key)
    day = today_in_beijing(now)
    snapshot = copy.deepcopy(decision.snapshot)
    before = previous.snapshot if previous is not None else None
    number = (session.scalar(select(func.max(PublicationDecision.number)).where(
        PublicationDecision.plan_key == decision.plan_key)) or 0) + 1
    snapshot["decision"] = {"number": number, "date": day.isoformat(), "kind": decision.kind}
    notices = withdrawals(before, snapshot, day, reason)
    known = (before or {}).get("withdrawn", [])
    snapshot["withdrawn"] = notices
    snapshot.setdefault("retracted", None)
    snapshot["changes"] = ([] if decision.kind == "retract" else changes_between(before, snapshot)) + [
        {"kind": "withdrawn", **n} for n in notices if n not in known]
    return snapshot, previous


def _take_effect(session: Session, actor: User, decision: PublicationDecision, reason: str = "") -> None:
    """Make the decision the plan's public site and move the site version."""
    now = utcnow()
    snapshot, previous = _effective(session, decision, now, reason)
    number = snapshot["decision"]["number"]
    decision.snapshot = snapshot
    decision.state, decision.number, decision.decided_by_id, decision.decided_at = "published", number, actor.id, now
    session.add(AuditEvent.of(actor, "publish" if decision.kind == "publish" else "retract", PUBLICATION_ENTITY,
                              decision.id, old={"number": previous.number} if previous is not None else None,
                              new={"number": number, "plan_key": decision.plan_key,
                                   "changes": len(snapshot["changes"])}, reason=reason or None))
    session.flush()
    bump_site_version(session)


def reject(session: Session, actor: User, decision_id: int, reason: str) -> PublicationDecision:
    """Send a proposal back (the approver), or withdraw it (its proposer); nothing goes public."""
    if not is_allowed(actor, Action.APPROVE_PUBLICATION):
        check(actor, Action.PUBLISH)
    decision = _proposed(session, actor, decision_id)
    reason = _text(reason, "退回原因", MAX_NOTE, required=True)
    decision.state, decision.decided_by_id, decision.decided_at, decision.reason = "rejected", actor.id, utcnow(), reason
    session.add(AuditEvent.of(actor, "reject", PUBLICATION_ENTITY, decision.id, old={"state": "proposed"},
                              new={"state": "rejected"}, reason=reason))
    session.flush()
    return decision


def retract(session: Session, actor: User, plan_key: str, what: str, item: str = "", *,
            reason: str) -> PublicationDecision:
    """Take ``what`` (an indicator by code, a report by file name, the tasks, projects or
    warnings, or the whole plan) off the public site now; the site says it was withdrawn,
    when, and ``reason`` (which is public)."""
    check(actor, Action.PUBLISH)
    region_scope.require_plan(session, actor, _current_plan(session, plan_key))
    if what not in RETRACTABLE:
        raise PublicationError(f"撤回对象应为 {'、'.join(RETRACTABLE)} 之一，实际为「{what}」")
    reason = _text(reason, "撤回说明", MAX_NOTE, required=True)
    current = current_decision(session, plan_key)
    if current is None or current.snapshot.get("retracted"):
        raise PublicationError("该规划目前没有公开的内容，无需撤回")
    snapshot = copy.deepcopy(current.snapshot)
    scope = PublicationScope.from_json(current.scope)
    for part in ("decision", "changes"):
        snapshot.pop(part, None)
    if what == "plan":
        snapshot.update(indicators=[], tasks=None, projects=None, warnings=None, reports=[],
                        retracted={"date": today_in_beijing(utcnow()).isoformat(), "reason": reason})
        scope = PublicationScope((), scope.years)
    elif what == "indicator":
        kept = [i for i in snapshot["indicators"] if i["code"] != item]
        if len(kept) == len(snapshot["indicators"]):
            raise PublicationError(f"指标 {item} 目前没有公开")
        gone = next(i["key"] for i in snapshot["indicators"] if i["code"] == item)
        snapshot["indicators"] = kept
        scope = dataclasses.replace(scope, indicators=tuple(k for k in scope.indicators if k != gone))
    elif what == "report":
        kept_reports = [r for r in snapshot["reports"] if r["file"] != item]
        if len(kept_reports) == len(snapshot["reports"]):
            raise PublicationError(f"报告 {item} 目前没有公开")
        snapshot["reports"] = kept_reports
        scope = dataclasses.replace(scope, reports=tuple(r for r in scope.reports if f"{r[0]}-{r[1]}.pdf" != item))
    else:
        if snapshot.get(what) is None:
            raise PublicationError(f"{_PART_ZH[what]}目前没有公开")
        snapshot[what] = None
        scope = dataclasses.replace(scope, tasks=scope.tasks and what != "tasks",
                                    projects=scope.projects and what != "projects",
                                    warnings=scope.warnings and what != "warnings")
    decision = PublicationDecision(plan_key=plan_key, plan_id=current.plan_id, kind="retract", state="proposed",
                                   scope=scope.to_json(), snapshot=snapshot, office=current.office, note=current.note,
                                   proposed_by_id=actor.id, proposed_at=utcnow(), reason=reason)
    session.add(decision)
    session.flush()
    _take_effect(session, actor, decision, reason)
    return decision


@dataclass(frozen=True, slots=True)
class DecisionView:
    """A decision as the publishing page lists it (logins are internal: this page is not public),
    its times in Beijing time."""

    id: int
    plan_id: int
    plan_key: str
    plan_title: str
    kind: str
    state: str
    number: int | None
    office: str
    note: str
    reason: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    scope: PublicationScope
    indicators: int
    reports: tuple[str, ...]


def _views(session: Session, rows: Sequence[PublicationDecision]) -> list[DecisionView]:
    logins = {user_id: login for user_id, login in session.execute(select(User.id, User.login))}
    return [DecisionView(d.id, d.plan_id, d.plan_key, d.snapshot["plan"]["title"], d.kind, d.state, d.number, d.office, d.note,
                         d.reason, logins.get(d.proposed_by_id, "?"), utc(d.proposed_at).astimezone(BEIJING),
                         logins.get(d.decided_by_id) if d.decided_by_id else None,
                         utc(d.decided_at).astimezone(BEIJING) if d.decided_at else None,
                         PublicationScope.from_json(d.scope),
                         len(d.snapshot.get("indicators", [])), tuple(r["title"] for r in d.snapshot.get("reports", [])))
            for d in rows]


def decisions(session: Session, actor: User, plan_key: str) -> list[DecisionView]:
    """Every decision about the plan, newest first."""
    _may_read(actor)
    return _views(session, list(session.scalars(select(PublicationDecision).where(
        PublicationDecision.plan_key == plan_key, _of_region(session, actor)).order_by(PublicationDecision.id.desc()))))


def decision(session: Session, actor: User, decision_id: int) -> DecisionView:
    _may_read(actor)
    return _views(session, [_decision_row(session, actor, decision_id)])[0]


def pending_decisions(session: Session, actor: User) -> list[DecisionView]:
    """Proposals waiting for approval, over the plans of ``actor``'s district, oldest first."""
    _may_read(actor)
    return _views(session, list(session.scalars(select(PublicationDecision).where(
        PublicationDecision.state == "proposed", _of_region(session, actor)).order_by(PublicationDecision.id))))


def snapshot_of(session: Session, actor: User, decision_id: int) -> dict[str, Any]:
    """A decision's snapshot as its pages would show it, for the approver's preview: a
    proposal is dated today and numbered as the next decision."""
    _may_read(actor)
    decision = _decision_row(session, actor, decision_id)
    if decision.state != "proposed":
        return decision.snapshot
    return _effective(session, decision, utcnow())[0]
