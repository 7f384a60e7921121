"""Goal sentences: the quantity, its value, comparator, unit and year, as the genre writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.extract.records import Indicator
from tests.unit.extract_helpers import extract_text, plan_text


def _goals(tmp_path: Path, sentence: str, heading: str = "（二）主要目标。",
           title: str = "交通运输发展规划（2021—2025年）") -> list[Indicator]:
    body = f"一、发展基础\n\n“十三五”期间，全区公路总里程达到3200公里。\n\n二、发展目标\n\n{heading}\n\n{sentence}\n\n三、主要任务\n\n" \
           "（一）完善路网。新建农村公路120公里，改造危桥30座。\n"
    return list(extract_text(tmp_path, plan_text(title, body)).indicators)


def _summary(indicators: list[Indicator]) -> list[tuple[str, float | None, str, int, str | None]]:
    return [(i.name, i.targets[-1].value, i.targets[-1].comparator.value, i.targets[-1].year, i.unit)
            for i in indicators]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("到2025年，全区森林覆盖率达到55%以上。", [("森林覆盖率", 55.0, ">=", 2025, "%")]),
        ("孕产妇死亡率控制在8/10万以下，婴儿死亡率降至3‰以下。",
         [("孕产妇死亡率", 8.0, "<=", 2025, "1/10万"), ("婴儿死亡率", 3.0, "<=", 2025, "‰")]),
        ("港口货物吞吐能力达到1500万吨、30万标箱。",
         [("港口货物吞吐能力", 1500.0, "=", 2025, "万吨"), ("港口货物吞吐能力", 30.0, "=", 2025, "万标箱")]),
        ("水运货运量、铁路货运量增长速度分别超过12%、6%。",
         [("水运货运量增长速度", 12.0, ">", 2025, "%"), ("铁路货运量增长速度", 6.0, ">", 2025, "%")]),
        ("城市公交新能源车辆、出租车清洁能源车辆占比均达到100%。",
         [("城市公交新能源车辆占比", 100.0, "=", 2025, "%"), ("出租车清洁能源车辆占比", 100.0, "=", 2025, "%")]),
        ("实施42条客运班线公交化改造，实现80%镇通公交。",
         [("客运班线公交化改造", 42.0, "=", 2025, "条"), ("镇通公交比例", 80.0, "=", 2025, "%")]),
        ("中心城区至各镇实现1小时可达。", [("中心城区至各镇可达时间", 1.0, "<=", 2025, "小时")]),
        ("应急救援响应时间不超过半小时。", [("应急救援响应时间", 0.5, "<=", 2025, "小时")]),
        ("培育2—3户第三方物流龙头企业。", [("第三方物流龙头企业", 2.0, "range", 2025, "户")]),
        ("城乡居民人均可支配收入比缩小至1.8：1。", [("城乡居民人均可支配收入比", None, "=", 2025, None)]),
        ("2024年底前，完成入河排污口80%的整治任务。", [("入河排污口整治任务比例", 80.0, "=", 2024, "%")]),
        ("建成“2233”铁路网络（2条高铁、2条城际），中心城区公交站点500米覆盖率达到100%。",
         [("中心城区公交站点500米覆盖率", 100.0, "=", 2025, "%")]),
        ("到2025年，常住人口达到90万人左右；到2035年，常住人口达到98万人左右。",
         [("常住人口", 98.0, "~", 2035, "万人")]),
        # a score, and 分 that begins a word
        ("群众安全感测评综合得分达92分以上，分阶段推进示范创建。",
         [("群众安全感测评综合得分", 92.0, ">=", 2025, "分")]),
        ("规模以上工业总产值迈上1.2万亿元台阶。", [("规模以上工业总产值", 1.2, ">=", 2025, "万亿元")]),
        ("基本养老保险参保率达到95%以上，基本实现城乡公交全覆盖。",
         [("基本养老保险参保率", 95.0, ">=", 2025, "%")]),
        ("新建2座综合客运枢纽、1个物流园区。",
         [("新建综合客运枢纽", 2.0, "=", 2025, "座"), ("新建物流园区", 1.0, "=", 2025, "个")]),
        # 每年 says how often, not what; 亿吨标准煤 is one unit
        ("粮食综合生产能力每年稳定在320万吨以上，能源综合生产能力达1.1亿吨标准煤左右。",
         [("粮食综合生产能力", 320.0, ">=", 2025, "万吨"), ("能源综合生产能力", 1.1, "~", 2025, "亿吨标准煤")]),
        # 启动 opens the action as 实施 does; a land of some use is its area already
        ("启动12万平方米老旧厂房改造，其中防护绿地3.5万平方米。",
         [("老旧厂房改造面积", 12.0, "=", 2025, "万平方米"), ("防护绿地", 3.5, "=", 2025, "万平方米")]),
        # 各 shares the target among the subjects the clause before lists; 2各 is the measure word 个 mistyped
        ("加快推进南湖、北湖的生态修复，各建设1个湿地公园。", [("南湖、北湖湿地公园", 1.0, "=", 2025, "个")]),
        ("积极开展石墨、萤石的勘查工作，各设置2各勘查区块。", [("石墨、萤石勘查区块", 2.0, "=", 2025, "个")]),
        # a transit service counted by 条 is counted by its lines
        ("跨市通勤公交达到4条，国省道改造45公里。",
         [("跨市通勤公交线路", 4.0, "=", 2025, "条"), ("国省道改造里程", 45.0, "=", 2025, "公里")]),
    ],
)
def test_goal_sentences(tmp_path: Path, sentence: str, expected: list[tuple[str, float | None, str, int, str | None]]
                        ) -> None:
    assert _summary(_goals(tmp_path, sentence)) == expected


def test_milestones_in_one_sentence_are_one_indicator(tmp_path: Path) -> None:
    [ind] = _goals(tmp_path, "到2025年，常住人口达到90万人左右；到2035年，常住人口达到98万人左右。",
                   title="人口发展规划（2021—2035年）")
    assert [(t.year, t.value) for t in ind.targets] == [(2025, 90.0), (2035, 98.0)]


def test_section_year_is_the_default(tmp_path: Path) -> None:
    got = _goals(tmp_path, "铁路营业里程达到400公里。", heading="专栏一：2035年发展目标",
                 title="综合立体交通网规划纲要（2021—2035年）")
    assert _summary(got) == [("铁路营业里程", 400.0, "=", 2035, "公里")]


def test_numbers_outside_goals_sections_and_past_results_are_not_targets(tmp_path: Path) -> None:
    got = _goals(tmp_path, "2020年，全区公路密度达到1.8公里/平方公里。交通投资稳步提高。")
    assert got == []


def test_source_sentence_is_kept(tmp_path: Path) -> None:
    sentence = "到2025年，全区森林覆盖率达到55%以上。"
    [ind] = _goals(tmp_path, sentence)
    assert ind.source_text == sentence and ind.kind == "prose" and ind.domain == "主要目标"


def test_numbered_goal_items_under_an_unnumbered_goals_heading(tmp_path: Path) -> None:
    """Women's and children's plans list each domain's goals as numbered items under 主要目标："""
    body = """二、发展领域、主要目标和策略措施

（一）妇女与健康。

主要目标：

1．孕产妇死亡率控制在7/10万以下。

2．适龄妇女宫颈癌人群筛查率达到75%以上。

策略措施：

1．完善妇幼健康服务体系，新建妇幼保健院2所。

（二）妇女与教育。

主要目标：

1．女性平均受教育年限达到12.5年。
"""
    result = extract_text(tmp_path, plan_text("妇女发展规划（2021—2030年）", body))
    assert _summary(list(result.indicators)) == [
        ("孕产妇死亡率", 7.0, "<=", 2030, "1/10万"),
        ("适龄妇女宫颈癌人群筛查率", 75.0, ">=", 2030, "%"),
        ("女性平均受教育年限", 12.5, "=", 2030, "年"),
    ]


