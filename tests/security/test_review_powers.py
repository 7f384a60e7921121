"""Issue 24 (#8 and the fragile list): four eyes over a value's whole history, period powers
split between the monitoring group and the administrator, a clerk's script refused rather
than quietly redirected, and a reactivated user's old API tokens dead (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import PermissionDenied, SameReviewer
from planwatch.monitor.workflow import ObservationState
from planwatch.services import ledger_progress, periods, review, users
from planwatch.services import observations as obs
from planwatch.services.ledger_progress import LedgerInput
from planwatch.store import Database
from planwatch.store.models import AuditEvent, LedgerReport, ReportingPeriod
from tests.conftest import DIALECTS, District, migrated_database_url, seeded, user
from tests.db.ledger_samples import reporting_setup, task_named


@pytest.fixture(params=DIALECTS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Session, District]]:
    with seeded(request.param, tmp_path) as pair:
        yield pair


def test_a_reviewer_who_overwrote_a_value_cannot_approve_it(db: tuple[Session, District]) -> None:
    """#8: A saves, reviewer B overwrites, A submits, B approves what B typed — refused now."""
    session, d = db
    clerk, b, other = user(session, d, "zhang_jy"), user(session, d, "li_jc"), user(session, d, "sun_jc")
    first = obs.enter_value(session, clerk, d.open_period, obs.ObservationInput(d.enrolment, d.education, "95%"))
    obs.enter_value(session, b, d.open_period, obs.ObservationInput(d.enrolment, d.education, "99%"))
    obs.submit(session, clerk, first.id)
    session.commit()
    with pytest.raises(SameReviewer, match="任一版本"):
        review.approve(session, b, first.id)
    session.rollback()
    assert obs.get_observation(session, b, first.id).state is ObservationState.SUBMITTED  # nothing changed
    assert review.approve(session, other, first.id).state is ObservationState.APPROVED


def test_whoever_submitted_an_earlier_version_cannot_approve_a_later_one(db: tuple[Session, District]) -> None:
    session, d = db
    clerk, b, other = user(session, d, "zhang_jy"), user(session, d, "li_jc"), user(session, d, "sun_jc")
    view = obs.enter_value(session, clerk, d.open_period, obs.ObservationInput(d.enrolment, d.education, "95%"))
    obs.submit(session, b, view.id)  # B sends the first version on
    review.return_observation(session, other, view.id, "请核实")
    obs.enter_value(session, clerk, d.open_period, obs.ObservationInput(d.enrolment, d.education, "96%"))
    obs.submit(session, clerk, view.id)
    session.commit()
    with pytest.raises(SameReviewer):
        review.approve(session, b, view.id)
    session.rollback()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_ledger_report_changed_by_its_reviewer_needs_another_reviewer(dialect: str, tmp_path: Path) -> None:
    urls = migrated_database_url(dialect, tmp_path)
    database = Database(next(urls))
    try:
        with database.sessions() as session:
            plan, people, period_id, _ = reporting_setup(session)
            pipes = task_named(session, plan, "更新改造老旧管网")
            clerk, monitor, other = people["jianwei"], people["monitor"], people["monitor2"]
            ledger_progress.report_progress(session, clerk, period_id=period_id, task_id=pipes,
                                            values=LedgerInput("in_progress", "管网改造120公里", 30.0))
            ledger_progress.report_progress(session, monitor, period_id=period_id, task_id=pipes,
                                            org_unit_id=clerk.org_unit_id,
                                            values=LedgerInput("in_progress", "管网改造200公里", 60.0))
            report = ledger_progress.report_progress(session, clerk, period_id=period_id, task_id=pipes, submit=True,
                                                     values=LedgerInput("in_progress", "管网改造200公里", 60.0))
            with pytest.raises(SameReviewer, match="四眼"):
                ledger_progress.review_report(session, monitor, report.id, approve=True)
            assert ledger_progress.review_report(session, other, report.id, approve=True).state == "approved"
            session.commit()
    finally:
        database.dispose()
        urls.close()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_clerks_report_for_another_unit_is_refused_not_redirected(dialect: str, tmp_path: Path) -> None:
    urls = migrated_database_url(dialect, tmp_path)
    database = Database(next(urls))
    try:
        with database.sessions() as session:
            plan, people, period_id, _ = reporting_setup(session)
            fire = task_named(session, plan, "补齐消防救援短板")
            finance, clerk = people["caizheng"], people["jianwei"]
            session.commit()
            with pytest.raises(PermissionDenied, match=f"不能报告单位 #{clerk.org_unit_id}"):
                ledger_progress.report_progress(session, finance, period_id=period_id, task_id=fire,
                                                org_unit_id=clerk.org_unit_id, values=LedgerInput("in_progress"))
            session.rollback()
            assert session.scalars(select(LedgerReport)).all() == []
            own = ledger_progress.report_progress(session, finance, period_id=period_id, task_id=fire,
                                                  org_unit_id=finance.org_unit_id, values=LedgerInput("in_progress"))
            assert own.org_unit_id == finance.org_unit_id
    finally:
        database.dispose()
        urls.close()


