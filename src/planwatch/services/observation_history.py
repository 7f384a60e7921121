"""What happened to observations, and the approved figures evaluation reads.

An observation's audit trail (entries, submissions, the reason it was returned), an
indicator's history page across units and periods, and the approved values of a plan. Each
function checks the acting user and the district as the entry functions do
(:mod:`planwatch.services.observations`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.monitor.workflow import ObservationState, WorkflowAction
from planwatch.services import region_scope
from planwatch.services.observations import (
    OBSERVATION_ENTITY,
    Disaggregation,
    require_region,
    stored_observation,
)
from planwatch.services.periods import get_period, utc
from planwatch.store.models.monitoring import AuditEvent, Observation, ObservationRevision, ReportingPeriod
from planwatch.store.models.org import OrgUnit, User

__all__ = ["ApprovedValue", "HistoryEntry", "HistoryPage", "IndicatorHistoryEntry", "approved_values",
           "indicator_history_page", "observation_history", "return_comments"]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of an observation's audit trail (entries, submissions, review comments)."""

    at: datetime
    actor_login: str
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    reason: str | None

def observation_history(session: Session, actor: User, observation_id: int) -> list[HistoryEntry]:
    """Everything that happened to an observation, oldest first; the unit sees why it was returned."""
    obs = stored_observation(session, observation_id)
    require_region(session, actor, get_period(session, obs.period_id), obs.org_unit_id)
    check(actor, Action.VIEW, Scope(org_unit_id=obs.org_unit_id))
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.entity == OBSERVATION_ENTITY, AuditEvent.entity_id == str(obs.id)).order_by(AuditEvent.id))
    return [HistoryEntry(utc(e.at), e.actor_login, e.action, e.old, e.new, e.reason) for e in events]

def return_comments(session: Session, actor: User, observation_ids: Sequence[int]) -> dict[int, str]:
    """Why each observation the actor may see was last returned to its unit, in one query."""
    only = visible_org_unit_id(actor)
    ids = list(observation_ids) if only is None else list(session.scalars(select(Observation.id).where(
        Observation.id.in_(observation_ids), Observation.org_unit_id == only)))
    found: dict[int, str] = {}
    for entity_id, reason in session.execute(select(AuditEvent.entity_id, AuditEvent.reason).where(
            AuditEvent.entity == OBSERVATION_ENTITY, AuditEvent.action == WorkflowAction.RETURN.value,
            AuditEvent.entity_id.in_([str(i) for i in ids])).order_by(AuditEvent.id)):
        found[int(entity_id)] = reason or ""  # the latest return wins
    return found

@dataclass(frozen=True, slots=True)
class IndicatorHistoryEntry:
    entry: HistoryEntry
    org_unit_name: str
    period_code: str

@dataclass(frozen=True, slots=True)
class HistoryPage:
    lines: list[IndicatorHistoryEntry]
    total: int

def indicator_history_page(session: Session, actor: User, indicator_id: int, *, offset: int = 0,
                           limit: int | None = None) -> HistoryPage:
    """Everything that happened to an indicator's figures the actor may see (a clerk: its own
    unit's), newest first: ``limit`` lines from ``offset`` (ten years of a unit's entries,
    submissions and reviews make a long list) and how many there are in all."""
    where, events = _indicator_events(session, actor, indicator_id)
    if not where:
        return HistoryPage([], 0)
    total = session.scalar(select(func.count()).select_from(events.subquery())) or 0
    page = events.order_by(AuditEvent.id.desc()).offset(offset).limit(limit)
    return HistoryPage([IndicatorHistoryEntry(HistoryEntry(utc(e.at), e.actor_login, e.action, e.old, e.new, e.reason),
                                              *where[e.entity_id]) for e in session.scalars(page)], total)

def _indicator_events(session: Session, actor: User,
                      indicator_id: int) -> tuple[dict[str, tuple[str, str]], Select[AuditEvent]]:
    only = visible_org_unit_id(actor)
    check(actor, Action.VIEW, Scope(org_unit_id=only))
    region = region_scope.region_of(session, actor)
    region_scope.indicator(session, actor, indicator_id)
    query = (select(Observation.id, OrgUnit.name, ReportingPeriod.code)
             .join(OrgUnit, OrgUnit.id == Observation.org_unit_id)
             .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
             .where(Observation.indicator_id == indicator_id, region.unit_filter(Observation.org_unit_id)))
    if only is not None:
        query = query.where(Observation.org_unit_id == only)
    where = {str(i): (unit, period) for i, unit, period in session.execute(query)}
    return where, select(AuditEvent).where(AuditEvent.entity == OBSERVATION_ENTITY,
                                           AuditEvent.entity_id.in_(list(where)))

@dataclass(frozen=True, slots=True)
class ApprovedValue:
    """An approved figure with its period, ready for evaluation and reports."""

    indicator_id: int
    org_unit_id: int
    year: int
    quarter: int | None
    month: int | None
    disaggregation: Disaggregation
    value: float
    unit: str

def approved_values(session: Session, actor: User, plan_id: int, *,
                    org_unit_id: int | None = None) -> list[ApprovedValue]:
    """The plan's approved numeric values in every period (a clerk gets only its unit's)."""
    only = visible_org_unit_id(actor)
    unit = org_unit_id if org_unit_id is not None else only
    check(actor, Action.VIEW, Scope(org_unit_id=unit))
    region = region_scope.require_plan(session, actor, region_scope.plan(session, actor, plan_id))
    query = (select(Observation, ObservationRevision, ReportingPeriod)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                             ObservationRevision.revision == Observation.current_revision))
             .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
             .where(ReportingPeriod.plan_id == plan_id, Observation.state == ObservationState.APPROVED,
                    ObservationRevision.value.is_not(None), region.unit_filter(Observation.org_unit_id))
             .order_by(Observation.indicator_id, Observation.org_unit_id, ReportingPeriod.year,
                       ReportingPeriod.quarter, ReportingPeriod.month))
    if unit is not None:
        query = query.where(Observation.org_unit_id == unit)
    return [ApprovedValue(o.indicator_id, o.org_unit_id, p.year, p.quarter, p.month,
                          Disaggregation(o.sex, o.area, o.age_group), r.value, r.unit)
            for o, r, p in session.execute(query) if r.value is not None]
