"""Importing the org-unit tree from a table: checked whole first, then written in batches.

A district's table can list tens of thousands of units (towns, villages, schools). Written
in one transaction, a 20 000-row import held SQLite's one write lock for 4.7 s and every
clerk's save waited behind it. So the import is planned in memory against one read of the
stored units — every row's problems, names used twice, unknown parents and parent cycles
(C1 → C2 → C1) are found before anything is written, and a table with any is refused
whole — and then written :data:`BATCH` rows per short transaction, so other writes go in
between. Writing is by code and idempotent: should a batch fail (a unit renamed at the
same moment to a name of the table), the batches before it stay and uploading the same
table again completes the import; the message says so.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planwatch.errors import InputError
from planwatch.monitor.permissions import Action, check
from planwatch.services.orgunits import OrgUnitRow
from planwatch.services.region_scope import EVERYWHERE, Region, region_of
from planwatch.services.table_files import RowErrors
from planwatch.store import Database
from planwatch.store.models import AuditEvent, OrgUnit, User, utcnow

__all__ = ["BATCH", "ImportPlan", "import_in_batches", "plan_import", "write_plan"]

log = logging.getLogger(__name__)

BATCH: Final = 1000  # rows per transaction: some tens of milliseconds of SQLite's write lock
# A pause between batches on SQLite: its busy handler polls, so a writer waiting for the
# lock would otherwise lose it to the next batch again and again.
_SQLITE_PAUSE_S: Final = 0.05


@dataclass(frozen=True, slots=True)
class _Stored:
    id: int
    name: str
    kind: str
    short_name: str
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import will do: rows to create, rows to change, and each code's parent code."""

    create: tuple[OrgUnitRow, ...]
    change: tuple[tuple[int, OrgUnitRow], ...]  # (stored id, row)
    parents: tuple[tuple[str, str], ...]  # (code, parent's code) for every row with a parent


def _stored(session: Session) -> dict[str, _Stored]:
    return {code: _Stored(unit_id, name, kind, short_name or "", parent_id) for unit_id, code, name, kind, short_name,
            parent_id in session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.kind,
                                                OrgUnit.short_name, OrgUnit.parent_id))}


def plan_import(session: Session, rows: Sequence[OrgUnitRow], region: Region = EVERYWHERE) -> ImportPlan:
    """Check the table against the stored units; :class:`RowErrors` lists every problem. An
    administrator bound to a district (``region``) imports that district's units only: no
    code of another district's unit, and every row ends up under the district."""
    stored = _stored(session)
    code_of_id = {unit.id: code for code, unit in stored.items()}
    name_owner = {unit.name: code for code, unit in stored.items()}
    table_codes = {row.code for row in rows}
    problems: list[str] = []
    for row in rows:
        owner = name_owner.get(row.name)
        if owner is not None and owner != row.code and owner not in table_codes:
            problems.append(f"单位「{row.name}」：名称已被代码 {owner} 使用")
        name_owner[row.name] = row.code
    final_names = {row.name: row.code for row in rows}
    counts = Counter(row.name for row in rows)
    problems += [f"名称「{name}」在表中出现多次" for name in sorted(n for n, c in counts.items() if c > 1)]
    parent_of = {code: code_of_id.get(unit.parent_id) if unit.parent_id else None for code, unit in stored.items()}
    by_name = {**{unit.name: code for code, unit in stored.items()}, **final_names}
    links: list[tuple[str, str]] = []
    for row in rows:
        if not row.parent:
            continue
        parent = row.parent if row.parent in stored or row.parent in table_codes else by_name.get(row.parent)
        if parent is None:
            problems.append(f"单位「{row.name}」的上级「{row.parent}」不存在")
        elif parent == row.code:
            problems.append(f"单位「{row.name}」不能是自己的上级")
        else:
            parent_of[row.code] = parent
            links.append((row.code, parent))
    problems += _cycles(parent_of, table_codes)
    if not problems and not region.everywhere:
        problems += _outside(region, stored, parent_of, rows)
    if problems:
        log.info("org-unit table of %d rows refused: %d problems", len(rows), len(problems))
        raise RowErrors("org units", problems)
    create = tuple(row for row in rows if row.code not in stored)
    change = tuple((stored[row.code].id, row) for row in rows if row.code in stored and (
        stored[row.code].name, stored[row.code].kind, stored[row.code].short_name) != (row.name, row.kind,
                                                                                      row.short_name))
    return ImportPlan(create, change, tuple(links))


