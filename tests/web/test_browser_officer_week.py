"""The monitoring officer's week on a real plan, in a real headless Chromium and nothing else.

The plan is 黄浦区城市更新“十五五”规划 from ../shared when it is there (PLANWATCH_SHARED), else a
fictional plan shaped like it. Its indicators and tasks are divided among four departments;
last year's round is approved and locked. This year: clerks enter with the context beside
each value (target, baseline, last year, what to enter, deadline), save drafts, are stopped
with their typing kept, submit all after a confirmation; the reviewer filters the queue, sees
the flags and the four-eyes mark, comments, returns (first without a reason: the ticks stay)
and approves, progress reports in the same queue; the inbox tells each person what to do;
催报 reaches the silent department in its inbox and by e-mail through a local SMTP server;
the lock lists what is missing, and after it nothing offers an action that would be refused.
Every page of the week is photographed at 1366×768 and 390×844."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services import (
    assignments,
    ledger_edits,
    observation_bulk,
    observations,
    orgunits,
    periods,
    plan_import,
    review,
    users,
)
from planwatch.services.settings import SmtpSettings, set_smtp
from planwatch.store import Database
from planwatch.store.clock import recorded_at
from planwatch.store.models import Indicator, LedgerReport, Observation, OrgUnit, Plan, Task
from planwatch.web import create_app
from tests.shared.conftest import shared_dir
from tests.smtp_server import Mailbox, local_smtp
from tests.web.browser import CHROMIUM, DESKTOP, live_server, photograph
from tests.web.renewal_sample import renewal_plan

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")

PASSWORD = "Week-2027!jc"
HUANGPU = "plans/sh_huangpu_chengshigengxin_15.txt"


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    unit: str | None = None  # the clerk's department: its code


@dataclass(frozen=True)
class Item:
    id: int
    name: str
    last_year: float  # the unit's approved value of the previous round
    target: str  # the final target as printed


@dataclass(frozen=True)
class Week:
    plan_id: int
    period_id: int  # this year's round, open
    district: str
    units: dict[str, int]  # code → id
    housing: list[Item]  # 房管局: a share in %, then a quantity
    greening: list[Item]  # 绿化市容局: three quantities
    building: list[Item]  # 建管委: a share in %, then quantities
    commerce: list[Item]  # 商务委: the unit that stays silent
    greening_task: int
    year: int


WANG = Person("wangmin", "王敏")  # the monitoring officer of the week
CHEN = Person("chenli", "陈立")  # her colleague, who approved last year's round
LI = Person("lina", "李娜", "FGJ")
ZHAO = Person("zhaoqiang", "赵强", "LHSR")
SUN = Person("sunwei", "孙伟", "JGW")
ZHOU = Person("zhoujie", "周洁", "SWW")
DEPARTMENTS = {"JGW": "建设管理委员会", "FGJ": "房屋管理局", "LHSR": "绿化和市容管理局", "SWW": "商务委员会"}


def _plan_file(tmp_path: Path) -> Path:
    real = shared_dir() / HUANGPU
    return real if real.is_file() else renewal_plan(tmp_path)


def _g(value: float) -> str:
    return f"{value:g}"


def _setup(url: str, plan_file: Path, smtp_port: int) -> Week:
    """The district as the week finds it (through the services, as an administrator and last
    year's clerks left it)."""
    database = Database(url)
    database.upgrade()
    now = datetime.now(UTC)
    with database.session() as s:
        plan_id = plan_import.import_file(s, plan_file).plans[0].plan_id
        plan = s.get_one(Plan, plan_id)
        district = "黄浦区" if "黄浦区" in plan.title else "云溪区"
        orgunits.import_org_units(s, None, [orgunits.OrgUnitRow("D", district, "district", "")] + [
            orgunits.OrgUnitRow(code, f"{district}{name}", "department", "D") for code, name in DEPARTMENTS.items()])
        units = {u.code: u for u in s.scalars(select(OrgUnit))}
        users.add_user(s, None, "admin", PASSWORD, "admin", name="系统管理员")
        for person, role in ((WANG, "monitoring"), (CHEN, "monitoring"), (LI, "clerk"), (ZHAO, "clerk"),
                             (SUN, "clerk"), (ZHOU, "clerk")):
            users.add_user(s, None, person.login, PASSWORD, role, name=person.name, org_unit=person.unit,
                           email=f"{person.login}@{(person.unit or 'tjj').lower()}.example.gov.cn")
        admin, wang = users.find_user(s, "admin"), users.find_user(s, WANG.login)
        set_smtp(s, admin, SmtpSettings("127.0.0.1", smtp_port, "none", "jiance@tjj.example.gov.cn"))
        indicators = list(s.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.code)))
        shares = [i for i in indicators if i.unit == "%"]
        others = [i for i in indicators if i.unit != "%" and i.targets and i.targets[-1].value is not None]
        division = {"FGJ": [shares[0], others[0]], "LHSR": others[1:4], "JGW": [shares[1], *others[4:6]],
                    "SWW": others[6:]}
        for code, owned in division.items():
            for indicator in owned:
                assignments.assign(s, admin, indicator, units[code], "牵头")
        tasks = list(s.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.line)))
        for task, code in zip(tasks, ("SWW", "FGJ", "LHSR"), strict=False):
            ledger_edits.edit_task(s, wang, task.id, ledger_edits.TaskFields(units=[(units[code].id, "牵头")]))
        year = now.year
        last = _last_round(s, plan.id, year - 1, division, units, now)
        this = periods.create_period(s, wang, plan.id, year, opens_at=now - timedelta(days=5),
                                     closes_at=now + timedelta(days=20))
        # before the week: 王敏 entered 建管委's share for them (she may not approve it), 孙伟 saved a draft
        helped = observations.enter_value(s, wang, this.id, observations.ObservationInput(
            shares[1].id, units["JGW"].id, _g(last[shares[1].id] + 4)))
        observations.submit(s, wang, helped.id)
        observations.enter_value(s, users.find_user(s, SUN.login), this.id, observations.ObservationInput(
            others[4].id, units["JGW"].id, _g(last[others[4].id] * 1.2)))

        def items(code: str) -> list[Item]:
            return [Item(i.id, i.name, last[i.id], i.targets[-1].text) for i in division[code]]

        week = Week(plan.id, this.id, district, {c: u.id for c, u in units.items()}, items("FGJ"), items("LHSR"),
                    items("JGW"), items("SWW"), tasks[2].id, year)
    database.dispose()
    return week


