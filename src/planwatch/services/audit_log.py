"""The audit trail of the whole system, as the office browses it: by person, unit, object and date.

Every service writes an :class:`~planwatch.store.models.AuditEvent` for what it changes (a
value entered, approved or returned; a plan imported; an indicator corrected; a user
created; a period locked). Pages of one object show their own events; this module answers
the questions across the system: what did 张三 do last week, what happened to the 卫健委's
figures, who touched this indicator. Events are read only: nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, check
from planwatch.services import region_scope
from planwatch.services.paging import paged, within
from planwatch.store.models import (
    AuditEvent,
    Indicator,
    LedgerReport,
    Observation,
    OrgUnit,
    Plan,
    ReportingPeriod,
    SourceFile,
    Task,
    User,
)
from planwatch.store.models import Project as ProjectRow

__all__ = ["PAGE_SIZE", "AuditFilter", "AuditPage", "AuditRow", "Change", "audit_events", "changes"]

PAGE_SIZE: Final = 50


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor_id: int | None = None
    org_unit_id: int | None = None  # events by the unit's people or on the unit's figures, reports and users
    entity: str = ""  # object type: the table (observations, indicators, users, …)
    entity_id: str = ""  # one object, with ``entity``
    action: str = ""
    since: date | None = None
    until: date | None = None  # inclusive


@dataclass(frozen=True, slots=True)
class Change:
    """One field of an event's before/after that differs (or was set, or removed)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    event: AuditEvent
    actor_name: str
    subject: str  # what the object is, in words: an indicator's name, a figure's indicator · unit · period
    changes: tuple[Change, ...]
    indicator_id: int | None = None  # the indicator page that shows the object, when there is one
    source_file_id: int | None = None
    plan_id: int | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int
    actions: list[str] = field(default_factory=list)  # every action and object type stored, for the filters
    entities: list[str] = field(default_factory=list)
    actors: list[tuple[int, str]] = field(default_factory=list)


def audit_events(session: Session, actor: User, where: AuditFilter, page: int = 1) -> AuditPage:
    """The events matching ``where``, newest first, a page at a time."""
    check(actor, Action.VIEW_AUDIT)
    district = region_scope.region_of(session, actor).people_filter
    query = select(AuditEvent).where(district(AuditEvent.actor_id))
    if where.actor_id is not None:
        query = query.where(AuditEvent.actor_id == where.actor_id)
    if where.org_unit_id is not None:
        query = query.where(_of_unit(where.org_unit_id))
    if where.entity:
        query = query.where(AuditEvent.entity == where.entity)
        if where.entity_id:
            query = query.where(AuditEvent.entity_id == where.entity_id)
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    found = paged(session, within(query, AuditEvent.at, where.since, where.until),
                  (AuditEvent.at.desc(), AuditEvent.id.desc()), page, PAGE_SIZE)
    return AuditPage(_rows(session, found.rows), found.total, found.page, found.pages,
                     list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))),
                     list(session.scalars(select(AuditEvent.entity).distinct().order_by(AuditEvent.entity))),
                     [(i, f"{name}（{login}）" if name else login) for i, login, name in session.execute(
                         select(User.id, User.login, User.name).where(
                             User.id.in_(select(AuditEvent.actor_id).distinct()), district(User.id))
                         .order_by(User.login))])


def _of_unit(unit_id: int) -> Any:
    """Events by the unit's people, or on its figures, its progress reports, its users or itself."""
    text_id = str(unit_id)
    return or_(
        AuditEvent.actor_id.in_(select(User.id).where(User.org_unit_id == unit_id)),
        (AuditEvent.entity == "observations") & AuditEvent.entity_id.in_(
            select(cast(Observation.id, String)).where(Observation.org_unit_id == unit_id)),
        (AuditEvent.entity == "ledger_reports") & AuditEvent.entity_id.in_(
            select(cast(LedgerReport.id, String)).where(LedgerReport.org_unit_id == unit_id)),
        (AuditEvent.entity == "users") & AuditEvent.entity_id.in_(
            select(cast(User.id, String)).where(User.org_unit_id == unit_id)),
        (AuditEvent.entity == "org_units") & (AuditEvent.entity_id == text_id),
        (AuditEvent.entity == "assignments") & AuditEvent.entity_id.like(f"%:{text_id}"),
    )


def _ids(events: Sequence[AuditEvent], entity: str) -> set[int]:
    return {int(e.entity_id) for e in events if e.entity == entity and e.entity_id.isdigit()}


