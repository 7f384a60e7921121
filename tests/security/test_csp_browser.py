"""Issue 14, item 9 in a real headless Chromium: the app's own pages, charts and the API
docs work under its Content-Security-Policy (no violation reported, nothing left blank)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.web import create_app
from tests.conftest import demo_database_url
from tests.web.browser import CHROMIUM, live_server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")

PAGES = ["/dashboard", "/plans", "/entry", "/review", "/documents", "/search?q=森林", "/compare", "/admin/users",
         "/admin/orgunits", "/plans/1/assignments", "/plans/1/periods"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    urls = demo_database_url("sqlite", tmp_path_factory.mktemp("csp"))
    yield next(urls)
    urls.close()


def test_pages_and_api_docs_run_under_the_policy(browser: Any, demo_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import ConsoleMessage

    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:  # Chromium: "Refused to … violates the … Policy"
            violations.append(message.text)

    with live_server(create_app(demo_url, secret_key="csp")) as base:
        page = browser.new_page(locale="zh-CN")
        page.on("console", watch)
        page.on("pageerror", lambda error: violations.append(str(error)))
        for login in ("admin", "tongji"):
            page.goto(f"{base}/login")
            page.fill("input[name=login]", login)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("form button[type=submit] >> nth=-1")
            page.wait_for_url(f"{base}/dashboard")
            for path in PAGES:
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
            page.click("text=退出")
        page.goto(f"{base}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
        assert "PlanWatch" in page.locator(".swagger-ui .info .title").inner_text()
        assert page.locator(".opblock").count() > 5  # the operations were read from /openapi.json
        page.screenshot(path=str(tmp_path / "api-docs.png"))
        page.click("#back-to-app")
        page.wait_for_url(f"{base}/login?next=%2F")  # back to the app, which asks for a log-in
    assert violations == []
