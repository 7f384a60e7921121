"""Who may do what: roles, actions and the one check every service calls.

The role × action matrix is data (:data:`ROLE_ACTIONS`) so that the web app can hide what a
user may not do and the tests can walk every pair. Two rules narrow the matrix for the
district's reporting clerks (填报员), who are bound to one org unit: they only see and
write their own unit's data, and they only enter and submit while the period's reporting
window is open. Every service calls :func:`check` with the acting user before touching
the database, so the web app, the CLI and scripts cannot bypass it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from planwatch.errors import PlanWatchError

__all__ = [
    "ROLE_ACTIONS",
    "Action",
    "Actor",
    "PermissionDenied",
    "Role",
    "SameReviewer",
    "Scope",
    "WindowClosed",
    "check",
    "check_four_eyes",
    "is_allowed",
    "visible_org_unit_id",
]


class Role(StrEnum):
    """A user's role; the value is the code stored on the user."""

    ADMIN = "admin"  # 系统管理员: users, org units, plans, assignments
    MONITORING = "monitoring"  # 统计局监测组: validates, approves, locks periods
    EVALUATION = "evaluation"  # 妇儿工委办 / 发改委: reads everything, writes assessments
    CLERK = "clerk"  # 填报员 of one org unit
    VIEWER = "viewer"  # 只读

    @property
    def label_zh(self) -> str:
        return _ROLE_ZH[self]


_ROLE_ZH = {
    Role.ADMIN: "系统管理员",
    Role.MONITORING: "监测组",
    Role.EVALUATION: "评估组",
    Role.CLERK: "填报员",
    Role.VIEWER: "只读用户",
}


class Action(StrEnum):
    """Everything a user can ask the system to do; workflow actions share their codes."""

    VIEW = "view"
    ENTER = "enter"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"  # an approved observation
    LOCK_PERIOD = "lock_period"
    REOPEN_PERIOD = "reopen_period"  # an administrator's: see ROLE_ACTIONS
    MANAGE_PERIODS = "manage_periods"  # create periods, set reporting windows
    WIDEN_PERIOD = "widen_period"  # open a window earlier or close it later than it was
    ASSESS = "assess"  # evaluations and manual assessments
    MANAGE_USERS = "manage_users"
    MANAGE_ORG_UNITS = "manage_org_units"
    IMPORT_PLAN = "import_plan"
    CORRECT_EXTRACTION = "correct_extraction"  # fix or add an indicator read from a plan
    ASSIGN = "assign"  # indicator × org unit responsibilities
    EXPORT = "export"
    VIEW_AUDIT = "view_audit"
    CONFIGURE = "configure"  # system settings, such as the four-eyes rule of review
    COMMENT = "comment"  # write in the thread of a figure or a progress report (clerk ↔ reviewer)
    REMIND = "remind"  # remind units that have not reported (催报)
    PUBLISH = "publish"  # propose what goes on the public site, retract it
    APPROVE_PUBLICATION = "approve_publication"  # the second person who lets a proposal go public
    MODERATE_OPINIONS = "moderate_opinions"  # public opinions: show, answer, delete on request

    @property
    def label_zh(self) -> str:
        return _ACTION_ZH[self]


_ACTION_ZH = {
    Action.VIEW: "查看",
    Action.ENTER: "填报",
    Action.SUBMIT: "报送",
    Action.APPROVE: "审核通过",
    Action.RETURN: "退回",
    Action.REOPEN: "重新打开已审核数据",
    Action.LOCK_PERIOD: "锁定报告期",
    Action.REOPEN_PERIOD: "解锁报告期",
    Action.MANAGE_PERIODS: "管理报告期",
    Action.WIDEN_PERIOD: "延长填报窗口",
    Action.ASSESS: "评估",
    Action.MANAGE_USERS: "管理用户",
    Action.MANAGE_ORG_UNITS: "管理组织机构",
    Action.IMPORT_PLAN: "导入规划",
    Action.CORRECT_EXTRACTION: "更正指标提取结果",
    Action.ASSIGN: "分配指标责任",
    Action.EXPORT: "导出",
    Action.VIEW_AUDIT: "查看审计记录",
    Action.CONFIGURE: "更改系统设置",
    Action.COMMENT: "发表意见",
    Action.REMIND: "催报",
    Action.PUBLISH: "提出或撤回信息公开",
    Action.APPROVE_PUBLICATION: "批准信息公开",
    Action.MODERATE_OPINIONS: "处理公众意见",
}

