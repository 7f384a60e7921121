"""Issue 15 in a real headless Chromium: the administrator creates an org unit, then ticks
three indicators of the demo plan and assigns them to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.store import Database
from planwatch.store.models import Assignment, AuditEvent, Indicator, OrgUnit, Plan
from planwatch.web import create_app
from tests.web.browser import CHROMIUM, live_server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")


def _demo_plan(url: str) -> tuple[int, list[str]]:
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            plan = session.scalars(select(Plan).where(Plan.current.is_(True), Plan.title.startswith("青川区国民经济"))).one()
            names = list(session.scalars(select(Indicator.name).where(Indicator.plan_id == plan.id)
                                         .order_by(Indicator.code).limit(3)))
            return plan.id, names
    finally:
        database.dispose()


def test_admin_creates_a_unit_and_assigns_three_indicators(browser: Any, database_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    plan_id, names = _demo_plan(database_url)
    with live_server(create_app(database_url, secret_key="browser-admin")) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(f"{base}/login")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{base}/dashboard")

        page.click("nav >> text=组织机构")
        page.wait_for_url(f"{base}/admin/orgunits")
        form = page.locator("#orgunit-add")
        form.locator("input[name=code]").fill("QC-YJJ")
        form.locator("input[name=name]").fill("青川区应急管理局")
        form.locator("input[name=short_name]").fill("区应急局")
        form.locator("select[name=kind]").select_option("department")
        form.locator("input[name=parent]").fill("青川区")
        form.locator("button[type=submit]").click()
        expect(page.locator("p.flash")).to_have_text("单位已添加")
        expect(page.locator('#orgunit-tree tr[data-code="QC-YJJ"]')).to_contain_text("区应急局")

        page.goto(f"{base}/plans/{plan_id}")
        page.click("text=指标分工")
        page.wait_for_url(f"{base}/plans/{plan_id}/assignments")
        for name in names:
            page.get_by_role("checkbox", name=name, exact=True).check()
        bulk = page.locator("#bulk-assign")
        bulk.locator("input[name=unit]").fill("青川区应急管理局")
        bulk.locator("select[name=role]").select_option("配合")
        bulk.locator("button[value=assign]").click()
        expect(page.locator("p.flash")).to_have_text("已分配 3 项分工")
        expect(page.locator("#assignment-list")).to_contain_text("青川区应急管理局（配合）")
        page.screenshot(path=str(tmp_path / "assignments.png"), full_page=True)

    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-YJJ")).one()
            assigned = session.execute(select(Indicator.name, Assignment.role)
                                       .join(Assignment, Assignment.indicator_id == Indicator.id)
                                       .where(Assignment.org_unit_id == unit.id)).all()
            assert sorted(assigned) == sorted((name, "配合") for name in names)
            actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_login == "admin",
                                                                      AuditEvent.entity.in_(["org_units", "assignments"]))
                                      .order_by(AuditEvent.id)).all()
            assert actions == ["create", "assign", "assign", "assign"]
    finally:
        database.dispose()
    assert (tmp_path / "assignments.png").stat().st_size > 5000