def _rows(session: Session, events: Sequence[AuditEvent]) -> list[AuditRow]:
    """Each event with its actor's name, its object in words and a link where the object has a page."""
    names = dict(session.execute(select(User.id, User.name).where(
        User.id.in_({e.actor_id for e in events if e.actor_id is not None}))).all())
    figures = {o.id: (o.indicator_id, i.name, u.name, p.code) for o, i, u, p in session.execute(
        select(Observation, Indicator, OrgUnit, ReportingPeriod)
        .join(Indicator, Indicator.id == Observation.indicator_id).join(OrgUnit, OrgUnit.id == Observation.org_unit_id)
        .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
        .where(Observation.id.in_(_ids(events, "observations"))))}
    indicators = dict(session.execute(select(Indicator.id, Indicator.name).where(
        Indicator.id.in_(_ids(events, "indicators") | {i for e in events if e.entity == "assignments"
                                                       for i in [_first(e.entity_id)] if i is not None}))).all())
    units = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(
        _ids(events, "org_units") | {u for e in events if e.entity == "assignments"
                                     for u in [_second(e.entity_id)] if u is not None}))).all())
    people = dict(session.execute(select(User.id, User.login).where(User.id.in_(_ids(events, "users")))).all())
    files = dict(session.execute(select(SourceFile.id, SourceFile.name).where(
        SourceFile.id.in_(_ids(events, "source_files")))).all())
    plans = dict(session.execute(select(Plan.id, Plan.title).where(Plan.id.in_(_ids(events, "plans")))).all())
    tasks = dict(session.execute(select(Task.id, Task.title).where(Task.id.in_(_ids(events, "tasks")))).all())
    projects = dict(session.execute(select(ProjectRow.id, ProjectRow.name).where(
        ProjectRow.id.in_(_ids(events, "projects")))).all())
    reports = {r.id: f"{t or p or ''} · {u}" for r, t, p, u in session.execute(
        select(LedgerReport, Task.title, ProjectRow.name, OrgUnit.name)
        .outerjoin(Task, Task.id == LedgerReport.task_id).outerjoin(ProjectRow, ProjectRow.id == LedgerReport.project_id)
        .join(OrgUnit, OrgUnit.id == LedgerReport.org_unit_id)
        .where(LedgerReport.id.in_(_ids(events, "ledger_reports"))))}
    periods = {p.id: f"{p.code}" for p in session.scalars(select(ReportingPeriod).where(
        ReportingPeriod.id.in_(_ids(events, "reporting_periods"))))}
    named_units = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(
        {v for e in events for d in (e.old or {}, e.new or {}) for k, v in d.items()
         if k in _UNIT_KEYS and isinstance(v, int)}))).all())
    rows = []
    for e in events:
        number = int(e.entity_id) if e.entity_id.isdigit() else None
        subject, indicator_id, file_id, plan_id = "", None, None, None
        if e.entity == "observations" and number in figures:
            indicator_id, name, unit, period = figures[number]
            subject = f"{name} · {unit} · {period}"
        elif e.entity == "indicators" and number is not None:
            subject, indicator_id = indicators.get(number, ""), number
        elif e.entity == "assignments":
            first, second = _first(e.entity_id), _second(e.entity_id)
            subject = f"{indicators.get(first or 0, '')} · {units.get(second or 0, '')}"
            indicator_id = first
        elif e.entity == "source_files" and number is not None:
            subject, file_id = files.get(number, ""), number
        elif e.entity == "plans" and number is not None:
            subject, plan_id = plans.get(number, ""), number
        elif number is not None:
            subject = {"org_units": units, "users": people, "tasks": tasks, "projects": projects,
                       "ledger_reports": reports, "reporting_periods": periods}.get(e.entity, {}).get(number, "")
        rows.append(AuditRow(e, names.get(e.actor_id, "") if e.actor_id else "", subject,
                             changes(_named(e.old, named_units), _named(e.new, named_units)),
                             indicator_id, file_id, plan_id))
    return rows


_UNIT_KEYS: Final = frozenset({"org_unit_id", "parent_id", "region_org_unit_id"})


def _named(values: dict[str, Any] | None, units: dict[int, str]) -> dict[str, Any] | None:
    """A unit stored by its id shown by its name (单位 11 → 区林业局)."""
    if not values:
        return values
    return {k: units.get(v, v) if k in _UNIT_KEYS and isinstance(v, int) else v for k, v in values.items()}


def _first(entity_id: str) -> int | None:
    head = entity_id.partition(":")[0]
    return int(head) if head.isdigit() else None


def _second(entity_id: str) -> int | None:
    tail = entity_id.partition(":")[2]
    return int(tail) if tail.isdigit() else None


def changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[Change, ...]:
    """The fields an event changed, before and after, as text; unchanged fields are left out
    (an approval stores the whole state, of which only the state moved)."""
    before, after = old or {}, new or {}
    keys = list(dict.fromkeys([*before, *after]))
    return tuple(Change(k, _text(before.get(k)), _text(after.get(k))) for k in keys
                 if before.get(k) != after.get(k))


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "；".join(_text(v) if not isinstance(v, list | tuple) else " ".join(_text(x) for x in v)
                        for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_text(v)}" for k, v in value.items())
    return str(value)
