"""Target types as plans state them: the classifier on fictional rows, and on the real plans.

The fictional lines are written for these tests (云溪区, 青川区); the shared plans are read
only when ../shared is present, and judged against a hand-made table of what each target is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planwatch.extract import extract_file
from planwatch.extract.records import Comparator as C
from planwatch.extract.records import Target, TargetType
from planwatch.extract.target_types import (
    classify_target,
    cumulative_counts_baseline,
    typed_target,
)
from planwatch.extract.values import read_value
from tests.shared.conftest import shared_dir
from tests.unit.extract_helpers import extract_text, plan_text

L, CH, R, CU, Q = (TargetType.LEVEL, TargetType.CHANGE, TargetType.RATE, TargetType.CUMULATIVE,
                   TargetType.QUALITATIVE)


def _target(text: str, year: int = 2030) -> Target:
    reading = read_value(text)
    if reading is None:
        return Target(year, text, None, C.EQ)
    return Target(year, text, reading.value, reading.comparator, reading.value_high, reading.annual_average,
                  reading.cumulative)


# (indicator name, unit, printed baseline, target as printed, expected type)
CASES = [
    # levels: 达到X, limits, shares, per-capita figures, stocks without a verb
    ("森林覆盖率", "%", "45", "达到60", L),
    ("城镇调查失业率", "%", None, "控制在5.5%以内", L),
    ("人均公园绿地面积", "平方米", "11.1", "11.5", L),
    ("公园数量", "座", "59", "达到69座", L),
    ("社区卫生服务中心数量", "个", None, "12", L),
    ("建成区绿化覆盖率", "%", None, "≥40", L),
    ("规模以上工业增加值", "亿元", "300", "500", L),  # 增加值 is value added, not 增加
    ("专精特新企业数", "家", None, "累计达到300家以上", L),  # 达到Y is a level
    ("年均因灾直接经济损失占比", "%", None, "≤1%*", L),  # a yearly mean, not a rate
    ("城乡居民收入比", None, "2.1:1", "1.9:1", L),  # a ratio: not one number, still a level
    ("新建综合客运枢纽换乘距离", "米", None, "300米以内", L),  # a distance, whatever the verb
    # changes against the baseline
    ("单位地区生产总值二氧化碳排放", None, None, "下降18%", CH),
    ("农村低保标准", "元", "800", "提高6%", CH),
    ("高中阶段毛入学率", "%", "92", "提高3个百分点", CH),
    ("单位地区生产总值能源消耗降低", "%", None, "【13.5】", CH),  # a reduction, even when printed 【】
    # rates
    ("地区生产总值", "亿元", "1000", "7.5*", R),
    ("地区生产总值年均增长", "%", None, "年均增长6%以上", R),
    ("一般公共预算收入增长", "%", None, "增长3%", R),
    ("社会消费品零售总额增速", "%", None, "8", R),
    ("农村居民人均可支配收入", "%", None, "增长6%左右", R),  # X增长Y%
    # amounts over the period
    ("新增城镇就业", "万人", "2.6", "【12】", CU),
    ("新增各类绿化面积", "万平方米", None, "5", CU),
    ("新建消防救援站", "座", "2", "1", CU),  # 新建X is X over the period, whatever the baseline
    ("片区更新数量", "个", None, "2", CU),
    ("老旧住房综合修缮面积", "万平方米", None, "90", CU),
    ("机关企事业单位附属空间开放数量", "处", None, "5", CU),
    ("公用人防工程维修养护数量", "个", None, "78", CU),
    ("老旧小区整治改造面积", "万平方米", "240", "300", CU),
    ("新增跨国公司地区总部数", "家", None, "≥20", CU),
    ("累计数据调用量", "亿条", None, "50", CU),
    ("城镇新增就业", "万人", None, "累计5万人以上", CU),
    # no number, or measured against something unquantified
    ("筹措供应保障性租赁住房床位", "张", None, "完成市下达目标", Q),
    ("地区生产总值年均增速", "%", None, "与全市经济增速保持同步", Q),
    ("社会消费品零售总额年均增速", "%", None, "高于全市平均水平", Q),
    ("新兴产业税收年均增速", "%", None, "高于全区税收年均增速3个百分点以上", Q),
    ("规模以上工业增加值增速", "%", None, "正增长", Q),
    ("营商环境评价", None, None, "保持全国前十", Q),
    ("城中村改造项目", "个", None, "至2026年底全面启动，2027年全面完成前期工作", Q),
]


@pytest.mark.parametrize(("name", "unit", "baseline", "printed", "expected"), CASES,
                         ids=[f"{c[0]}:{c[3]}" for c in CASES])
def test_classify(name: str, unit: str | None, baseline: str | None, printed: str, expected: TargetType) -> None:
    assert classify_target(_target(printed), name, unit, baseline) is expected


def test_a_prose_sentence_saying_新建_makes_an_unnamed_amount_cumulative() -> None:
    sentence = "新建1座消防救援站、1个区域消防救援保障基地，组建1支消防救援保障队。"
    assert classify_target(_target("1座"), "消防救援站", "座", None, sentence) is CU
    assert classify_target(_target("1个"), "区域消防救援保障基地", "个", None, sentence) is CU
    assert classify_target(_target("1座"), "消防救援站", "座", None, "消防救援站达到1座。") is L


def test_qualitative_targets_carry_no_number() -> None:
    typed = typed_target(_target("高于全区税收年均增速3个百分点以上"), "新兴产业税收年均增速", "%")
    assert typed.target_type is Q and typed.qualitative and typed.value is None
    assert typed.text == "高于全区税收年均增速3个百分点以上"
    record = typed.to_json()
    assert record["target_type"] == "qualitative" and record["qualitative"] is True and record["value"] is None
    level = typed_target(_target("≥20"), "新增跨国公司地区总部数", "家")
    assert level.to_json()["target_type"] == "cumulative" and "qualitative" not in level.to_json()


def test_only_a_running_total_counts_from_the_printed_baseline() -> None:
    assert cumulative_counts_baseline(_target("100"), "老旧住房综合修缮改造累计面积")
    assert not cumulative_counts_baseline(_target("【12】"), "新增城镇就业")
    assert not cumulative_counts_baseline(_target("累计新增5万人"), "城镇就业")
    assert not cumulative_counts_baseline(_target("90"), "老旧住房综合修缮面积")


TABLE = """一、主要指标

