"""The document viewer: tables as tables, the scraper's front matter folded away, and a table
row selected in Chromium fills 名称 with the name cell, not the whole tab-separated row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.services import plan_import
from planwatch.services.document_view import ViewFrontMatter, ViewLine, ViewTable, document_view
from planwatch.store import Database
from planwatch.store.models import SourceFile
from planwatch.web import create_app
from tests.unit import plan_samples
from tests.web.browser import CHROMIUM, live_server, log_in
from tests.web.client import login


def _scraped_plan(tmp_path: Path) -> Path:
    plain = plan_samples.write_txt(tmp_path / "plain.txt").read_text(encoding="utf-8")
    path = tmp_path / "云溪区生态环境保护规划.md"
    path.write_text(plan_samples.SCRAPED_HEADER + plain, encoding="utf-8")
    return path


def _import(database_url: str, path: Path) -> int:
    database = Database(database_url)
    with database.session() as session:
        plan_import.import_file(session, path)
        file_id = session.scalars(select(SourceFile.id).where(SourceFile.name == path.name)).one()
    database.dispose()
    return file_id


def test_the_view_folds_front_matter_and_keeps_tables_whole(tmp_path: Path) -> None:
    text = _scraped_plan(tmp_path).read_text(encoding="utf-8")
    blocks = document_view(text)
    header = blocks[0]
    assert isinstance(header, ViewFrontMatter) and header.header.get("doc_number") == "云府发〔2021〕8号"
    assert header.lines == range(1, 9) and "脚本" in header.header.notes[0]
    shown = [b.text for b in blocks if isinstance(b, ViewLine)]
    assert not any(line.startswith(("---", "标题:", ">")) for line in shown)
    (table,) = [b for b in blocks if isinstance(b, ViewTable)]
    assert [c.text for c in table.rows[0]] == plan_samples.TABLE[0] and table.name_column == 1
    assert len(table.rows) == len(plan_samples.TABLE)


def test_the_viewer_page_shows_the_table_and_hides_the_header(app_client: TestClient, database_url: str,
                                                              tmp_path: Path) -> None:
    file_id = _import(database_url, _scraped_plan(tmp_path))
    login(app_client, "tongji")
    page = BeautifulSoup(app_client.get(f"/documents/{file_id}").text, "html.parser")
    folded = page.select_one("#document-text details.front-matter")
    assert folded is not None and not folded.has_attr("open") and "云府发〔2021〕8号" in folded.get_text()
    table = page.select_one("#document-text table.doc-table")
    assert table is not None and table["data-name-column"] == "1"
    rows = table.select("tr")
    assert [td.get_text() for td in rows[1].select("td")] == plan_samples.TABLE[1]
    assert rows[1].select_one("mark.indicator").get_text() == "空气质量优良天数比例"  # marked in its cell
    assert "[官方链接]" not in page.get_text()
    prose = [span.get_text() for span in page.select("#document-text > span.line")]
    assert any("森林覆盖率达到55%以上" in line for line in prose)
    assert all(not line.startswith("---") for line in prose)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")
def test_selecting_a_table_row_fills_the_name_with_its_name_cell(browser: Any, database_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    file_id = _import(database_url, _scraped_plan(tmp_path))
    with live_server(create_app(database_url, secret_key="browser-viewer")) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        log_in(page, base, "tongji")
        page.goto(f"{base}/documents/{file_id}")
        row = page.locator("table.doc-table tr").nth(4)  # 新能源公交车占比
        row.evaluate("""row => {
            const range = document.createRange();
            range.setStartBefore(row.cells[0].firstChild);
            range.setEndAfter(row.cells[row.cells.length - 1].lastChild);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            row.cells[0].dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""")
        form = page.locator("#add-indicator")
        expect(form.locator("input[name=name]")).to_have_value("新能源公交车占比")
        expect(form.locator("input[name=line]")).to_have_value(row.get_attribute("data-line") or "")
        expect(form.locator("[data-selection-note]")).to_contain_text("新能源公交车占比 | %")
        cell = row.locator("td").nth(4)  # one cell's own text, selected inside it, stays as chosen
        cell.evaluate("""cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            cell.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""")
        expect(form.locator("input[name=name]")).to_have_value("90左右")
        assert not page.locator("details.front-matter").evaluate("d => d.open")
        page.screenshot(path=str(tmp_path / "viewer.png"), full_page=False)
