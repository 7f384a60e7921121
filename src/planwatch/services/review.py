"""The monitoring group's review: approve, return with a comment, reopen, one or many.

Bulk review runs every move in the caller's transaction and stops at the first refusal,
so a batch is either applied completely or (after the caller's rollback) not at all.
Approving follows the four-eyes rule unless an administrator switched it off
(:mod:`planwatch.services.settings`): the monitoring group may enter and submit values
itself, but then another member approves them.
"""

from __future__ import annotations

from collections.abc import Iterable

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
from planwatch.store.models import AuditEvent, Observation, ObservationRevision
from planwatch.store.models.org import User

__all__ = [
    "approve",
    "approve_many",
    "reopen_observation",
    "return_many",
    "return_observation",
    "review_queue",
]


def approve(session: Session, actor: User, observation_id: int, *, comment: str | None = None,
            expected_version: int | None = None) -> ObservationView:
    if four_eyes_required(session):
        entered_by = session.scalar(select(ObservationRevision.entered_by_id).join(Observation, and_(
            Observation.id == ObservationRevision.observation_id,
            Observation.current_revision == ObservationRevision.revision)).where(Observation.id == observation_id))
        if entered_by is not None:  # an unknown id is refused by change_state
            submitted_by = session.scalar(
                select(AuditEvent.actor_id).where(AuditEvent.entity == OBSERVATION_ENTITY,
                                                  AuditEvent.entity_id == str(observation_id),
                                                  AuditEvent.action == WorkflowAction.SUBMIT.value)
                .order_by(AuditEvent.id.desc()).limit(1))
            check_four_eyes(actor.id, actor.login, entered_by, submitted_by)
    return change_state(session, actor, observation_id, WorkflowAction.APPROVE, comment=comment,
                        expected_version=expected_version)


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
    return [approve(session, actor, i, comment=comment) for i in observation_ids]


def return_many(session: Session, actor: User, observation_ids: Iterable[int], comment: str) -> list[ObservationView]:
    check(actor, Action.RETURN)
    return [return_observation(session, actor, i, comment) for i in observation_ids]


def review_queue(session: Session, actor: User, period_id: int, *,
                 org_unit_id: int | None = None) -> list[ObservationView]:
    """Submitted values waiting for review, flagged outliers first."""
    check(actor, Action.APPROVE)
    waiting = list_observations(session, actor, period_id, org_unit_id=org_unit_id,
                                states=[ObservationState.SUBMITTED])
    return sorted(waiting, key=lambda v: "outlier" not in v.flags)
