"""Importing plan files into the monitoring database.

Import is idempotent by content: the same bytes (SHA-256) are never imported twice, and a
plan whose current version has the same indicator system (names, units and targets — the
same gazette as .docx and then as PDF) is recognised as that version, not stored again. A
file whose plan is otherwise already stored under the same key (its title without revision
marks) makes a new version of that plan; indicators that did not change keep their code, their
responsibilities and their reported data, so a revised plan does not restart monitoring.
Reading plans back is :mod:`planwatch.services.plans`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from planwatch.extract import extract_source
from planwatch.extract import records as rec
from planwatch.ingest import DEFAULT_MAX_BYTES, SourceText, read_source
from planwatch.monitor.permissions import Action, PermissionDenied, check
from planwatch.services import (
    carry_over,
    corrections,
    indicator_lifecycle,
    ledger_replay,
    region_scope,
    regions,
    search,
)
from planwatch.services.indicator_keys import indicator_key, indicator_system, name_key
from planwatch.services.plans import plan_key
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    Document,
    Indicator,
    Plan,
    Project,
    ProjectUnit,
    Section,
    SourceFile,
    Task,
    TaskTarget,
    User,
    utcnow,
)

__all__ = [
    "ImportResult",
    "ImportStage",
    "PlanImport",
    "PreparedImport",
    "import_file",
    "numbered_text",
    "prepare_import",
    "store_import",
]

log = logging.getLogger(__name__)


class ImportStage(StrEnum):
    """Steps of an import in order, reported to a progress display as each begins."""

    READ = "read"
    EXTRACT = "extract"
    INDEX = "index"
    STORE = "store"


@dataclass(frozen=True, slots=True)
class PlanImport:
    plan_id: int
    title: str
    version: int
    indicators: int
    carried_over: int  # unchanged indicators whose assignments and data came from the previous version
    assigned: int  # indicators with at least one responsible unit
    unchanged: bool = False  # the current version has the same indicator system: no new version was made


@dataclass(frozen=True, slots=True)
class ImportResult:
    file: str
    sha256: str
    already_imported: bool
    documents: int = 0
    plans: tuple[PlanImport, ...] = field(default=())
    same_as: str = ""  # every plan is already current, read from this file (another format of the same plans)


def numbered_text(source: SourceText) -> str:
    """The source as the numbered lines extraction reports (line N is the N-th line)."""
    lines: dict[int, list[str]] = {}
    for block in source.blocks:
        if block.is_table:
            for row in block.rows:
                for cell in row:
                    if not cell.merged:
                        lines.setdefault(cell.source.line, []).append(cell.text)
        else:
            for offset, text in enumerate(block.text.split("\n")):
                lines.setdefault(block.source.line + offset, []).append(text)
    last = max(lines, default=0)
    return "\n".join("\t".join(lines.get(n, [])) for n in range(1, last + 1))


def ocr_record(source: SourceText) -> dict[str, Any] | None:
    """What of the file was read by OCR, line by line, for the viewer to say so; None if nothing was."""
    if not source.ocr_pages and not source.unread_pages:
        return None
    read = [cell.source for block in source.blocks for row in block.rows for cell in row if cell.source.ocr]
    read += [block.source for block in source.blocks if not block.is_table and block.source.ocr]
    lines = sorted({(where.line, where.page) for where in read})
    return {"engine": source.ocr_engine, "pages": list(source.ocr_pages), "lines": [list(pair) for pair in lines],
            "unread_pages": list(source.unread_pages)}


@dataclass(frozen=True, slots=True)
class PreparedImport:
    """A file read and extracted, ready to store.

    Reading and extraction are the slow part of an import (seconds for a large gazette,
    unbounded for a hostile file) and need no database; they are done before the write
    transaction opens, which on SQLite holds the one write lock every data entry waits for.
    """

    source: SourceText
    extraction: rec.Extraction
    size: int
    text: str  # the numbered lines, as stored
    index: list[search.IndexedLine]  # the lines' words for full-text search, segmented before storing


def prepare_import(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES,
                   progress: Callable[[ImportStage], None] | None = None,
                   pages: Callable[[int, int], None] | None = None) -> PreparedImport:
    """Read and extract, with no database involved; ``pages(done, total)`` follows a PDF's pages."""
    report = progress or (lambda stage: None)
    report(ImportStage.READ)
    source = read_source(path, max_bytes, pages)
    report(ImportStage.EXTRACT)
    text = numbered_text(source)
    return PreparedImport(source, extract_source(source), Path(path).stat().st_size, text,
                          search.segmented_lines(text))