# Period powers are split: the monitoring group, who also enter and approve, lock a period
# and may narrow a window; only an administrator, who neither enters nor approves, reopens a
# locked period or widens a window (both audited with the reason). Otherwise one member of
# the monitoring group could reopen a period, let a clerk's account enter, and approve it.
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset({
        Action.VIEW, Action.MANAGE_USERS, Action.MANAGE_ORG_UNITS, Action.IMPORT_PLAN,
        Action.CORRECT_EXTRACTION, Action.ASSIGN, Action.MANAGE_PERIODS, Action.REOPEN_PERIOD, Action.WIDEN_PERIOD,
        Action.EXPORT, Action.VIEW_AUDIT, Action.CONFIGURE, Action.MODERATE_OPINIONS,
    }),
    Role.MONITORING: frozenset({
        Action.VIEW, Action.ENTER, Action.SUBMIT, Action.APPROVE, Action.RETURN, Action.REOPEN,
        Action.LOCK_PERIOD, Action.MANAGE_PERIODS, Action.IMPORT_PLAN,
        Action.CORRECT_EXTRACTION, Action.ASSIGN, Action.EXPORT, Action.VIEW_AUDIT, Action.COMMENT, Action.REMIND,
        Action.APPROVE_PUBLICATION,
    }),
    Role.EVALUATION: frozenset({Action.VIEW, Action.ASSESS, Action.CORRECT_EXTRACTION, Action.EXPORT,
                                Action.VIEW_AUDIT, Action.PUBLISH, Action.APPROVE_PUBLICATION,
                                Action.MODERATE_OPINIONS}),
    Role.CLERK: frozenset({Action.VIEW, Action.ENTER, Action.SUBMIT, Action.EXPORT, Action.COMMENT}),
    Role.VIEWER: frozenset({Action.VIEW, Action.EXPORT}),
}

_CLERK_UNIT_BOUND = frozenset({Action.VIEW, Action.ENTER, Action.SUBMIT, Action.EXPORT, Action.COMMENT})
_CLERK_WINDOW_BOUND = frozenset({Action.ENTER, Action.SUBMIT})


class Actor(Protocol):
    """What the check needs to know about a user (the store's User satisfies it)."""

    @property
    def login(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def org_unit_id(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Scope:
    """What the action touches: the org unit whose data it is and whether its window is open.

    ``org_unit_id`` None means data of all units (a listing or export without a filter);
    ``window_open`` None means the action is not about a reporting period.
    """

    org_unit_id: int | None = None
    org_unit_name: str | None = None
    window_open: bool | None = None


class PermissionDenied(PlanWatchError):
    """The acting user may not do this; the message names the user, the action and why."""

    def __init__(self, login: str, action: Action, reason: str) -> None:
        self.login = login
        self.action = action
        self.reason = reason
        super().__init__(f"用户 {login} 无权{action.label_zh}：{reason}")


class WindowClosed(PermissionDenied):
    """A clerk entering or submitting outside the period's reporting window."""


def _role_of(actor: Actor, action: Action) -> Role:
    try:
        return Role(actor.role)
    except ValueError:
        raise PermissionDenied(actor.login, action, f"未知角色「{actor.role}」") from None


def check(actor: Actor, action: Action, scope: Scope | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may do ``action`` on ``scope``."""
    role = _role_of(actor, action)
    if action not in ROLE_ACTIONS[role]:
        raise PermissionDenied(actor.login, action, f"角色「{role.label_zh}」不具备此权限")
    if role is not Role.CLERK:
        return
    if action in _CLERK_UNIT_BOUND:
        if actor.org_unit_id is None:
            raise PermissionDenied(actor.login, action, "填报员未绑定填报单位")
        if scope is None or scope.org_unit_id is None:
            raise PermissionDenied(actor.login, action, "填报员只能访问本单位数据，请指定本单位")
        if scope.org_unit_id != actor.org_unit_id:
            unit = scope.org_unit_name or f"单位 #{scope.org_unit_id}"
            raise PermissionDenied(actor.login, action, f"只能操作本单位数据，不能操作「{unit}」的数据")
    if action in _CLERK_WINDOW_BOUND and not (scope is not None and scope.window_open):
        raise WindowClosed(actor.login, action, "报告期填报窗口未开放或已截止")


class SameReviewer(PermissionDenied):
    """Approving a value one entered, changed or submitted oneself (the four-eyes rule)."""


def check_four_eyes(actor_id: int, login: str, involved: Collection[int | None]) -> None:
    """Whoever entered, changed or submitted any version of a value or report may not approve
    it: a second person must look at every figure before it counts. ``involved`` is everyone
    in its history — not only the last to touch it: A enters, reviewer B overwrites, A
    submits, and B would otherwise approve what B typed."""
    if actor_id in involved:
        raise SameReviewer(login, Action.APPROVE, "本人填报、修改或报送过的数据（任一版本）须由他人审核（四眼原则）")


def is_allowed(actor: Actor, action: Action, scope: Scope | None = None) -> bool:
    """Whether :func:`check` would pass, for showing or hiding a button."""
    try:
        check(actor, action, scope)
    except PermissionDenied:
        return False
    return True


def visible_org_unit_id(actor: Actor) -> int | None:
    """The only org unit whose data ``actor`` may list, or None when it may list all units."""
    role = _role_of(actor, Action.VIEW)
    if role is Role.CLERK:
        if actor.org_unit_id is None:
            raise PermissionDenied(actor.login, Action.VIEW, "填报员未绑定填报单位")
        return actor.org_unit_id
    return None
