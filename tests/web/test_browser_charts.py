"""Charts in a real headless Chromium: drawn at their container's width on the first load
and again when the window changes, with plain year labels (2020, not “2,020”)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.store import Database
from planwatch.store.models import Indicator
from planwatch.web import create_app
from tests.web.browser import CHROMIUM, live_server

ECHARTS = Path(__file__).resolve().parents[2] / "src/planwatch/web/static/vendor/echarts.min.js"
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)"),
    pytest.mark.skipif(not ECHARTS.exists(), reason="ECharts not fetched (sh scripts/fetch_web_assets.sh)"),
]

_CANVAS_WIDTH = "document.querySelector('#indicator-chart-data').previousElementSibling" \
                ".querySelector('canvas').getBoundingClientRect().width"
_CONTAINER_WIDTH = "document.querySelector('[data-chart]').getBoundingClientRect().width"
# The labels ECharts drew on the year axis, as formatted for display.
_YEAR_LABELS = """() => {
  const chart = echarts.getInstanceByDom(document.querySelector('[data-chart]'));
  return chart.getModel().getComponent('xAxis', 0).axis.getViewLabels().map(l => l.formattedLabel);
}"""


def _until_redrawn(page: Any, seconds: float = 10) -> None:
    """Poll from Python: Playwright's wait_for_function evaluates a string in the page, which the
    app's Content-Security-Policy (no 'unsafe-eval') rightly refuses."""
    deadline = time.monotonic() + seconds
    while abs(page.evaluate(_CANVAS_WIDTH) - page.evaluate(_CONTAINER_WIDTH)) > 2:
        assert time.monotonic() < deadline, "the chart was not redrawn at the new width"
        page.wait_for_timeout(100)


def test_indicator_chart_fills_its_container_and_labels_years_plainly(browser: Any, database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    with database.session(readonly=True) as session:
        indicator_id = session.scalars(select(Indicator.id).where(Indicator.name == "森林覆盖率")
                                       .order_by(Indicator.id.desc())).first()
    database.dispose()
    with live_server(create_app(database_url, secret_key="browser-charts")) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(f"{base}/login")
        page.fill("input[name=login]", "pinggu")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{base}/dashboard")
        page.goto(f"{base}/indicators/{indicator_id}")
        page.wait_for_selector("[data-chart] canvas")
        container = page.evaluate(_CONTAINER_WIDTH)
        assert container > 400
        assert abs(page.evaluate(_CANVAS_WIDTH) - container) <= 2  # not ECharts' 100 px fallback
        labels = page.evaluate(_YEAR_LABELS)
        assert "2020" in labels and not any("," in label for label in labels)
        page.screenshot(path=str(tmp_path / "indicator-1366.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        _until_redrawn(page)
        assert page.evaluate(_CANVAS_WIDTH) < 390
        page.screenshot(path=str(tmp_path / "indicator-390.png"), full_page=True)
