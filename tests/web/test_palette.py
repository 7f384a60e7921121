"""One palette for badges, pages and charts, at WCAG 2.1 AA contrast, served as the pages' theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planwatch.evaluate import Status
from planwatch.palette import BADGES, CHART_LINES, ON_COLOUR, TONES, badge_colour, contrast
from planwatch.report.charts import STATUS_COLOURS
from planwatch.web import create_app
from planwatch.web.charts import status_pie
from planwatch.web.templating import STATIC_DIR

_WHITE, _PAGE, _HEADER = "#ffffff", "#f5f7fa", "#eef1f5"


def test_contrast_follows_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert contrast("#ffffff", "#777777") == contrast("#777777", "#ffffff")


@pytest.mark.parametrize("tone", TONES)
def test_badge_text_reaches_aa_on_every_tone(tone: str) -> None:
    assert contrast(ON_COLOUR, TONES[tone]) >= 4.5


@pytest.mark.parametrize("line", CHART_LINES)
def test_chart_lines_reach_the_graphics_bar_on_the_page(line: str) -> None:
    for background in (_WHITE, _PAGE):
        assert contrast(CHART_LINES[line], background) >= 3


def test_every_status_and_state_has_a_tone() -> None:
    assert {status.value for status in Status} <= set(BADGES)
    assert {"draft", "submitted", "approved", "returned"} <= set(BADGES)  # observation and ledger states
    assert set(BADGES.values()) <= set(TONES)


def test_charts_and_reports_take_the_badge_colours() -> None:
    pie = status_pie([("behind", "滞后", 2), ("no_data", "无数据", 1)])
    assert [d["itemStyle"]["color"] for d in pie["series"][0]["data"]] == [badge_colour("behind"), badge_colour("no_data")]
    assert all(STATUS_COLOURS[status] == badge_colour(status.value) for status in Status)


def test_stylesheets_name_no_status_colour_of_their_own() -> None:
    """The badge colours live in the palette only; app.css and shell.css use its variables."""
    for sheet in ("app.css", "shell.css"):
        text = (STATIC_DIR / sheet).read_text(encoding="utf-8")
        assert not re.search(r"\.status-\w+\s*[,{]", text), sheet


def test_text_colours_of_the_shell_reach_aa() -> None:
    shell = (STATIC_DIR / "shell.css").read_text(encoding="utf-8")
    colour = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", shell))
    for text in ("ink", "muted", "link"):
        for background in (_WHITE, _PAGE, _HEADER):
            assert contrast(colour[text], background) >= 4.5, (text, background)
    assert contrast("#ffffff", colour["brand"]) >= 4.5 and contrast("#ffffff", colour["brand-dark"]) >= 4.5


def test_pages_link_the_theme_which_carries_every_badge(tmp_path: Path) -> None:
    client = TestClient(create_app(secret_key="theme"))
    page = client.get("/login").text
    address = re.search(r'<link rel="stylesheet" href="(/theme\.css\?v=[0-9a-f]{12})">', page)
    assert address, "every page links the palette's stylesheet"
    theme = client.get(address.group(1))
    assert theme.status_code == 200 and theme.headers["content-type"].startswith("text/css")
    assert "immutable" in theme.headers["cache-control"]
    for code in BADGES:
        assert f".status-{code} {{ background: var(--tone-{BADGES[code]}); }}" in theme.text
    for name, value in TONES.items():
        assert f"--tone-{name}: {value};" in theme.text
