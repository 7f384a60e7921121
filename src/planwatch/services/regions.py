"""Which district a plan belongs to, and which org units its printed names mean there.

Plans write their departments without the district (区卫生健康委), so a 大足区 plan
imported into a 青川区 installation used to be assigned to 青川区's departments. A plan now
belongs to a region, the subtree of a district-level org unit named by its issuer
(重庆市大足区人民政府) or its title (大足区…规划), and its names are matched only there.
When that district is not in the tree nothing is matched: the names are listed for the
administrator, who sets the region, creates the unit or maps the name to a unit; a mapping
is kept by plan key, so a revised version of the plan is assigned the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import InputError
from planwatch.monitor.permissions import Action, check
from planwatch.services import assignments, region_scope
from planwatch.services.orgunits import list_org_units
from planwatch.services.unit_names import UnitMatcher, unit_name_key
from planwatch.store.models import Assignment, AuditEvent, Indicator, OrgUnit, Plan, UnitNameMapping, User

__all__ = [
    "PlanUnitMatcher",
    "RegionChoice",
    "UnmatchedName",
    "apply_printed_assignments",
    "detect_region",
    "district_name",
    "map_unit_name",
    "plan_matcher",
    "plan_units",
    "printed_names",
    "region_known",
    "set_plan_region",
    "unmatched_names",
]

# A district as governments print it: 大足区, 云阳县, 两江新区; after a 省/市 or at the start.
_DISTRICT = re.compile(r"(?:^|[省市])([^\s省市区县“”\"《》（）()、，,]{1,5}?(?:新区|区|县))")
_NOT_DISTRICTS = frozenset({"全区", "本区", "该区", "各区", "城区", "辖区", "园区", "社区", "片区", "景区",
                            "街区", "全县", "本县", "该县", "各县", "开发区", "高新区"})


def district_name(*texts: str | None) -> str | None:
    """The first district named by the texts (issuer first, then title): 大足区."""
    for text in texts:
        match = _DISTRICT.search(unit_name_key(text or ""))
        if match and match.group(1) not in _NOT_DISTRICTS:
            return match.group(1)
    return None


@dataclass(frozen=True, slots=True)
class RegionChoice:
    """The region detected for a plan: the unit when the tree has it, and the name as printed."""

    unit_id: int | None
    name: str | None


def detect_region(session: Session, issuer: str | None, title: str) -> RegionChoice:
    """The district-level org unit the issuer or title names; ``unit_id`` None when the named
    district is not in the tree. A plan naming no district is the installation's own: the
    district when the tree has one, else undecided (the whole tree applies to its names, and
    an administrator sets its district)."""
    name = district_name(issuer, title)
    districts = list(session.scalars(select(OrgUnit).where(OrgUnit.kind == "district").order_by(OrgUnit.id)))
    if name is None:
        only = districts[0] if len(districts) == 1 else None
        return RegionChoice(only.id, district_name(only.name) or only.name) if only else RegionChoice(None, None)
    for unit in districts:
        if name in (unit_name_key(unit.name), unit.short_name, district_name(unit.name)):
            return RegionChoice(unit.id, name)
    return RegionChoice(None, name)


def claim_plans(session: Session) -> int:
    """Bind the plans imported before their district's org units to the district now in the
    tree (an office often uploads its plan first and builds its units after); returns how
    many. Plans an administrator already bound are left alone."""
    bound = 0
    for plan in session.scalars(select(Plan).where(Plan.current.is_(True), Plan.region_org_unit_id.is_(None))):
        found = detect_region(session, plan.region_name, plan.title)
        if found.unit_id is not None:
            plan.region_org_unit_id, plan.region_name = found.unit_id, found.name
            bound += 1
    if bound:
        session.flush()
    return bound


class PlanUnitMatcher:
    """Finds the unit a plan means: an administrator's mapping first, then the region's units."""

    def __init__(self, region: UnitMatcher, mapped: dict[str, OrgUnit]) -> None:
        self._region = region
        self._mapped = mapped

    def match(self, printed: str) -> OrgUnit | None:
        found = self._mapped.get(unit_name_key(printed))
        if found is not None:
            return found
        return self._region.match(printed)


def _region_units(session: Session, region: RegionChoice) -> list[OrgUnit]:
    """The units a plan's names may mean (see :func:`region_scope.region_named`)."""
    inside = region_scope.region_named(session, region.unit_id, region.name)
    return [u for u in session.scalars(select(OrgUnit)) if inside.has_unit(u.id)]


