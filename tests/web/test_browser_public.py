"""The public site in a real Chromium, from the publishing decision to a withdrawal.

The evaluation group proposes the demo plan's 2024 figures with the annual report (PDF by
LibreOffice); the monitoring group previews and approves them (four eyes). A visitor without
any cookie walks home → plan → indicator → CSV → report PDF, gives an opinion (first without
the consent its contact needs), the office shows and answers it, then withdraws the indicator.
axe-core checks every page type in Chinese and English at 1366×768 and 390×844, and each is
photographed at both sizes (``PLANWATCH_SCREENSHOTS=folder`` keeps the pictures). The static
site of ``planwatch publish`` is walked the same way from Python's own file server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.report.render import libreoffice
from planwatch.store import Database
from planwatch.store.models import Plan
from planwatch.web import create_app
from planwatch.web.public.live import PublicOptions
from tests.web.axe import Finding, axe_script, findings
from tests.web.browser import CHROMIUM, live_server
from tests.web.public_support import publish_demo, publish_site, static_server

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)"),
              pytest.mark.skipif(libreoffice() is None, reason="LibreOffice not installed: the report is a PDF")]

VIEWPORTS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


class Pages:
    """axe on each page type at both sizes, and its photographs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[Finding] = []
        self.checked: list[str] = []

    def check(self, page: Any, name: str) -> None:
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            self.problems += findings(page, f"{name}/{size}")
            page.screenshot(path=str(self.folder / f"{name}-{size}.png"), full_page=True)
        page.set_viewport_size(VIEWPORTS["1366"])
        self.checked.append(name)

    def assert_clean(self) -> None:
        assert not self.problems, f"{len(self.problems)} WCAG 2.1 A/AA violations:\n" + "\n".join(map(str, self.problems))


