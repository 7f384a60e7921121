"""The public site rendered from a snapshot, without a database: links, bytes, charts."""

from __future__ import annotations

import posixpath
import re
from typing import Any

import pytest

from planwatch.services.opinions import ShownOpinion
from planwatch.web.public.chart_svg import ChartSeries, indicator_svg
from planwatch.web.public.site import PublicSite

PDF = b"%PDF-1.7 fictional report"


def _indicator(code: str, name: str, status: str, values: list[list[float]], **extra: Any) -> dict[str, Any]:
    return {"code": code, "slug": code.lower(), "key": f"{name}|%", "name": name, "unit": "%", "domain": "生态环境",
            "attribute": "约束性", "baseline": 40.0, "baseline_year": 2020, "baseline_text": "40",
            "targets": [{"year": 2025, "text": "≥45", "value": 45.0, "value_high": None, "comparator": ">="}],
            "values": values, "status": status, "completion": 0.6, "schedule": 0.8, "current": values[-1][1],
            "data_year": 2024, "target": 45.0, "target_year": 2025, "method": "完成进度=(43−40)/(45−40)=60.0%",
            "source": f"{name}达到45%以上。", "responsible": ["云溪区林业局"],
            "chart": [{"key": "actual", "points": values}, {"key": "baseline", "points": [[2020, 40.0]]},
                      {"key": "target", "points": [[2025, 45.0]]},
                      {"key": "required", "points": [[2020, 40.0], [2025, 45.0]]}], **extra}


def _snapshot() -> dict[str, Any]:
    return {
        "format": 1,
        "plan": {"key": "云溪区生态环境保护规划", "slug": "pdemo", "title": "云溪区生态环境保护规划（2021—2025年）",
                 "start_year": 2021, "end_year": 2025, "doc_number": "云府发〔2021〕5号", "issuer": "云溪区人民政府"},
        "office": "云溪区发展和改革委员会", "note": "", "years": [2023, 2024], "evaluation_year": 2024,
        "indicators": [_indicator("I001", "森林覆盖率", "behind", [[2023, 42.0], [2024, 43.0]]),
                       _indicator("I003", "空气质量优良天数比例", "on_track", [[2023, 88.0], [2024, 90.5]])],
        "tasks": [{"number": "一、", "title": "推进国土绿化", "section": "主要任务", "deadline": "2025-12",
                   "units": {"牵头": ["云溪区林业局"]},
                   "reports": [{"unit": "云溪区林业局", "status": "in_progress", "percent": 70.0, "progress": "完成造林"}]}],
        "projects": None, "warnings": None,
        "reports": [{"kind": "annual", "year": 2024, "title": "2024年度监测报告", "file": "annual-2024.pdf",
                     "sha256": "abc", "size": len(PDF)}],
        "decision": {"number": 3, "date": "2025-03-20", "kind": "publish"},
        "changes": [{"kind": "year_added", "year": 2024}],
        "withdrawn": [{"what": "indicator", "code": "I002", "slug": "i002", "name": "湿地保护率", "date": "2025-02-01",
                       "reason": "口径调整"}],
        "retracted": None,
    }


def _site(feedback: str | None = None) -> PublicSite:
    opinion = ShownOpinion(1, "I001", "希望公布各镇的造林面积。", "2025-03-01", "已在年度报告中公布。", "2025-03-05")
    return PublicSite([_snapshot()], {"云溪区生态环境保护规划": [opinion]}, {"abc": PDF}.get, feedback)


def test_the_site_is_every_page_in_both_languages_with_its_downloads() -> None:
    paths = _site().paths()
    for language in ("", "en/"):
        assert f"{language}index.html" in paths
        assert f"{language}plans/pdemo/index.html" in paths
        assert f"{language}plans/pdemo/indicators/i001.html" in paths
        assert f"{language}plans/pdemo/indicators/i002.html" in paths  # the withdrawal notice
        assert f"{language}plans/pdemo/progress.html" in paths
    for download in ("i001.csv", "i001.json", "indicators.csv", "indicators.json"):
        assert f"plans/pdemo/data/{download}" in paths
    assert "plans/pdemo/data/i002.csv" not in paths
    report = _site().file("plans/pdemo/reports/annual-2024.pdf")
    assert report is not None and report.body == PDF
    notice = _site().file("plans/pdemo/indicators/i002.html")
    assert notice is not None and notice.gone and "口径调整" in notice.body.decode()