def import_file(session: Session, path: str | Path, actor: User | None = None, *,
                max_bytes: int = DEFAULT_MAX_BYTES, progress: Callable[[ImportStage], None] | None = None) -> ImportResult:
    """Store a file's documents, plans, outline, indicators and targets (idempotent by hash).

    ``actor`` None is the operator at the command line; a web user needs the import permission.
    The file is read and extracted before ``session`` runs its first query.
    """
    if actor is not None:
        check(actor, Action.IMPORT_PLAN)
    return store_import(session, prepare_import(path, max_bytes, progress), actor, progress)


def store_import(session: Session, prepared: PreparedImport, actor: User | None = None,
                 progress: Callable[[ImportStage], None] | None = None) -> ImportResult:
    """The write half of :func:`import_file`: short, so the write lock is held briefly."""
    report = progress or (lambda stage: None)
    if actor is not None:
        check(actor, Action.IMPORT_PLAN)
    source, extraction = prepared.source, prepared.extraction
    known = session.scalar(select(SourceFile).where(SourceFile.sha256 == source.sha256))
    if known is not None:
        region = region_scope.region_of(session, actor)
        plans = list(session.scalars(select(Plan).where(Plan.source_file_id == known.id).order_by(Plan.id)))
        if plans and not any(region.has_plan(p) for p in plans):
            assert actor is not None
            log.warning("plan file %.12s refused to user #%d: imported before, its plans are of another district",
                        source.sha256, actor.id)
            raise PermissionDenied(actor.login, Action.IMPORT_PLAN, f"{source.name} 已导入过，其中的规划不属于您所在的地区"
                                                                    f"（{region.name}），请联系管理员设置规划所属地区")
        log.info("plan file %.12s imported before: plans %s", source.sha256, [p.id for p in plans])
        return ImportResult(source.name, source.sha256, True, plans=tuple(
            PlanImport(p.id, p.title, p.version, len(p.indicators), 0, 0) for p in plans))
    lines = prepared.text.split("\n")
    named = {plan.title: corrections.apply_to_extraction(
        session, plan_key(plan.title), plan, lines,
        _merged_indicators([i for i in extraction.indicators if i.plan == plan.title])) for plan in extraction.plans}
    same = _same_as_current(session, named)
    if extraction.plans and len(same) == len(extraction.plans):
        # The same plans in another format (a gazette as .docx, then as PDF) or a re-typed text:
        # nothing to store, the current versions stay, with their data and corrections.
        current = [same[plan.title] for plan in extraction.plans]
        files = sorted({session.get_one(SourceFile, p.source_file_id).name for p in current})
        log.info("plan file %.12s (%s) holds the current versions of plans %s: nothing stored", source.sha256,
                 source.format, [p.id for p in current])
        return ImportResult(source.name, source.sha256, False, len(extraction.documents), tuple(
            PlanImport(p.id, p.title, p.version, len(p.indicators), 0, 0, unchanged=True) for p in current),
            same_as="、".join(files))
    unread = [{k: v for k, v in d.to_json().items() if k != "file"} for d in extraction.diagnostics]
    file_row = SourceFile(sha256=source.sha256, name=source.name, format=source.format, size=prepared.size,
                          text=prepared.text, imported_by_id=actor.id if actor else None, diagnostics=unread,
                          ocr=ocr_record(source))
    session.add(file_row)
    session.flush()
    report(ImportStage.INDEX)
    search.index_file(session, file_row, prepared.index)
    report(ImportStage.STORE)
    documents = {}
    for d in extraction.documents:
        row = Document(source_file_id=file_row.id, start_line=d.start_line, end_line=d.end_line, title=d.title,
                       doc_number=d.doc_number, issuer=d.issuer, date=d.date)
        session.add(row)
        documents[(d.start_line, d.end_line)] = row
    session.flush()
    imported = []
    for plan in extraction.plans:
        if plan.title in same:
            kept = same[plan.title]
            imported.append(PlanImport(kept.id, kept.title, kept.version, len(kept.indicators), 0, 0, unchanged=True))
            continue
        document = next((row for (start, end), row in documents.items() if start <= plan.start_line <= end), None)
        imported.append(_import_plan(session, actor, extraction, plan, file_row, document, named[plan.title]))
    session.add(AuditEvent(at=utcnow(), actor_id=actor.id if actor else None,
                           actor_login=actor.login if actor else "cli", action="import", entity="source_files",
                           entity_id=str(file_row.id),
                           new={"name": source.name, "sha256": source.sha256,
                                "plans": [[p.plan_id, p.title, p.version] for p in imported]}))
    session.flush()
    log.info("plan file %.12s (%s, %d bytes) stored as source file #%d, %d lines unread: %s", source.sha256,
             source.format, prepared.size, file_row.id, len(extraction.diagnostics),
             "; ".join(f"plan #{p.plan_id} version {p.version}, {p.indicators} indicators "
                       f"({p.carried_over} carried over{', unchanged' if p.unchanged else ''})" for p in imported)
             or "no plan found")
    return ImportResult(source.name, source.sha256, False, len(extraction.documents), tuple(imported))


