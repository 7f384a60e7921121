"""In a real headless Chromium: a clerk downloads its template from the entry page, fills it
(openpyxl standing in for Excel), uploads it and sees the value in the entry form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.web import create_app
from tests.web.browser import CHROMIUM, live_server
from tests.web.excel_helpers import fill, reportable, rows_by_code

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")


def test_clerk_downloads_fills_and_uploads_the_template(browser: Any, database_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    (indicator,) = reportable(database_url, "lyj")
    with live_server(create_app(database_url, secret_key="browser-excel")) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
        page.goto(f"{base}/login")
        page.fill("input[name=login]", "lyj")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{base}/dashboard")
        page.goto(f"{base}/entry")
        with page.expect_download() as info:
            page.click("#template-download")
        download = info.value
        assert download.suggested_filename.endswith("_填报表.xlsx")
        saved = tmp_path / "downloaded.xlsx"
        download.save_as(saved)
        assert indicator.code in rows_by_code(saved.read_bytes())
        filled = fill(saved.read_bytes(), {indicator.code: "50.7"}, tmp_path / "区林业局_填好.xlsx")

        page.set_input_files("#excel input[type=file]", str(filled))
        page.click("#template-upload")
        expect(page.locator("#upload-summary")).to_contain_text("已导入 1 个数值")
        row = page.locator(f"#row-{indicator.id}")
        expect(row.locator("input[name=value]")).to_have_value("50.7")
        page.screenshot(path=str(tmp_path / "entry-uploaded.png"), full_page=True)
    assert (tmp_path / "entry-uploaded.png").stat().st_size > 10_000
