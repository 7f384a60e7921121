from __future__ import annotations

from planwatch.evaluate import IndicatorSpec, evaluate_indicator
from planwatch.extract.records import Comparator, Target
from planwatch.web.charts import indicator_chart, status_pie
from planwatch.web.i18n import Translator

FOREST = IndicatorSpec(
    id="qc-forest", name="森林覆盖率", unit="%", attribute="约束性", baseline_year=2020, baseline=48.3,
    targets=(Target(2023, "49", 49.0, Comparator.GE), Target(2025, "50以上", 50.0, Comparator.GE)),
)


def test_chart_lines_follow_baseline_milestones_and_target() -> None:
    history = {2021: 48.6, 2022: 48.9}
    result = evaluate_indicator(FOREST, history, 2022)
    chart = indicator_chart(FOREST, history.items(), result, Translator("zh"))
    by_key = {line.key: line for line in chart.lines}
    assert by_key["actual"].points == ((2021, 48.6), (2022, 48.9))
    assert by_key["baseline"].points == ((2020, 48.3),)
    assert by_key["target"].points == ((2023, 49.0), (2025, 50.0))
    assert by_key["required"].points == ((2020, 48.3), (2023, 49.0), (2025, 50.0))
    assert result.projected is not None
    assert by_key["projection"].points == ((2022, 48.9), (2025, result.projected))
    assert chart.years == [2020, 2021, 2022, 2023, 2025]
    option = chart.echarts_option()
    assert [s["name"] for s in option["series"]] == ["实际值", "基期值", "目标值", "要求进度", "趋势预测"]
    # every year of the span as a label of its own, 2024 included although no line has a point there
    assert option["xAxis"]["data"] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert option["series"][0]["data"] == [["2021", 48.6], ["2022", 48.9]]
    assert option["yAxis"]["name"] == "%"


def test_fallback_table_has_a_row_per_year() -> None:
    chart = indicator_chart(FOREST, [(2021, 48.6)], None, Translator("en"))
    rows = dict(chart.table())
    labels = [line.label for line in chart.lines]
    assert labels == ["Actual", "Baseline", "Target", "Required path"]
    assert rows[2021] == [48.6, None, None, None]
    assert rows[2025] == [None, None, 50.0, 50.0]


def test_relative_target_is_drawn_at_its_resolved_level() -> None:
    spec = IndicatorSpec(
        id="qc-energy", name="单位地区生产总值能耗降低", unit="吨标准煤/万元", attribute="约束性",
        baseline_year=2020, baseline=0.5,
        targets=(Target(2025, "下降13.5%", 13.5, Comparator.DECREASE_BY_PCT),),
    )
    result = evaluate_indicator(spec, {2021: 0.48}, 2021)
    chart = indicator_chart(spec, [(2021, 0.48)], result, Translator("zh"))
    target = next(line for line in chart.lines if line.key == "target")
    assert target.points == ((2025, result.target),)
    assert result.target is not None and abs(result.target - 0.5 * (1 - 0.135)) < 1e-9


def test_annual_average_target_is_not_a_point() -> None:
    spec = IndicatorSpec(
        id="qc-income", name="居民人均可支配收入", unit="元", baseline_year=2020, baseline=40000,
        targets=(Target(2025, "6.5*", 6.5, Comparator.GE, annual_average=True),),
    )
    result = evaluate_indicator(spec, {2021: 42600}, 2021)
    keys = [line.key for line in indicator_chart(spec, [(2021, 42600)], result, Translator("zh")).lines]
    assert keys == ["actual", "baseline"]


def test_yearly_reductions_are_drawn_without_the_period_target() -> None:
    # 2.8 % a year compounds to the 13.5 % of the period: a point at 13.5 on the same axis would mislead.
    spec = IndicatorSpec(
        id="qc-energy-rate", name="单位地区生产总值能源消耗降低", unit="%", baseline_year=2020,
        targets=(Target(2025, "下降13.5%", 13.5, Comparator.DECREASE_BY_PCT),),
    )
    history = {2021: 2.8, 2022: 3.0}
    result = evaluate_indicator(spec, history, 2022)
    keys = [line.key for line in indicator_chart(spec, history.items(), result, Translator("zh")).lines]
    assert keys == ["actual"]


def test_status_pie_skips_empty_slices() -> None:
    option = status_pie([("completed", "已完成", 3), ("behind", "滞后", 0), ("no_data", "无数据", 2)])
    data = option["series"][0]["data"]
    assert [d["name"] for d in data] == ["已完成", "无数据"]
    assert [d["value"] for d in data] == [3, 2]


def test_a_lone_point_stands_inside_the_axis_not_on_it() -> None:
    spec = IndicatorSpec(id="x", name="新建公园数量", unit="个", attribute="预期性", baseline_year=None, baseline=None,
                         targets=())
    chart = indicator_chart(spec, [(2024, 3.0)], None, Translator("zh"))
    option = chart.echarts_option()
    assert option["xAxis"]["data"] == ["2024"] and option["xAxis"]["boundaryGap"] is True
    assert indicator_chart(FOREST, [(2021, 48.6)], None, Translator("zh")).echarts_option()["xAxis"]["boundaryGap"] \
        is False  # a plan period of years: the line runs from edge to edge


def test_a_growth_rate_indicator_has_its_target_rate_as_a_line() -> None:
    spec = IndicatorSpec(id="qc-income", name="居民人均可支配收入增长", unit="%", attribute="预期性",
                         baseline_year=2020, baseline=6.1,
                         targets=(Target(2025, "6.5*", 6.5, Comparator.GE, annual_average=True),))
    history = {2021: 6.8, 2022: 5.9, 2023: 6.2}
    result = evaluate_indicator(spec, history, 2023)
    chart = indicator_chart(spec, history.items(), result, Translator("zh"))
    by_key = {line.key: line for line in chart.lines}
    assert by_key["target_rate"].points == tuple((year, 6.5) for year in range(2021, 2026))
    assert by_key["actual"].points == ((2021, 6.8), (2022, 5.9), (2023, 6.2))
    assert "target" not in by_key and "required" not in by_key
    series = {s["name"]: s for s in chart.echarts_option()["series"]}
    assert series["目标增速"]["type"] == "line" and series["目标增速"]["lineStyle"] == {"type": "dashed"}