def _merged_indicators(indicators: Sequence[rec.Indicator]) -> list[rec.Indicator]:
    """One indicator per name: a goal stated in a table and again in a goals sentence is
    one indicator with two mentions. The table row leads (it carries baseline, attribute
    and units); the other mention only adds what the row lacks (target years, baseline)."""
    groups: dict[str, list[rec.Indicator]] = {}
    for ind in indicators:
        groups.setdefault(name_key(ind.name), []).append(ind)
    merged = []
    for mentions in groups.values():
        lead = next((m for m in mentions if m.kind == "table"), mentions[0])
        for other in mentions:
            if other is lead:
                continue
            years = {t.year for t in lead.targets}
            extra = tuple(t for t in other.targets if t.year not in years)
            lead = replace(
                lead, targets=tuple(sorted(lead.targets + extra, key=lambda t: t.year)),
                unit=lead.unit or other.unit, attribute=lead.attribute or other.attribute,
                baseline=lead.baseline or other.baseline, baseline_year=lead.baseline_year or other.baseline_year,
                responsible=lead.responsible + tuple(r for r in other.responsible if r not in lead.responsible))
        merged.append(lead)
    return sorted(merged, key=lambda i: i.line)


def _definition(ind: rec.Indicator) -> dict[str, object]:
    """What makes an indicator the same across versions; its targets' types included, since a
    level and an amount over the period are entered and added up differently."""
    return {"name": ind.name, "unit": ind.unit, "attribute": ind.attribute, "baseline_year": ind.baseline_year,
            "baseline": ind.baseline,
            "targets": [[t.year, t.text, t.comparator.value, t.value, t.value_high,
                         t.target_type.value if t.target_type else None] for t in ind.targets]}


def _stored_definition(ind: Indicator) -> dict[str, object]:
    """The same for a stored indicator (a target stored before types were kept: as classified)."""
    sentence = ind.source_text if ind.kind == "prose" else ""
    targets = [corrections.record_target(t, ind.name, ind.unit, ind.baseline_text, sentence) for t in ind.targets]
    return {"name": ind.name, "unit": ind.unit, "attribute": ind.attribute, "baseline_year": ind.baseline_year,
            "baseline": ind.baseline_text,
            "targets": [[t.year, t.text, t.comparator.value, t.value, t.value_high,
                         t.target_type.value if t.target_type else None] for t in targets]}


