"""Indicator tables in all three text encodings, with irregular rows, give the same indicators."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.extract.records import Comparator
from tests.unit.extract_helpers import extract_text, plan_text

TITLE = "卫生健康发展规划（2021—2025年）"

TAB_ROWS = """二、主要指标

表1 云溪区卫生健康主要指标
领域\t指标名称（单位）\t2020年\t2025年\t属性\t责任单位
健康水平\t人均预期寿命（岁）\t78.2\t79.5\t预期性\t区卫生健康委
\t孕产妇死亡率（1/10万）\t12.1\t<10\t约束性\t区卫生健康委
\t其中：农村孕产妇死亡率（1/10万）\t13.0\t<11\t约束性\t区卫生健康委
健康服务\t每千人口执业（助理）医师数（人）\t2.6\t3.2\t预期性\t区卫生健康委
\t儿童健康管理率（%）\t—\t≥92\t预期性\t区卫生健康委区妇联
\t居民健康素养水平（%）\t—\t逐年提高\t预期性\t区卫生健康委
"""

CELL_PER_LINE = """二、主要指标

表1 云溪区卫生健康主要指标
\t领域
\t指标名称（单位）
\t2020年
\t2025年
\t属性
\t责任单位

\t健康
水平
\t人均预期寿命（岁）
\t78.2
\t79.5
\t预期性
\t区卫生健康委

\t
\t孕产妇死亡率（1/10万）
\t12.1
\t<10
\t约束性
\t区卫生健康委

\t
\t其中：农村孕产妇死亡率（1/10万）
\t13.0
\t<11
\t约束性
\t区卫生健康委

\t健康服务
\t每千人口执业（助理）医师数（人）
\t2.6
\t3.2
\t预期性
\t区卫生健康委

\t
\t儿童健康管理率（%）
\t—
\t≥92
\t预期性
\t区卫生健康委区妇联

\t
\t居民健康素养水平（%）
\t—
\t逐年提高
\t预期性
\t区卫生健康委

三、主要任务
"""

MARKDOWN = """二、主要指标

表1 云溪区卫生健康主要指标

| 领域 | 指标名称（单位） | 2020年 | 2025年 | 属性 | 责任单位 |
|---|---|---|---|---|---|
| 健康水平 | 人均预期寿命（岁） | 78.2 | 79.5 | 预期性 | 区卫生健康委 |
|  | 孕产妇死亡率（1/10万） | 12.1 | <10 | 约束性 | 区卫生健康委 |
|  | 其中：农村孕产妇死亡率（1/10万） | 13.0 | <11 | 约束性 | 区卫生健康委 |
| 健康服务 | 每千人口执业（助理）医师数（人） | 2.6 | 3.2 | 预期性 | 区卫生健康委 |
|  | 儿童健康管理率（%） | — | ≥92 | 预期性 | 区卫生健康委区妇联 |
|  | 居民健康素养水平（%） | — | 逐年提高 | 预期性 | 区卫生健康委 |
"""


@pytest.mark.parametrize("body", [TAB_ROWS, CELL_PER_LINE, MARKDOWN], ids=["tab-rows", "cell-per-line", "markdown"])
def test_three_encodings_give_the_same_indicators(tmp_path: Path, body: str) -> None:
    result = extract_text(tmp_path, plan_text(TITLE, body))
    table = [i for i in result.indicators if i.kind == "table"]
    names = [i.name for i in table]
    assert names == ["人均预期寿命", "孕产妇死亡率", "农村孕产妇死亡率", "每千人口执业（助理）医师数", "儿童健康管理率",
                     "居民健康素养水平"]
    life, mmr, rural, doctors, child, literacy = table
    # 逐年提高: a target without a number, kept for monitoring by judgement
    assert [(t.qualitative, t.value, t.text) for t in literacy.targets] == [(True, None, "逐年提高")]
    assert (life.unit, life.domain, life.attribute, life.baseline_year, life.baseline) == (
        "岁", "健康水平", "预期性", 2020, "78.2")
    assert [(t.year, t.value, t.comparator) for t in life.targets] == [(2025, 79.5, Comparator.EQ)]
    assert mmr.domain == "健康水平" and mmr.unit == "1/10万" and mmr.attribute == "约束性"
    assert mmr.targets[0].comparator is Comparator.LT and mmr.targets[0].value == 10
    assert rural.targets[0].text == "<11"
    assert doctors.domain == "健康服务" and doctors.unit == "人"
    assert child.baseline is None and child.baseline_year is None
    assert child.responsible == ("区卫生健康委", "区妇联")
    assert result.indicators[0].plan == f"云溪区{TITLE}"
    # every indicator points at the line where its name is printed
    lines = plan_text(TITLE, body).splitlines()
    for ind in table:
        assert ind.name.split("（")[0] in lines[ind.line - 1]


def test_milestone_table_and_group_rows(tmp_path: Path) -> None:
    body = """二、建设目标

