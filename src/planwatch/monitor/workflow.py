"""The life of one observation: draft → submitted → approved, or back to the reporting unit.

The allowed moves are a table (:data:`TRANSITIONS`) rather than branches scattered over the
services, so the web app can show which buttons apply, the tests can walk every pair and a
reviewer can read the rules in one place. Who may make a move is decided separately by
:mod:`planwatch.monitor.permissions`; this module only knows states, actions and comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from planwatch.errors import PlanWatchError

__all__ = [
    "TRANSITIONS",
    "CommentRequired",
    "InvalidTransition",
    "ObservationState",
    "Transition",
    "WorkflowAction",
    "WorkflowError",
    "allowed_actions",
    "apply_transition",
    "find_transition",
]


class ObservationState(StrEnum):
    """Review state of an observation; the value is the code stored in the database."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label_zh(self) -> str:
        return _STATE_ZH[self]


_STATE_ZH = {
    ObservationState.DRAFT: "草稿",
    ObservationState.SUBMITTED: "已报送",
    ObservationState.APPROVED: "已审核",
    ObservationState.RETURNED: "已退回",
}


class WorkflowAction(StrEnum):
    """What a user does to an observation; also the action name written to the audit trail."""

    ENTER = "enter"  # save a (new) value
    SUBMIT = "submit"  # send to the monitoring group; from returned this is the resubmission
    APPROVE = "approve"
    RETURN = "return"  # send back to the unit with a comment
    REOPEN = "reopen"  # take an approved value back for correction

    @property
    def label_zh(self) -> str:
        return _ACTION_ZH[self]


_ACTION_ZH = {
    WorkflowAction.ENTER: "填报",
    WorkflowAction.SUBMIT: "报送",
    WorkflowAction.APPROVE: "审核通过",
    WorkflowAction.RETURN: "退回",
    WorkflowAction.REOPEN: "重新打开",
}


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed move. ``source`` None is an observation that does not exist yet."""

    source: ObservationState | None
    action: WorkflowAction
    target: ObservationState
    comment_required: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(None, WorkflowAction.ENTER, ObservationState.DRAFT),
    Transition(ObservationState.DRAFT, WorkflowAction.ENTER, ObservationState.DRAFT),
    Transition(ObservationState.DRAFT, WorkflowAction.SUBMIT, ObservationState.SUBMITTED),
    Transition(ObservationState.SUBMITTED, WorkflowAction.APPROVE, ObservationState.APPROVED),
    Transition(ObservationState.SUBMITTED, WorkflowAction.RETURN, ObservationState.RETURNED,
               comment_required=True),
    # A returned value is corrected in place of the unit's draft and stays returned (with the
    # reviewer's comment visible) until the unit resubmits it.
    Transition(ObservationState.RETURNED, WorkflowAction.ENTER, ObservationState.RETURNED),
    Transition(ObservationState.RETURNED, WorkflowAction.SUBMIT, ObservationState.SUBMITTED),
    Transition(ObservationState.APPROVED, WorkflowAction.REOPEN, ObservationState.RETURNED,
               comment_required=True),
)

_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}


class WorkflowError(PlanWatchError):
    """A workflow move that the rules do not allow."""


class InvalidTransition(WorkflowError):
    """The action does not apply to an observation in this state."""

    def __init__(self, source: ObservationState | None, action: WorkflowAction) -> None:
        self.source = source
        self.action = action
        state = source.label_zh if source is not None else "尚未填报"
        allowed = "、".join(a.label_zh for a in allowed_actions(source)) or "无"
        super().__init__(
            f"状态为「{state}」的数据不能执行「{action.label_zh}」（可执行：{allowed}）"
        )


class CommentRequired(WorkflowError):
    """Returning or reopening an observation without saying why."""

    def __init__(self, action: WorkflowAction) -> None:
        self.action = action
        super().__init__(f"「{action.label_zh}」必须填写意见说明原因")


def find_transition(source: ObservationState | None, action: WorkflowAction) -> Transition:
    """The transition for ``action`` from ``source``; raises :class:`InvalidTransition`."""
    try:
        return _BY_KEY[(source, action)]
    except KeyError:
        raise InvalidTransition(source, action) from None


def apply_transition(source: ObservationState | None, action: WorkflowAction,
                     comment: str | None = None) -> ObservationState:
    """The state after ``action``; checks the move exists and that a required comment is given."""
    transition = find_transition(source, action)
    if transition.comment_required and not (comment and comment.strip()):
        raise CommentRequired(action)
    return transition.target


def allowed_actions(source: ObservationState | None) -> tuple[WorkflowAction, ...]:
    """Actions the rules allow from ``source``, in the table's order (for buttons and messages)."""
    return tuple(t.action for t in TRANSITIONS if t.source == source)