def _same_as_current(session: Session, named: dict[str, list[tuple[str, rec.Indicator]]]) -> dict[str, Plan]:
    """The plans of an import whose current version has the same indicator system (names,
    units and targets, as corrected; not the bytes, lines or wording of the file), by title."""
    same = {}
    for title, indicators in named.items():
        current = session.scalar(select(Plan).where(Plan.plan_key == plan_key(title), Plan.current.is_(True)))
        if current is not None and indicator_system(corrections.stored_record(i) for i in current.indicators) \
                == indicator_system(ind for _, ind in indicators):
            same[title] = current
    return same


def _import_plan(session: Session, actor: User | None, extraction: rec.Extraction, plan: rec.Plan,
                 file_row: SourceFile, document: Document | None, named: list[tuple[str, rec.Indicator]]) -> PlanImport:
    key = plan_key(plan.title)
    indicators = [ind for _, ind in named]
    fingerprint = hashlib.sha256(json.dumps(sorted(
        (indicator_key(i.name, i.unit), _definition(i)) for i in indicators), ensure_ascii=False,
        sort_keys=True, default=str).encode()).hexdigest()
    previous = session.scalar(select(Plan).where(Plan.plan_key == key, Plan.current.is_(True)))
    version = (session.scalar(select(func.max(Plan.version)).where(Plan.plan_key == key)) or 0) + 1
    if previous is not None:
        previous.current = False
    region = _region(session, actor, plan, document, previous)
    matcher = regions.plan_matcher(session, key, region)
    row = Plan(plan_key=key, version=version, current=True, title=plan.title, start_year=plan.start_year,
               end_year=plan.end_year, source_file_id=file_row.id, document_id=document.id if document else None,
               doc_number=plan.doc_number, start_line=plan.start_line, end_line=plan.end_line,
               fingerprint=fingerprint, region_org_unit_id=region.unit_id, region_name=region.name)
    session.add(row)
    session.flush()
    session.add_all(Section(plan_id=row.id, line=o.line, rank=o.rank, number=o.number, title=o.title)
                    for o in extraction.outline if o.plan == plan.title)
    _store_tasks(session, row, [t for t in extraction.tasks if t.plan == plan.title], matcher)
    _store_projects(session, row, [p for p in extraction.projects if p.plan == plan.title], matcher)
    ledger_replay.reapply(session, row)
    old = {i.key: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == previous.id)
                                             .options(selectinload(Indicator.targets)))} if previous is not None else {}
    next_code = 1 + max((int(i.code[1:]) for i in old.values() if i.code[1:].isdigit()), default=0)
    stored_indicators: list[tuple[Indicator | None, Indicator, rec.Indicator]] = []
    for first_name, ind in named:
        before = old.get(indicator_key(ind.name, ind.unit))
        if before is not None:
            code = before.code
        else:
            code, next_code = f"I{next_code:03d}", next_code + 1
        stored = Indicator(plan_id=row.id, code=code, extracted_name=first_name, domain=ind.domain, kind=ind.kind,
                           file=ind.file, line=ind.line, source_text=ind.source_text,
                           responsible_text="、".join(ind.responsible))
        corrections.write_definition(stored, ind)
        stored_indicators.append((before, stored, ind))
    session.add_all(stored for _, stored, _ in stored_indicators)
    session.flush()  # one batch of inserts: a plan of thousands of indicators holds the write lock briefly
    unchanged: list[tuple[Indicator, Indicator]] = []
    assigned = 0
    for before, stored, ind in stored_indicators:
        if before is not None and _stored_definition(before) == _definition(ind):
            unchanged.append((before, stored))
        elif _assign_extracted(session, stored, ind.responsible, matcher):
            assigned += 1
    if previous is not None:
        assigned += carry_over.carry_over(session, actor, previous, row, unchanged)
    indicator_lifecycle.apply_dispositions(session, row)
    return PlanImport(row.id, row.title, version, len(indicators), len(unchanged), assigned)


