"""Who reports what: indicator × org unit responsibilities (牵头 / 责任 / 配合).

Import fills them from the units a plan names; people change them here, and every change
goes to the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from planwatch.errors import InputError, PlanWatchError
from planwatch.monitor.permissions import Action, check
from planwatch.services import region_scope
from planwatch.services.orgunits import UnknownOrgUnit, find_org_unit
from planwatch.services.table_files import RowErrors, read_table
from planwatch.store.models import Assignment, AuditEvent, Indicator, OrgUnit, Plan, User, utcnow

__all__ = [
    "ROLES",
    "AssignmentError",
    "AssignmentRow",
    "AssignmentView",
    "IndicatorFilter",
    "IndicatorList",
    "assign",
    "filtered_indicators",
    "find_indicator",
    "list_assignments",
    "read_assignment_file",
    "unassign",
]

ROLES = ("牵头", "责任", "配合")


class AssignmentError(PlanWatchError):
    """An assignment that names an unknown indicator, unit or role."""


@dataclass(frozen=True, slots=True)
class AssignmentView:
    indicator_id: int
    indicator_code: str
    indicator_name: str
    org_unit_id: int
    org_unit_code: str
    org_unit_name: str
    role: str
    origin: str


def find_indicator(session: Session, plan: Plan, ref: str) -> Indicator:
    """An indicator of ``plan`` by code (I001), database id, or exact name."""
    text = ref.strip()
    found = session.scalar(select(Indicator).where(Indicator.plan_id == plan.id, Indicator.code == text))
    if found is None and text.isascii() and text.isdigit():
        by_id = session.get(Indicator, int(text))
        found = by_id if by_id is not None and by_id.plan_id == plan.id else None
    if found is None:
        named = list(session.scalars(select(Indicator).where(Indicator.plan_id == plan.id, Indicator.name == text)))
        found = named[0] if len(named) == 1 else None
    if found is None:
        raise AssignmentError(f"规划「{plan.title}」中没有代码、编号或名称为「{ref}」的指标")
    return found


def assign(session: Session, actor: User | None, indicator: Indicator, unit: OrgUnit, role: str = "责任") -> bool:
    """Make ``unit`` responsible for ``indicator`` (or change its role); False when nothing changed.

    The unit must belong to the plan's region: a 黄浦区 plan is not given to 青川区's departments."""
    _authorize(session, actor, indicator, unit)
    if not region_scope.assignable(session, indicator.plan).has_unit(unit.id):
        raise AssignmentError(f"unit：「{unit.name}」不是规划所属地区（{indicator.plan.region_name}）的单位")
    if role not in ROLES:
        raise AssignmentError(f"责任类型应为 {'、'.join(ROLES)} 之一，实际为「{role}」")
    row = session.scalar(select(Assignment).where(Assignment.indicator_id == indicator.id,
                                                  Assignment.org_unit_id == unit.id))
    old: dict[str, object] | None = None
    if row is None:
        session.add(Assignment(indicator_id=indicator.id, org_unit_id=unit.id, role=role, origin="manual"))
    elif row.role == role:
        return False
    else:
        old = {"role": row.role, "origin": row.origin}
        row.role, row.origin = role, "manual"
    _audit(session, actor, "assign", indicator, unit, old, {"role": role})
    session.flush()
    return True


def unassign(session: Session, actor: User | None, indicator: Indicator, unit: OrgUnit) -> bool:
    _authorize(session, actor, indicator, unit)
    row = session.scalar(select(Assignment).where(Assignment.indicator_id == indicator.id,
                                                  Assignment.org_unit_id == unit.id))
    if row is None:
        return False
    _audit(session, actor, "unassign", indicator, unit, {"role": row.role, "origin": row.origin}, None)
    session.delete(row)
    session.flush()
    return True


def _authorize(session: Session, actor: User | None, indicator: Indicator, unit: OrgUnit) -> None:
    """``actor`` None is the operator at the command line; a user assigns inside its region."""
    if actor is not None:
        check(actor, Action.ASSIGN)
        region_scope.require_plan(session, actor, indicator.plan)
        region_scope.require_unit(session, actor, unit.id)


def _audit(session: Session, actor: User | None, action: str, indicator: Indicator, unit: OrgUnit,
           old: dict[str, object] | None, new: dict[str, object] | None) -> None:
    session.add(AuditEvent(at=utcnow(), actor_id=actor.id if actor else None,
                           actor_login=actor.login if actor else "cli", action=action, entity="assignments",
                           entity_id=f"{indicator.id}:{unit.id}", old=old, new=new))


@dataclass(frozen=True, slots=True)
class IndicatorFilter:
    """Which of a plan's indicators a list shows: a text in the name or the exact code, a
    domain, only those no unit is assigned yet."""

    text: str = ""
    domain: str = ""
    unassigned: bool = False

    def where(self, plan: Plan) -> list[ColumnElement[bool]]:
        chosen: list[ColumnElement[bool]] = [Indicator.plan_id == plan.id]
        wanted = self.text.strip()
        if wanted:
            chosen.append(or_(Indicator.name.contains(wanted, autoescape=True), Indicator.code == wanted))
        if self.domain:
            chosen.append(Indicator.domain == self.domain)
        if self.unassigned:
            chosen.append(~select(Assignment.id).where(Assignment.indicator_id == Indicator.id).exists())
        return chosen


@dataclass(frozen=True, slots=True)
class IndicatorList:
    indicators: list[Indicator]
    total: int  # those the filter keeps


def filtered_indicators(session: Session, plan: Plan, chosen: IndicatorFilter, *, offset: int = 0,
                        limit: int | None = None) -> IndicatorList:
    """A page (or, without ``limit``, all) of the plan's indicators the filter keeps, by code."""
    where = chosen.where(plan)
    total = session.scalar(select(func.count()).select_from(Indicator).where(*where)) or 0
    found = session.scalars(select(Indicator).where(*where).order_by(Indicator.code, Indicator.id)
                            .offset(offset).limit(limit))
    return IndicatorList(list(found), total)