def plan_units(session: Session, actor: User | None, plan: Plan, *, reporting: bool = False) -> list[OrgUnit]:
    """The units a picker offers for ``plan`` (assignments, ledger units, assessment): the
    active units of the plan's region that ``actor`` may see, in tree order; ``reporting``:
    only those with indicators of the plan in use assigned (by code), read from the
    assignments, not from every unit of the region."""
    if not reporting:
        return list_org_units(session, actor, within=region_scope.assignable(session, plan).unit_ids)
    plan_region, seen = region_scope.assignable(session, plan), region_scope.region_of(session, actor)
    assigned = (select(Assignment.org_unit_id).join(Indicator, Indicator.id == Assignment.indicator_id)
                .where(Indicator.plan_id == plan.id, Indicator.retired_at.is_(None)))
    return sorted((u for u in session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True),
                                                                    OrgUnit.id.in_(assigned)))
                   if plan_region.has_unit(u.id) and seen.has_unit(u.id)), key=lambda u: u.code)


def region_known(session: Session, plan: Plan) -> bool:
    """Whether the org-unit tree has any unit of the district the plan belongs to (as
    :func:`_region_units` chooses them), asked of the database: a province has 20,000 units."""
    region = _plan_region(plan)
    if region.unit_id is not None:
        return session.get(OrgUnit, region.unit_id) is not None  # the region's subtree holds its root
    query = select(OrgUnit.id)
    if region.name is not None:
        query = query.where(OrgUnit.name.startswith(region.name, autoescape=True))
    return session.scalar(query.limit(1)) is not None


def plan_matcher(session: Session, plan_key: str, region: RegionChoice) -> PlanUnitMatcher:
    """The matcher for one plan: an administrator's mappings, then its region's units."""
    scope = UnitMatcher(_region_units(session, region))
    mapped = {unit_name_key(m.printed_name): unit for m, unit in session.execute(
        select(UnitNameMapping, OrgUnit).join(OrgUnit, OrgUnit.id == UnitNameMapping.org_unit_id)
        .where(UnitNameMapping.plan_key == plan_key))}
    return PlanUnitMatcher(scope, mapped)


def _plan_region(plan: Plan) -> RegionChoice:
    return RegionChoice(plan.region_org_unit_id, plan.region_name)


def printed_names(responsible_text: str) -> list[str]:
    """The responsible units an indicator's source row names, in order."""
    return [name for name in (part.strip() for part in responsible_text.split("、")) if name]


@dataclass(frozen=True, slots=True)
class UnmatchedName:
    name: str
    indicators: int  # how many of the plan's indicators name it