def test_the_monitoring_group_locks_and_narrows_only_an_administrator_reopens_or_widens(
        db: tuple[Session, District]) -> None:
    session, d = db
    monitor, admin = user(session, d, "li_jc"), user(session, d, "admin")
    period = session.get_one(ReportingPeriod, d.open_period)
    opens, closes = periods.utc(period.opens_at), periods.utc(period.closes_at)
    periods.set_window(session, monitor, d.open_period, opens_at=opens, closes_at=closes - timedelta(days=5))
    session.commit()
    with pytest.raises(PermissionDenied, match="延长填报窗口"):
        periods.set_window(session, monitor, d.open_period, opens_at=opens, closes_at=closes + timedelta(days=5))
    session.rollback()
    with pytest.raises(PermissionDenied, match="延长填报窗口"):
        periods.set_window(session, monitor, d.open_period, opens_at=opens - timedelta(days=1), closes_at=closes)
    session.rollback()
    periods.set_window(session, admin, d.open_period, opens_at=opens, closes_at=closes + timedelta(days=5),
                       reason="部门申请延期")
    periods.lock_period(session, monitor, d.open_period, "已审定")
    session.commit()
    with pytest.raises(PermissionDenied, match="解锁报告期"):
        periods.reopen_period(session, monitor, d.open_period, "补报")
    session.rollback()
    periods.reopen_period(session, admin, d.open_period, "补报")
    session.commit()
    events = session.execute(select(AuditEvent.action, AuditEvent.actor_login, AuditEvent.reason).where(
        AuditEvent.entity == periods.PERIOD_ENTITY, AuditEvent.entity_id == str(d.open_period),
        AuditEvent.action != "create").order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [("set_window", "li_jc", None), ("set_window", "admin", "部门申请延期"),
                                          ("lock_period", "li_jc", "已审定"), ("reopen_period", "admin", "补报")]


def test_a_reactivated_users_old_tokens_stay_dead(db: tuple[Session, District]) -> None:
    session, d = db
    admin, clerk = user(session, d, "admin"), user(session, d, "zhang_jy")
    token = users.create_token(session, clerk, "脚本", actor=admin)
    assert users.user_for_token(session, token) is not None
    users.set_active(session, admin, clerk, False)
    users.set_active(session, admin, clerk, True)
    session.commit()
    assert users.user_for_token(session, token) is None
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "deactivate")).one()
    assert event.new is not None and event.new["tokens_revoked"] == 1
    fresh = users.create_token(session, clerk, "新脚本", actor=admin)
    assert users.user_for_token(session, fresh) is not None


@pytest.mark.parametrize("password", ["password1", "Password1", "woaini1314", "1qaz2wsx", "P@ssw0rd", "li123456"])
def test_common_passwords_are_refused_when_set_and_changed(db: tuple[Session, District], password: str) -> None:
    session, d = db
    admin = user(session, d, "admin")
    with pytest.raises(users.UserError, match="最常见的密码"):
        users.add_user(session, admin, "li", password, "viewer")
    session.rollback()
    li = users.add_user(session, admin, "li", "Qingchuan-2025!x", "viewer")
    with pytest.raises(users.UserError, match="最常见的密码"):
        users.set_password(session, li, li, password)
