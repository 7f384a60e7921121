"""Who reports what: indicator × org unit responsibilities (牵头 / 责任 / 配合).

Import fills them from the units a plan names; people change them here, and every change
goes to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.monitor.permissions import Action, check
from planwatch.store.models import Assignment, AuditEvent, Indicator, OrgUnit, Plan, User, utcnow

__all__ = [
    "ROLES",
    "AssignmentError",
    "AssignmentView",
    "assign",
    "find_indicator",
    "list_assignments",
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
    if found is None and text.isdigit():
        by_id = session.get(Indicator, int(text))
        found = by_id if by_id is not None and by_id.plan_id == plan.id else None
    if found is None:
        named = list(session.scalars(select(Indicator).where(Indicator.plan_id == plan.id, Indicator.name == text)))
        found = named[0] if len(named) == 1 else None
    if found is None:
        raise AssignmentError(f"indicator：规划「{plan.title}」中没有代码、编号或名称为「{ref}」的指标")
    return found


def assign(session: Session, actor: User | None, indicator: Indicator, unit: OrgUnit, role: str = "责任") -> bool:
    """Make ``unit`` responsible for ``indicator`` (or change its role); False when nothing changed."""
    if actor is not None:
        check(actor, Action.ASSIGN)
    if role not in ROLES:
        raise AssignmentError(f"role：责任类型应为 {'、'.join(ROLES)} 之一，实际为「{role}」")
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
    if actor is not None:
        check(actor, Action.ASSIGN)
    row = session.scalar(select(Assignment).where(Assignment.indicator_id == indicator.id,
                                                  Assignment.org_unit_id == unit.id))
    if row is None:
        return False
    _audit(session, actor, "unassign", indicator, unit, {"role": row.role, "origin": row.origin}, None)
    session.delete(row)
    session.flush()
    return True


def _audit(session: Session, actor: User | None, action: str, indicator: Indicator, unit: OrgUnit,
           old: dict[str, object] | None, new: dict[str, object] | None) -> None:
    session.add(AuditEvent(at=utcnow(), actor_id=actor.id if actor else None,
                           actor_login=actor.login if actor else "cli", action=action, entity="assignments",
                           entity_id=f"{indicator.id}:{unit.id}", old=old, new=new))


def list_assignments(session: Session, plan: Plan, org_unit_id: int | None = None) -> list[AssignmentView]:
    query = (select(Assignment, Indicator, OrgUnit)
             .join(Indicator, Indicator.id == Assignment.indicator_id)
             .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id)
             .where(Indicator.plan_id == plan.id)
             .order_by(Indicator.code, OrgUnit.code))
    if org_unit_id is not None:
        query = query.where(Assignment.org_unit_id == org_unit_id)
    return [AssignmentView(i.id, i.code, i.name, u.id, u.code, u.name, a.role, a.origin)
            for a, i, u in session.execute(query)]
