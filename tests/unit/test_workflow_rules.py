"""The observation state machine and the role × action matrix, without a database."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import pytest

from planwatch.errors import PlanWatchError
from planwatch.monitor.permissions import (
    ROLE_ACTIONS,
    Action,
    PermissionDenied,
    Role,
    Scope,
    WindowClosed,
    check,
    is_allowed,
    visible_org_unit_id,
)
from planwatch.monitor.workflow import (
    TRANSITIONS,
    CommentRequired,
    InvalidTransition,
    ObservationState,
    WorkflowAction,
    allowed_actions,
    apply_transition,
)

S = ObservationState
W = WorkflowAction

# The workflow as the monitoring group describes it, written independently of TRANSITIONS.
EXPECTED_MOVES = {
    (None, W.ENTER): S.DRAFT,
    (S.DRAFT, W.ENTER): S.DRAFT,
    (S.DRAFT, W.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, W.APPROVE): S.APPROVED,
    (S.SUBMITTED, W.RETURN): S.RETURNED,
    (S.RETURNED, W.ENTER): S.RETURNED,
    (S.RETURNED, W.SUBMIT): S.SUBMITTED,
    (S.APPROVED, W.REOPEN): S.RETURNED,
}


@pytest.mark.parametrize(("source", "action"), list(product([None, *S], W)))
def test_every_state_action_pair(source: ObservationState | None, action: WorkflowAction) -> None:
    expected = EXPECTED_MOVES.get((source, action))
    if expected is None:
        with pytest.raises(InvalidTransition) as info:
            apply_transition(source, action, comment="意见")
        assert action.label_zh in str(info.value)
        assert isinstance(info.value, PlanWatchError)
    else:
        assert apply_transition(source, action, comment="数据口径有误，请核实") is expected


@pytest.mark.parametrize(("source", "action"), [(S.SUBMITTED, W.RETURN), (S.APPROVED, W.REOPEN)])
@pytest.mark.parametrize("comment", [None, "", "   "])
def test_return_and_reopen_need_a_comment(source: ObservationState, action: WorkflowAction,
                                          comment: str | None) -> None:
    with pytest.raises(CommentRequired, match="意见"):
        apply_transition(source, action, comment)


def test_full_round_trip_ends_approved() -> None:
    state: ObservationState | None = None
    for action, comment in [(W.ENTER, None), (W.SUBMIT, None), (W.RETURN, "单位填错"),
                            (W.ENTER, None), (W.SUBMIT, None), (W.APPROVE, None)]:
        state = apply_transition(state, action, comment)
    assert state is S.APPROVED


def test_allowed_actions_match_the_table() -> None:
    for source in [None, *S]:
        expected = {a for (s, a) in EXPECTED_MOVES if s == source}
        assert set(allowed_actions(source)) == expected
    assert len({(t.source, t.action) for t in TRANSITIONS}) == len(TRANSITIONS)


def test_invalid_transition_lists_what_is_possible() -> None:
    with pytest.raises(InvalidTransition) as info:
        apply_transition(S.APPROVED, W.ENTER)
    message = str(info.value)
    assert "已审核" in message and "重新打开" in message


@dataclass(frozen=True)
class FakeUser:
    login: str
    role: str
    org_unit_id: int | None = None


# Each row: the actions a role may take, as stated in the issue (统计局监测组 validates,
# approves, locks; only the administrator reopens a period or widens its window (issue 24);
# 妇儿工委办/发改委 read all and assess; clerks enter and submit for their unit; viewers read).
MATRIX = """
                admin monitoring evaluation clerk viewer
