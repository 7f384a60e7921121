"""Import history: every file someone brought in, or tried to, kept with what came of it.

Each way a file enters the system (a plan uploaded on the web or through the API, a plan
imported at the command line, a unit's Excel template uploaded or submitted with
``planwatch submit``, an org-unit or assignment table) goes through :func:`recorded`: the
import runs in a savepoint, and whatever happens a record is added to the session — the
import's summary when it went in, every problem found when it was refused (the savepoint
rolled back, the record stays). Callers commit as always; a caller whose session rolls back
on an error (the CLI) catches the error first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from planwatch.errors import InputError, PlanWatchError
from planwatch.monitor.permissions import Action, check
from planwatch.services import region_scope
from planwatch.services.paging import paged, within
from planwatch.services.plan_import import ImportResult
from planwatch.store.models import ImportRecord, OrgUnit, Plan, User, utcnow

__all__ = ["Channel", "HistoryFilter", "HistoryPage", "HistoryRow", "ImportNote", "Outcome", "history",
           "plan_import_summary", "problems_of", "record", "recorded", "values_summary"]

PAGE_SIZE: Final = 50
_MAX_PROBLEMS: Final = 500  # a file refused for thousands of cells keeps the first ones and a count


class Channel(StrEnum):
    """How a file came in; the page shows each in words (``import.channel.<value>``)."""

    WEB_UPLOAD = "web_upload"  # a plan file on the documents page
    API_UPLOAD = "api_upload"  # a plan file through /api/v1/documents
    CLI_IMPORT = "cli_import"  # planwatch import
    TEMPLATE_UPLOAD = "template_upload"  # a unit's filled Excel template on the entry page
    CLI_SUBMIT = "cli_submit"  # planwatch submit (template, long CSV, DHIS2 JSON)
    ORG_UNITS = "org_units"  # the org-unit table on the administrator's page
    ASSIGNMENTS = "assignments"  # a plan's assignment table


class Outcome(StrEnum):
    IMPORTED = "imported"
    UNCHANGED = "unchanged"  # the same file, or the same plans, were imported before
    REFUSED = "refused"


@dataclass(slots=True)
class ImportNote:
    """What the import inside :func:`recorded` says about itself when it went in."""

    summary: str = ""
    outcome: Outcome = Outcome.IMPORTED
    plan_id: int | None = None
    org_unit_id: int | None = None
    size: int | None = None
    sha256: str | None = None


def problems_of(exc: PlanWatchError) -> list[str]:
    """Every problem a refusal names, one line each (a template's bad cells, a table's bad rows)."""
    listed = getattr(exc, "problems", None)
    if isinstance(listed, list) and listed:
        lines = [str(p) for p in listed]
    elif isinstance(exc, InputError):
        lines = [exc.problem]
    else:
        lines = [str(exc)]
    if len(lines) > _MAX_PROBLEMS:
        lines = [*lines[:_MAX_PROBLEMS], f"另有 {len(lines) - _MAX_PROBLEMS} 处问题"]
    return lines


def record(session: Session, actor: User | None, channel: Channel, file_name: str, outcome: Outcome, *,
           summary: str = "", problems: Sequence[str] = (), plan_id: int | None = None,
           org_unit_id: int | None = None, size: int | None = None, sha256: str | None = None) -> ImportRecord:
    """Add one record to ``session`` (``actor`` None: the operator at the command line)."""
    row = ImportRecord(at=utcnow(), user_id=actor.id if actor else None, actor_login=actor.login if actor else "cli",
                       channel=channel.value, file_name=(file_name or "（未命名）")[:255], size=size, sha256=sha256,
                       outcome=outcome.value, summary=summary, problems=list(problems), plan_id=plan_id,
                       org_unit_id=org_unit_id if org_unit_id is not None else (actor.org_unit_id if actor else None))
    session.add(row)
    session.flush()
    return row


@contextmanager
def recorded(session: Session, actor: User | None, channel: Channel, file_name: str, *,
             org_unit_id: int | None = None) -> Iterator[ImportNote]:
    """Run the import of the block in a savepoint and record it, refused or not.

    The block fills in the note (summary, plan, unit); a PlanWatchError leaving the block rolls
    the savepoint back, is recorded with its problems and raised again.
    """
    note = ImportNote(org_unit_id=org_unit_id)
    try:
        with session.begin_nested():
            yield note
    except PlanWatchError as exc:
        record(session, actor, channel, file_name, Outcome.REFUSED, problems=problems_of(exc), plan_id=note.plan_id,
               org_unit_id=note.org_unit_id, size=note.size, sha256=note.sha256)
        raise
    record(session, actor, channel, file_name, note.outcome, summary=note.summary, plan_id=note.plan_id,
           org_unit_id=note.org_unit_id, size=note.size, sha256=note.sha256)


def plan_import_summary(result: ImportResult) -> tuple[Outcome, str, int | None]:
    """A plan file's import in one line: its plans with their versions, or why nothing changed."""
    first = result.plans[0].plan_id if result.plans else None
    if result.already_imported:
        return Outcome.UNCHANGED, "此文件以前已导入过（内容相同），未作改动", first
    same = [p for p in result.plans if p.unchanged]
    if same and len(same) == len(result.plans):
        return Outcome.UNCHANGED, (f"与已导入的「{result.same_as}」中的规划相同（指标体系一致），未生成新版本"
                                   if result.same_as else "规划的指标体系与现行版本相同，未生成新版本"), first
    parts = [f"规划「{p.title}」" + ("与现行版本相同" if p.unchanged else f"第 {p.version} 版，{p.indicators} 个指标")
             for p in result.plans]
    return Outcome.IMPORTED, "；".join(parts) or f"已识别 {result.documents} 篇公文，其中没有带指标的规划", first


