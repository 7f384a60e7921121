"""Districts kept apart in a real headless Chromium: 白石区's clerk and monitoring officer work
through their day beside the demo's 青川区 and never see anything of it.

The clerk lands on 白石区's dashboard, fills the entry form of its open round, uploads a
template with a bad cell and stays on its own period; the officer reviews only 白石区's
figures, opens the plan with its year selector, switches the language without leaving the
page, and is answered “not found” for 青川区's plan. Every page is photographed at 1366×768
and 390×844; none scrolls sideways, none shows a name of 青川区.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook

from planwatch.monitor.exchange.xlsx_template import DATA_SHEET, HEADER
from planwatch.store import Database
from planwatch.web import create_app
from tests.web.browser import CHROMIUM, DESKTOP, PHONE, live_server, photograph
from tests.web.districts import FOREIGN_MARKS, PASSWORD, district_ids, seed_two_districts

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")



def _clean(page: Page, where: str) -> None:
    text = page.inner_text("body")
    assert not [mark for mark in FOREIGN_MARKS if mark in text], f"{where} shows 青川区: {page.url}"


def _both_sizes(page: Page, folder: Path, name: str) -> None:
    _clean(page, name)
    photograph(page, folder, name)


def _log_in(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


def _bad_template(page: Page, folder: Path) -> Path:
    """The clerk's template as downloaded, with a word where a figure belongs."""
    with page.expect_download() as info:
        page.click("#template-download")
    path = folder / "template.xlsx"
    info.value.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()))
    sheet = book[DATA_SHEET]
    sheet.cell(row=4, column=HEADER.index("本期数值") + 1, value="约七成")
    book.save(path)
    return path


def test_a_district_never_sees_the_other(browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    database = Database(f"sqlite:///{tmp_path / 'two.db'}")
    database.upgrade()
    seed_two_districts(database, tmp_path)
    home, foreign = district_ids(database, "白石区"), district_ids(database, "青川区")
    url = database.url
    database.dispose()
    shots = tmp_path / "shots"
    shots.mkdir()
    with live_server(create_app(url, secret_key="browser-districts")) as base:
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)

        # --- 白石区's clerk: its dashboard, its entry form, a refused upload that stays on its period
        _log_in(page, base, "bs_fgw")
        expect(page.locator("h1")).to_contain_text("白石区国民经济和社会发展")
        expect(page.locator(".who .region")).to_have_text("白石区")
        _both_sizes(page, shots, "clerk-dashboard")
        page.set_viewport_size(PHONE)
        page.click(".menu-toggle")
        expect(page.locator("nav >> text=数据填报")).to_be_visible()
        page.click("nav >> text=数据填报")
        page.set_viewport_size(DESKTOP)
        expect(page.locator("select[name=period] option[selected]")).to_contain_text("白石区")
        expect(page.locator(".entry-list .card").first).to_be_visible()
        _both_sizes(page, shots, "clerk-entry")
        bad = _bad_template(page, tmp_path)
        page.set_input_files("input[name=file]", str(bad))
        page.click("#template-upload")
        expect(page.locator("#upload-errors")).to_contain_text("约七成")
        expect(page.locator("select[name=period] option[selected]")).to_contain_text("白石区")
        _both_sizes(page, shots, "clerk-upload-refused")
        page.goto(f"{base}/plans/{foreign.plan_id}")
        expect(page.locator("main")).to_contain_text("不存在")
        _clean(page, "clerk asking for 青川区's plan")
        page.click(".account form button[type=submit]")

        # --- 白石区's monitoring officer: its queue, its plan with the year selector, the language switch
        _log_in(page, base, "bs_jc")
        page.click("nav >> text=审核")
        expect(page.locator("main")).to_contain_text("白石区发展和改革委员会")
        _both_sizes(page, shots, "officer-review")
        page.goto(f"{base}/plans/{home.plan_id}")
        expect(page.locator("select[name=year] option[selected]")).to_have_text("2025")
        page.select_option("select[name=year]", "2024")
        page.click("form.form-row button[type=submit]")
        page.wait_for_url("**year=2024**")
        expect(page.locator("h1")).to_contain_text("2024")
        _both_sizes(page, shots, "officer-plan")
        page.click("text=English")
        page.wait_for_url("**year=2024**")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_contain_text("白石区")
        page.click("text=中文")
        page.goto(f"{base}/plans/{home.plan_id}/assignments")
        page.locator("input[name=unit][data-suggest]").last.focus()  # the unit picker suggests at once
        expect(page.locator("#unit-choices option").first).to_be_attached()
        units = [o.get_attribute("value") or "" for o in page.locator("#unit-choices option").all()]
        assert units and all("白石区" in u or u.endswith(("镇", "街道")) for u in units), units
        _both_sizes(page, shots, "officer-assignments")
        page.goto(f"{base}/search?q=森林防火工作")
        expect(page.locator("main")).to_contain_text("白石区人民政府办公室关于做好2024年春季森林防火工作的通知")
        _both_sizes(page, shots, "officer-search")
        for path in (f"/plans/{foreign.plan_id}", f"/indicators/{foreign.indicator_id}",
                     f"/documents/{foreign.source_file_id}", f"/plans/{foreign.plan_id}/ledger"):
            page.goto(base + path)
            expect(page.locator("main")).to_contain_text("不存在")
            _clean(page, path)
        _both_sizes(page, shots, "officer-not-found")