view              x       x          x        x     x
enter             .       x          .        x     .
submit            .       x          .        x     .
approve           .       x          .        .     .
return            .       x          .        .     .
reopen            .       x          .        .     .
lock_period       .       x          .        .     .
reopen_period     x       .          .        .     .
manage_periods    x       x          .        .     .
widen_period      x       .          .        .     .
assess            .       .          x        .     .
manage_users      x       .          .        .     .
manage_org_units  x       .          .        .     .
import_plan       x       x          .        .     .
correct_extraction x      x          x        .     .
assign            x       x          .        .     .
export            x       x          x        x     x
view_audit        x       x          x        .     .
configure         x       .          .        .     .
comment           .       x          .        x     .
remind            .       x          .        .     .
publish           .       .          x        .     .
approve_publication .     x          x        .     .
moderate_opinions x       .          x        .     .
"""


def _matrix() -> dict[tuple[Role, Action], bool]:
    header, *rows = MATRIX.strip().splitlines()
    roles = [Role(name) for name in header.split()]
    out = {}
    for row in rows:
        action, *marks = row.split()
        for role, mark in zip(roles, marks, strict=True):
            out[(role, Action(action))] = mark == "x"
    return out


def test_matrix_covers_every_role_and_action() -> None:
    assert set(_matrix()) == set(product(Role, Action))


@pytest.mark.parametrize(("role", "action"), list(product(Role, Action)))
def test_role_action_matrix(role: Role, action: Action) -> None:
    user = FakeUser(f"u_{role}", role.value, org_unit_id=7 if role is Role.CLERK else None)
    own_open = Scope(org_unit_id=7, org_unit_name="青川区教育局", window_open=True)
    expected = _matrix()[(role, action)]
    assert (action in ROLE_ACTIONS[role]) is expected
    if expected:
        check(user, action, own_open)
        assert is_allowed(user, action, own_open)
    else:
        with pytest.raises(PermissionDenied) as info:
            check(user, action, own_open)
        assert user.login in str(info.value) and action.label_zh in str(info.value)
        assert info.value.action is action


@pytest.mark.parametrize("action", [Action.VIEW, Action.ENTER, Action.SUBMIT, Action.EXPORT])
def test_clerk_cannot_touch_another_unit(action: Action) -> None:
    clerk = FakeUser("zhang_jy", "clerk", org_unit_id=7)
    other = Scope(org_unit_id=8, org_unit_name="青川区卫生健康局", window_open=True)
    with pytest.raises(PermissionDenied, match="青川区卫生健康局"):
        check(clerk, action, other)
    with pytest.raises(PermissionDenied, match="本单位"):
        check(clerk, action, None)


@pytest.mark.parametrize("action", [Action.ENTER, Action.SUBMIT])
@pytest.mark.parametrize("window_open", [False, None])
def test_clerk_window(action: Action, window_open: bool | None) -> None:
    clerk = FakeUser("zhang_jy", "clerk", org_unit_id=7)
    with pytest.raises(WindowClosed, match="窗口"):
        check(clerk, action, Scope(org_unit_id=7, window_open=window_open))
    # The monitoring group corrects data after the deadline.
    check(FakeUser("li_tj", "monitoring"), action, Scope(org_unit_id=7, window_open=window_open))
    # Viewing is not bound to the window.
    check(clerk, Action.VIEW, Scope(org_unit_id=7, window_open=window_open))


def test_unbound_clerk_and_unknown_role_are_denied() -> None:
    with pytest.raises(PermissionDenied, match="未绑定"):
        check(FakeUser("nobody", "clerk"), Action.VIEW, Scope(org_unit_id=7))
    with pytest.raises(PermissionDenied, match="未知角色"):
        check(FakeUser("ghost", "superuser"), Action.VIEW)
    with pytest.raises(PermissionDenied):
        visible_org_unit_id(FakeUser("nobody", "clerk"))


def test_visible_org_unit() -> None:
    assert visible_org_unit_id(FakeUser("zhang_jy", "clerk", 7)) == 7
    for role in (Role.ADMIN, Role.MONITORING, Role.EVALUATION, Role.VIEWER):
        assert visible_org_unit_id(FakeUser("x", role.value)) is None