def _last_round(s: Session, plan_id: int, year: int, division: dict[str, list[Indicator]],
                units: dict[str, OrgUnit], now: datetime) -> dict[int, float]:
    """Last year's round: each department submitted its figures in the window, 陈立 approved
    them and locked the period; returns each indicator's value."""
    chen = users.find_user(s, CHEN.login)
    clerks = {LI.unit: LI.login, ZHAO.unit: ZHAO.login, SUN.unit: SUN.login, ZHOU.unit: ZHOU.login}
    opens, closes = now - timedelta(days=400), now - timedelta(days=340)
    with recorded_at(opens - timedelta(days=1)):
        period = periods.create_period(s, chen, plan_id, year, opens_at=opens, closes_at=closes)
    values: dict[int, float] = {}
    for code, owned in division.items():
        with recorded_at(opens + timedelta(days=10)):
            items = []
            for indicator in owned:
                target = indicator.targets[-1].value or 10.0
                values[indicator.id] = round(target * (0.7 if indicator.unit == "%" else 0.3), 1)
                items.append(observations.ObservationInput(indicator.id, units[code].id, _g(values[indicator.id])))
            done = observation_bulk.enter_values_bulk(s, users.find_user(s, clerks[code]), period.id, items, submit=True)
        with recorded_at(opens + timedelta(days=14)):
            review.approve_many(s, chen, done.observation_ids)
    with recorded_at(closes + timedelta(days=5)):
        periods.lock_period(s, chen, period.id, f"{year} 年数据审定")
    return values


