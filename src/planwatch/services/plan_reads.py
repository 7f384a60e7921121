"""What a plan's pages read beside its indicator figures: the outline, the retired
indicators, the district the plan belongs to, the domains and the chosen indicators of the
assignment page, and what the indicator page shows of merges and definition changes.

Each read takes the acting user and refuses a plan outside the user's region
(:func:`planwatch.services.region_scope.require_plan`), as every read by id does.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services import region_scope
from planwatch.store.models import AuditEvent, Indicator, OrgUnit, Plan, Section, User

__all__ = ["assignment_domains", "definition_events", "district_unit", "indicators_by_id", "merged_into",
           "outline", "retired_indicators"]


def outline(session: Session, actor: User, plan: Plan) -> list[Section]:
    """The plan's 篇/章/节 headings in reading order."""
    region_scope.require_plan(session, actor, plan)
    return list(session.scalars(select(Section).where(Section.plan_id == plan.id).order_by(Section.line)))


def retired_indicators(session: Session, actor: User, plan: Plan) -> list[Indicator]:
    """The plan's indicators taken out of monitoring, by code (those merged into another are
    shown on the kept one's page instead)."""
    region_scope.require_plan(session, actor, plan)
    return list(session.scalars(select(Indicator).where(
        Indicator.plan_id == plan.id, Indicator.retired_at.is_not(None), Indicator.merged_into_id.is_(None))
        .order_by(Indicator.code)))


def district_unit(session: Session, actor: User, plan: Plan) -> OrgUnit | None:
    """The district-level unit the plan belongs to; None while its region is unresolved."""
    region_scope.require_plan(session, actor, plan)
    return session.get(OrgUnit, plan.region_org_unit_id) if plan.region_org_unit_id is not None else None


def assignment_domains(session: Session, actor: User, plan: Plan) -> list[str]:
    """The domains of every indicator of the plan, retired ones too: the assignment page lists
    them all (:func:`planwatch.services.plans.domains` keeps those in use, for the figures)."""
    region_scope.require_plan(session, actor, plan)
    return list(session.scalars(select(Indicator.domain).where(
        Indicator.plan_id == plan.id, Indicator.domain.is_not(None)).distinct().order_by(Indicator.domain)))


def indicators_by_id(session: Session, actor: User, plan: Plan, indicator_ids: Iterable[int]) -> list[Indicator]:
    """Those of ``indicator_ids`` that are the plan's (ticked on its page; any other id is ignored)."""
    region_scope.require_plan(session, actor, plan)
    return list(session.scalars(select(Indicator).where(Indicator.plan_id == plan.id,
                                                        Indicator.id.in_(list(indicator_ids)))))


def merged_into(session: Session, actor: User, indicator: Indicator) -> list[Indicator]:
    """The indicators merged into ``indicator``, by code."""
    region_scope.indicator(session, actor, indicator.id)
    return list(session.scalars(select(Indicator).where(Indicator.merged_into_id == indicator.id)
                                .order_by(Indicator.code)))


def definition_events(session: Session, actor: User, indicator: Indicator) -> list[AuditEvent]:
    """Who changed the definition or state of ``indicator`` and of those merged into it, and
    why, newest first."""
    ids = [indicator.id, *(i.id for i in merged_into(session, actor, indicator))]
    return list(session.scalars(select(AuditEvent).where(AuditEvent.entity == Indicator.__tablename__,
                                                         AuditEvent.entity_id.in_([str(i) for i in ids]))
                                .order_by(AuditEvent.id.desc())))
