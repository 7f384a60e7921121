"""The app in a real headless Chromium: layout at desktop and phone width, language switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planwatch.web.app import create_app
from tests.web.browser import CHROMIUM, live_server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")


def test_login_page_fits_desktop_and_phone_and_switches_language(browser: Any, tmp_path: Path) -> None:
    with live_server(create_app(secret_key="browser-test")) as base:
        for name, size in {"desktop": (1366, 768), "phone": (390, 844)}.items():
            page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
            page.goto(f"{base}/login")
            assert page.locator("h1").inner_text() == "用户登录"
            form = page.locator("form").filter(has=page.locator("input[name=password]"))
            box = form.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= size[0]
            # nothing wider than the viewport: no sideways scrolling on a phone
            assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
            page.screenshot(path=str(tmp_path / f"login-{name}.png"), full_page=True)
            page.close()
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/login")
        page.click("text=English")
        assert page.locator("h1").inner_text() == "Log in"
        assert page.evaluate("document.documentElement.lang") == "en"
    assert (tmp_path / "login-phone.png").stat().st_size > 5000