@pytest.fixture
def week(tmp_path: Path) -> Iterator[tuple[str, Week, Mailbox]]:
    url = f"sqlite:///{tmp_path / 'week.db'}"
    with local_smtp() as box:
        yield url, _setup(url, _plan_file(tmp_path), box.port), box


def _log_in(page: Page, base: str, person: Person) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", person.login)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


def _log_out(page: Page, base: str) -> None:
    page.click(".account form button[type=submit]")
    page.wait_for_url(f"{base}/logout")


def _save_row(page: Page, item: Item, value: str, source: str = "") -> str:
    """Type a value in the item's row and save it as a draft; the row's answer."""
    row = page.locator(f"#row-{item.id}")
    row.locator("input[name=value]").fill(value)
    if source:
        row.locator("input[name=source]").fill(source)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/entry")):
        row.locator("button[name=step][value=enter]").click()
    answer = row.locator("[data-result]").first
    answer.wait_for()
    return answer.inner_text()


def _observation(url: str, item: Item, period_id: int) -> int:
    database = Database(url)
    try:
        with database.session(readonly=True) as s:
            return s.scalars(select(Observation.id).where(Observation.indicator_id == item.id,
                                                          Observation.period_id == period_id)).one()
    finally:
        database.dispose()


def _state(url: str, observation_id: int) -> str:
    database = Database(url)
    try:
        with database.session(readonly=True) as s:
            return s.get_one(Observation, observation_id).state
    finally:
        database.dispose()


