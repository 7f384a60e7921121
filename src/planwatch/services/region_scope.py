"""Districts kept apart: the part of the org-unit tree a user works in, asked by every read.

One installation may serve several districts side by side (青川区 and 黄浦区 in one
database). A user bound to a district sees, enters, reviews and approves only inside it: a
plan belongs to the district of its ``region_org_unit_id``, an org unit to the district
above it, a source file to the districts of the plans read from it, and figures, reports
and periods to their plan. Every service that reads or writes for a user asks this module
first: for one record by id (:func:`plan`, :func:`indicator`, :func:`period`… — a record
outside the user's region is answered exactly like a missing one, :class:`OutsideRegion`,
HTTP 404, so trying numbers tells nothing of another district) or for a listing
(:func:`plans`, :meth:`Region.plan_filter`, :meth:`Region.unit_filter`,
``orgunits.list_org_units(session, actor)``). New routes and services do the
same; ``tests/web/test_region_routes.py`` walks every route as a user of another district.

A user without a region — accounts made before districts were kept apart, until an
administrator binds them, and the operator at the command line — sees every district. A
plan whose district is not in the org-unit tree (``region_org_unit_id`` None) is seen only
by them, until an administrator sets its region.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from sqlalchemy import ColumnElement, event, select, true
from sqlalchemy.orm import Session, UOWTransaction

from planwatch.errors import NotFound
from planwatch.store.models import (
    Assignment,
    LedgerEvidence,
    LedgerReport,
    OrgUnit,
    Plan,
    Project,
    ReportingPeriod,
    SourceFile,
    Task,
    User,
)
from planwatch.store.models import Indicator as IndicatorRow

__all__ = [
    "EVERYWHERE",
    "OutsideRegion",
    "Region",
    "assignable",
    "district_of",
    "evidence",
    "file_filter",
    "indicator",
    "ledger_report",
    "org_unit",
    "period",
    "plan",
    "plans",
    "project",
    "region_named",
    "region_of",
    "reporting_plans",
    "require_plan",
    "require_unit",
    "source_file",
    "subtree",
    "task",
    "user",
]


class OutsideRegion(NotFound):
    """A record that does not exist or lies outside the user's region: the same answer for both."""

    def __init__(self, what: str, record_id: int | str, region: Region) -> None:
        where = f"，或不属于您所在的地区（{region.name}）" if region.name else ""
        super().__init__(f"{what} #{record_id} 不存在{where}")


