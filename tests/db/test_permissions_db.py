"""Every role against every monitoring service: allowed calls succeed, refused ones change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import ROLE_ACTIONS, Action, PermissionDenied, Role
from planwatch.monitor.workflow import ObservationState
from planwatch.services import comments, periods, reminders, review
from planwatch.services import observations as obs
from planwatch.store.models.monitoring import AuditEvent, Observation, ObservationRevision, ReportingPeriod
from planwatch.store.models.org import User
from tests.conftest import DIALECTS, District, count, seeded, user

LOGIN_OF = {Role.ADMIN: "admin", Role.MONITORING: "li_jc", Role.EVALUATION: "wang_pg",
            Role.CLERK: "zhang_jy", Role.VIEWER: "zhao_ck"}


def _prepare(session: Session, d: District, state: ObservationState) -> int:
    """An 教育局 observation brought to ``state`` by the unit's clerk and the monitoring group."""
    clerk, monitor = user(session, d, "zhang_jy"), user(session, d, "li_jc")
    view = obs.enter_value(session, clerk, d.open_period, obs.ObservationInput(d.enrolment, d.education, "95%"))
    if state is not ObservationState.DRAFT:
        obs.submit(session, clerk, view.id)
    if state is ObservationState.APPROVED:
        review.approve(session, monitor, view.id)
    session.commit()
    return view.id


def _lock(session: Session, d: District) -> None:
    periods.lock_period(session, user(session, d, "li_jc"), d.open_period)
    session.commit()


Call = Callable[[Session, User, District], object]
CALLS: dict[Action, tuple[Callable[[Session, District], object] | None, Call]] = {
    Action.VIEW: (lambda s, d: _prepare(s, d, ObservationState.DRAFT),
                  lambda s, u, d: obs.list_observations(s, u, d.open_period, org_unit_id=d.education)),
    Action.ENTER: (None, lambda s, u, d: obs.enter_value(
        s, u, d.open_period, obs.ObservationInput(d.enrolment, d.education, "96%"))),
    Action.SUBMIT: (lambda s, d: _prepare(s, d, ObservationState.DRAFT),
                    lambda s, u, d: obs.submit(s, u, _only(s))),
    Action.APPROVE: (lambda s, d: _prepare(s, d, ObservationState.SUBMITTED),
                     lambda s, u, d: review.approve(s, u, _only(s))),
    Action.RETURN: (lambda s, d: _prepare(s, d, ObservationState.SUBMITTED),
                    lambda s, u, d: review.return_observation(s, u, _only(s), "数据来源未注明")),
    Action.REOPEN: (lambda s, d: _prepare(s, d, ObservationState.APPROVED),
                    lambda s, u, d: review.reopen_observation(s, u, _only(s), "年鉴数据修订")),
    Action.LOCK_PERIOD: (None, lambda s, u, d: periods.lock_period(s, u, d.open_period)),
    Action.REOPEN_PERIOD: (_lock, lambda s, u, d: periods.reopen_period(s, u, d.open_period, "补报")),
    Action.MANAGE_PERIODS: (None, lambda s, u, d: periods.create_period(
        s, u, d.plan_id, 2026, quarter=1, opens_at=datetime.now(UTC), closes_at=datetime.now(UTC) + timedelta(days=5))),
    Action.WIDEN_PERIOD: (None, lambda s, u, d: periods.set_window(
        s, u, d.open_period, opens_at=s.get_one(ReportingPeriod, d.open_period).opens_at,
        closes_at=datetime.now(UTC) + timedelta(days=90), reason="部门申请延期")),
    Action.COMMENT: (lambda s, d: _prepare(s, d, ObservationState.SUBMITTED),
                     lambda s, u, d: comments.add_comment(s, u, obs.OBSERVATION_ENTITY, _only(s), "请注明数据来源")),
    Action.REMIND: (None, lambda s, u, d: reminders.send_reminder(s, u, d.open_period, d.civil)),
}


def _only(session: Session) -> int:
    return session.scalars(select(Observation.id)).one()


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("action", list(CALLS))
@pytest.mark.parametrize("role", list(Role))
def test_service_enforces_role(dialect: str, tmp_path: Path, role: Role, action: Action) -> None:
    with seeded(dialect, tmp_path) as (session, d):
        prepare, call = CALLS[action]
        if prepare is not None:
            prepare(session, d)
        actor = user(session, d, LOGIN_OF[role])
        before = (count(session, AuditEvent), count(session, ObservationRevision), count(session, ReportingPeriod))
        if action in ROLE_ACTIONS[role]:
            call(session, actor, d)
            session.commit()
            assert count(session, AuditEvent) > before[0] or action is Action.VIEW
        else:
            with pytest.raises(PermissionDenied, match=LOGIN_OF[role]):
                call(session, actor, d)
            session.rollback()
            after = (count(session, AuditEvent), count(session, ObservationRevision), count(session, ReportingPeriod))
            assert after == before
