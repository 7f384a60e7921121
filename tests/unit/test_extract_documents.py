"""Gazette splitting after GB/T 9704: titles, 发文字号, 成文日期, issuers and issued plans."""

from __future__ import annotations

from pathlib import Path

from tests.unit.extract_helpers import extract_text

GAZETTE = """云溪区人民政府公报
2025年第2期

目 录
云溪区人民政府关于印发云溪区养老服务发展规划的通知·····\t1
云溪区人民政府关于做好防汛工作的通知·····\t9

云溪区人民政府 关于印发云溪区养老服务发展规划
（2021—2025年）的通知

云溪府发〔2025〕 7 号

各镇人民政府、街道办事处，区政府各部门：

《云溪区养老服务发展规划（2021—2025年）》已经区政府第5次常务会议审议通过，现印发给你们，请认真贯彻执行。

云溪区人民政府

2025年4月2日

（此件公开发布）

云溪区养老服务发展规划（2021—2025年）

一、发展目标

到2025年，每千名老年人口拥有养老床位数达到38张，护理型床位占比提高到60%以上。

云溪府办发〔2025〕11号
云溪区人民政府办公室

关于做好2025年防汛工作的通知
各镇人民政府、街道办事处：

入汛以来，全区降雨偏多。现就做好防汛工作通知如下。

云溪区人民政府办公室

二〇二五年五月六日

区政府召开第12次常务会议

5月20日上午，区长主持召开区政府第12次常务会议，研究部署防汛工作。
"""


def test_gazette_documents_and_metadata(tmp_path: Path) -> None:
    result = extract_text(tmp_path, GAZETTE, name="gazette.txt")
    docs = [(d.start_line, d.doc_number, d.issuer, d.date) for d in result.documents]
    lines = GAZETTE.splitlines()
    assert docs == [
        (lines.index("云溪区人民政府 关于印发云溪区养老服务发展规划") + 1, "云溪府发〔2025〕7号", "云溪区人民政府",
         "2025-04-02"),
        (lines.index("云溪区人民政府办公室") + 1, "云溪府办发〔2025〕11号", "云溪区人民政府办公室", "2025-05-06"),
        (lines.index("区政府召开第12次常务会议") + 1, None, None, None),
    ]
    first, second, news = result.documents
    assert first.title == "云溪区人民政府关于印发云溪区养老服务发展规划（2021—2025年）的通知"
    assert first.attached_plans == ("云溪区养老服务发展规划（2021—2025年）",)
    assert first.end_line == second.start_line - 1 and second.end_line == news.start_line - 1
    assert news.end_line == len(lines)
    assert second.attached_plans == ()
    # only the plan's goals give indicators, and they are tied to the plan
    assert [(i.name, i.targets[0].value, i.plan) for i in result.indicators] == [
        ("每千名老年人口拥有养老床位数", 38.0, "云溪区养老服务发展规划（2021—2025年）"),
        ("护理型床位占比", 60.0, "云溪区养老服务发展规划（2021—2025年）"),
    ]


def test_gb18030_file_reads_like_utf8(tmp_path: Path) -> None:
    utf8 = extract_text(tmp_path, GAZETTE, name="a.txt")
    gbk = extract_text(tmp_path, GAZETTE, name="b.txt", encoding="gb18030")
    assert [d.to_json() | {"file": ""} for d in utf8.documents] == [d.to_json() | {"file": ""} for d in gbk.documents]
    assert len(gbk.indicators) == len(utf8.indicators) == 2


def test_a_bare_plan_is_one_document(tmp_path: Path) -> None:
    text = """云溪区全民健身实施计划（2021—2025年）

一、主要目标

到2025年，经常参加体育锻炼人数比例达到40%以上，人均体育场地面积达到2.6平方米。
"""
    result = extract_text(tmp_path, text)
    assert len(result.documents) == 1
    doc = result.documents[0]
    assert (doc.start_line, doc.end_line, doc.doc_number) == (1, 5, None)
    assert [(i.name, i.targets[0].comparator.value, i.targets[0].year) for i in result.indicators] == [
        ("经常参加体育锻炼人数比例", ">=", 2025), ("人均体育场地面积", "=", 2025)]


def test_markdown_plan_with_red_header_notice(tmp_path: Path) -> None:
    """Doc number above the title (red-header layout), markdown headings and a pipe table."""
    text = """云溪府办发〔2025〕9号

云溪区人民政府办公室

关于印发云溪区应急体系建设行动方案（2025—2027年）的通知

各镇人民政府、街道办事处，区政府有关部门：

现将《云溪区应急体系建设行动方案（2025—2027年）》印发给你们，请认真组织实施。

云溪区人民政府办公室

2025年6月3日

# 云溪区应急体系建设行动方案（2025—2027年）

## 一、工作目标

到2027年，全区综合应急救援队伍建成率达到100%，年均每十万人受灾人次控制在12000人以内。

## 二、主要指标

| 序号 | 指标 | 2025年 | 2027年 | 属性 |
|---|---|---|---|---|
| 1 | 应急避难场所人均面积（平方米） | 1.2 | ≥1.5 | 约束性 |
| 2 | 基层应急队伍覆盖率（%） | 80 | 100 | 预期性 |

## 三、重点任务

### （一）建强救援队伍

新建镇街应急救援站12个。
"""
    result = extract_text(tmp_path, text, name="plan.md")
    [doc] = result.documents
    assert (doc.start_line, doc.doc_number, doc.date) == (3, "云溪府办发〔2025〕9号", "2025-06-03")
    assert doc.attached_plans == ("云溪区应急体系建设行动方案（2025—2027年）",)
    got = [(i.name, i.kind, [(t.year, t.value, t.comparator.value) for t in i.targets]) for i in result.indicators]
    assert got == [
        ("综合应急救援队伍建成率", "prose", [(2027, 100.0, "=")]),
        ("年均每十万人受灾人次", "prose", [(2027, 12000.0, "<=")]),
        ("应急避难场所人均面积", "table", [(2025, 1.2, "="), (2027, 1.5, ">=")]),
        ("基层应急队伍覆盖率", "table", [(2025, 80.0, "="), (2027, 100.0, "=")]),
    ]


def test_plans_and_outline_are_reported(tmp_path: Path) -> None:
    result = extract_text(tmp_path, GAZETTE, name="gazette.txt")
    [plan] = result.plans
    assert (plan.title, plan.start_year, plan.end_year, plan.doc_number) == (
        "云溪区养老服务发展规划（2021—2025年）", 2021, 2025, "云溪府发〔2025〕7号")
    lines = GAZETTE.splitlines()
    assert lines[plan.start_line - 1] == "云溪区养老服务发展规划（2021—2025年）"
    assert [(o.rank, o.number, o.title) for o in result.outline] == [(4, "一、", "发展目标")]
