"""The monitoring office's week in the services, on SQLite and PostgreSQL: the entry sheet with
its context, drafts and 全部报送, plausibility flags, the filtered and paged review queue with
its four-eyes marks, comment threads, the inbox, 催报 and the confirmation before a lock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import PermissionDenied
from planwatch.monitor.workflow import ObservationState
from planwatch.services import comments, entry_sheet, inbox, ledger_progress, periods, reminders, review
from planwatch.services import observations as obs
from planwatch.services.ledger_progress import LedgerInput
from planwatch.services.reporting_status import lock_preview
from planwatch.services.review_queue import QueueFilter, report_queue, value_queue
from planwatch.services.settings import set_reminder_interval
from planwatch.store.models import (
    AuditEvent,
    Indicator,
    Notification,
    Observation,
    Reminder,
    Target,
    Task,
)
from planwatch.store.models.org import Assignment
from tests.conftest import DIALECTS, District, seeded, user


@pytest.fixture(params=DIALECTS)
def district(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Session, District]]:
    with seeded(str(request.param), tmp_path) as (session, d):
        _context(session, d)
        yield session, d


def _context(session: Session, d: District) -> None:
    """Baselines and targets as a plan prints them, names on the people, last year's figures
    (entered by the monitoring group after the 2024 deadline) and a task for 民政局."""
    enrolment = session.get_one(Indicator, d.enrolment)
    enrolment.baseline_year, enrolment.baseline, enrolment.baseline_text = 2020, 80.0, "80"
    session.add_all([Target(indicator_id=d.enrolment, year=2030, text="≥92", value=92.0, comparator=">="),
                     Target(indicator_id=d.shelters, year=2030, text="≥40", value=40.0, comparator=">=")])
    for login, name in (("li_jc", "李建成"), ("sun_jc", "孙静"), ("zhang_jy", "张佳怡"), ("liu_mz", "刘明哲")):
        user(session, d, login).name = name
    user(session, d, "liu_mz").email = "liu@mz.example.gov.cn"
    task = Task(plan_id=d.plan_id, line=40, title="建设示范儿童之家", kind="task")
    session.add(task)
    session.flush()
    session.add(Assignment(task_id=task.id, org_unit_id=d.civil, role="牵头"))
    monitor = user(session, d, "li_jc")
    for indicator, unit, value in ((d.enrolment, d.education, "84"), (d.shelters, d.civil, "10"),
                                   (d.growth, d.civil, "6.0")):
        view = obs.enter_value(session, monitor, d.closed_period, obs.ObservationInput(indicator, unit, value))
        obs.submit(session, monitor, view.id)
        review.approve(session, user(session, d, "sun_jc"), view.id)
    session.commit()


def _enter(session: Session, d: District, login: str, indicator: int, unit: int, value: str) -> int:
    return obs.enter_value(session, user(session, d, login), d.open_period,
                           obs.ObservationInput(indicator, unit, value)).id


def test_entry_sheet_shows_each_indicator_with_its_context(district: tuple[Session, District]) -> None:
    session, d = district
    sheet = entry_sheet.entry_sheet(session, user(session, d, "liu_mz"), d.open_period, d.civil)
    by_id = {line.context.indicator_id: line for line in sheet}
    shelters, growth = by_id[d.shelters], by_id[d.growth]
    assert shelters.context.previous is not None and shelters.context.previous.text == "10"
    assert shelters.context.final_target is not None and shelters.context.final_target.text == "≥40"
    assert shelters.context.hint == "" and shelters.state is None
    assert "增长的百分比" in growth.context.hint  # a growth rate, not a level
    assert growth.context.previous is not None and growth.context.previous.value == 6.0
    with pytest.raises(PermissionDenied):  # a clerk sees only its own unit's sheet
        entry_sheet.entry_sheet(session, user(session, d, "liu_mz"), d.open_period, d.education)


def test_submit_all_sends_every_draft_or_none_and_keeps_them(district: tuple[Session, District]) -> None:
    session, d = district
    clerk = user(session, d, "liu_mz")
    _enter(session, d, "liu_mz", d.shelters, d.civil, "12")
    _enter(session, d, "liu_mz", d.growth, d.civil, "约6")  # saved as a draft, but not a number
    ledger_progress.report_progress(session, clerk, period_id=d.open_period, values=LedgerInput("in_progress"),
                                    task_id=session.scalars(select(Task.id)).one())
    preview = entry_sheet.submission_preview(session, clerk, d.open_period, d.civil)
    assert set(preview.ready) == {"儿童之家数量", "居民人均可支配收入增长"} and preview.empty == ()
    assert preview.ledger_ready == ("建设示范儿童之家",) and preview.window_open
    with pytest.raises(entry_sheet.SubmitRejected) as refused, session.begin_nested():
        entry_sheet.submit_all(session, clerk, d.open_period, d.civil)
    assert "指标「居民人均可支配收入增长」的数值：「约6」不是数值" in str(refused.value)
    assert "草稿都保留" in str(refused.value)
    states = {o.indicator_id: o.state for o in session.scalars(select(Observation).where(
        Observation.period_id == d.open_period))}
    assert states == {d.shelters: "draft", d.growth: "draft"}  # nothing submitted, nothing lost
    _enter(session, d, "liu_mz", d.growth, d.civil, "6.2")
    done = entry_sheet.submit_all(session, clerk, d.open_period, d.civil)
    assert (done.indicators, done.reports) == (2, 1)
    after = entry_sheet.submission_preview(session, clerk, d.open_period, d.civil)
    assert after.ready == () and after.waiting == 3


def test_submission_flags_questions_for_the_reviewer(district: tuple[Session, District]) -> None:
    session, d = district
    clerk = user(session, d, "liu_mz")
    jump = _enter(session, d, "liu_mz", d.shelters, d.civil, "95")  # 10 last year, 40 by 2030
    rate = _enter(session, d, "liu_mz", d.growth, d.civil, "150")  # a level typed as a growth rate
    for observation_id in (jump, rate):
        obs.submit(session, clerk, observation_id)
    flags = {o.id: set(o.flags) for o in session.scalars(select(Observation).where(Observation.id.in_([jump, rate])))}
    assert flags[jump] == {"jump", "trajectory"}
    assert flags[rate] == {"range", "jump"}
    page = value_queue(session, user(session, d, "li_jc"), QueueFilter(period_id=d.open_period, flagged=True))
    messages = {row.id: " ".join(f.message for f in row.flags) for row in page.rows}
    assert set(messages) == {jump, rate}
    assert "比上年（10）变化 +850%" in messages[jump] and "2025 年应约为 15" in messages[jump]
    assert "增长率超过 ±100%" in messages[rate]


def test_queue_filters_pages_and_marks_rows_the_reviewer_may_not_approve(district: tuple[Session, District]) -> None:
    session, d = district
    monitor = user(session, d, "li_jc")
    own = _enter(session, d, "li_jc", d.enrolment, d.education, "85")  # the reviewer entered this one
    obs.submit(session, monitor, own)
    other = _enter(session, d, "liu_mz", d.shelters, d.civil, "12")
    obs.submit(session, user(session, d, "liu_mz"), other)
    everything = value_queue(session, monitor, QueueFilter())
    assert everything.total == 2 and [r.id for r in everything.rows] == [own, other]  # by unit code
    mine = next(r for r in everything.rows if r.id == own)
    assert mine.blocked == "由李建成（本人）填报并报送，按四眼原则须由其他审核人通过" and mine.actionable
    assert next(r for r in everything.rows if r.id == other).blocked == ""
    assert mine.previous == 84.0 and mine.submitted_by == "李建成"
    civil = value_queue(session, monitor, QueueFilter(org_unit_id=d.civil))
    assert [r.id for r in civil.rows] == [other] and civil.rows[0].entered_by == "刘明哲"
    assert value_queue(session, monitor, QueueFilter(period_id=d.closed_period)).total == 0
    assert value_queue(session, monitor, QueueFilter(period_id=d.closed_period, state="approved")).total == 3
    paged = value_queue(session, monitor, QueueFilter(state="all"), page=2, page_size=2)
    assert (paged.total, paged.pages, len(paged.rows)) == (5, 3, 2)
    beyond = value_queue(session, monitor, QueueFilter(state="all"), page=99, page_size=2)
    assert beyond.page == 3 and len(beyond.rows) == 1
    with pytest.raises(PermissionDenied, match="李建成"):  # the refusal names the person too
        review.approve(session, monitor, own)


def test_progress_reports_are_in_the_same_queue(district: tuple[Session, District]) -> None:
    session, d = district
    report = ledger_progress.report_progress(
        session, user(session, d, "liu_mz"), period_id=d.open_period, submit=True,
        values=LedgerInput("behind", "选址未定", 20.0), task_id=session.scalars(select(Task.id)).one())
    page = report_queue(session, user(session, d, "li_jc"), QueueFilter(plan_id=d.plan_id))
    assert [(r.id, r.title, r.org_unit_name, r.status, r.submitted_by) for r in page.rows] == [
        (report.id, "建设示范儿童之家", "青川区民政局", "behind", "刘明哲")]
    assert report_queue(session, user(session, d, "li_jc"), QueueFilter(state="approved")).total == 0


def test_comment_thread_reaches_the_other_side_and_is_audited(district: tuple[Session, District]) -> None:
    session, d = district
    clerk, monitor = user(session, d, "liu_mz"), user(session, d, "li_jc")
    value = _enter(session, d, "liu_mz", d.shelters, d.civil, "12")
    obs.submit(session, clerk, value)
    review.return_observation(session, monitor, value, "请附上民政统计台账")
    comments.add_comment(session, clerk, obs.OBSERVATION_ENTITY, value, "台账已上传至共享盘，请查收")
    to = {n.user_id for n in session.scalars(select(Notification))}
    assert to == {monitor.id}  # the reviewer who returned it, not the whole monitoring group
    comments.add_comment(session, monitor, obs.OBSERVATION_ENTITY, value, "已收到，请重新报送")
    clerk_inbox = inbox.inbox(session, clerk)
    assert [n.subject for n in clerk_inbox.notifications] == ["李建成对「儿童之家数量」（青川区民政局 2025）发表了意见"]
    thread = comments.thread(session, clerk, obs.OBSERVATION_ENTITY, value)
    assert [(e.who, e.action, e.text) for e in thread.entries] == [
        ("刘明哲", "enter", ""), ("刘明哲", "submit", ""), ("李建成", "return", "请附上民政统计台账"),
        ("刘明哲", "comment", "台账已上传至共享盘，请查收"), ("李建成", "comment", "已收到，请重新报送")]
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "comment")).all() == ["comment"] * 2
    with pytest.raises(comments.CommentRejected, match="不能为空"):
        comments.add_comment(session, clerk, obs.OBSERVATION_ENTITY, value, "   ")
    with pytest.raises(PermissionDenied):  # another unit's clerk
        comments.add_comment(session, user(session, d, "zhang_jy"), obs.OBSERVATION_ENTITY, value, "？")


def test_inbox_lists_what_each_person_must_do(district: tuple[Session, District]) -> None:
    session, d = district
    clerk, monitor = user(session, d, "liu_mz"), user(session, d, "li_jc")
    value = _enter(session, d, "liu_mz", d.shelters, d.civil, "12")
    obs.submit(session, clerk, value)
    waiting = inbox.inbox(session, monitor)
    assert [(r.period_code, r.values, r.reports) for r in waiting.reviews] == [("2025", 1, 0)]
    review.return_observation(session, monitor, value, "请附上民政统计台账")
    mine = inbox.inbox(session, clerk)
    assert [(r.title, r.reason) for r in mine.returned] == [("儿童之家数量", "请附上民政统计台账")]
    assert [(x.period_code, x.indicators_owed, x.reports_owed) for x in mine.deadlines] == [("2025", 2, 1)]
    assert inbox.inbox_count(session, clerk) == mine.todo == 2
    assert inbox.inbox(session, monitor).reviews == []
    assert inbox.inbox_count(session, user(session, d, "wang_pg")) == 0  # evaluation: nothing to do here


def test_reminders_reach_the_silent_unit_once_per_interval(district: tuple[Session, District]) -> None:
    session, d = district
    monitor = user(session, d, "li_jc")
    _enter(session, d, "zhang_jy", d.enrolment, d.education, "85")
    entry_sheet.submit_all(session, user(session, d, "zhang_jy"), d.open_period, d.education)
    chase = reminders.chase_list(session, monitor, d.open_period)
    assert [(r.unit.org_unit_name, r.unit.silent, r.clerks, r.with_email) for r in chase] == [
        ("青川区卫生健康委员会", True, 1, 0), ("青川区民政局", True, 1, 1), ("青川区教育局", False, 1, 0)]
    outcome = reminders.send_reminder(session, monitor, d.open_period, d.civil)
    assert (outcome.notified, outcome.emailed, outcome.email_error) == (1, 0, "")  # no mail server configured
    note = session.scalars(select(Notification).where(Notification.kind == "reminder")).one()
    assert note.user_id == user(session, d, "liu_mz").id and "指标数据 2 个、任务和项目进展 1 项" in note.body
    with pytest.raises(reminders.ReminderRefused, match="24 小时内不重复催报"):
        reminders.send_reminder(session, monitor, d.open_period, d.civil)
    set_reminder_interval(session, user(session, d, "admin"), 1)
    with pytest.raises(reminders.ReminderRefused, match="1 小时内不重复催报"):
        reminders.send_reminder(session, monitor, d.open_period, d.civil)
    sent = reminders.remind_all(session, monitor, d.open_period)  # the others, not 民政局 again
    assert [o.unit_name for o in sent] == ["青川区卫生健康委员会", "青川区教育局"]
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "reminders")).all() == ["remind"] * 3
    with pytest.raises(PermissionDenied):
        reminders.send_reminder(session, user(session, d, "admin"), d.open_period, d.health)
    _enter(session, d, "chen_wj", d.births, d.health, "99.1")
    entry_sheet.submit_all(session, user(session, d, "chen_wj"), d.open_period, d.health)
    with pytest.raises(reminders.ReminderRefused, match="催报「青川区卫生健康委员会」：该单位已报齐 2025 报告期的数据"):
        reminders.send_reminder(session, monitor, d.open_period, d.health)
    periods.lock_period(session, monitor, d.open_period)
    with pytest.raises(periods.PeriodLocked):
        reminders.remind_all(session, monitor, d.open_period)
    assert session.scalar(select(Reminder.id).where(Reminder.org_unit_id == d.civil)) is not None


def test_lock_confirmation_lists_what_is_missing_and_lock_stops_ledger_reports(
        district: tuple[Session, District]) -> None:
    session, d = district
    monitor = user(session, d, "li_jc")
    _enter(session, d, "zhang_jy", d.enrolment, d.education, "85")
    entry_sheet.submit_all(session, user(session, d, "zhang_jy"), d.open_period, d.education)
    _enter(session, d, "liu_mz", d.shelters, d.civil, "12")  # a draft, never submitted
    preview = lock_preview(session, monitor, d.open_period)
    assert preview.window_open and preview.anything_missing
    assert preview.never_submitted == ("住院分娩率", "儿童之家数量", "居民人均可支配收入增长")
    assert preview.silent_units == ("青川区卫生健康委员会", "青川区民政局")
    assert [u.org_unit_name for u in preview.incomplete_units] == ["青川区教育局"]  # 儿童之家数量 as 配合
    assert (preview.drafts, preview.waiting_review) == (1, 1)
    periods.lock_period(session, monitor, d.open_period, "年度数据审定")
    task_id = session.scalars(select(Task.id)).one()
    with pytest.raises(periods.PeriodLocked):
        ledger_progress.report_progress(session, monitor, period_id=d.open_period, org_unit_id=d.civil,
                                        values=LedgerInput("in_progress"), task_id=task_id)
    assert session.scalars(select(Observation.state).where(Observation.period_id == d.open_period)).all() == [
        ObservationState.SUBMITTED.value, ObservationState.DRAFT.value]
