"""Issue 15 end to end, in a real headless Chromium and nothing else: the administrator creates
a unit and its clerk, assigns an indicator and a ledger task to it and opens the year's
period; the clerk downloads the template, fills it (openpyxl standing in for Excel) and
uploads it; the monitoring group approves; the dashboard and the Word report change.

Every main page is photographed at desktop (1366×768) and phone (390×844) size; at phone
size nothing may scroll sideways and the menu and the entry form must be usable."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.monitor.exchange.ledger_sheets import TASK_SHEET
from planwatch.store import Database
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    Indicator,
    LedgerReport,
    Observation,
    OrgUnit,
    Plan,
    ReportingPeriod,
    Task,
    User,
)
from planwatch.web import create_app
from tests.web.browser import CHROMIUM, DESKTOP, PHONE, live_server, photograph
from tests.web.excel_helpers import fill, rows_by_code

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")

UNIT_CODE, UNIT_NAME = "QC-YJJ", "青川区应急管理局"
CLERK, CLERK_PASSWORD = "yjj", "Yingji-2026!"
TASK_TITLE = "建成区级应急物资储备库"
VALUE = "91.37"  # a figure no other cell of the demo shows, so the report's text can be searched for it


@dataclass(frozen=True)
class Demo:
    plan_id: int
    indicator_id: int
    indicator_code: str
    indicator_name: str
    year: int


def _demo(url: str) -> Demo:
    """The demo plan, one of its indicators and the first year without a reporting period."""
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            plan = session.scalars(select(Plan).where(Plan.current.is_(True),
                                                      Plan.title.startswith("青川区国民经济"))).one()
            indicator = session.scalars(select(Indicator).where(Indicator.plan_id == plan.id,
                                                                Indicator.unit == "%")
                                        .order_by(Indicator.code)).first()
            assert indicator is not None
            last = max(session.scalars(select(ReportingPeriod.year).where(ReportingPeriod.plan_id == plan.id)))
            return Demo(plan.id, indicator.id, indicator.code, indicator.name, last + 1)
    finally:
        database.dispose()


def _log_in(page: Page, base: str, login: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


def _log_out(page: Page, base: str) -> None:
    page.click(".account form button[type=submit]")
    page.wait_for_url(f"{base}/logout")


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _download(page: Page, selector: str, path: Path) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    info.value.save_as(path)
    return path.read_bytes()


def _dashboard(page: Page, base: str, demo: Demo, folder: Path, name: str) -> tuple[str, str]:
    """The dashboard of the cycle's year: the unit's completeness row and the Word annual report."""
    page.goto(f"{base}/dashboard")
    page.select_option("select[name=year]", str(demo.year))
    page.click("form.form-row button[type=submit]")
    page.wait_for_url(f"**/dashboard?*year={demo.year}*")
    row = page.locator("tr", has_text=UNIT_NAME)
    completeness = row.inner_text()
    report = _download(page, "#reports a[href*='/reports/annual'][href*='format=docx']", folder / f"{name}.docx")
    photograph(page, folder, name)
    return completeness, _docx_text(report)


def _admin_actions(url: str) -> list[tuple[str, str]]:
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            return [tuple(r) for r in session.execute(  # type: ignore[misc]
                select(AuditEvent.entity, AuditEvent.action).where(AuditEvent.actor_login == "admin")
                .order_by(AuditEvent.id))]
    finally:
        database.dispose()


def test_a_whole_annual_cycle_in_the_browser(browser: Any, database_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    demo = _demo(database_url)
    today = datetime.now(UTC).date()
    with live_server(create_app(database_url, secret_key="browser-cycle")) as base:
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)

        # --- the administrator: a unit, its clerk, an indicator and a task, the year's period
        _log_in(page, base, "admin")
        page.click("nav >> text=组织机构")
        form = page.locator("#orgunit-add")
        form.locator("input[name=code]").fill(UNIT_CODE)
        form.locator("input[name=name]").fill(UNIT_NAME)
        form.locator("input[name=short_name]").fill("区应急局")
        form.locator("select[name=kind]").select_option("department")
        form.locator("input[name=parent]").fill("青川区")
        form.locator("button[type=submit]").click()
        expect(page.locator("p.flash")).to_have_text("单位已添加")
        photograph(page, tmp_path, "orgunits")

        page.click("nav >> text=用户管理")
        page.wait_for_url(f"{base}/admin/users")
        add = page.locator("#user-add")
        add.locator("input[name=login]").fill(CLERK)
        add.locator("input[name=name]").fill("区应急管理局填报员")
        add.locator("select[name=role]").select_option("clerk")
        add.locator("input[name=org_unit]").fill(UNIT_NAME)
        add.locator("input[name=password]").fill(CLERK_PASSWORD)
        add.locator("button[type=submit]").click()
        expect(page.locator("p.flash")).to_have_text("用户已添加")
        expect(page.locator("#user-list")).to_contain_text("区应急管理局填报员")
        photograph(page, tmp_path, "users")

        page.goto(f"{base}/plans/{demo.plan_id}/assignments")
        page.get_by_role("checkbox", name=demo.indicator_name, exact=True).check()
        bulk = page.locator("#bulk-assign")
        bulk.locator("input[name=unit]").fill(UNIT_NAME)
        bulk.locator("select[name=role]").select_option("牵头")
        bulk.locator("button[value=assign]").click()
        expect(page.locator("p.flash")).to_have_text("已分配 1 项分工")
        photograph(page, tmp_path, "assignments")

        page.goto(f"{base}/plans/{demo.plan_id}/ledger/tasks/new")
        edit = page.locator("#ledger-edit-form")
        edit.locator("input[name=title]").fill(TASK_TITLE)
        edit.locator("select[name=lead]").select_option(label=UNIT_NAME)
        edit.locator("button[type=submit]").click()
        page.wait_for_url(f"**/plans/{demo.plan_id}/ledger**")

        page.goto(f"{base}/plans/{demo.plan_id}/periods")
        opening = page.locator("#period-open")
        opening.locator("input[name=year]").fill(str(demo.year))
        opening.locator("input[name=opens]").fill((today - timedelta(days=1)).isoformat())
        opening.locator("input[name=closes]").fill((today + timedelta(days=30)).isoformat())
        opening.locator("button[type=submit]").click()
        expect(page.locator("p.flash")).to_have_text("报告期已开放")
        expect(page.locator("#period-list")).to_contain_text(str(demo.year))
        photograph(page, tmp_path, "periods")

        page.click("nav >> text=数据填报")  # the administrator's way to any unit's template
        page.wait_for_url(f"{base}/entry")
        expect(page.locator("#template-download")).to_be_visible()

        completeness_before, report_before = _dashboard(page, base, demo, tmp_path, "dashboard-before")
        _log_out(page, base)

        assert _admin_actions(database_url) == [("org_units", "create"), ("users", "create"),
                                                ("assignments", "assign"), ("tasks", "add"),
                                                ("reporting_periods", "create")]

        # --- the clerk: template down, filled, up
        _log_in(page, base, CLERK, CLERK_PASSWORD)
        page.click("nav >> text=数据填报")
        page.wait_for_url(f"{base}/entry")
        option = page.locator("select[name=period] option", has_text=str(demo.year))
        period_label, period_id = option.inner_text(), option.get_attribute("value")
        page.locator("select[name=period]").select_option(label=period_label)
        page.click("form[action='/entry'] button[type=submit]")
        page.wait_for_url(f"{base}/entry?*")
        template = _download(page, "#template-download", tmp_path / "downloaded.xlsx")
        assert list(rows_by_code(template)) == [demo.indicator_code]
        filled = fill(template, {demo.indicator_code: VALUE}, tmp_path / "区应急管理局_填好.xlsx")
        book = load_workbook(filled)
        tasks = book[TASK_SHEET]
        assert tasks["B2"].value == TASK_TITLE
        tasks["E2"], tasks["F2"], tasks["G2"] = "推进中", 40, "储备库选址完成，主体开工"
        book.save(filled)

        page.set_input_files("#excel input[type=file]", str(filled))
        page.check("#upload-submit")  # 直接报送: the template's values go to the monitoring group at once
        page.click("#template-upload")
        summary = page.locator("#upload-summary")
        expect(summary).to_contain_text("已导入 1 个数值，其中 1 个已报送")
        expect(summary).to_contain_text("另有 1 条重点任务/重大项目进展报告")
        expect(page.locator(f"#row-{demo.indicator_id} input[name=value]")).to_have_value(VALUE)
        photograph(page, tmp_path, "entry")

        page.set_viewport_size(PHONE)  # on a phone: the menu opens and the entry form can be read
        page.goto(f"{base}/entry?period={period_id}")
        nav = page.locator("nav.nav")
        expect(nav).to_be_hidden()
        page.click(".menu-toggle")
        expect(nav.get_by_role("link", name="数据填报")).to_be_visible()
        value_box = page.locator(f"#row-{demo.indicator_id} input[name=value]")
        expect(value_box).to_have_value(VALUE)
        box = value_box.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(tmp_path / "entry-menu-phone.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        _log_out(page, base)

        # --- the monitoring group (not the clerk: four eyes) approves
        _log_in(page, base, "tongji")
        page.click("nav >> text=审核")
        page.wait_for_url(f"{base}/review")
        row = page.locator("#review-values tr", has_text=UNIT_NAME)
        expect(row).to_have_count(1)
        row.get_by_role("checkbox").check()
        photograph(page, tmp_path, "review")
        page.click("#review-values button[value=approve]")
        expect(page.locator("#review-values p.flash")).to_have_text("已审核通过 1 条")
        expect(page.locator("#review-values tr", has_text=UNIT_NAME)).to_have_count(0)

        page.goto(f"{base}/plans/{demo.plan_id}/ledger")
        page.locator("select[name=period_id]").select_option(label=period_label.rsplit(" · ", 1)[-1])
        page.click("form.form-row button[type=submit]")
        task_row = page.locator("#ledger-tasks tr", has_text=TASK_TITLE)
        expect(task_row).to_contain_text("已报送")
        expect(task_row).to_contain_text("储备库选址完成，主体开工")
        photograph(page, tmp_path, "ledger")

        completeness_after, report_after = _dashboard(page, base, demo, tmp_path, "dashboard-after")

    assert completeness_before != completeness_after and "1 / 1" in completeness_after
    assert VALUE not in report_before and VALUE in report_after
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            unit = session.scalars(select(OrgUnit).where(OrgUnit.code == UNIT_CODE)).one()
            clerk = session.scalars(select(User).where(User.login == CLERK)).one()
            assert (clerk.role, clerk.org_unit_id) == ("clerk", unit.id)
            assert session.execute(select(Assignment.indicator_id, Assignment.role).where(
                Assignment.org_unit_id == unit.id, Assignment.indicator_id.is_not(None))).all() == [
                (demo.indicator_id, "牵头")]
            period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == demo.plan_id,
                                                                   ReportingPeriod.year == demo.year)).one()
            (figure,) = session.scalars(select(Observation).where(Observation.org_unit_id == unit.id))
            assert (figure.indicator_id, figure.period_id, figure.state) == (demo.indicator_id, period.id, "approved")
            task = session.scalars(select(Task).where(Task.title == TASK_TITLE)).one()
            (report,) = session.scalars(select(LedgerReport).where(LedgerReport.task_id == task.id))
            assert (report.org_unit_id, report.period_id, report.status, report.percent, report.state) == (
                unit.id, period.id, "in_progress", 40.0, "submitted")
            approvals = session.scalars(select(AuditEvent.actor_login).where(
                AuditEvent.entity == "observations", AuditEvent.entity_id == str(figure.id),
                AuditEvent.action == "approve")).all()
            assert approvals == ["tongji"]
    finally:
        database.dispose()
    shots = sorted(tmp_path.glob("*.png"))
    assert len(shots) == 19
    for shot in shots:
        assert shot.stat().st_size > 5000, f"{shot.name} is nearly empty"