def unmatched_names(session: Session, plan: Plan) -> list[UnmatchedName]:
    """Responsible-unit names of the plan's indicators that no unit answers to, most used first."""
    printed: dict[str, int] = {}
    for text in session.scalars(select(Indicator.responsible_text).where(
            Indicator.plan_id == plan.id, Indicator.responsible_text != "")):
        for name in dict.fromkeys(printed_names(text or "")):
            printed[name] = printed.get(name, 0) + 1
    if not printed:  # nothing to match: the matcher reads every unit of the region
        return []
    matcher = plan_matcher(session, plan.plan_key, _plan_region(plan))
    counts = {name: count for name, count in printed.items() if matcher.match(name) is None}
    return [UnmatchedName(name, count) for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def apply_printed_assignments(session: Session, actor: User, plan: Plan) -> int:
    """Assign every indicator of ``plan`` to the units its printed names now match (the first
    牵头, the others 责任), leaving assignments already made alone; returns how many were added."""
    matcher = plan_matcher(session, plan.plan_key, _plan_region(plan))
    indicators: Sequence[Indicator] = list(session.scalars(select(Indicator).where(Indicator.plan_id == plan.id)))
    existing = {(a.indicator_id, a.org_unit_id) for a in session.scalars(
        select(Assignment).where(Assignment.indicator_id.in_([i.id for i in indicators])))}
    added = 0
    for indicator in indicators:
        units = _matched_units(matcher, printed_names(indicator.responsible_text or ""))
        for number, unit in enumerate(units):
            if (indicator.id, unit.id) not in existing:
                assignments.assign(session, actor, indicator, unit, "牵头" if number == 0 else "责任")
                added += 1
    return added


def _matched_units(matcher: PlanUnitMatcher, names: Iterable[str]) -> list[OrgUnit]:
    units: dict[int, OrgUnit] = {}
    for name in names:
        unit = matcher.match(name)
        if unit is not None:
            units.setdefault(unit.id, unit)
    return list(units.values())


def map_unit_name(session: Session, actor: User, plan: Plan, printed: str, unit: OrgUnit) -> int:
    """Remember that ``plan`` means ``unit`` by ``printed`` and assign at once; returns the
    number of assignments made."""
    check(actor, Action.ASSIGN)
    region_scope.require_plan(session, actor, plan)
    _require_plan_unit(session, actor, plan, unit)
    name = unit_name_key(printed)
    if not name or len(name) > 200:
        raise InputError("printed_name", "应为规划中写的责任单位名称（1–200 个字符）")
    row = session.scalar(select(UnitNameMapping).where(UnitNameMapping.plan_key == plan.plan_key,
                                                       UnitNameMapping.printed_name == name))
    old = None
    if row is None:
        row = UnitNameMapping(plan_key=plan.plan_key, printed_name=name, org_unit_id=unit.id, created_by_id=actor.id)
        session.add(row)
    else:
        old = {"org_unit_id": row.org_unit_id}
        row.org_unit_id = unit.id
    session.flush()
    session.add(AuditEvent.of(actor, "map_unit_name", UnitNameMapping.__tablename__, row.id, old=old,
                              new={"plan_key": plan.plan_key, "printed_name": name, "org_unit_id": unit.id}))
    session.flush()
    return apply_printed_assignments(session, actor, plan)


def set_plan_region(session: Session, actor: User, plan: Plan, unit: OrgUnit) -> int:
    """Make ``unit``'s subtree the plan's region and assign what now matches; returns the
    number of assignments made."""
    check(actor, Action.MANAGE_ORG_UNITS)
    region_scope.require_plan(session, actor, plan)
    region_scope.require_unit(session, actor, unit.id)
    if unit.kind != "district":
        raise InputError("region", f"规划所属地区应为区县级单位，「{unit.name}」不是")
    old = {"region_org_unit_id": plan.region_org_unit_id, "region_name": plan.region_name}
    plan.region_org_unit_id, plan.region_name = unit.id, district_name(unit.name) or unit.name
    session.add(AuditEvent.of(actor, "set_region", Plan.__tablename__, plan.id, old=old,
                              new={"region_org_unit_id": unit.id, "region_name": plan.region_name}))
    session.flush()
    return apply_printed_assignments(session, actor, plan)


def _require_plan_unit(session: Session, actor: User | None, plan: Plan, unit: OrgUnit) -> None:
    """A unit named for a plan must be one of its region's (and one ``actor`` may see)."""
    region_scope.require_unit(session, actor, unit.id)
    if not region_scope.assignable(session, plan).has_unit(unit.id):
        raise InputError("unit_id", f"「{unit.name}」不是规划所属地区（{plan.region_name or '未设置'}）的单位")
