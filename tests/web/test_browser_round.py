"""End to end in a real headless Chromium: a clerk reports, the monitoring group approves,
the dashboard changes. Screenshots go to the test's output folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.evaluate import Status
from planwatch.services.evaluation import evaluate_stored_plan
from planwatch.store import Database
from planwatch.store.models import Assignment, Indicator, Observation, Plan, ReportingPeriod, User
from planwatch.web import create_app
from tests.web.browser import CHROMIUM, live_server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")

_LEVEL = {">=", "<=", "=", "~"}


def _candidate(url: str) -> tuple[str, Indicator, float, int, int, int]:
    """A value a clerk can still report in the open year that completes a not-yet-completed indicator."""
    database = Database(url)
    with database.session(readonly=True) as session:
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.locked.is_(False))).one()
        evaluation = evaluate_stored_plan(session, None, session.get_one(Plan, period.plan_id), period.year)
        status = {int(r.indicator_id): r.status for r in evaluation.results}
        done = set(session.scalars(select(Observation.indicator_id).where(
            Observation.period_id == period.id, Observation.state.not_in(["draft", "returned"]))))
        for clerk in session.scalars(select(User).where(User.role == "clerk").order_by(User.login)):
            for a in session.scalars(select(Assignment).where(Assignment.org_unit_id == clerk.org_unit_id)):
                indicator = session.get(Indicator, a.indicator_id) if a.indicator_id else None
                if indicator is None or indicator.id in done or status[indicator.id] is Status.COMPLETED:
                    continue
                target = indicator.targets[-1]
                if target.comparator in _LEVEL and target.value is not None and not target.annual_average \
                        and not target.cumulative and target.year == period.year:
                    assert clerk.org_unit_id is not None
                    session.expunge(indicator)
                    return clerk.login, indicator, target.value, period.id, clerk.org_unit_id, period.year
    raise AssertionError("the demo should leave a completable indicator open")


def test_clerk_reports_monitoring_approves_dashboard_changes(browser: Any, database_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    clerk, indicator, value, period_id, unit_id, year = _candidate(database_url)
    with live_server(create_app(database_url, secret_key="browser-round")) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")

        def log_in(name: str) -> None:
            page.goto(f"{base}/login")
            page.fill("input[name=login]", name)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(f"{base}/dashboard")

        def completed_on_dashboard() -> int:
            page.goto(f"{base}/dashboard?year={year}")
            return int(page.locator('tr[data-status="completed"] td.num').first.inner_text())

        def log_out() -> None:
            page.click("header form button")
            page.wait_for_selector("input[name=password]")

        log_in("tongji")
        before = completed_on_dashboard()
        log_out()

        log_in(clerk)
        page.goto(f"{base}/entry?period={period_id}&unit={unit_id}")
        row = page.locator(f"#row-{indicator.id}")
        row.locator("input[name=value]").fill("不是数字")
        row.locator("input[name=value]").dispatch_event("change")
        expect(row.locator(".field-error")).to_be_visible()
        row.locator("input[name=value]").fill(f"{value:g}")
        row.locator("button[value=enter]").click()  # a draft first, then 全部报送 after its confirmation
        expect(row.locator(".flash")).to_contain_text("已保存")
        page.click("#submit-all")
        page.click("#confirm-submit-all")
        expect(page.locator("#entry-message")).to_contain_text("已报送")
        page.screenshot(path=str(tmp_path / "entry-submitted.png"), full_page=True)
        log_out()

        log_in("tongji")
        page.goto(f"{base}/review")
        line = page.locator("tr", has_text=indicator.name)
        line.locator("input[type=checkbox]").check()
        page.click("#review-values button[value=approve]")
        expect(page.locator("#review-values .flash")).to_contain_text("已审核通过 1 条")
        page.screenshot(path=str(tmp_path / "review-approved.png"), full_page=True)

        after = completed_on_dashboard()
        page.screenshot(path=str(tmp_path / "dashboard-after.png"), full_page=True)
        assert after == before + 1
        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        phone.context.add_cookies(page.context.cookies())
        phone.goto(f"{base}/dashboard?year={year}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)
    assert (tmp_path / "dashboard-after.png").stat().st_size > 10_000