def _outside(region: Region, stored: dict[str, _Stored], parent_of: dict[str, str | None],
             rows: Sequence[OrgUnitRow]) -> list[str]:
    """The rows a district's administrator may not import: another district's code, or a unit
    that would not lie under the district (its parents walked up in the table's final tree)."""
    root = next((code for code, unit in stored.items() if unit.id == region.unit_id), None)
    problems = [f"代码 {row.code} 已被其他地区的单位使用，不能在本地区（{region.name}）导入"
                for row in rows if row.code in stored and not region.has_unit(stored[row.code].id)]
    outside = []
    for row in rows:
        code: str | None = row.code
        while code is not None and code != root:
            code = parent_of.get(code)
        if code is None:
            outside.append(row.name)
    if outside:
        problems.append(f"单位「{'、'.join(outside[:5])}」不在本地区（{region.name}）之下：上级代码应为本地区或其下级单位")
    return problems


def _cycles(parent_of: dict[str, str | None], codes: set[str]) -> list[str]:
    """A line per cycle the table would make (C1 → C2 → C1), found by walking up from each row."""
    found: list[str] = []
    done: set[str] = set()
    for start in sorted(codes):
        path: list[str] = []
        seen: dict[str, int] = {}
        code: str | None = start
        while code is not None and code not in done:
            if code in seen:
                cycle = [*path[seen[code]:], code]
                found.append(f"上级关系成环：{' → '.join(cycle)}（一个单位不能是自己的上级的上级）")
                break
            seen[code] = len(path)
            path.append(code)
            code = parent_of.get(code)
        done.update(path)
    return found


def write_plan(session: Session, plan: ImportPlan) -> None:
    """Apply (part of) a checked plan in ``session``: new units, changed ones, then parents."""
    if plan.create:
        session.execute(insert(OrgUnit), [{"code": r.code, "name": r.name, "kind": r.kind, "short_name": r.short_name,
                                           "active": True} for r in plan.create])
    for unit_id, row in plan.change:
        session.execute(update(OrgUnit).where(OrgUnit.id == unit_id).values(
            name=row.name, kind=row.kind, short_name=row.short_name))
    session.flush()
    if plan.parents:
        codes = {code for pair in plan.parents for code in pair}
        ids = dict(session.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(codes))).all())
        session.execute(update(OrgUnit), [{"id": ids[code], "parent_id": ids[parent]}
                                          for code, parent in plan.parents])


def audit_import(session: Session, actor: User | None, plan: ImportPlan) -> None:
    """Audit the import, and bind plans waiting for the districts it brought."""
    from planwatch.services.regions import claim_plans  # regions reads the tree through orgunits

    claim_plans(session)
    session.add(AuditEvent(at=utcnow(), actor_id=actor.id if actor else None,
                           actor_login=actor.login if actor else "cli", action="import", entity="org_units",
                           entity_id="*", new={"created": len(plan.create), "updated": len(plan.change)}))
    session.flush()
    log.info("org units imported: %d created, %d updated", len(plan.create), len(plan.change))


def import_in_batches(database: Database, actor_id: int | None, rows: Sequence[OrgUnitRow]) -> tuple[int, int]:
    """Plan, then write the import ``BATCH`` rows per transaction; returns (created, updated).
    ``actor_id`` None is the command line's operator."""
    with database.session(readonly=True) as session:
        actor = session.get_one(User, actor_id) if actor_id is not None else None
        if actor is not None:
            check(actor, Action.MANAGE_ORG_UNITS)
        plan = plan_import(session, rows, region_of(session, actor))
    parts = [ImportPlan(plan.create[n:n + BATCH], (), ()) for n in range(0, len(plan.create), BATCH)]
    parts += [ImportPlan((), plan.change[n:n + BATCH], ()) for n in range(0, len(plan.change), BATCH)]
    parts += [ImportPlan((), (), plan.parents[n:n + BATCH]) for n in range(0, len(plan.parents), BATCH)]
    written = 0
    for part in parts:
        try:
            with database.session() as session:
                write_plan(session, part)
        except IntegrityError:
            log.warning("org-unit import stopped by a concurrent change after %d writes", written)
            raise InputError("org units", f"导入中途与他人的修改冲突，已写入 {written} 项；请重新上传同一张表完成导入"
                             "（按代码导入，重复导入不会重复创建）") from None
        written += len(part.create) + len(part.change) + len(part.parents)
        if database.dialect == "sqlite":
            time.sleep(_SQLITE_PAUSE_S)
    with database.session() as session:
        audit_import(session, session.get(User, actor_id) if actor_id is not None else None, plan)
    return len(plan.create), len(plan.change)
