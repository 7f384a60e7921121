"""The district's org units: the table that imports them, creating and changing one, the
tree read a branch at a time, and finding a unit by code or name.

Reading the table's cells is :mod:`planwatch.services.table_files`; matching the names a
plan prints (区教委, 区卫生健康委) is :mod:`planwatch.services.unit_names`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from planwatch.errors import InputError, PlanWatchError
from planwatch.monitor.permissions import Action, check
from planwatch.services.region_scope import region_of, require_unit, subtree
from planwatch.services.table_files import RowErrors, read_table
from planwatch.services.unit_names import UnitMatcher
from planwatch.store.models import AuditEvent, OrgUnit, User

__all__ = [
    "KINDS",
    "OrgUnitError",
    "OrgUnitRow",
    "UnitLine",
    "UnitList",
    "UnknownOrgUnit",
    "ancestors",
    "branch",
    "create_org_unit",
    "find_org_unit",
    "find_units",
    "import_org_units",
    "list_org_units",
    "read_org_unit_file",
    "set_org_unit_active",
    "update_org_unit",
]

# Kind codes with the Chinese words people put in the 类型 column.
KINDS = {
    "district": ("district", "区", "区县", "县", "市"),
    "department": ("department", "部门", "单位", "委办局"),
    "town": ("town", "镇", "乡", "乡镇"),
    "subdistrict": ("subdistrict", "街道", "街"),
    "other": ("other", "其他"),
}
_KIND_OF = {word: kind for kind, words in KINDS.items() for word in words}
_COLUMNS = {
    "code": ("code", "代码", "单位代码", "编码"),
    "name": ("name", "名称", "单位名称"),
    "kind": ("kind", "类型", "单位类型"),
    "parent": ("parent", "上级", "上级代码", "上级单位"),
    "short_name": ("short_name", "简称", "别名"),
}


@dataclass(frozen=True, slots=True)
class OrgUnitRow:
    code: str
    name: str
    kind: str
    parent: str  # code or name of the parent; "" for the root
    short_name: str = ""


def read_org_unit_file(path: Path) -> list[OrgUnitRow]:
    """Rows of a CSV (UTF-8 or GB18030) or XLSX file; every bad cell is reported at once."""
    table = read_table(path)
    if not table:
        raise InputError(path, "文件为空；应有表头行：代码, 名称, 类型, 上级代码, 简称")
    header = [h.strip().lower() for h in table[0]]
    index: dict[str, int] = {}
    for field, aliases in _COLUMNS.items():
        found = next((k for k, h in enumerate(header) if h in aliases), None)
        if found is not None:
            index[field] = found
    missing = [_COLUMNS[f][1] for f in ("code", "name", "kind") if f not in index]
    if missing:
        raise InputError(path, f"缺少列：{'、'.join(missing)}（表头应为 代码, 名称, 类型, 上级代码, 简称）")
    rows: list[OrgUnitRow] = []
    problems: list[str] = []
    for number, raw in enumerate(table[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        cell = {f: (raw[k].strip() if k < len(raw) else "") for f, k in index.items()}
        kind = _KIND_OF.get(cell["kind"].lower())
        if not cell["code"]:
            problems.append(f"第 {number} 行「代码」为空")
        if not cell["name"]:
            problems.append(f"第 {number} 行「名称」为空")
        if kind is None:
            problems.append(f"第 {number} 行「类型」应为 区、部门、镇、街道 或 其他，实际为「{cell['kind']}」")
            continue
        rows.append(OrgUnitRow(cell["code"], cell["name"], kind, cell.get("parent", ""), cell.get("short_name", "")))
    codes = Counter(r.code for r in rows)
    problems += [f"代码「{c}」重复" for c in sorted(c for c, n in codes.items() if n > 1)]
    if problems:
        raise RowErrors(path, problems)
    return rows


def import_org_units(session: Session, actor: User | None, rows: Sequence[OrgUnitRow]) -> tuple[int, int]:
    """Create or update units by code in the caller's transaction; parents may come later in
    the file; a table with a problem (a parent cycle too) stores nothing. Returns (created,
    updated). Large tables go through :func:`~planwatch.services.orgunit_import.import_in_batches`.

    An administrator bound to a district imports that district's units only: every row must
    end up under the district, and no unit of another district is changed.
    """
    from planwatch.services.orgunit_import import audit_import, plan_import, write_plan  # it uses this module

    if actor is not None:
        check(actor, Action.MANAGE_ORG_UNITS)
    plan = plan_import(session, rows, region_of(session, actor))
    write_plan(session, plan)
    audit_import(session, actor, plan)
    return len(plan.create), len(plan.change)


class OrgUnitError(InputError):
    """A unit definition that cannot be stored; names the field and what was expected."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(field, problem)


_FIELD_LENGTHS = {"code": 32, "name": 200, "short_name": 100}