@dataclass(frozen=True, slots=True)
class Region:
    """A district and the ids of its subtree; ``unit_ids`` None is every district."""

    unit_id: int | None
    name: str | None
    unit_ids: frozenset[int] | None

    @property
    def everywhere(self) -> bool:
        return self.unit_ids is None

    def has_unit(self, unit_id: int | None) -> bool:
        return self.unit_ids is None or (unit_id is not None and unit_id in self.unit_ids)

    def has_plan(self, plan: Plan) -> bool:
        return self.has_unit(plan.region_org_unit_id)

    def covers(self, other: Region) -> bool:
        """Whether everything of ``other`` lies inside this region (an administrator of a
        district manages the users bound to it, not those of every district)."""
        return self.unit_ids is None or (other.unit_ids is not None and other.unit_ids <= self.unit_ids)

    def plan_filter(self) -> ColumnElement[bool]:
        """A WHERE clause keeping the plans of this region."""
        return true() if self.unit_ids is None else Plan.region_org_unit_id.in_(sorted(self.unit_ids))

    def unit_filter(self, column: Any) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose org-unit ``column`` lies in this region."""
        return true() if self.unit_ids is None else column.in_(sorted(self.unit_ids))

    def people_filter(self, column: Any) -> ColumnElement[bool]:
        """A WHERE clause keeping rows done by users bound inside this region (the audit trail
        and the import history of a district: its own people's actions)."""
        if self.unit_ids is None:
            return true()
        inside: ColumnElement[bool] = column.in_(
            select(User.id).where(User.region_org_unit_id.in_(sorted(self.unit_ids))))
        return inside


EVERYWHERE: Final = Region(None, None, None)


def subtree(units: Iterable[OrgUnit], root_id: int) -> set[int]:
    """The ids of ``root_id`` and every unit below it."""
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id)
    found, todo = {root_id}, [root_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


_CACHE: Final = "planwatch.region_scope"  # session.info key: district id → Region


def district_of(session: Session, unit_id: int) -> Region:
    """The region of the district-level unit ``unit_id``: it and every unit below it.

    A page asks a few times per request; the tree is read once per session, and again after
    any change to an org unit is flushed (see :func:`_forget_regions`)."""
    known: dict[int, Region] = session.info.setdefault(_CACHE, {})
    if unit_id not in known:
        unit = session.get(OrgUnit, unit_id)
        name = unit.name if unit is not None else f"#{unit_id}"
        known[unit_id] = Region(unit_id, name, frozenset(subtree(session.scalars(select(OrgUnit)), unit_id)))
    return known[unit_id]


@event.listens_for(Session, "after_flush")
def _forget_regions(session: Session, _context: UOWTransaction) -> None:
    if any(isinstance(row, OrgUnit) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_CACHE, None)


def region_named(session: Session, unit_id: int | None, name: str | None) -> Region:
    """The units a plan of district ``unit_id`` / ``name`` may name: the district's subtree;
    every unit when the plan names no district (a plan of the installation's own district);
    when the tree has no unit for the district it names, the units whose names begin with
    the district's (a tree of departments without their district), which may be none."""
    if unit_id is not None:
        return district_of(session, unit_id)
    if name is None:
        return EVERYWHERE
    return Region(None, name, frozenset(u.id for u in session.scalars(select(OrgUnit)) if u.name.startswith(name)))


def assignable(session: Session, the_plan: Plan) -> Region:
    """The units a person may give ``the_plan``'s work to (pickers, assignments, mappings): its
    district's once the plan has one — a 黄浦区 plan is not given to 青川区's departments —
    and any while its district is unresolved, when the administrator maps names by hand."""
    if the_plan.region_org_unit_id is None:
        return EVERYWHERE
    return district_of(session, the_plan.region_org_unit_id)


def region_of(session: Session, actor: User | None) -> Region:
    """Where ``actor`` works; ``actor`` None is the operator at the command line (everywhere)."""
    if actor is None or actor.region_org_unit_id is None:
        return EVERYWHERE
    return district_of(session, actor.region_org_unit_id)


def require_plan(session: Session, actor: User | None, the_plan: Plan) -> Region:
    """Refuse a plan outside ``actor``'s region (as if it did not exist); returns the region."""
    region = region_of(session, actor)
    if not region.has_plan(the_plan):
        raise OutsideRegion("规划", the_plan.id, region)
    return region


def require_unit(session: Session, actor: User | None, unit_id: int | None) -> Region:
    """Refuse an org unit outside ``actor``'s region; returns the region."""
    region = region_of(session, actor)
    if not region.has_unit(unit_id):
        raise OutsideRegion("单位", unit_id or "?", region)
    return region


def plans(session: Session, actor: User | None, *, monitored: bool = False) -> list[Plan]:
    """The current plans of ``actor``'s region, oldest first; ``monitored`` keeps those with an
    indicator (a notice or an 实施意见 without targets is a document to read, not a plan to monitor)."""
    query = select(Plan).where(Plan.current.is_(True), region_of(session, actor).plan_filter())
    if monitored:
        query = query.where(select(IndicatorRow.id).where(IndicatorRow.plan_id == Plan.id).exists())
    return list(session.scalars(query.order_by(Plan.id)))


def reporting_plans(session: Session, actor: User) -> list[Plan]:
    """The monitored plans of ``actor``'s region that give a clerk's unit indicators to report
    (all of them for the other roles): where a clerk lands and what its entry page offers."""
    found = plans(session, actor, monitored=True)
    if actor.role != "clerk" or actor.org_unit_id is None:
        return found
    own = set(session.scalars(select(IndicatorRow.plan_id).join(Assignment, Assignment.indicator_id == IndicatorRow.id)
                              .where(Assignment.org_unit_id == actor.org_unit_id)))
    return [p for p in found if p.id in own]


def plan(session: Session, actor: User | None, plan_id: int) -> Plan:
    found = session.get(Plan, plan_id)
    if found is None:
        raise OutsideRegion("规划", plan_id, region_of(session, actor))
    require_plan(session, actor, found)
    return found


_Planned = TypeVar("_Planned", IndicatorRow, ReportingPeriod, Task, Project)


def _of_plan(session: Session, actor: User | None, model: type[_Planned], record_id: int, what: str) -> _Planned:
    """A record of a plan (indicator, period, task, project), refused with its plan."""
    found = session.get(model, record_id)
    region = region_of(session, actor)
    if found is None or not region.has_plan(session.get_one(Plan, found.plan_id)):
        raise OutsideRegion(what, record_id, region)
    return found


def indicator(session: Session, actor: User | None, indicator_id: int) -> IndicatorRow:
    return _of_plan(session, actor, IndicatorRow, indicator_id, "指标")


def period(session: Session, actor: User | None, period_id: int) -> ReportingPeriod:
    return _of_plan(session, actor, ReportingPeriod, period_id, "报告期")


def task(session: Session, actor: User | None, task_id: int) -> Task:
    return _of_plan(session, actor, Task, task_id, "任务")


def project(session: Session, actor: User | None, project_id: int) -> Project:
    return _of_plan(session, actor, Project, project_id, "项目")


def ledger_report(session: Session, actor: User | None, report_id: int) -> LedgerReport:
    found = session.get(LedgerReport, report_id)
    region = region_of(session, actor)
    if found is None or not region.has_unit(found.org_unit_id):
        raise OutsideRegion("进展报告", report_id, region)
    period(session, actor, found.period_id)
    return found


def evidence(session: Session, actor: User | None, evidence_id: int) -> LedgerEvidence:
    found = session.get(LedgerEvidence, evidence_id)
    if found is None:
        raise OutsideRegion("证明材料", evidence_id, region_of(session, actor))
    ledger_report(session, actor, found.report_id)
    return found


def file_filter(region: Region) -> ColumnElement[bool]:
    """A WHERE clause keeping the source files from which a plan of ``region`` was read."""
    if region.everywhere:
        return true()
    return SourceFile.id.in_(select(Plan.source_file_id).where(region.plan_filter()))


def source_file(session: Session, actor: User | None, file_id: int) -> SourceFile:
    region = region_of(session, actor)
    found = session.scalar(select(SourceFile).where(SourceFile.id == file_id, file_filter(region)))
    if found is None:
        raise OutsideRegion("文件", file_id, region)
    return found


def org_unit(session: Session, actor: User | None, unit_id: int) -> OrgUnit:
    found = session.get(OrgUnit, unit_id)
    region = region_of(session, actor)
    if found is None or not region.has_unit(found.id):
        raise OutsideRegion("单位", unit_id, region)
    return found


def user(session: Session, actor: User | None, user_id: int) -> User:
    """A user an administrator may manage: one bound inside the administrator's own region
    (an administrator of every district manages everyone)."""
    found = session.get(User, user_id)
    region = region_of(session, actor)
    if found is None or not region.covers(region_of(session, found)):
        raise OutsideRegion("用户", user_id, region)
    return found
