"""The district's org units: import from CSV/XLSX, the tree, and finding a unit by the
name a plan writes (区教委, 区卫生健康委, 各镇街)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from planwatch.errors import InputError, PlanWatchError
from planwatch.ingest.containers import check_zip_container
from planwatch.monitor.permissions import Action, check
from planwatch.store.models import AuditEvent, OrgUnit, User, utcnow

__all__ = [
    "KINDS",
    "OrgUnitError",
    "OrgUnitRow",
    "RowErrors",
    "UnitLine",
    "UnitList",
    "UnitMatcher",
    "UnknownOrgUnit",
    "ancestors",
    "branch",
    "create_org_unit",
    "find_org_unit",
    "find_units",
    "import_org_units",
    "list_org_units",
    "read_org_unit_file",
    "read_table",
    "set_org_unit_active",
    "subtree",
    "unit_name_key",
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


class RowErrors(InputError):
    """Every bad row of an uploaded table at once, so the user fixes them in one go."""

    def __init__(self, path: str | Path, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(path, "；".join(self.problems))


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
    codes = [r.code for r in rows]
    problems += [f"代码「{c}」重复" for c in sorted({c for c in codes if codes.count(c) > 1})]
    if problems:
        raise RowErrors(path, problems)
    return rows


def read_table(path: Path) -> list[list[str]]:
    """The cells of a CSV (UTF-8 or GB18030) or the first sheet of an XLSX file, as text."""
    if not path.is_file():
        raise InputError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    raise InputError(path, f"unsupported file type {suffix or '(none)'}; expected .csv or .xlsx")


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(path, "无法解码：应为 UTF-8 或 GB18030 编码的 CSV")
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:  # a field over csv.field_size_limit(), a NUL byte
        raise InputError(path, f"第 {reader.line_num} 行不是有效的 CSV：{exc}") from None


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    data = path.read_bytes()
    check_zip_container(path, data, suffix=".xlsx", main_part="xl/workbook.xml")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputError(path, f"不是有效的 .xlsx 文件（{exc.__class__.__name__}）") from None
    sheet = workbook.worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def import_org_units(session: Session, actor: User | None, rows: Sequence[OrgUnitRow]) -> tuple[int, int]:
    """Create or update units by code; parents may come later in the file. Returns (created, updated)."""
    if actor is not None:
        check(actor, Action.MANAGE_ORG_UNITS)
    existing = {u.code: u for u in session.scalars(select(OrgUnit))}
    by_name = {u.name: u for u in existing.values()}
    created = updated = 0
    for row in rows:
        unit = existing.get(row.code)
        clash = by_name.get(row.name)
        if clash is not None and clash.code != row.code:
            raise InputError("org units", f"名称「{row.name}」已被代码 {clash.code} 使用")
        if unit is None:
            unit = OrgUnit(code=row.code, name=row.name, kind=row.kind, short_name=row.short_name, active=True)
            session.add(unit)
            existing[row.code] = unit
            created += 1
        elif (unit.name, unit.kind, unit.short_name) != (row.name, row.kind, row.short_name):
            unit.name, unit.kind, unit.short_name = row.name, row.kind, row.short_name
            updated += 1
        by_name[row.name] = unit
    session.flush()
    for row in rows:
        if not row.parent:
            continue
        parent = existing.get(row.parent) or by_name.get(row.parent)
        if parent is None:
            raise InputError("org units", f"单位「{row.name}」的上级「{row.parent}」不存在")
        if parent.code == row.code:
            raise InputError("org units", f"单位「{row.name}」不能是自己的上级")
        existing[row.code].parent_id = parent.id
    session.add(AuditEvent(at=utcnow(), actor_id=actor.id if actor else None,
                           actor_login=actor.login if actor else "cli", action="import", entity="org_units",
                           entity_id="*", new={"created": created, "updated": updated}))
    session.flush()
    return created, updated


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


def create_org_unit(session: Session, actor: User, *, code: str, name: str, kind: str,
                    parent_id: int | None = None, short_name: str = "") -> OrgUnit:
    """A new active unit, e.g. a department the district has just set up."""
    check(actor, Action.MANAGE_ORG_UNITS)
    fields = {"code": code.strip(), "name": name.strip(), "short_name": short_name.strip()}
    kind_code = _checked_fields(session, None, fields, kind, parent_id)
    unit = OrgUnit(code=fields["code"], name=fields["name"], short_name=fields["short_name"], kind=kind_code,
                   parent_id=parent_id, active=True)
    session.add(unit)
    session.flush()
    session.add(AuditEvent.of(actor, "create", OrgUnit.__tablename__, unit.id, new=_unit_state(unit)))
    session.flush()
    return unit


def update_org_unit(session: Session, actor: User, unit: OrgUnit, *, name: str, short_name: str, kind: str,
                    parent_id: int | None) -> bool:
    """Rename, re-kind or move a unit (its code stays: exchange files refer to it); False if unchanged."""
    check(actor, Action.MANAGE_ORG_UNITS)
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


def branch(session: Session, parent_id: int | None, *, offset: int = 0, limit: int = 50) -> UnitList:
    """A page of the units directly under ``parent_id`` (None: the top level), in tree order:
    the tree of a province's 20,000 units is read a branch at a time."""
    under = OrgUnit.parent_id.is_(None) if parent_id is None else OrgUnit.parent_id == parent_id
    total = session.scalar(select(func.count()).select_from(OrgUnit).where(under)) or 0
    units = list(session.scalars(select(OrgUnit).where(under).order_by(*_sibling_order()).offset(offset).limit(limit)))
    return UnitList(_lines(session, units), total)