def _region(session: Session, actor: User | None, plan: rec.Plan, document: Document | None,
            previous: Plan | None) -> regions.RegionChoice:
    """The district the plan's issuer or title names; a revision keeps the region its previous
    version was given (perhaps by the administrator) when the tree has no better answer.

    A user bound to a district imports into it: a plan naming no district, or the user's
    district while the tree lacks it, is the user's district's; a plan of another district
    is refused, not stored where the user could no longer see it."""
    detected = regions.detect_region(session, document.issuer if document else None, plan.title)
    if detected.unit_id is None and previous is not None and previous.region_org_unit_id is not None:
        detected = regions.RegionChoice(previous.region_org_unit_id, previous.region_name)
    mine = region_scope.region_of(session, actor)
    if mine.everywhere or (detected.unit_id is not None and mine.has_unit(detected.unit_id)):
        return detected
    own_name = regions.district_name(mine.name) or mine.name
    if detected.unit_id is None and detected.name in (None, own_name):
        return regions.RegionChoice(mine.unit_id, own_name)
    assert actor is not None
    log.warning("import of a plan of another district refused to user #%d", actor.id)
    raise PermissionDenied(actor.login, Action.IMPORT_PLAN, f"规划「{plan.title}」属于{detected.name or '其他地区'}，"
                                                            f"不在您所在的地区（{mine.name}）内，未导入")


def _assign_extracted(session: Session, indicator: Indicator, printed: Sequence[str],
                      matcher: regions.PlanUnitMatcher) -> bool:
    units = {u.id: u for u in (matcher.match(name) for name in printed) if u is not None}
    for number, unit_id in enumerate(units):
        session.add(Assignment(indicator_id=indicator.id, org_unit_id=unit_id, role="牵头" if number == 0 else "责任",
                               origin="extracted"))
    return bool(units)


def _store_tasks(session: Session, plan: Plan, tasks: Sequence[rec.Task], matcher: regions.PlanUnitMatcher) -> None:
    rows = [Task(plan_id=plan.id, line=task.line, title=task.title, kind=task.kind, number=task.number,
                 section=task.section, deadline=task.deadline, key=ledger_replay.extracted_key(task.title),
                 targets=[TaskTarget(name=t.name, year=t.year, text=t.text, value=t.value, unit=t.unit,
                                     comparator=t.comparator) for t in task.targets]) for task in tasks]
    session.add_all(rows)
    session.flush()
    for task, row in zip(tasks, rows, strict=True):
        seen: set[int] = set()
        for role, names in (("牵头", task.lead), ("责任", task.responsible), ("配合", task.support)):
            for name in names:
                unit = matcher.match(name)
                if unit is not None and unit.id not in seen:
                    seen.add(unit.id)
                    session.add(Assignment(task_id=row.id, org_unit_id=unit.id, role=role, origin="extracted"))


def _store_projects(session: Session, plan: Plan, projects: Sequence[rec.Project],
                    matcher: regions.PlanUnitMatcher) -> None:
    rows = [Project(plan_id=plan.id, line=project.line, name=project.name, category=project.category,
                    content=project.content, investment=project.investment,
                    period_investment=project.period_investment, start_year=project.start_year,
                    end_year=project.end_year, key=ledger_replay.extracted_key(project.name))
            for project in projects]
    session.add_all(rows)
    session.flush()
    for project, row in zip(projects, rows, strict=True):
        units = dict.fromkeys(u.id for u in (matcher.match(name) for name in project.units) if u is not None)
        session.add_all(ProjectUnit(project_id=row.id, org_unit_id=unit_id, role="牵头" if n == 0 else "责任")
                        for n, unit_id in enumerate(units))