表2 分阶段目标
序号\t指标\t2022年\t2024年\t2026年\t指标属性
一\t数字政府\t\t\t\t
1\t政务服务网上可办率（%）\t80\t90\t100\t预期性
2\t视频联网率（%）\t60\t80\t>95\t
二\t数字民生\t\t\t\t
3\t电子病历普及率（%）\t70\t85\t≥95\t预期性
"""
    result = extract_text(tmp_path, plan_text("智慧城市建设方案（2022—2026年）", body))
    rows = [(i.name, i.domain, i.attribute, [(t.year, t.value) for t in i.targets]) for i in result.indicators]
    assert rows == [
        ("政务服务网上可办率", "数字政府", "预期性", [(2022, 80.0), (2024, 90.0), (2026, 100.0)]),
        ("视频联网率", "数字政府", "预期性", [(2022, 60.0), (2024, 80.0), (2026, 95.0)]),
        ("电子病历普及率", "数字民生", "预期性", [(2022, 70.0), (2024, 85.0), (2026, 95.0)]),
    ]


def test_past_results_and_project_tables_give_no_indicators(tmp_path: Path) -> None:
    body = """一、发展基础

表1 “十三五”主要指标完成情况
指标名称\t“十三五”目标\t2020年完成
地区生产总值（亿元）\t400\t412

表2 重点项目
项目名称\t建设内容\t总投资（万元）\t2025年
云溪大道\t新建道路5公里\t30000\t完工
"""
    result = extract_text(tmp_path, plan_text("交通发展规划（2021—2025年）", body))
    assert result.indicators == ()


def test_shifted_rows_are_read_by_cell_kind(tmp_path: Path) -> None:
    body = """二、主要指标

类别\t序号\t指标名称\t2030年目标值\t指标属性
妇女与健康\t1\t孕产妇系统管理率（%）\t≥94\t预期性
10\t妇女宫颈癌筛查率（%）\t≥70\t约束性\t
高中女生体质达标率（%）\t\t≥80\t\t
"""
    result = extract_text(tmp_path, plan_text("妇女发展规划（2021—2030年）", body))
    got = [(i.name, i.targets[0].value, i.targets[0].year, i.attribute) for i in result.indicators]
    assert got == [("孕产妇系统管理率", 94.0, 2030, "预期性"), ("妇女宫颈癌筛查率", 70.0, 2030, "约束性"),
                   ("高中女生体质达标率", 80.0, 2030, "约束性")]


def test_row_numbers_counting_on_after_a_page_break_are_not_targets(tmp_path: Path) -> None:
    """The rest of a numbered table on the page a break leaves it on counts on (6, 7, 8 …) under an unnamed
    header: the 序号 column, never the figures of a target column."""
    body = ("二、主要目标\n\n表2 云溪区儿童发展主要指标分工（续）\n类别\t\t主要指标\t备注\n"
            "\t6\t5岁以下儿童贫血率（%）\t区卫生健康委\n\t7\t适龄儿童免疫规划疫苗接种率（%）\t区卫生健康委\n"
            "\t8\t3岁以下儿童系统管理率（%）\t区卫生健康委\n\t9\t7岁以下儿童健康管理率（%）\t区卫生健康委\n"
            "\t10\t中小学生体质健康标准达标优良率（%）\t区教委\n\n三、重点任务\n\n（一）完善服务。\n")
    result = extract_text(tmp_path, plan_text("儿童发展规划（2021—2030年）", body))
    assert result.indicators == ()
    assert [(d.kind, d.seen) for d in result.diagnostics] == [("table", "表2 云溪区儿童发展主要指标分工（续）")]