表1 云溪区城市更新“十五五”主要指标
类别\t指标\t单位\t属性\t目标
促发展\t街区更新数量\t个\t预期性\t3
\t商业设施更新面积\t万平方米\t预期性\t40
惠民生\t社区养老服务设施覆盖率\t%\t约束性\t2027年80%
\t新增公共停车泊位\t个\t预期性\t≥1500
提品质\t区级一般公共预算收入年均增速\t%\t预期性\t与全市保持同步
\t细颗粒物（PM2.5）浓度\t微克/立方米\t约束性\t完成市下达目标
\t地区生产总值年均增长\t%\t预期性\t6*
"""


def test_every_extracted_target_says_its_type(tmp_path: Path) -> None:
    found = extract_text(tmp_path, plan_text("城市更新“十五五”规划", TABLE))
    types = {i.name: [t.target_type for t in i.targets] for i in found.indicators}
    assert types["街区更新数量"] == [CU]
    assert types["商业设施更新面积"] == [CU]
    assert types["社区养老服务设施覆盖率"] == [L]
    assert types["新增公共停车泊位"] == [CU]
    assert types["地区生产总值年均增长"] == [R]
    for indicator in found.indicators:
        for target in indicator.targets:
            assert target.to_json()["target_type"] == target.target_type
            if target.target_type is Q:
                assert target.qualitative and target.value is None


# What each target of the real Shanghai plans is, judged by hand from the printed table:
# the period's amounts (更新、修缮、改造、新增、新建 of things, area, length) are cumulative, the
# coverage rates, shares and per-capita figures levels.
HAND_JUDGED = {
    "sh_huangpu_chengshigengxin_15.txt": {
        "片区更新数量": CU, "商办楼宇更新数量": CU, "更新商业设施面积": CU, "老旧住房综合修缮面积": CU,
        "新建或改建口袋公园数量": CU, "机关、企事业等单位附属空间开放数量": CU, "完整社区建设覆盖率": L,
        "新增各类绿化面积": CU, "建成区达到海绵城市建设要求面积比": L, "老旧供水管网改造": CU,
        "修复或改造排水主管": CU, "公用人防工程维修养护数量": CU,
    },
    "sh_putuo_xiaofang_15.txt": {
        "每百万人火灾事故年平均发生率": L, "每百万人火灾事故年平均死亡率": L,
        "每百万人单位火灾事故年平均死亡率": L, "新建消防救援站": CU, "新建区域消防救援保障基地": CU,
        "万人拥有职业消防员": L, "重点行业单位消防安全标准化管理达标率": L, "消防宣传年度覆盖率": L,
    },
    "sh_minhang_chengshigengxin_15.txt": {
        "旧住房成套改造任务": CU, "老旧小区整治改造面积": CU, "完整社区覆盖率": L, "推动商务楼宇更新数量": CU,
        "更新商业设施面积（含改扩建）": CU, "低效产业用地盘活面积": CU, "燃气老化管道改造数量": CU,
        "人均应急避难面积": L, "人均公园绿地面积": L,
    },
}


@pytest.mark.shared
@pytest.mark.parametrize("file", sorted(HAND_JUDGED))
def test_real_plans_targets_are_typed_as_judged_by_hand(file: str) -> None:
    path = shared_dir() / "plans" / file
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    extracted = {i.name: i for i in extract_file(path).indicators}
    for name, expected in HAND_JUDGED[file].items():
        assert name in extracted, name
        assert [t.target_type for t in extracted[name].targets][-1] is expected, name


@pytest.mark.shared
def test_every_gold_target_gets_a_type_and_numbered_targets_stay_numbered() -> None:
    """The gold records carry no type: each target of theirs gets one; only a target without a
    number, or measured against something unquantified, is qualitative."""
    gold = shared_dir() / "gold"
    if not gold.is_dir():
        pytest.skip(f"{gold} is not present")
    seen: dict[TargetType, int] = dict.fromkeys(TargetType, 0)
    for path in sorted(gold.glob("*.indicators.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            for t in item["targets"]:
                target = Target(t["year"], t["text"], t["value"], C(t["comparator"]), t.get("value_high"),
                                t.get("annual_average", False), t.get("cumulative", False))
                kind = classify_target(target, item["name"], item["unit"], item["baseline"])
                seen[kind] += 1
                if t.get("target_type"):
                    assert kind.value == t["target_type"], item["name"]
                if kind is Q:
                    assert t["value"] is None, item["name"]
    assert all(seen[kind] > 0 for kind in (L, CH, R, CU)), seen
