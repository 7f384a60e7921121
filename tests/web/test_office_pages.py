"""The office's pages through the app, as a browser sends them, on the demo: the entry form's
context and 全部报送, the review queue's filters, paging, four-eyes marks and kept ticks, the
ledger after a lock, threads, the inbox and its count, 催报, the lock confirmation and the
mail settings. Every message names the field and what is expected; nothing typed is lost."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.evaluate.targets import EntryKind
from planwatch.monitor.workflow import WorkflowAction
from planwatch.services.ledger_progress import STATUSES
from planwatch.services.plausibility import FLAG_CODES
from planwatch.services.review_queue import QUEUE_STATES
from planwatch.store import Database
from planwatch.store.models import (
    AuditEvent,
    LedgerReport,
    Notification,
    Observation,
    OrgUnit,
    Plan,
    ReportingPeriod,
    Setting,
    User,
)
from planwatch.web.i18n import MESSAGES
from tests.web.client import login


def _db(url: str) -> Database:
    return Database(url)


def _open_period(url: str) -> int:
    database = _db(url)
    with database.session(readonly=True) as s:
        period_id = s.scalars(select(ReportingPeriod.id).where(ReportingPeriod.locked.is_(False))).one()
    database.dispose()
    return period_id


def _unit_of(url: str, login_name: str) -> int:
    database = _db(url)
    with database.session(readonly=True) as s:
        unit = s.scalars(select(User.org_unit_id).where(User.login == login_name)).one()
    database.dispose()
    assert unit is not None
    return unit


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_key_a_template_builds_from_a_code_is_translated(language: str) -> None:
    """Templates build these keys from codes (t("flag.%s"|format(code))), which the key test
    cannot see: every code each one can take has its words."""
    keys = ({f"review.state.{s}" for s in QUEUE_STATES} | {f"flag.{c}" for c in FLAG_CODES}
            | {f"ledger.status.{s}" for s in STATUSES} | {f"ledger.state.{s}" for s in ("draft", "submitted",
                                                                                          "approved", "returned")}
            | {f"audit.{a.value}" for a in WorkflowAction} | {"audit.evidence", "audit.discard", "audit.merge",
                                                               "audit.carry_over"}
            | {f"entry.hint.{k.name.lower()}" for k in EntryKind}
            | {f"admin.smtp_security.{s}" for s in ("starttls", "ssl", "none")})
    assert keys - set(MESSAGES[language]) == set()


def test_entry_rows_carry_their_context_and_submit_all_confirms_first(app_client: TestClient,
                                                                      database_url: str) -> None:
    token = login(app_client, "fgw")
    period_id, unit_id = _open_period(database_url), _unit_of(database_url, "fgw")
    page = app_client.get(f"/entry?period={period_id}").text
    assert page.count("规划目标") >= 1 and "上年数值" in page and "填报要求" in page and "截止日期" in page
    assert 'id="submit-all"' in page
    row = re.search(r'<div class="card" id="row-(\d+)">(.*?)</form>', page, re.S)
    assert row is not None
    indicator_id = int(row.group(1))
    form = {"csrf_token": token, "indicator_id": indicator_id, "period_id": period_id, "org_unit_id": unit_id,
            "value": "约12", "source": "部门快报", "note": "初步数"}
    saved = app_client.post("/entry", data=form, headers={"X-Requested-With": "fetch"})
    assert saved.status_code == 200 and "已保存" in saved.text  # a draft may still be rough
    assert '<template data-replace="#entry-summary">' in saved.text  # the counts above come along
    confirm = app_client.get(f"/entry/submit-all?period={period_id}&unit={unit_id}")
    assert confirm.status_code == 200 and 'id="confirm-submit-all"' in confirm.text
    before = _states(database_url, period_id, unit_id)
    refused = app_client.post("/entry/submit-all", data={"csrf_token": token, "period_id": period_id,
                                                         "org_unit_id": unit_id})
    assert refused.status_code == 422 and "的数值：「约12」不是数值" in refused.text and "草稿都保留" in refused.text
    assert _states(database_url, period_id, unit_id) == before  # nothing submitted, the draft still there
    page = app_client.get(f"/entry?period={period_id}").text
    assert 'value="约12"' in page and 'value="部门快报"' in page and 'value="初步数"' in page


def _states(url: str, period_id: int, unit_id: int) -> dict[int, tuple[str, int]]:
    database = _db(url)
    with database.session(readonly=True) as s:
        found = {o.indicator_id: (o.state, o.current_revision) for o in s.scalars(select(Observation).where(
            Observation.period_id == period_id, Observation.org_unit_id == unit_id))}
    database.dispose()
    return found


def test_a_refused_row_keeps_what_was_typed_without_javascript(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "lyj")
    period_id, unit_id = _open_period(database_url), _unit_of(database_url, "lyj")
    page = app_client.get(f"/entry?period={period_id}").text
    indicator_id = int(re.findall(r'id="row-(\d+)"', page)[0])
    refused = app_client.post("/entry", data={"csrf_token": token, "indicator_id": indicator_id, "period_id": period_id,
                                              "org_unit_id": unit_id, "value": "150", "source": "林业年报",
                                              "note": "含新造林"})
    assert refused.status_code == 422 and "百分比应在 0–100 之间，实际为 150" in refused.text
    row = refused.text[refused.text.index(f'id="row-{indicator_id}"'):]
    assert 'value="150"' in row and 'value="林业年报"' in row and 'value="含新造林"' in row


def test_review_queue_filters_pages_and_keeps_ticks_when_a_reason_is_missing(app_client: TestClient,
                                                                              database_url: str) -> None:
    token = login(app_client, "tongji")
    period_id = _open_period(database_url)
    database = _db(database_url)
    with database.session(readonly=True) as s:
        plan_id = s.scalars(select(Plan.id)).one()
        waiting = list(s.scalars(select(Observation.id).where(Observation.period_id == period_id,
                                                              Observation.state == "submitted")))
        unit_id = s.scalars(select(Observation.org_unit_id).where(Observation.id == waiting[0])).one()
    database.dispose()
    everything = app_client.get("/review?plan=&period=&unit=&state=submitted")  # the form's 全部 is ""
    assert everything.status_code == 200 and f"指标数据（{len(waiting)}）" in everything.text
    one_unit = app_client.get(f"/review?plan={plan_id}&period={period_id}&unit={unit_id}").text
    assert f'id="value-{waiting[0]}"' in one_unit and one_unit.count('name="observation_id" value=') < len(waiting)
    approved = app_client.get(f"/review?period={period_id}&state=approved").text
    assert "指标数据（" in approved and 'name="observation_id"' not in approved  # nothing to tick: already decided
    locked = app_client.get("/review?state=all").text
    assert "第 1 / " in locked and "下一页" in locked  # five years of figures: paged
    second = app_client.get("/review?state=all&page=2").text
    assert "第 2 / " in second and "上一页" in second
    refused = app_client.post("/review", data={"csrf_token": token, "observation_id": waiting[:2], "decision": "return",
                                               "period": period_id, "comment": "  "})
    assert refused.status_code == 422 and "退回须填写意见" in refused.text and "已勾选的 2 条保留" in refused.text
    for ticked in waiting[:2]:
        assert re.search(rf'value="{ticked}" aria-label="[^"]*" checked', refused.text)
    assert re.search(r'<input type="hidden" name="period" value="\d+">', refused.text)  # the filter stays too


def test_rows_the_reviewer_may_not_approve_are_marked_with_her_name(app_client: TestClient,
                                                                    database_url: str) -> None:
    token = login(app_client, "tongji")
    period_id = _open_period(database_url)
    database = _db(database_url)
    with database.session(readonly=True) as s:
        draft = s.scalars(select(Observation).where(Observation.period_id == period_id,
                                                    Observation.state == "draft")).first()
        assert draft is not None
        indicator_id, unit_id = draft.indicator_id, draft.org_unit_id
    database.dispose()
    app_client.post("/entry", data={"csrf_token": token, "indicator_id": indicator_id, "period_id": period_id,
                                    "org_unit_id": unit_id, "value": "1", "step": "submit"})
    queue = app_client.get(f"/review?period={period_id}&unit={unit_id}").text
    assert "由区统计局监测组（本人）填报并报送，按四眼原则须由其他审核人通过" in queue
    row = re.search(rf'<tr id="value-{draft.id}" class="blocked">', queue)
    assert row is not None
    refused = app_client.post("/review", data={"csrf_token": token, "observation_id": [draft.id],
                                               "decision": "approve"})
    assert refused.status_code == 422 and "用户 区统计局监测组 无权审核通过" in refused.text
    assert "tongji" not in refused.text and re.search(rf'value="{draft.id}" aria-label="[^"]*" checked', refused.text)


def test_progress_reports_are_reviewed_in_the_queue_and_on_the_ledger_with_a_message(
        app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "tongji")
    period_id = _open_period(database_url)
    database = _db(database_url)
    with database.session(readonly=True) as s:
        reports = list(s.scalars(select(LedgerReport).where(LedgerReport.period_id == period_id,
                                                            LedgerReport.state == "submitted")))
        plan_id = s.scalars(select(Plan.id)).one()
    database.dispose()
    assert len(reports) >= 2
    queue = app_client.get(f"/review?period={period_id}").text
    assert f"任务和项目进展（{len(reports)}）" in queue and f'name="report_id" value="{reports[0].id}"' in queue
    done = app_client.post("/review/reports", data={"csrf_token": token, "report_id": [reports[0].id],
                                                    "decision": "approve", "period": period_id})
    assert done.status_code == 200 and "已审核通过 1 项进展报告" in done.text
    ledger = app_client.post(f"/ledger/reports/{reports[1].id}/review", data={"csrf_token": token,
                                                                             "decision": "approve"})
    assert ledger.status_code == 200 and "进展报告已审核通过" in ledger.text
    assert f"/plans/{plan_id}/ledger" in str(ledger.url)


def test_after_a_lock_the_ledger_offers_no_report_and_no_review(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "tongji")
    period_id = _open_period(database_url)
    database = _db(database_url)
    with database.session(readonly=True) as s:
        plan_id = s.scalars(select(Plan.id)).one()
    database.dispose()
    review_form = re.compile(r'action="/ledger/reports/\d+/review"')
    before = app_client.get(f"/plans/{plan_id}/ledger?period_id={period_id}").text
    assert "/progress?period_id=" in before and review_form.search(before)
    locked = app_client.post(f"/periods/{period_id}/lock", data={"csrf_token": token, "confirmed": "1",
                                                                 "reason": "年度数据审定"})
    assert locked.status_code == 200 and "报告期已锁定" in locked.text
    after = app_client.get(f"/plans/{plan_id}/ledger?period_id={period_id}").text
    assert "/progress?period_id=" not in after and not review_form.search(after) and 'id="ledger-locked"' in after
    app_client.cookies.clear()
    login(app_client, "fgw")
    clerk = app_client.get(f"/plans/{plan_id}/ledger?period_id={period_id}").text
    assert "/progress?period_id=" not in clerk
    assert "当前没有开放填报的报告期" in app_client.get("/entry").text


def test_threads_inbox_and_its_count(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "tongji")
    period_id = _open_period(database_url)
    database = _db(database_url)
    with database.session(readonly=True) as s:
        returned, clerk_login = s.execute(
            select(Observation, User.login).join(User, (User.org_unit_id == Observation.org_unit_id)
                                                 & (User.role == "clerk"))
            .where(Observation.period_id == period_id, Observation.state == "submitted")).first()  # type: ignore[misc]
    database.dispose()
    app_client.post("/review", data={"csrf_token": token, "observation_id": [returned.id], "decision": "return",
                                     "comment": "与统计快报口径不一致"})
    page = app_client.get(f"/threads/observations/{returned.id}").text
    assert "与统计快报口径不一致" in page  # the return's reason is in the thread
    empty = app_client.post(f"/threads/observations/{returned.id}", data={"csrf_token": token, "body": "  "})
    assert empty.status_code == 422 and "意见：不能为空" in empty.text
    long = "请核实" * 700
    too_long = app_client.post(f"/threads/observations/{returned.id}", data={"csrf_token": token, "body": long})
    assert too_long.status_code == 422 and "不超过 2000 字" in too_long.text and long in too_long.text
    sent = app_client.post(f"/threads/observations/{returned.id}", data={"csrf_token": token,
                                                                         "body": "请附上统计快报的页码"})
    assert sent.status_code == 200 and "请附上统计快报的页码" in sent.text
    assert app_client.get("/threads/tasks/1").status_code == 404

    app_client.cookies.clear()
    token = login(app_client, clerk_login)
    dashboard = app_client.get("/dashboard").text
    count = re.search(r'id="nav-inbox">我的待办 <span class="count" aria-label="(\d+) 项待办">', dashboard)
    assert count is not None and int(count.group(1)) >= 2  # the returned value, the message, the deadline
    inbox = app_client.get("/inbox").text
    assert "被退回待修改" in inbox and "与统计快报口径不一致" in inbox and "请附上统计快报的页码" in inbox
    database = _db(database_url)
    with database.session(readonly=True) as s:
        note = s.scalars(select(Notification)).one()
    database.dispose()
    opened = app_client.post(f"/inbox/{note.id}/open", data={"csrf_token": token}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/threads/observations/{returned.id}#latest"
    after = re.search(r'aria-label="(\d+) 项待办"', app_client.get("/dashboard").text)
    assert after is not None and int(after.group(1)) == int(count.group(1)) - 1
    assert app_client.post(f"/inbox/{note.id + 1000}/open", data={"csrf_token": token}).status_code == 404
    assert app_client.get(f"/threads/observations/{returned.id}").status_code == 200
    assert app_client.get("/periods/1/reminders").status_code == 403  # 催报 is the monitoring group's


def test_reminder_page_and_the_lock_confirmation(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "tongji")
    period_id = _open_period(database_url)
    page = app_client.get(f"/periods/{period_id}/reminders").text
    assert 'id="chase-list"' in page and "未报齐" in page and "未配置邮件服务器" in page
    unit = re.search(r'name="org_unit_id" value="(\d+)"', page)  # a unit with a clerk to remind
    assert unit is not None
    sent = app_client.post(f"/periods/{period_id}/reminders", data={"csrf_token": token, "org_unit_id": unit.group(1)})
    assert sent.status_code == 200 and "站内通知" in sent.text and "邮件 0 封" in sent.text
    again = app_client.post(f"/periods/{period_id}/reminders", data={"csrf_token": token,
                                                                     "org_unit_id": unit.group(1)})
    assert again.status_code == 422 and "小时内不重复催报" in again.text
    database = _db(database_url)
    with database.session(readonly=True) as s:
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "reminders")).all() == ["remind"]
    database.dispose()
    confirm = app_client.get(f"/periods/{period_id}/lock").text
    assert "填报窗口尚未关闭" in confirm and "个单位未报齐" in confirm and "项已报送、尚未审核" in confirm


def test_mail_settings_and_a_users_address(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "admin")
    bad = app_client.post("/admin/settings/smtp", data={"csrf_token": token, "host": "smtp.example.gov.cn",
                                                        "port": 25, "security": "starttls", "sender": "jiance"})
    assert bad.status_code == 422 and "发件人地址：应为电子邮件地址，实际为「jiance」" in bad.text
    good = app_client.post("/admin/settings/smtp", data={"csrf_token": token, "host": "smtp.example.gov.cn",
                                                         "port": 587, "security": "starttls",
                                                         "sender": "jiance@tjj.example.gov.cn", "username": "jiance",
                                                         "password": "Mail-2026!"})
    assert good.status_code == 200 and "smtp.example.gov.cn" in good.text and "Mail-2026!" not in good.text
    interval = app_client.post("/admin/settings/reminders", data={"csrf_token": token, "hours": 0})
    assert interval.status_code == 422 and "催报间隔：应为 1 到 720 小时之间的整数" in interval.text
    database = _db(database_url)
    with database.session(readonly=True) as s:
        stored = s.get_one(Setting, "smtp").value
        wjw = s.scalars(select(User.id).where(User.login == "wjw")).one()
        unit_name = s.scalars(select(OrgUnit.name).join(User, User.org_unit_id == OrgUnit.id)
                              .where(User.login == "wjw")).one()
    database.dispose()
    assert stored["host"] == "smtp.example.gov.cn" and stored["port"] == 587
    wrong = app_client.post(f"/admin/users/{wjw}/contact", data={"csrf_token": token, "name": "王卫",
                                                                  "email": "wangwei"})
    assert wrong.status_code == 422 and "电子邮箱：应为如 zhang@example.gov.cn 的地址" in wrong.text
    saved = app_client.post(f"/admin/users/{wjw}/contact", data={"csrf_token": token, "name": "王卫",
                                                                  "email": "wangwei@wjw.example.gov.cn"})
    assert saved.status_code == 200 and "已保存姓名和电子邮箱" in saved.text and unit_name