def find_units(session: Session, text: str, *, offset: int = 0, limit: int = 50) -> UnitList:
    """A page of the units, active or not, whose code begins with, or whose name or short
    name contains, ``text``; each with its parent's name, since the tree is not shown."""
    wanted = text.strip()
    matches = or_(OrgUnit.code.startswith(wanted, autoescape=True), OrgUnit.name.contains(wanted, autoescape=True),
                  OrgUnit.short_name.contains(wanted, autoescape=True))
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


class UnknownOrgUnit(PlanWatchError):
    """No org unit answers to the code or name given."""


def find_org_unit(session: Session, ref: str) -> OrgUnit:
    """A unit by code, name, short name, or the abbreviation a plan would print (区林业局)."""
    text = ref.strip()
    unit = session.scalar(select(OrgUnit).where((OrgUnit.code == text) | (OrgUnit.name == text)))
    if unit is None:
        unit = UnitMatcher(session.scalars(select(OrgUnit))).match(text)
    if unit is None:
        raise UnknownOrgUnit(f"org_unit：没有代码或名称为「{ref}」的单位（先用 planwatch orgunits import 导入组织机构）")
    return unit


def list_org_units(session: Session) -> list[OrgUnit]:
    """Units in tree order: the district first, then departments, towns and 街道 by code."""
    return sorted(session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True))),
                  key=lambda u: (_KIND_ORDER.get(u.kind, 9), u.code))


class UnitMatcher:
    """Finds the org unit a plan means by a name as printed.

    Plans of a district write its departments as 区X: 区教委 for 青川区教育委员会, 区卫生健康委
    for 青川区卫生健康委员会. A unit matches its full or short name, or a name the printed
    text abbreviates once both lose the district prefix (青川区 / 区): every printed
    character in order, same first character. An ambiguous abbreviation matches nothing
    rather than the wrong unit.
    """

    def __init__(self, units: Iterable[OrgUnit]) -> None:
        self.units = [u for u in units if u.active]
        self._exact: dict[str, OrgUnit] = {}
        for unit in self.units:
            for name in (unit.name, unit.short_name, _local(unit.name)):
                if name:
                    self._exact.setdefault(unit_name_key(name), unit)

    def match(self, printed: str) -> OrgUnit | None:
        key = unit_name_key(printed)
        if not key:
            return None
        found = self._exact.get(key) or self._exact.get(_local(key))
        if found is not None:
            return found
        short = _local(key)
        candidates = [u for u in self.units if _abbreviates(short, _local(unit_name_key(u.name)))]
        return candidates[0] if len(candidates) == 1 else None


_DISTRICT_PREFIX = re.compile(r"^(?:[^区县市]{1,6}?[区县市](?!域|级))|^[区县]")


def _local(name: str) -> str:
    """A department's name without its district: 青川区林业局 → 林业局, 区林业局 → 林业局."""
    stripped = _DISTRICT_PREFIX.sub("", name, count=1)
    return stripped if len(stripped) >= 2 else name


def unit_name_key(name: str) -> str:
    """A printed unit name without the spaces layouts put into it."""
    return name.strip().replace(" ", "").replace("　", "")


def _abbreviates(short: str, full: str) -> bool:
    if len(short) < 2 or short[0] != full[0] or len(short) >= len(full):
        return False
    position = 0
    for char in short:
        position = full.find(char, position)
        if position < 0:
            return False
        position += 1
    return True