@pytest.mark.parametrize(
    ("sentence", "name", "comparator", "value", "annual"),
    [
        ("单位地区生产总值能耗比2020年下降13.5%。", "单位地区生产总值能耗", "decrease_by_pct", 13.5, False),
        ("农村居民收入占比提高2个百分点。", "农村居民收入占比", "increase_by_points", 2.0, False),
        ("地区生产总值年均增长6.5%左右。", "地区生产总值年均增长", "~", 6.5, True),
        ("一般公共预算收入年均增长5%。", "一般公共预算收入年均增长", "=", 5.0, True),
    ],
)
def test_relative_and_growth_targets(tmp_path: Path, sentence: str, name: str, comparator: str, value: float,
                                     annual: bool) -> None:
    [ind] = _goals(tmp_path, sentence)
    [target] = ind.targets
    assert (ind.name, target.comparator.value, target.value, target.annual_average) == (name, comparator, value, annual)


def test_baseline_stated_in_the_sentence(tmp_path: Path) -> None:
    [ind] = _goals(tmp_path, "森林覆盖率由2020年的48.5%提高到52%。")
    assert (ind.name, ind.baseline_year, ind.baseline, ind.targets[0].value) == ("森林覆盖率", 2020, "48.5%", 52.0)


def test_full_width_digits_and_thousands_separators(tmp_path: Path) -> None:
    got = _goals(tmp_path, "港口货物吞吐能力达到1,200万吨，城市绿道总长度达到１５０公里。")
    assert _summary(got) == [("港口货物吞吐能力", 1200.0, "=", 2025, "万吨"), ("城市绿道总长度", 150.0, "=", 2025, "公里")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("居民人均可支配收入增长与经济增长同步。", [("居民人均可支配收入增长", "与经济增长同步")]),
        ("单位地区生产总值能耗降低完成市下达目标。", [("单位地区生产总值能耗降低", "完成市下达目标")]),
        ("社会消费品零售总额增速高于全市平均水平，一般公共预算收入实现正增长。",
         [("社会消费品零售总额增速", "高于全市平均水平"), ("一般公共预算收入", "实现正增长")]),
        ("营商环境评价保持全省前列，生态环境质量持续改善。", [("营商环境评价", "保持全省前列")]),
    ],
)
def test_targets_in_words_are_kept_without_a_number(tmp_path: Path, sentence: str,
                                                    expected: list[tuple[str, str]]) -> None:
    found = _goals(tmp_path, sentence)
    assert [(i.name, i.targets[0].text) for i in found] == expected
    assert all(t.qualitative and t.value is None and t.year == 2025 for i in found for t in i.targets)


def test_a_built_up_area_is_a_noun(tmp_path: Path) -> None:
    assert _summary(_goals(tmp_path, "建成区绿化覆盖率达到43%。")) == [("建成区绿化覆盖率", 43.0, "=", 2025, "%")]
