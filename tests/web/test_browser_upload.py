"""End to end in a real headless Chromium: upload a .docx, watch the progress, see its
indicators, then add a missed one by selecting its sentence in the document viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.web import create_app
from tests.unit import plan_samples
from tests.web.browser import CHROMIUM, live_server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")


def test_upload_docx_see_indicators_and_add_a_missed_one(browser: Any, database_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    docx = plan_samples.write_docx(tmp_path / "云溪区生态环境保护规划.docx")
    with live_server(create_app(database_url, secret_key="browser-upload")) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(f"{base}/login")
        page.fill("input[name=login]", "tongji")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{base}/dashboard")

        page.goto(f"{base}/documents")
        page.set_input_files("input[type=file]", str(docx))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_url(f"{base}/uploads/**")
        expect(page.locator("progress")).to_be_visible()
        status = page.locator("#upload-status [data-stage]")
        expect(status).to_have_attribute("data-stage", "done", timeout=60_000)  # polled by app.js
        table = page.locator("table.upload-indicators")
        for name in plan_samples.EXPECTED_NAMES:
            expect(table).to_contain_text(name)
        page.screenshot(path=str(tmp_path / "upload-done.png"), full_page=True)

        page.click("text=对照原文核对")
        expect(page.locator("mark.indicator").first).to_be_visible()
        sentence = page.locator(".document .line", has_text="坚持生态优先").first
        line = sentence.get_attribute("data-line")
        sentence.evaluate("""line => {
            const range = document.createRange();
            range.setStart(line.firstChild, 0);
            range.setEnd(line.firstChild, 4);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            line.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""")
        form = page.locator("#add-indicator")
        expect(form.locator("input[name=line]")).to_have_value(line or "")
        expect(form.locator("input[name=name]")).to_have_value("坚持生态")
        form.locator("input[name=name]").fill("生态优先示范项目数")
        form.locator("input[name=unit]").fill("个")
        form.locator("input[name=target]").fill("≥10")
        form.locator("input[name=reason]").fill("原文目标句漏提")
        form.locator("button[type=submit]").click()
        expect(page.locator(".flash")).to_contain_text("已保存更正")
        expect(page.locator(".indicator-list")).to_contain_text("生态优先示范项目数")
        expect(page.locator(".indicator-list .tag").first).to_be_visible()
        page.screenshot(path=str(tmp_path / "document-added.png"), full_page=True)
    assert (tmp_path / "upload-done.png").stat().st_size > 10_000