@pytest.fixture(scope="module")
def site(seeded: Path, tmp_path_factory: pytest.TempPathFactory,
         chromium_browser: Any) -> Iterator[tuple[str, str, Any]]:
    folder = tmp_path_factory.mktemp("public")
    shutil.copy(seeded, folder / "demo.db")
    url = f"sqlite:///{folder / 'demo.db'}"
    options = PublicOptions(refresh_seconds=0, min_fill_seconds=1.0)
    with live_server(create_app(url, secret_key="browser-public", public=options)) as base:
        yield base, url, chromium_browser


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    folder = Path(os.environ.get("PLANWATCH_SCREENSHOTS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return Pages(folder)


def _log_in(browser: Any, base: str, login: str) -> tuple[Any, Any]:
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["1366"])
    context.add_init_script(script=axe_script())
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def _visitor(browser: Any, locale: str = "zh-CN") -> tuple[Any, Any]:
    context = browser.new_context(locale=locale, viewport=VIEWPORTS["1366"], accept_downloads=True)
    context.add_init_script(script=axe_script())
    return context, context.new_page()


def _plan_id(url: str) -> int:
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            return session.scalars(select(Plan.id).order_by(Plan.id)).one()
    finally:
        database.dispose()


def test_publish_visit_comment_answer_and_withdraw(site: tuple[str, str, Any], pictures: Pages,
                                                   tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, url, browser = site
    plan_id = _plan_id(url)
    # 1. the evaluation group proposes 2024 with its annual report
    context, page = _log_in(browser, base, "pinggu")
    page.goto(f"{base}/plans/{plan_id}/publishing")
    pictures.check(page, "internal-publishing")
    for year in ("2021", "2022", "2023"):
        page.uncheck(f"#propose-form input[name=years][value='{year}']")
    page.check("#propose-form input[name=reports][value='annual:2024']")
    page.click("#propose-button")
    expect(page.locator("#publishing-message")).to_contain_text("公开申请已提出", timeout=240_000)
    expect(page.locator("text=本人提出的申请须由他人批准")).to_be_visible()
    context.close()
    # 2. the monitoring group previews and approves
    context, page = _log_in(browser, base, "tongji")
    page.goto(f"{base}/publishing")
    pictures.check(page, "internal-overview")
    page.click("#publishing-plans a")
    page.click("a[id^=preview-]")
    expect(page.locator("h1")).to_contain_text("青川区")
    expect(page.locator(".meta").first).to_contain_text("数据年份：2024 年")
    page.go_back()
    page.click("button[id^=approve-]")
    expect(page.locator("#publishing-message")).to_contain_text("已批准")
    context.close()
    # 3. a visitor without any cookie: home → plan → indicator → CSV → report PDF
    context, page = _visitor(browser)
    page.goto(f"{base}/public/")
    assert context.cookies() == []
    pictures.check(page, "home")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.click("main h2 a")
    expect(page.locator("h1")).to_contain_text("青川区国民经济和社会发展")
    expect(page.locator(".meta").first).to_contain_text("数据年份：2024 年")
    pictures.check(page, "plan")
    plan_url = page.url
    page.click("text=森林覆盖率 >> nth=0")
    expect(page.locator("h1")).to_contain_text("森林覆盖率")
    expect(page.locator("svg.chart title")).to_contain_text("森林覆盖率")
    pictures.check(page, "indicator")
    indicator_url = page.url
    with page.expect_download() as download:
        page.click("text=下载本指标数据（CSV）")
    data = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert data.splitlines()[0].startswith("指标代码,指标名称") and ",2024," in data and ",2023," not in data
    page.goto(plan_url)
    report = page.locator("a[type='application/pdf']")
    expect(report).to_contain_text("2024年度监测报告")
    pdf = context.request.get(page.evaluate("(a) => a.href", report.element_handle()))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(pdf.body())
    text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True).stdout
    assert "青川区发展和改革委员会" in text and "公众参与情况" in text and "【请" not in text
    page.click("text=重点任务和重大项目的推进情况")
    expect(page.locator("h1")).to_contain_text("重点任务和重大项目进展")
    pictures.check(page, "progress")
    # 4. an opinion: refused without consent for the contact (text kept), then received
    page.goto(indicator_url)
    page.click("text=发表意见")
    pictures.check(page, "opinion-form")
    page.fill("textarea[name=text]", "建议同时公开各镇街的森林覆盖率，便于比较。")
    page.fill("input[name=contact]", "13800000000")
    page.wait_for_timeout(1100)
    page.click("form.opinion-form button[type=submit]")
    expect(page.locator("#form-error")).to_contain_text("须勾选同意")
    expect(page.locator("textarea[name=text]")).to_have_value("建议同时公开各镇街的森林覆盖率，便于比较。")
    pictures.check(page, "opinion-form-error")
    page.check("input[name=consent]")
    page.wait_for_timeout(1100)
    page.click("form.opinion-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("意见已收到")
    pictures.check(page, "opinion-received")
    assert context.cookies() == []
    # 5. the office shows and answers it
    office, office_page = _log_in(browser, base, "pinggu")
    office_page.goto(f"{base}/opinions")
    expect(office_page.locator(".contact")).to_have_text("13800000000")
    pictures.check(office_page, "internal-opinions")
    office_page.click("button[id^=show-]")
    expect(office_page.locator("#opinions-message")).to_contain_text("意见已公开")
    office_page.goto(f"{base}/opinions?state=shown")
    office_page.fill("textarea[id^=answer-]", "感谢建议。各镇街数据将于明年起随年度报告公开。")
    office_page.click("button[id^=answer-button-]")
    expect(office_page.locator("#opinions-message")).to_contain_text("答复已保存")
    page.goto(indicator_url)
    expect(page.locator(".opinion")).to_contain_text("建议同时公开各镇街的森林覆盖率")
    expect(page.locator(".answer")).to_contain_text("各镇街数据将于明年起随年度报告公开")
    assert "13800000000" not in page.content()
    # 6. the indicator is withdrawn: the page says so and when
    office_page.goto(f"{base}/plans/{plan_id}/publishing")
    office_page.select_option("#retract-form select[name=item]", label="指标：森林覆盖率")
    office_page.fill("#retract-form input[name=reason]", "遥感数据复核中，复核后重新公开")
    office_page.click("#retract-button")
    expect(office_page.locator("#publishing-message")).to_contain_text("已撤回")
    office.close()
    response = page.goto(indicator_url)
    assert response is not None and response.status == 410
    expect(page.locator(".notice")).to_contain_text("遥感数据复核中")
    pictures.check(page, "withdrawn")
    page.goto(plan_url)
    expect(page.locator(".withdrawn")).to_contain_text("指标「森林覆盖率」：已于")
    context.close()
    # the English pages
    context, page = _visitor(browser, "en-US")
    page.goto(plan_url.replace("/public/", "/public/en/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    pictures.check(page, "plan-en")
    page.click("table a >> nth=0")
    pictures.check(page, "indicator-en")
    page.click("text=Give your opinion")
    pictures.check(page, "opinion-form-en")
    context.close()
    pictures.assert_clean()


def test_the_static_site_walks_the_same(site: tuple[str, str, Any], pictures: Pages, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, url, browser = site
    publish_demo(url, years=(2023, 2024), reports=("annual:2024",))
    folder = tmp_path / "static"
    publish_site(url, folder, "--live-url", base)
    with static_server(folder) as static:
        context, page = _visitor(browser)
        page.goto(f"{static}/index.html")
        pictures.check(page, "static-home")
        page.click("main h2 a")
        expect(page.locator("h1")).to_contain_text("青川区国民经济和社会发展")
        pictures.check(page, "static-plan")
        plan_url = page.url
        page.click("table a >> nth=0")
        expect(page.locator("svg.chart")).to_be_visible()
        with page.expect_download() as download:
            page.click("text=下载本指标数据（CSV）")
        assert Path(download.value.path()).read_bytes().startswith("\ufeff指标代码".encode())
        form = page.locator("text=发表意见")
        assert (form.get_attribute("href") or "").startswith(f"{base}/public/opinions/new?")
        page.goto(plan_url)
        report = page.locator("a[type='application/pdf']")
        pdf = context.request.get(page.evaluate("(a) => a.href", report.element_handle()))
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        context.close()
    pictures.assert_clean()