def _unit_state(unit: OrgUnit) -> dict[str, object]:
    return {"code": unit.code, "name": unit.name, "short_name": unit.short_name, "kind": unit.kind,
            "parent_id": unit.parent_id, "active": unit.active}


def _checked_fields(session: Session, unit: OrgUnit | None, fields: dict[str, str], kind: str,
                    parent_id: int | None) -> str:
    """The kind code, once every field is known to fit; raises OrgUnitError naming the field."""
    for field, limit in _FIELD_LENGTHS.items():
        value = fields[field]
        if field != "short_name" and not value:
            raise OrgUnitError(field, "不能为空")
        if len(value) > limit:
            raise OrgUnitError(field, f"最长 {limit} 个字符，实际 {len(value)} 个")
    kind_code = _KIND_OF.get(kind.strip().lower())
    if kind_code is None:
        raise OrgUnitError("kind", f"类型应为 区、部门、镇、街道 或 其他，实际为「{kind}」")
    own_id = unit.id if unit is not None else None
    for field in ("code", "name"):
        clash = session.scalar(select(OrgUnit).where(getattr(OrgUnit, field) == fields[field]))
        if clash is not None and clash.id != own_id:
            raise OrgUnitError(field, f"「{fields[field]}」已被单位 {clash.code} {clash.name} 使用")
    if parent_id is not None:
        if session.get(OrgUnit, parent_id) is None:
            raise OrgUnitError("parent", f"上级单位 #{parent_id} 不存在")
        if own_id is not None and parent_id in subtree(session.scalars(select(OrgUnit)), own_id):
            raise OrgUnitError("parent", "上级单位不能是本单位或其下级单位")
    return kind_code


def _check_parent(session: Session, actor: User, unit: OrgUnit | None, parent_id: int | None) -> None:
    """An administrator bound to a district places units under that district only (the
    district itself stays where it is)."""
    region = region_of(session, actor)
    if region.everywhere:
        return
    keeps_root = unit is not None and unit.id == region.unit_id and parent_id == unit.parent_id
    if not keeps_root and not region.has_unit(parent_id):
        raise OrgUnitError("parent", f"上级单位应为本地区（{region.name}）或其下级单位")


def create_org_unit(session: Session, actor: User, *, code: str, name: str, kind: str,
                    parent_id: int | None = None, short_name: str = "") -> OrgUnit:
    """A new active unit, e.g. a department the district has just set up."""
    check(actor, Action.MANAGE_ORG_UNITS)
    _check_parent(session, actor, None, parent_id)
    fields = {"code": code.strip(), "name": name.strip(), "short_name": short_name.strip()}
    kind_code = _checked_fields(session, None, fields, kind, parent_id)
    unit = OrgUnit(code=fields["code"], name=fields["name"], short_name=fields["short_name"], kind=kind_code,
                   parent_id=parent_id, active=True)
    session.add(unit)
    session.flush()
    session.add(AuditEvent.of(actor, "create", OrgUnit.__tablename__, unit.id, new=_unit_state(unit)))
    if unit.kind == "district":
        from planwatch.services.regions import claim_plans  # regions reads the tree through this module

        claim_plans(session)
    session.flush()
    return unit


def update_org_unit(session: Session, actor: User, unit: OrgUnit, *, name: str, short_name: str, kind: str,
                    parent_id: int | None) -> bool:
    """Rename, re-kind or move a unit (its code stays: exchange files refer to it); False if unchanged."""
    check(actor, Action.MANAGE_ORG_UNITS)
    require_unit(session, actor, unit.id)
    _check_parent(session, actor, unit, parent_id)
    fields = {"code": unit.code, "name": name.strip(), "short_name": short_name.strip()}
    kind_code = _checked_fields(session, unit, fields, kind, parent_id)
    old = _unit_state(unit)
    unit.name, unit.short_name, unit.kind, unit.parent_id = fields["name"], fields["short_name"], kind_code, parent_id
    if _unit_state(unit) == old:
        return False
    session.add(AuditEvent.of(actor, "update", OrgUnit.__tablename__, unit.id, old=old, new=_unit_state(unit)))
    session.flush()
    return True


def set_org_unit_active(session: Session, actor: User, unit: OrgUnit, active: bool) -> bool:
    """Deactivate a unit that was merged or dissolved (its history stays), or bring it back."""
    check(actor, Action.MANAGE_ORG_UNITS)
    require_unit(session, actor, unit.id)
    if unit.active == active:
        return False
    old = _unit_state(unit)
    unit.active = active
    session.add(AuditEvent.of(actor, "activate" if active else "deactivate", OrgUnit.__tablename__, unit.id,
                              old=old, new=_unit_state(unit)))
    session.flush()
    return True


_KIND_ORDER = {"district": 0, "department": 1, "town": 2, "subdistrict": 3, "other": 4}


