"""The monitoring group's review: approve, return with a comment, reopen, one or many.

Bulk review runs every move in the caller's transaction and stops at the first refusal,
so a batch is either applied completely or (after the caller's rollback) not at all.
Approving follows the four-eyes rule unless an administrator switched it off
(:mod:`planwatch.services.settings`): the monitoring group may enter and submit values
itself, but then another member approves them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, check, check_four_eyes
from planwatch.monitor.workflow import ObservationState, WorkflowAction
from planwatch.services.observations import (
    OBSERVATION_ENTITY,
    ObservationView,
    change_state,
    list_observations,
)
from planwatch.services.settings import four_eyes_required
from planwatch.store.models import (
    AuditEvent,
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
)
from planwatch.store.models.org import User

__all__ = [
    "QueueContext",
    "approve",
    "approve_many",
    "people_involved",
    "reopen_observation",
    "return_many",
    "return_observation",
    "review_queue",
    "review_queue_context",
]


def approve(session: Session, actor: User, observation_id: int, *, comment: str | None = None,
            expected_version: int | None = None) -> ObservationView:
    return _approve(session, actor, observation_id, _four_eyes(session, [observation_id]), comment=comment,
                    expected_version=expected_version)


def _four_eyes(session: Session, observation_ids: Collection[int]) -> dict[int, set[int | None]] | None:
    """Who may not approve each value, None while the four-eyes rule is off."""
    return people_involved(session, observation_ids) if four_eyes_required(session) else None


def _approve(session: Session, actor: User, observation_id: int, involved: dict[int, set[int | None]] | None, *,
             comment: str | None, expected_version: int | None = None) -> ObservationView:
    if involved is not None:  # an unknown id is refused by change_state
        check_four_eyes(actor.id, actor.name or actor.login, involved.get(observation_id, set()))
    return change_state(session, actor, observation_id, WorkflowAction.APPROVE, comment=comment,
                        expected_version=expected_version)


def people_involved(session: Session, observation_ids: Collection[int]) -> dict[int, set[int | None]]:
    """Per value: everyone who entered a revision of it or submitted it, ever (two queries)."""
    involved: dict[int, set[int | None]] = {i: set() for i in observation_ids}
    for observation_id, person in session.execute(
            select(ObservationRevision.observation_id, ObservationRevision.entered_by_id)
            .where(ObservationRevision.observation_id.in_(involved))):
        involved[observation_id].add(person)
    for entity_id, actor_id in session.execute(select(AuditEvent.entity_id, AuditEvent.actor_id).where(
            AuditEvent.entity == OBSERVATION_ENTITY, AuditEvent.entity_id.in_([str(i) for i in involved]),
            AuditEvent.action.in_([WorkflowAction.ENTER.value, WorkflowAction.SUBMIT.value]))):
        involved[int(entity_id)].add(actor_id)
    return involved


@contextmanager
def _holding(session: Session, observation_ids: Collection[int]) -> Iterator[None]:
    """The values of a batch decision with their periods, plans and units, read in four queries
    and held while the batch runs: the session keeps only what something holds, and each
    decision read them again one by one (ten statements a value, half a second for 50 on
    PostgreSQL)."""
    figures = list(session.scalars(select(Observation).where(Observation.id.in_(observation_ids))))
    periods = list(session.scalars(select(ReportingPeriod).where(
        ReportingPeriod.id.in_({o.period_id for o in figures}))))
    plans = list(session.scalars(select(Plan).where(Plan.id.in_({p.plan_id for p in periods}))))
    units = list(session.scalars(select(OrgUnit).where(OrgUnit.id.in_({o.org_unit_id for o in figures}))))
    held = [*figures, *periods, *plans, *units]
    yield
    held.clear()


def return_observation(session: Session, actor: User, observation_id: int, comment: str, *,
                       expected_version: int | None = None) -> ObservationView:
    """Send a submitted value back to its unit; the comment tells the unit what to fix."""
    return change_state(session, actor, observation_id, WorkflowAction.RETURN, comment=comment,
                        expected_version=expected_version)


def reopen_observation(session: Session, actor: User, observation_id: int, comment: str) -> ObservationView:
    """Take an approved value back to its unit for correction (monitoring group only)."""
    return change_state(session, actor, observation_id, WorkflowAction.REOPEN, comment=comment)


def approve_many(session: Session, actor: User, observation_ids: Iterable[int], *,
                 comment: str | None = None) -> list[ObservationView]:
    check(actor, Action.APPROVE)
    ids = list(observation_ids)
    with _holding(session, ids):
        involved = _four_eyes(session, ids)
        return [_approve(session, actor, i, involved, comment=comment) for i in ids]


def return_many(session: Session, actor: User, observation_ids: Iterable[int], comment: str) -> list[ObservationView]:
    check(actor, Action.RETURN)
    ids = list(observation_ids)
    with _holding(session, ids):
        return [return_observation(session, actor, i, comment) for i in ids]


def review_queue(session: Session, actor: User, period_id: int, *,
                 org_unit_id: int | None = None) -> list[ObservationView]:
    """Submitted values waiting for review, flagged outliers first; figures of retired
    indicators are left out (the plan no longer measures them, approving them counts nothing)."""
    check(actor, Action.APPROVE)
    retired = set(session.scalars(select(Indicator.id).where(Indicator.retired_at.is_not(None))))
    waiting = [v for v in list_observations(session, actor, period_id, org_unit_id=org_unit_id,
                                            states=[ObservationState.SUBMITTED])
               if v.indicator_id not in retired]
    return sorted(waiting, key=lambda v: "outlier" not in v.flags)


@dataclass(frozen=True, slots=True)
class QueueContext:
    """What a reviewer compares a submitted value with, and whom to ask about it."""

    previous: float | None  # the same slot's current value in the same period a year earlier
    submitted_by: str  # who last submitted it: the user's name, else the login


def review_queue_context(session: Session, period_id: int,
                         queue: Sequence[ObservationView]) -> dict[int, QueueContext]:
    """Per observation of ``queue`` (all of period ``period_id``): the value a year earlier
    and the submitter, in two queries whatever the length of the queue."""
    if not queue:
        return {}
    period = session.get_one(ReportingPeriod, period_id)
    earlier = session.scalar(select(ReportingPeriod.id).where(
        ReportingPeriod.plan_id == period.plan_id, ReportingPeriod.year == period.year - 1,
        ReportingPeriod.quarter.is_(None) if period.quarter is None else ReportingPeriod.quarter == period.quarter,
        ReportingPeriod.month.is_(None) if period.month is None else ReportingPeriod.month == period.month))
    previous: dict[tuple[int, int, str, str, str], float | None] = {}
    if earlier is not None:
        rows = session.execute(
            select(Observation.indicator_id, Observation.org_unit_id, Observation.sex, Observation.area,
                   Observation.age_group, ObservationRevision.value)
            .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                            ObservationRevision.revision == Observation.current_revision))
            .where(Observation.period_id == earlier,
                   Observation.indicator_id.in_({v.indicator_id for v in queue})))
        previous = {(r.indicator_id, r.org_unit_id, r.sex, r.area, r.age_group): r.value for r in rows}
    submitters: dict[str, str] = {}
    events = session.execute(
        select(AuditEvent.entity_id, AuditEvent.actor_login, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.entity == OBSERVATION_ENTITY, AuditEvent.action == WorkflowAction.SUBMIT.value,
               AuditEvent.entity_id.in_([str(v.id) for v in queue]))
        .order_by(AuditEvent.id))
    for entity_id, login, name in events:
        submitters[entity_id] = name or login  # the latest submission wins
    return {v.id: QueueContext(
        previous.get((v.indicator_id, v.org_unit_id, v.disaggregation.sex, v.disaggregation.area,
                      v.disaggregation.age_group)),
        submitters.get(str(v.id), "")) for v in queue}