def values_summary(rows: int, submitted: int, ledger_reports: int) -> str:
    """A data file's import in one line (a template, a long CSV, a DHIS2 file)."""
    ledger = f"；任务和项目进展 {ledger_reports} 条" if ledger_reports else ""
    return f"{rows} 个数值，其中报送 {submitted} 个{ledger}"


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    user_id: int | None = None
    org_unit_id: int | None = None
    channel: str = ""
    outcome: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    text: str = ""  # part of the file name


@dataclass(frozen=True, slots=True)
class HistoryRow:
    record: ImportRecord
    user_name: str
    org_unit: str
    plan_title: str


@dataclass(frozen=True, slots=True)
class HistoryPage:
    rows: list[HistoryRow]
    total: int
    page: int
    pages: int
    users: list[tuple[int, str]] = field(default_factory=list)  # everyone who ever imported, for the filter


def history(session: Session, actor: User, where: HistoryFilter, page: int = 1) -> HistoryPage:
    """The records matching ``where``, newest first, a page at a time."""
    check(actor, Action.VIEW_AUDIT)
    district = region_scope.region_of(session, actor).people_filter
    query = select(ImportRecord).where(district(ImportRecord.user_id))
    if where.user_id is not None:
        query = query.where(ImportRecord.user_id == where.user_id)
    if where.org_unit_id is not None:
        query = query.where(ImportRecord.org_unit_id == where.org_unit_id)
    if where.channel:
        query = query.where(ImportRecord.channel == where.channel)
    if where.outcome:
        query = query.where(ImportRecord.outcome == where.outcome)
    query = within(query, ImportRecord.at, where.since, where.until)
    if where.text.strip():
        query = query.where(or_(ImportRecord.file_name.contains(where.text.strip(), autoescape=True),
                                ImportRecord.summary.contains(where.text.strip(), autoescape=True)))
    found = paged(session, query, (ImportRecord.at.desc(), ImportRecord.id.desc()), page, PAGE_SIZE)
    records: list[ImportRecord] = found.rows
    users = dict(session.execute(select(User.id, User.name).where(
        User.id.in_({r.user_id for r in records if r.user_id is not None}))).all())
    units = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_({r.org_unit_id for r in records if r.org_unit_id is not None}))).all())
    plans = dict(session.execute(select(Plan.id, Plan.title).where(
        Plan.id.in_({r.plan_id for r in records if r.plan_id is not None}))).all())
    rows = [HistoryRow(r, users.get(r.user_id, "") if r.user_id else "", units.get(r.org_unit_id, "")
                       if r.org_unit_id else "", plans.get(r.plan_id, "") if r.plan_id else "") for r in records]
    importers = session.execute(select(User.id, User.login, User.name).where(
        User.id.in_(select(ImportRecord.user_id).distinct()), district(User.id)).order_by(User.login)).all()
    return HistoryPage(rows, found.total, found.page, found.pages, [(i, f"{name}（{login}）" if name else login)
                                                                    for i, login, name in importers])