def test_the_officers_week(browser: Any, week: tuple[str, Week, Mailbox], tmp_path: Path) -> None:
    from playwright.sync_api import expect

    url, w, mailbox = week
    shots = tmp_path / "shots"
    shots.mkdir()
    share, quantity = w.housing
    with live_server(create_app(url, secret_key="officer-week")) as base:
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN")

        # 李娜 of 房管局 enters with everything she needs beside each value
        _log_in(page, base, LI)
        page.goto(f"{base}/entry?period={w.period_id}")
        row = page.locator(f"#row-{share.id}")
        for seen in ("规划目标", share.target, "上年数值", _g(share.last_year), "填报要求", "截止日期"):
            expect(row).to_contain_text(seen)
        expect(page.locator("#entry-summary")).to_contain_text("填报截止")
        answer = _save_row(page, share, "120", "区房管局年报")
        assert "未保存" in answer and "0–100" in answer
        expect(row.locator("input[name=value]")).to_have_value("120")  # what she typed is still there
        expect(row.locator("input[name=source]")).to_have_value("区房管局年报")
        assert "已保存" in _save_row(page, share, _g(share.last_year + 5))
        assert "已保存" in _save_row(page, quantity, f"约{_g(quantity.last_year * 1.2)}")  # a draft may be rough
        photograph(page, shots, "1-entry")
        page.click("#submit-all")
        expect(page.locator("#submit-ready")).to_contain_text(share.name)
        photograph(page, shots, "2-submit-confirm")
        page.click("#confirm-submit-all")
        expect(page.locator("#submit-errors")).to_contain_text(f"指标「{quantity.name}」的数值")
        expect(page.locator("#submit-errors")).to_contain_text("草稿都保留")
        page.goto(f"{base}/entry?period={w.period_id}")
        expect(page.locator(f"#row-{quantity.id} input[name=value]")).to_have_value(f"约{_g(quantity.last_year * 1.2)}")
        _save_row(page, quantity, _g(quantity.last_year * 1.2))
        page.click("#submit-all")
        page.click("#confirm-submit-all")
        expect(page.locator("#entry-message")).to_contain_text("已报送 2 个数值")
        _log_out(page, base)

        # 赵强 of 绿化市容局: a figure ten times last year's, one left empty, a task report as a draft
        jump, steady, empty = w.greening
        _log_in(page, base, ZHAO)
        page.goto(f"{base}/entry?period={w.period_id}")
        _save_row(page, jump, _g(jump.last_year * 10))
        _save_row(page, steady, _g(steady.last_year * 1.2))
        page.goto(f"{base}/plans/{w.plan_id}/ledger?period_id={w.period_id}")
        page.click(f"a[href*='/ledger/tasks/{w.greening_task}/progress']")
        page.select_option("select[name=status]", "in_progress")
        page.fill("input[name=percent]", "40")
        page.fill("textarea[name=progress]", "完成两处街头绿地改造设计")
        page.click("button[name=action][value=save]")
        page.wait_for_url(f"{base}/plans/{w.plan_id}/ledger*")
        page.goto(f"{base}/entry?period={w.period_id}")
        page.click("#submit-all")
        missing = page.locator("#submit-missing")
        expect(missing).to_contain_text(empty.name)
        expect(page.locator("#submit-ready")).to_contain_text("进展报告")
        page.click("#confirm-submit-all")
        expect(page.locator("#entry-message")).to_contain_text("已报送 2 个数值和 1 项进展报告")
        _log_out(page, base)

        # 王敏 reviews: her inbox says what waits, the queue filters, flags and marks
        jump_id, helped_id = _observation(url, jump, w.period_id), _observation(url, w.building[0], w.period_id)
        _log_in(page, base, WANG)
        expect(page.locator("#nav-inbox .count")).to_be_visible()
        page.click("#nav-inbox")
        expect(page.locator("#inbox-reviews")).to_contain_text("指标数据 5 个、进展报告 1 项待审核")
        photograph(page, shots, "3-inbox-reviewer")
        page.goto(f"{base}/review")
        page.select_option("#review-filters select[name=plan]", str(w.plan_id))
        page.click("#review-filters button[type=submit]")
        page.select_option("#review-filters select[name=period]", str(w.period_id))
        page.click("#review-filters button[type=submit]")
        values = page.locator("#review-values")
        expect(values.locator("h2")).to_contain_text("（5）")
        expect(page.locator(f"#value-{jump_id}")).to_contain_text("与上年相差过大")
        expect(page.locator(f"#value-{helped_id}")).to_contain_text("由王敏（本人）填报并报送，按四眼原则须由其他审核人通过")
        photograph(page, shots, "4-review")
        page.check("#review-filters input[name=flagged]")
        page.click("#review-filters button[type=submit]")
        expect(page.locator(f"#value-{jump_id}")).to_be_visible()
        page.click(f"#value-{jump_id} a:has-text('讨论')")
        page.fill("#comment-form textarea[name=body]", f"{jump.name}比上年增加近十倍，是否把累计数填成了年度数？")
        page.click("#comment-form button[type=submit]")
        expect(page.locator("#thread-entries")).to_contain_text("是否把累计数填成了年度数")
        photograph(page, shots, "5-thread")
        page.goto(f"{base}/review?plan={w.plan_id}&period={w.period_id}&flagged=true")
        page.check(f"#value-{jump_id} input[name=observation_id]")
        page.click("#review-values button[name=decision][value=return]")
        expect(values.locator("[data-result=error]")).to_contain_text("退回须填写意见")
        expect(page.locator(f"#value-{jump_id} input[name=observation_id]")).to_be_checked()  # the tick stays
        page.fill("#review-values textarea[name=comment]", "数值与年度计划不符，请核实后重新报送")
        page.click("#review-values button[name=decision][value=return]")
        expect(values.locator("[data-result=ok]")).to_contain_text("已退回 1 条")
        assert _state(url, jump_id) == "returned"
        page.uncheck("#review-filters input[name=flagged]")
        page.click("#review-filters button[type=submit]")
        for item in (*w.housing, steady):
            page.check(f"#value-{_observation(url, item, w.period_id)} input[name=observation_id]")
        page.click("#review-values button[name=decision][value=approve]")
        expect(values.locator("[data-result=ok]")).to_contain_text("已审核通过 3 条")
        reports = page.locator("#review-reports")
        expect(reports).to_contain_text("完成两处街头绿地改造设计")
        reports.locator("input[name=report_id]").first.check()
        reports.locator("button[name=decision][value=approve]").click()
        expect(reports.locator("[data-result=ok]")).to_contain_text("已审核通过 1 项进展报告")
        _log_out(page, base)

        # 赵强's inbox: the returned figure with the reason and 王敏's question; he answers and resubmits
        _log_in(page, base, ZHAO)
        page.click("#nav-inbox")
        expect(page.locator("#inbox-returned")).to_contain_text("数值与年度计划不符，请核实后重新报送")
        expect(page.locator("#inbox-messages")).to_contain_text("王敏对")
        photograph(page, shots, "6-inbox-clerk")
        page.locator("#inbox-messages li button").first.click()
        page.fill("#comment-form textarea[name=body]", "已核实：误填了累计数，已改为年度数。")
        page.click("#comment-form button[type=submit]")
        page.click("a:has-text('到填报页面')")
        expect(page.locator(f"#row-{jump.id}")).to_contain_text("退回意见：数值与年度计划不符")
        _save_row(page, jump, _g(jump.last_year * 1.3))
        page.click("#submit-all")
        page.click("#confirm-submit-all")
        expect(page.locator("#entry-message")).to_contain_text("已报送 1 个数值")
        _log_out(page, base)

        # 王敏 chases the silent 商务委: in its clerks' inboxes and by e-mail
        _log_in(page, base, WANG)
        page.goto(f"{base}/periods/{w.period_id}/reminders")
        silent = page.locator(f"#chase-{w.units['SWW']}")
        expect(silent).to_contain_text("未报送")
        silent.locator("button").click()
        expect(page.locator("#remind-result")).to_contain_text("站内通知 1 人，邮件 1 封")
        expect(page.locator(f"#chase-{w.units['SWW']}")).to_contain_text("后可再催")  # not twice within the interval
        photograph(page, shots, "7-reminders")
        (mail,) = mailbox.messages
        assert mailbox.recipients == [[f"{ZHOU.login}@sww.example.gov.cn"]]
        assert str(w.year) in mail["Subject"] and f"{w.district}{DEPARTMENTS['SWW']}" in mail.get_content()
        _log_out(page, base)
        _log_in(page, base, ZHOU)
        page.click("#nav-inbox")
        expect(page.locator("#inbox-messages")).to_contain_text(f"{w.year} 年度数据")
        expect(page.locator("#inbox-deadlines")).to_contain_text("本单位尚未报送")
        _log_out(page, base)

        # the lock confirms what is missing; afterwards nothing offers what would be refused
        _log_in(page, base, WANG)
        page.goto(f"{base}/plans/{w.plan_id}/periods")
        page.click(f"a[href='/periods/{w.period_id}/lock']")
        expect(page.locator("#lock-window-open")).to_contain_text("填报窗口尚未关闭")
        listed = page.locator("#lock-missing")
        expect(listed).to_contain_text(f"{w.district}{DEPARTMENTS['SWW']}")
        expect(listed).to_contain_text(w.commerce[0].name)
        expect(listed).to_contain_text("仍是草稿")  # 孙伟's draft
        expect(listed).to_contain_text("尚未审核")  # 赵强's resubmission and 王敏's own entry
        photograph(page, shots, "8-lock-confirm")
        page.fill("#lock-form input[name=reason]", f"{w.year} 年数据审定")
        page.click("#confirm-lock")
        expect(page.locator(".flash").first).to_contain_text("报告期已锁定")
        _log_out(page, base)
        _log_in(page, base, ZHAO)
        page.goto(f"{base}/plans/{w.plan_id}/ledger?period_id={w.period_id}")
        expect(page.locator("#ledger-locked")).to_be_visible()
        assert page.locator("a[href*='/progress']").count() == 0  # no 报告进展 that would answer 403
        page.goto(f"{base}/entry")
        expect(page.locator("main")).to_contain_text("当前没有开放填报的报告期")  # the locked round is not offered

    database = Database(url)
    with database.session(readonly=True) as s:
        report = s.scalars(select(LedgerReport)).one()
        assert report.state == "approved" and report.reviewed_by_id == users.find_user(s, WANG.login).id
    database.dispose()
