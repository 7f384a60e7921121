"""The annual round by keyboard alone in a real Chromium: a clerk logs in, enters a value,
saves it as a draft and submits all by way of the confirmation page; the monitoring group logs in on a phone, opens the menu (and closes it
with Esc), and approves the value. Only Tab, Shift+Tab, Enter, Space, Esc and typing; the
focus is asserted after every step, and the outcome of each in-place save is announced in
the page's live region."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.web import create_app
from tests.web.browser import CHROMIUM, live_server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")

UNIT = "青川区发展和改革委员会"  # the demo's unit of the clerk fgw

# What has the keyboard focus: enough to tell controls apart and to find their row.
_FOCUS = """() => {
  const e = document.activeElement;
  const row = e.closest("[id^=row-], tr");
  return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "", value: e.value || "",
          text: (e.getAttribute("aria-label") || e.textContent || "").trim().slice(0, 80),
          expanded: e.getAttribute("aria-expanded"), result: e.dataset ? e.dataset.result || "" : "",
          checked: !!e.checked, row: row ? (row.id || row.textContent.trim().slice(0, 120)) : ""};
}"""


def _focus(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(_FOCUS))


def _tab_until(page: Any, wanted: Any, *, limit: int = 60, back: bool = False) -> dict[str, Any]:
    """Press Tab (Shift+Tab when ``back``) until ``wanted(focus)`` holds; fails after ``limit``."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focus = _focus(page)
        if wanted(focus):
            return focus
    raise AssertionError(f"not reached by {'Shift+' if back else ''}Tab within {limit} steps; at {_focus(page)}")


def _announced(page: Any, text: str, seconds: float = 10) -> None:
    """Wait until the polite live region says ``text`` (app.js writes it after an update)."""
    deadline = time.monotonic() + seconds
    while text not in page.locator("#live-status").inner_text():
        assert time.monotonic() < deadline, f"live region never said {text!r}: {page.locator('#live-status').inner_text()!r}"
        page.wait_for_timeout(50)


def _log_in(page: Any, login: str) -> None:
    """The log-in form by keyboard: its name field has the focus on arrival."""
    assert _focus(page)["name"] == "login"
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    assert _focus(page)["name"] == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    assert _focus(page)["tag"] == "button"
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture(scope="module")
def site(seeded: Path, tmp_path_factory: pytest.TempPathFactory, chromium_browser: Any) -> Iterator[tuple[str, Any]]:
    """One server on a copy of the demo for the module's tests, in the session's Chromium."""
    copy = tmp_path_factory.mktemp("keyboard") / "demo.db"
    shutil.copy(seeded, copy)
    with live_server(create_app(f"sqlite:///{copy}", secret_key="browser-keyboard")) as base:
        yield base, chromium_browser


def test_the_round_by_keyboard_alone(site: tuple[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, browser = site
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page.goto(f"{base}/login")
        _log_in(page, "fgw")

        # The skip link is the first Tab stop and takes the focus past the menu.
        page.keyboard.press("Tab")
        assert _focus(page)["text"] == "跳到主要内容"
        page.keyboard.press("Enter")
        assert _focus(page)["id"] == "main"
        _tab_until(page, lambda f: f["text"] == "数据填报", back=True)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/entry")

        # Into the first empty row that takes a value: type, Tab to 保存, Enter.
        row = _tab_until(page, lambda f: f["name"] == "value" and not f["value"])["row"]
        page.keyboard.type("42.5")
        for field in ("source", "note"):
            page.keyboard.press("Tab")
            assert _focus(page)["name"] == field
        page.keyboard.press("Tab")
        assert (_focus(page)["tag"], _focus(page)["value"]) == ("button", "enter")
        page.keyboard.press("Enter")
        _announced(page, "已保存")
        focus = _focus(page)
        assert (focus["row"], focus["value"], focus["tag"]) == (row, "enter", "button"), focus  # stayed on 保存
        expect(page.locator(f"#{row} input[name=value]")).to_have_value("42.5")

        # Back to 全部报送 (a link to the confirmation page), Enter; Tab to the confirm
        # button, Space: the row is locked for review and its buttons are gone.
        _tab_until(page, lambda f: f["id"] == "submit-all", back=True)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/entry/submit-all**")
        _tab_until(page, lambda f: f["id"] == "confirm-submit-all")
        page.keyboard.press("Space")
        page.wait_for_url(lambda url: "done=submitted" in url)
        expect(page.locator("#entry-message")).to_contain_text("已报送 1 个数值")
        assert page.locator(f"#{row} button").count() == 0
        name = page.locator(f"#{row} h2").inner_text().split("（")[0].split(" ")[0]

        _tab_until(page, lambda f: f["text"] == "退出", back=True)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/logout")
        page.close()

        # The monitoring group on a phone: the menu button says whether it is open.
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page.goto(f"{base}/login")
        _log_in(page, "tongji")
        assert _focus(page)["tag"] == "body"
        toggle = _tab_until(page, lambda f: f["text"].endswith("菜单"), limit=3)
        assert toggle["expanded"] == "false"
        page.keyboard.press("Enter")
        assert _focus(page)["expanded"] == "true"
        nav = page.locator("#site-nav")
        expect(nav).to_be_visible()
        box = nav.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "menu-open-390.png"))
        page.keyboard.press("Escape")
        assert _focus(page)["expanded"] == "false"  # closed, the focus back on its button
        expect(nav).to_be_hidden()
        page.keyboard.press("Space")
        assert _focus(page)["expanded"] == "true"
        _tab_until(page, lambda f: f["text"] == "审核", limit=12)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/review")

        # Tick the clerk's value with Space, approve with Enter.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # the skip link
        assert _focus(page)["id"] == "main"
        _tab_until(page, lambda f: f["tag"] == "input" and f["text"] == f"{name} · {UNIT}", limit=120)
        page.keyboard.press("Space")
        assert _focus(page)["checked"]
        _tab_until(page, lambda f: f["value"] == "approve")
        page.keyboard.press("Enter")
        _announced(page, "已审核通过 1 条")
        focus = _focus(page)
        assert focus["value"] == "approve", focus  # more values wait: the focus stays on 审核通过
        assert not page.locator("#review-value-list tr", has_text=name).filter(has_text=UNIT).count()
        page.screenshot(path=str(tmp_path / "approved-390.png"))
    finally:
        page.close()


def test_the_plan_text_scrolls_by_keyboard(site: tuple[str, Any]) -> None:
    """The document viewer's text is a scrolling box of its own: Tab reaches it, Space scrolls it."""
    base, browser = site
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="en-US")
    try:
        page.goto(f"{base}/login")
        _log_in(page, "tongji")
        page.goto(f"{base}/documents/1")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # the skip link
        focus = _tab_until(page, lambda f: f["id"] == "document-text", limit=5)
        assert focus["text"].startswith("Plan text")
        assert page.evaluate("document.getElementById('document-text').scrollTop") == 0
        page_scroll = page.evaluate("window.scrollY")
        page.keyboard.press("Space")
        deadline = time.monotonic() + 5
        while page.evaluate("document.getElementById('document-text').scrollTop") < 100:
            assert time.monotonic() < deadline, "Space did not scroll the plan text"
            page.wait_for_timeout(50)
        assert page.evaluate("window.scrollY") == page_scroll  # the text scrolled, not the page
    finally:
        page.close()
