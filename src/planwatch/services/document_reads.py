"""What the documents pages read: the files of the user's district with their plans, the
plans an upload stored, and a file opened in the viewer with its current plans.

A file belongs to the districts of the plans read from it
(:func:`planwatch.services.region_scope.file_filter`); everyone who may view data may list
and open the files of their district (a clerk only once bound to a unit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.services import region_scope
from planwatch.store.models import Indicator, Plan, SourceFile, User

__all__ = ["FileLine", "FilePlan", "file_listing", "imported_plans", "opened_file",
           "stored_source"]


@dataclass(frozen=True, slots=True)
class FilePlan:
    """A current plan read from a listed file."""

    id: int
    title: str
    version: int


@dataclass(frozen=True, slots=True)
class FileLine:
    """A file of the documents list: what it is, when it came, what was read from it."""

    id: int
    name: str
    format: str
    size: int
    imported_at: datetime
    indicators: int
    plans: list[FilePlan]


def _check_may_view(actor: User) -> None:
    """Documents are data: viewed by those who may view data (a clerk bound to a unit)."""
    check(actor, Action.VIEW, Scope(org_unit_id=visible_org_unit_id(actor)))


def file_listing(session: Session, actor: User) -> list[FileLine]:
    """The files of the actor's district (those its current plans were read from), newest first."""
    _check_may_view(actor)
    region = region_scope.region_of(session, actor)
    counts = {file_id: count for file_id, count in session.execute(
        select(Plan.source_file_id, func.count(Indicator.id)).join(Indicator)
        .where(Plan.current.is_(True), region.plan_filter()).group_by(Plan.source_file_id))}
    files = session.execute(select(SourceFile.id, SourceFile.name, SourceFile.format, SourceFile.size,
                                   SourceFile.imported_at).where(region_scope.file_filter(region))
                            .order_by(SourceFile.id.desc())).all()
    plans = session.execute(select(Plan.id, Plan.title, Plan.version, Plan.source_file_id)
                            .where(Plan.current.is_(True), region.plan_filter()).order_by(Plan.id)).all()
    return [FileLine(f.id, f.name, f.format, f.size, f.imported_at, counts.get(f.id, 0),
                     [FilePlan(p.id, p.title, p.version) for p in plans if p.source_file_id == f.id])
            for f in files]


def imported_plans(session: Session, actor: User, plan_ids: Iterable[int]) -> list[Plan]:
    """The plans an upload stored that lie in the actor's district (another district's are left
    out, as if the upload had not read them), in the order given."""
    region = region_scope.region_of(session, actor)
    found = (session.get(Plan, plan_id) for plan_id in plan_ids)
    return [plan for plan in found if plan is not None and region.has_plan(plan)]


def stored_source(session: Session, actor: User, sha256: str) -> SourceFile | None:
    """The stored file with these contents, when a plan of the actor's district was read from it."""
    return session.scalar(select(SourceFile).where(
        SourceFile.sha256 == sha256, region_scope.file_filter(region_scope.region_of(session, actor))))


def opened_file(session: Session, actor: User, file_id: int) -> tuple[SourceFile, list[Plan]]:
    """A file for the viewer and its current plans of the actor's district, in reading order."""
    _check_may_view(actor)
    source = region_scope.source_file(session, actor, file_id)
    region = region_scope.region_of(session, actor)
    plans = session.scalars(select(Plan).where(Plan.source_file_id == source.id, Plan.current.is_(True))
                            .order_by(Plan.start_line))
    return source, [plan for plan in plans if region.has_plan(plan)]
