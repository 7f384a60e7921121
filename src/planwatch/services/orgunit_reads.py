"""The org units pages name beside their own subject: a unit's parent, a clerk's own unit,
the districts and units offered in a form's select, the names of a task's units.

Every read keeps to the acting user's region (:mod:`planwatch.services.region_scope`): a
select offers only the units of the user's district, and a name is given only for a unit
the user may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services import region_scope
from planwatch.store.models import OrgUnit, User

__all__ = ["UnitChoice", "active_districts", "active_unit_choices", "own_unit", "parent_of", "unit_names"]


class UnitChoice(NamedTuple):
    """A unit as a filter's select offers it (a pair: the templates unpack it)."""

    id: int
    name: str


def parent_of(session: Session, actor: User, unit: OrgUnit) -> OrgUnit | None:
    """The unit above ``unit`` (one of the actor's region); None for a top-level unit. A
    district's parent lies outside the district: its name is shown, as the tree's root."""
    region_scope.org_unit(session, actor, unit.id)
    return session.get(OrgUnit, unit.parent_id) if unit.parent_id is not None else None


def own_unit(session: Session, user: User) -> OrgUnit | None:
    """The unit a clerk reports for; None when the user is bound to none."""
    return session.get_one(OrgUnit, user.org_unit_id) if user.org_unit_id is not None else None


def active_districts(session: Session, actor: User) -> list[OrgUnit]:
    """The active district-level units of the actor's region, by code (a plan's region is one)."""
    return list(session.scalars(select(OrgUnit).where(
        OrgUnit.kind == "district", OrgUnit.active.is_(True),
        region_scope.region_of(session, actor).unit_filter(OrgUnit.id)).order_by(OrgUnit.code)))


def active_unit_choices(session: Session, actor: User) -> list[UnitChoice]:
    """Every active unit of the actor's region, by code, for a filter."""
    rows = session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.active.is_(True), region_scope.region_of(session, actor).unit_filter(OrgUnit.id))
        .order_by(OrgUnit.code))
    return [UnitChoice(unit_id, name) for unit_id, name in rows]


def unit_names(session: Session, actor: User, unit_ids: Iterable[int]) -> dict[int, str]:
    """The names of those of ``unit_ids`` that lie in the actor's region."""
    region = region_scope.region_of(session, actor)
    wanted = [u for u in set(unit_ids) if region.has_unit(u)]
    return {unit_id: name for unit_id, name in session.execute(
        select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(wanted)))}