@dataclass(frozen=True, slots=True)
class UnitLine:
    """A unit as a list of units shows it: with how many units it has below it."""

    unit: OrgUnit
    children: int
    parent_name: str | None = None


@dataclass(frozen=True, slots=True)
class UnitList:
    lines: list[UnitLine]
    total: int


def _sibling_order() -> tuple[Any, ...]:
    return (case(_KIND_ORDER, value=OrgUnit.kind, else_=9), OrgUnit.code)


def branch(session: Session, actor: User | None, parent_id: int | None, *, offset: int = 0,
           limit: int = 50) -> UnitList:
    """A page of the units of ``actor``'s region directly under ``parent_id`` (None: the top
    level, for a user of one district its district), in tree order: the tree of a province's
    20,000 units is read a branch at a time."""
    region = region_of(session, actor)
    if parent_id is None:
        under = OrgUnit.parent_id.is_(None) if region.everywhere else OrgUnit.id == region.unit_id
    else:
        under = OrgUnit.parent_id == parent_id
    under = and_(under, region.unit_filter(OrgUnit.id))
    total = session.scalar(select(func.count()).select_from(OrgUnit).where(under)) or 0
    units = list(session.scalars(select(OrgUnit).where(under).order_by(*_sibling_order()).offset(offset).limit(limit)))
    return UnitList(_lines(session, units), total)


def find_units(session: Session, actor: User | None, text: str, *, offset: int = 0, limit: int = 50) -> UnitList:
    """A page of the units of ``actor``'s region, active or not, whose code begins with, or
    whose name or short name contains, ``text``; each with its parent's name, since the tree
    is not shown."""
    wanted = text.strip()
    matches = and_(or_(OrgUnit.code.startswith(wanted, autoescape=True), OrgUnit.name.contains(wanted, autoescape=True),
                       OrgUnit.short_name.contains(wanted, autoescape=True)),
                   region_of(session, actor).unit_filter(OrgUnit.id))
    total = session.scalar(select(func.count()).select_from(OrgUnit).where(matches)) or 0
    units = list(session.scalars(select(OrgUnit).where(matches).order_by(OrgUnit.code).offset(offset).limit(limit)))
    parents = {unit_id: name for unit_id, name in session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_({u.parent_id for u in units if u.parent_id is not None})))}
    return UnitList([UnitLine(line.unit, line.children, parents.get(line.unit.parent_id or 0))
                     for line in _lines(session, units)], total)


def _lines(session: Session, units: Sequence[OrgUnit]) -> list[UnitLine]:
    counts = {parent: count for parent, count in session.execute(select(OrgUnit.parent_id, func.count()).where(
        OrgUnit.parent_id.in_([u.id for u in units])).group_by(OrgUnit.parent_id))}
    return [UnitLine(u, counts.get(u.id, 0)) for u in units]


def ancestors(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """The units above ``unit``, the top one first (a cycle left by old data ends the walk)."""
    path: list[OrgUnit] = []
    seen = {unit.id}
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in seen:
        parent = session.get(OrgUnit, parent_id)
        if parent is None:
            break
        seen.add(parent.id)
        path.append(parent)
        parent_id = parent.parent_id
    return path[::-1]


class UnknownOrgUnit(PlanWatchError):
    """No org unit answers to the code or name given."""


def find_org_unit(session: Session, ref: str, *, within: Collection[int] | None = None,
                  field: str = "org_unit") -> OrgUnit:
    """A unit by code, name, short name, or the abbreviation a plan would print (区林业局);
    only among the units of ``within`` when given (a user's district: 区卫生健康委 is then
    that district's, not another's). ``field`` names the option in the message."""
    text = ref.strip()
    candidates = [u for u in session.scalars(select(OrgUnit)) if within is None or u.id in within]
    unit = next((u for u in candidates if text in (u.code, u.name)), None) or UnitMatcher(candidates).match(text)
    if unit is None:
        where = ("（先在「组织机构」页面或用 planwatch orgunits import 导入组织机构）" if within is None
                 else "（只在所属地区的单位中查找）")
        raise UnknownOrgUnit(f"{field}：没有代码或名称为「{ref}」的单位{where}")
    return unit


def list_org_units(session: Session, actor: User | None = None, *,
                   within: Collection[int] | None = None, kind: str | None = None) -> list[OrgUnit]:
    """Active units of ``actor``'s region (only those of ``within`` when given: a plan's
    region; only those of ``kind``: the districts a user may be bound to, not a province's
    twenty thousand units) in tree order: the district first, then departments, towns and
    街道 by code."""
    region = region_of(session, actor)
    return sorted((u for u in session.scalars(select(OrgUnit).where(
                       OrgUnit.active.is_(True), true() if kind is None else OrgUnit.kind == kind))
                   if region.has_unit(u.id) and (within is None or u.id in within)),
                  key=lambda u: (_KIND_ORDER.get(u.kind, 9), u.code))