def list_assignments(session: Session, plan: Plan, org_unit_id: int | None = None,
                     indicator_ids: Sequence[int] | None = None) -> list[AssignmentView]:
    """The plan's assignments (of one unit, or of the indicators a page shows)."""
    query = (select(Assignment, Indicator, OrgUnit)
             .join(Indicator, Indicator.id == Assignment.indicator_id)
             .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id)
             .where(Indicator.plan_id == plan.id)
             .order_by(Indicator.code, OrgUnit.code))
    if org_unit_id is not None:
        query = query.where(Assignment.org_unit_id == org_unit_id)
    if indicator_ids is not None:
        query = query.where(Assignment.indicator_id.in_(indicator_ids))
    return [AssignmentView(i.id, i.code, i.name, u.id, u.code, u.name, a.role, a.origin)
            for a, i, u in session.execute(query)]


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """One line of an uploaded assignment table, resolved to the plan's indicator and a unit."""

    indicator: Indicator
    unit: OrgUnit
    role: str


_ASSIGNMENT_COLUMNS = {
    "indicator": ("indicator", "指标", "指标代码", "指标名称", "指标代码或名称"),
    "unit": ("unit", "org_unit", "单位", "责任单位", "单位代码", "单位名称", "单位代码或名称"),
    "role": ("role", "责任类型", "分工", "类型"),
}


def read_assignment_file(session: Session, plan: Plan, path: Path) -> list[AssignmentRow]:
    """The rows of a CSV/XLSX table (指标, 责任单位, 责任类型) resolved against ``plan``;
    every bad row is reported at once (:class:`RowErrors`) and nothing is resolved then.
    An empty role cell means 责任."""
    table = read_table(path)
    units = region_scope.assignable(session, plan).unit_ids
    header = [h.strip().lower() for h in table[0]] if table else []
    index = {field: next((k for k, h in enumerate(header) if h in aliases), -1)
             for field, aliases in _ASSIGNMENT_COLUMNS.items()}
    missing = [_ASSIGNMENT_COLUMNS[f][1] for f in ("indicator", "unit") if index[f] < 0]
    if missing:
        raise InputError(path, f"缺少列：{'、'.join(missing)}（表头应为 指标, 责任单位, 责任类型）")
    rows: list[AssignmentRow] = []
    problems: list[str] = []
    for number, raw in enumerate(table[1:], start=2):
        cell = {f: (raw[k].strip() if 0 <= k < len(raw) else "") for f, k in index.items()}
        if not any(cell.values()):
            continue
        role = cell["role"] or "责任"
        found: list[str] = []
        try:
            indicator = find_indicator(session, plan, cell["indicator"]) if cell["indicator"] else None
        except AssignmentError:
            indicator = None
        if indicator is None:
            found.append(f"「指标」没有代码或名称为「{cell['indicator']}」的指标")
        try:
            unit = find_org_unit(session, cell["unit"], within=units) if cell["unit"] else None
        except UnknownOrgUnit:
            unit = None
        if unit is None:
            found.append(f"「责任单位」没有代码或名称为「{cell['unit']}」的单位"
                         + (f"（规划所属地区：{plan.region_name}）" if plan.region_name else ""))
        if role not in ROLES:
            found.append(f"「责任类型」应为 {'、'.join(ROLES)} 之一，实际为「{role}」")
        if found:
            problems.extend(f"第 {number} 行{problem}" for problem in found)
        elif indicator is not None and unit is not None:
            rows.append(AssignmentRow(indicator, unit, role))
    if problems:
        raise RowErrors(path, problems)
    if not rows:
        raise InputError(path, "表中没有分工行（表头之下应有 指标, 责任单位, 责任类型）")
    return rows
