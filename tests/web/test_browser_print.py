"""Pages as printed on A4 in a real Chromium: no menu, buttons or forms, nothing cut at the
right edge, table headers repeated; and the in-page help a leader opens on screen."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from planwatch.store import Database
from planwatch.store.models import Indicator, Plan
from planwatch.web import create_app
from tests.web.browser import CHROMIUM, live_server, log_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")

A4_PRINTABLE_PX = 703  # (210 − 2 × 12) mm at 96 px per inch: the width a printed line has
_VISIBLE_CONTROLS = """() => [...document.querySelectorAll('button, input, select, textarea, header, nav')]
  .filter(e => e.getClientRects().length > 0).map(e => e.outerHTML.slice(0, 80))"""


def test_office_pages_print_on_a4_without_controls(browser: Any, database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    with database.session(readonly=True) as session:
        plan_id = session.scalars(select(Plan.id).where(Plan.current.is_(True))).first()
        indicator_id = session.scalars(select(Indicator.id).where(Indicator.name == "森林覆盖率")
                                       .order_by(Indicator.id.desc())).first()
    database.dispose()
    pages = {"dashboard": "/dashboard", "plan": f"/plans/{plan_id}", "indicator": f"/indicators/{indicator_id}",
             "ledger": f"/plans/{plan_id}/ledger", "assessment": f"/plans/{plan_id}/assessment"}
    with live_server(create_app(database_url, secret_key="browser-print")) as base:
        page = browser.new_page(viewport={"width": A4_PRINTABLE_PX, "height": 1000}, locale="zh-CN")
        log_in(page, base, "pinggu")
        for name, path in pages.items():
            page.emulate_media(media="screen")
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            page.emulate_media(media="print")
            assert page.evaluate(_VISIBLE_CONTROLS) == [], name
            assert page.evaluate("document.documentElement.scrollWidth") <= A4_PRINTABLE_PX, name
            assert page.locator("h1").first.is_visible()
            pdf = tmp_path / f"{name}.pdf"  # kept for a look: PLANWATCH_KEEP_PRINTS=folder
            keep = os.environ.get("PLANWATCH_KEEP_PRINTS")
            page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
            document = pdfium.PdfDocument(str(pdf))
            width, height = document[0].get_size()
            assert (round(width), round(height)) == (595, 842)  # A4 in points
            text = document[0].get_textpage().get_text_range()
            assert "English" not in text and "退出" not in text, name  # the menu bar is not printed
            document.close()
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                pdf.replace(Path(keep) / pdf.name)


def test_the_help_opens_with_one_sentence_and_the_formula_behind_it(browser: Any, database_url: str) -> None:
    with live_server(create_app(database_url, secret_key="browser-help")) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        log_in(page, base, "lingdao")
        help_box = page.locator("#help-status")
        help_box.locator("summary").first.click()
        sentence = help_box.locator(".help-body > p").inner_text()
        assert "应达进度" in sentence and "=" not in sentence and "÷" not in sentence
        formula = help_box.locator(".help-body details")
        assert not formula.locator("p").is_visible()
        formula.locator("summary").click()
        assert "差距 = 完成进度 − 应达进度" in formula.locator("p").inner_text()
        first_reason = page.locator("#warnings td.reason").first
        text = first_reason.inner_text().split("\n")[0]
        assert not re.search(r"[=÷^]|CAGR", text), text  # one sentence a leader reads, no formula
        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        log_in(phone, base, "lingdao")
        phone.locator("#help-warnings summary").first.click()
        assert phone.locator("#help-warnings .help-body").is_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # opens inside the screen