@pytest.mark.parametrize("feedback", [None, "", "https://jc.yunxi.example.gov.cn"])
def test_every_link_of_every_page_leads_to_a_file_of_the_site(feedback: str | None) -> None:
    site = _site(feedback)
    paths = set(site.paths())
    for path in paths:
        if not path.endswith(".html"):
            continue
        found = site.file(path)
        assert found is not None
        html = found.body.decode()
        for link in re.findall(r'(?:href|src)="([^"]+)"', html):
            if link.startswith("#"):
                continue
            target = link.split("?", 1)[0]
            if "opinions/new" in target:
                assert feedback is not None, f"{path}: a form link without a live address"
                assert target.startswith(feedback or "../"), link
                continue
            assert "://" not in link, f"{path} links out: {link}"
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            assert resolved in paths, f"{path}: {link} → {resolved}"
        assert ("opinions/new" in html) == (feedback is not None and "/indicators/i002" not in path
                                            and "progress" not in path and path not in ("index.html", "en/index.html"))


def test_the_same_snapshot_gives_the_same_bytes() -> None:
    first, second = _site("https://jc.example.gov.cn"), _site("https://jc.example.gov.cn")
    assert first.paths() == second.paths()
    for path in first.paths():
        a, b = first.file(path), second.file(path)
        assert a is not None and b is not None and a.body == b.body, path


def test_pages_say_who_published_what_and_when() -> None:
    found = _site().file("plans/pdemo/index.html")
    assert found is not None
    html = found.body.decode()
    assert "发布机关：云溪区发展和改革委员会" in html and "第 3 次发布，发布日期 2025-03-20" in html
    assert "新增 2024 年数据" in html and "指标「湿地保护率」：已于 2025-02-01 撤回。" in html
    assert "本规划公开监测指标 2 项，其中约束性指标 2 项" in html
    english = _site().file("en/plans/pdemo/indicators/i001.html")
    assert english is not None
    page = english.body.decode()
    assert 'lang="en"' in page and "Published by 云溪区发展和改革委员会" in page
    assert "希望公布各镇的造林面积。" in page and "已在年度报告中公布。" in page
    assert '<svg class="chart" role="img"' in page and 'id="figures-caption"' in page


def test_the_chart_draws_every_line_with_a_title() -> None:
    series = [ChartSeries("actual", "实际值", ((2021, 41.0), (2022, 42.5), (2024, 43.0))),
              ChartSeries("target", "目标值", ((2023, 44.0), (2025, 45.0))),
              ChartSeries("required", "要求进度", ((2020, 40.0), (2025, 45.0)))]
    svg = str(indicator_svg(series, title="森林覆盖率 <数据见下表>", unit="%", chart_id="c1"))
    assert svg == str(indicator_svg(series, title="森林覆盖率 <数据见下表>", unit="%", chart_id="c1"))
    assert '<title id="c1-title">森林覆盖率 &lt;数据见下表&gt;</title>' in svg
    assert svg.count("<circle") == 3 and svg.count("<path") == 2  # three values, two milestone diamonds
    assert 'stroke-dasharray="7 5"' in svg  # the required path, dashed
    for year in range(2020, 2026):
        assert f">{year}</text>" in svg
    assert str(indicator_svg([], title="x", unit=None, chart_id="c2")) == ""
    flat = str(indicator_svg([ChartSeries("actual", "实际值", ((2024, 5.0),))], title="x", unit=None, chart_id="c3"))
    assert "<circle" in flat and "nan" not in flat
