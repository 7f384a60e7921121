"""The monitoring group's review: approve, return with a comment, reopen, one or many.

Bulk review runs every move in the caller's transaction and stops at the first refusal,
so a batch is either applied completely or (after the caller's rollback) not at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, check
from planwatch.monitor.workflow import ObservationState, WorkflowAction
from planwatch.services.observations import ObservationView, change_state, list_observations
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
