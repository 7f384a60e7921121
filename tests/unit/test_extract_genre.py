"""Extraction on the layouts and frames plans are published in, beyond the seeds.

Each document under ``genre/`` is fictional, written in the style of one publication
channel: a notice scraped from a government site to Markdown (front matter, tables one
cell per line with no tabs), a bare long-range plan with milestone columns, a notice
copied from a web page (文号 line, no blank lines, a table without 序号), and a
government work report (page chrome, two plans' goals in one report).
"""

from __future__ import annotations

from pathlib import Path

from planwatch.extract import extract_file
from planwatch.extract.records import Extraction, Indicator
from tests.unit.extract_helpers import extract_text, plan_text

GENRE = Path(__file__).parent / "genre"


def _extract(name: str) -> Extraction:
    return extract_file(GENRE / name)


def _by_name(result: Extraction, kind: str) -> dict[str, Indicator]:
    return {i.name: i for i in result.indicators if i.kind == kind}


def _final(ind: Indicator) -> tuple[int, float | None, str]:
    t = ind.targets[-1]
    return t.year, t.value, t.comparator.value


def test_scraped_notice_front_matter_is_not_the_document() -> None:
    result = _extract("scraped_notice_stacked_table.txt")
    [doc] = result.documents
    assert doc.start_line == 9  # the "# 标题" line, not the YAML block or the disclaimer
    assert doc.title == "云溪区人民政府关于印发《云溪区消防事业发展“十五五”规划》的通知"
    assert (doc.issuer, doc.date, doc.doc_number) == ("云溪区人民政府", "2026-05-12", None)
    assert doc.attached_plans == ("云溪区消防事业发展“十五五”规划",)
    [plan] = result.plans
    assert (plan.start_year, plan.end_year) == (2026, 2030)


def test_table_one_cell_per_line_without_tabs() -> None:
    """Rows from the 序号 sequence; merged categories printed once; a header split over two lines."""
    table = _by_name(_extract("scraped_notice_stacked_table.txt"), "table")
    assert set(table) == {"每百万人火灾事故年平均发生率", "每十万人火灾死亡率", "城市消防站5分钟可达覆盖率",
                          "消防车辆装备配备达标率", "消防宣传教育覆盖率", "行政村微型消防站建成率"}
    # a target in words is kept for monitoring by judgement; a “/” cell is no target at all
    [words] = table["行政村微型消防站建成率"].targets
    assert (words.qualitative, words.value, words.text, words.year) == (True, None, "完成市下达目标", 2030)
    assert not any(t.qualitative for name, ind in table.items() if name != "行政村微型消防站建成率"
                   for t in ind.targets)
    fires = table["每百万人火灾事故年平均发生率"]
    assert (fires.unit, fires.domain, fires.attribute) == ("起/百万人", "火灾防控", "约束性")
    assert _final(fires) == (2030, 490.0, "<=")
    deaths = table["每十万人火灾死亡率"]  # category printed only on the group's first row
    assert (deaths.domain, deaths.unit, _final(deaths)) == ("火灾防控", "人/10万人", (2030, 0.15, "<"))
    assert _final(table["城市消防站5分钟可达覆盖率"]) == (2030, 95.0, ">=")
    assert table["消防宣传教育覆盖率"].domain == "社会消防"
    assert _final(table["消防宣传教育覆盖率"]) == (2030, 55.0, "~")


def test_review_table_and_task_chapter_give_no_indicators() -> None:
    result = _extract("scraped_notice_stacked_table.txt")
    names = {i.name for i in result.indicators}
    assert "消防站数量" not in names and "消防车辆数量" not in names  # 表1 reports the previous plan
    assert all(i.line < 87 for i in result.indicators)  # nothing from 三、主要任务


def test_bare_long_range_plan_with_milestones_and_goal_bullets() -> None:
    result = _extract("bare_plan_milestones.txt")
    [doc] = result.documents
    assert doc.title == "云溪区国土空间生态修复规划（2021—2035年）"
    table = _by_name(result, "table")
    forest = table["森林覆盖率"]
    assert [t.year for t in forest.targets] == [2025, 2030, 2035]
    assert (forest.baseline_year, forest.baseline, _final(forest)) == (2020, "49.2", (2035, 55.0, ">="))
    assert _final(table["湿地保护率"]) == (2035, 60.0, ">")
    mines = table["历史遗留矿山生态修复面积"]  # “/” and “—” cells are no targets
    assert [t.year for t in mines.targets] == [2025, 2035] and mines.baseline is None
    assert "湿地保护率" in table and len(table) == 5  # the 十三五 review table is left out
    prose = _by_name(result, "prose")
    assert [(t.year, t.value) for t in prose["森林覆盖率"].targets] == [(2025, 52.0), (2035, 55.0)]
    assert _final(prose["湿地保护率"]) == (2035, 60.0, ">")
    assert _final(prose["水土保持率"]) == (2035, 93.0, ">=")


def test_web_notice_with_a_milestone_table_without_index_column() -> None:
    result = _extract("web_notice_table_without_index.txt")
    [doc] = result.documents
    assert (doc.doc_number, doc.date) == ("云府办发〔2026〕15号", "2026-03-02")
    table = _by_name(result, "table")
    assert set(table) == {"数字经济核心产业增加值", "规上数字经济核心产业企业数", "5G基站数量"}
    value_added = table["数字经济核心产业增加值"]
    assert value_added.unit == "亿元"  # from the bracket in the name: the table has no unit column
    assert (value_added.baseline_year, value_added.baseline) == (2025, "86")
    assert [(t.year, t.value) for t in value_added.targets] == [(2026, 95.0), (2027, 105.0), (2028, 120.0)]
    prose = _by_name(result, "prose")
    growth = prose["数字经济核心产业增加值年均增长"]  # the growth of the quantity named just before
    assert growth.targets[0].annual_average and _final(growth) == (2028, 10.0, ">=")
    assert _final(prose["数字经济核心产业增加值"]) == (2028, 120.0, ">=")


def test_work_report_frame_and_its_two_plans() -> None:
    result = _extract("work_report.txt")
    [doc] = result.documents
    assert doc.start_line == 4  # the article head before 各位代表, not the page head
    assert (doc.title, doc.issuer, doc.date) == ("云溪市2026年政府工作报告", "云溪市人民政府", "2026-01-20")
    assert doc.attached_plans == ("2026年云溪市政府工作报告", "云溪市国民经济和社会发展第十五个五年规划")
    year_plan = {i.name: i for i in result.indicators if i.plan == "2026年云溪市政府工作报告"}
    assert set(year_plan) == {"地区生产总值增长", "一般公共预算收入增长", "城镇新增就业", "城镇调查失业率",
                              "居民消费价格涨幅", "单位地区生产总值能耗", "居民收入增长"}
    # 居民收入增长与经济增长同步: a target in words, kept for monitoring by judgement
    [in_step] = year_plan["居民收入增长"].targets
    assert (in_step.text, in_step.value, in_step.qualitative, in_step.year) == ("与经济增长同步", None, True, 2026)
    assert _final(year_plan["地区生产总值增长"]) == (2026, 5.5, "~")
    assert _final(year_plan["一般公共预算收入增长"]) == (2026, 4.0, "=")
    assert _final(year_plan["城镇调查失业率"]) == (2026, 5.5, "<=")
    energy = year_plan["单位地区生产总值能耗"]
    assert _final(energy) == (2026, 2.5, "decrease_by_pct") and energy.unit is None
    five_year = {i.name: i for i in result.indicators if i.plan == "云溪市国民经济和社会发展第十五个五年规划"}
    assert set(five_year) == {"地区生产总值年均增长", "常住人口城镇化率", "研发经费投入强度", "森林覆盖率"}
    assert five_year["地区生产总值年均增长"].targets[0].annual_average
    assert all(i.targets[-1].year == 2030 for i in five_year.values())


def test_a_plan_without_period_takes_its_horizon_not_the_publication_year(tmp_path: Path) -> None:
    body = ("一、工作目标\n"
            "到2028年，全区新能源汽车保有量达到5万辆。公共充电桩数量达到3000个，车桩比不高于3：1。\n"
            "二、重点任务\n"
            "（一）完善充电网络。\n")
    result = extract_text(tmp_path, plan_text("新能源汽车推广应用实施方案", body))
    assert result.documents[0].date == "2025-03-18"
    piles = next(i for i in result.indicators if i.name == "公共充电桩数量")
    assert piles.targets[0].year == 2028  # the year the plan aims at, never 2025 (published)


def test_what_could_not_be_read_is_said(tmp_path: Path) -> None:
    body = ("一、主要目标\n"
            "到2027年，全区农村公路新改建里程达到120公里。便民服务点实现2级覆盖。\n"
            "表1 云溪区农村公路主要指标\n"
            "指标名称\t单位\t现状值\t备注\n"
            "农村公路总里程\t公里\t860\t含村道\n"
            "二、重点任务\n"
            "表2 云溪区交通主要指标\n"
            "指标名称\t单位\t2024年\t2027年\n"
            "等级公路比例\t%\t92\t—\n"
            "乡镇通客车率\t%\t100\t完成市下达目标\n"
            "客运站数量\t个\t12\t15\n")
    result = extract_text(tmp_path, plan_text("农村公路提质行动方案（2025—2027年）", body))
    assert {i.name for i in result.indicators} == {"农村公路新改建里程", "客运站数量", "乡镇通客车率"}
    assert [t.qualitative for i in result.indicators for t in i.targets if i.name == "乡镇通客车率"] == [True]
    unread = {(d.kind, d.code): d for d in result.diagnostics}
    sentence = unread[("goal_sentence", "goal_sentence")]
    assert sentence.seen == "便民服务点实现2级覆盖。" and "未能识别" in sentence.reason
    table = unread[("table", "no_target_column")]
    assert table.seen == "表1 云溪区农村公路主要指标"
    row = unread[("table_row", "row_without_target")]
    assert row.seen == "等级公路比例 | % | 92 | —"
    assert all(d.file == "plan.txt" and d.line > 0 for d in result.diagnostics)


def test_a_notice_that_prints_an_indicator_table_is_its_plan(tmp_path: Path) -> None:
    text = ("云溪区人民政府关于加快农业现代化的实施意见\n"
            "云府发〔2026〕3号\n"
            "各镇人民政府、街道办事处，区政府各部门：\n"
            "为加快推进农业现代化，提出如下意见。\n"
            "表1 农业现代化主要指标\n"
            "指标名称\t单位\t2025年\t2028年\n"
            "高标准农田面积\t万亩\t18\t22\n"
            "农作物耕种收综合机械化率\t%\t78\t85以上\n"
            "云溪区人民政府\n"
            "2026年2月8日\n")
    result = extract_text(tmp_path, text)
    [doc] = result.documents
    assert doc.doc_number == "云府发〔2026〕3号"
    [plan] = result.plans
    assert plan.title == doc.title and plan.end_year == 2028
    table = _by_name(result, "table")
    assert _final(table["农作物耕种收综合机械化率"]) == (2028, 85.0, ">=")
    assert table["高标准农田面积"].plan == doc.title


def test_stacked_table_with_a_two_level_header() -> None:
    """“十五五”目标 over 2030年 | 年均增长, printed row by row: the sub-headers come after 属性."""
    table = _by_name(_extract("outline_two_level_stacked_header.txt"), "table")
    assert set(table) == {"地区生产总值", "全员劳动生产率", "城镇调查失业率"}
    gdp = table["地区生产总值"]
    assert (gdp.baseline_year, gdp.baseline, gdp.attribute, gdp.domain) == (2025, "1050", "预期性", "经济发展")
    assert [(t.year, t.value) for t in gdp.targets] == [(2030, 1400.0)]
    assert table["城镇调查失业率"].domain == "民生福祉"
    assert _final(table["城镇调查失业率"]) == (2030, 5.5, "<")


def test_goal_bullets_with_respective_lists(tmp_path: Path) -> None:
    body = ("二、发展目标\n"
            "——生态环境持续改善。单位地区生产总值能源消耗和二氧化碳排放分别下降14%和18%，"
            "空气质量优良天数比率稳定在90%以上。\n"
            "——健康水平不断提高。婴儿死亡率和5岁以下儿童死亡率分别控制在4‰和6‰以下。\n"
            "——居民收入稳步增长。农村居民人均可支配收入年均增长7%以上，新增城镇就业2.5万人以上。\n"
            "三、主要任务\n")
    result = extract_text(tmp_path, plan_text("国民经济和社会发展第十四个五年规划纲要", body))
    found = {i.name: i for i in result.indicators}
    assert _final(found["单位地区生产总值能源消耗"]) == (2025, 14.0, "decrease_by_pct")
    assert _final(found["二氧化碳排放"]) == (2025, 18.0, "decrease_by_pct")
    assert _final(found["婴儿死亡率"]) == (2025, 4.0, "<=")
    assert _final(found["5岁以下儿童死亡率"]) == (2025, 6.0, "<=")
    assert found["农村居民人均可支配收入年均增长"].targets[0].annual_average
    assert _final(found["新增城镇就业"]) == (2025, 2.5, ">=")
    assert _final(found["空气质量优良天数比率"]) == (2025, 90.0, ">=")


def test_a_plan_without_a_notice_behind_front_matter_is_read() -> None:
    """A scraped 纲要 with no covering notice: the document and plan begin at its own heading."""
    result = _extract("scraped_outline_without_notice.txt")
    [doc] = result.documents
    assert (doc.start_line, doc.title) == (10, "《云溪区国民经济和社会发展第十五个五年规划纲要》")
    [plan] = result.plans
    assert plan.title == "云溪区国民经济和社会发展第十五个五年规划纲要"
    assert (plan.start_year, plan.end_year) == (2026, 2030)


def test_cells_wrapped_over_lines_and_targets_in_words() -> None:
    table = _by_name(_extract("scraped_outline_without_notice.txt"), "table")
    assert set(table) == {"地区生产总值年均增速", "全员劳动生产率", "新兴产业产值年均增速", "养老机构护理型床位占比",
                          "细颗粒物（PM2.5）浓度", "人均公园绿地面积"}
    [pace] = table["地区生产总值年均增速"].targets  # the target cell wrapped over two lines
    assert (pace.text, pace.value, pace.qualitative) == ("与全市经济增速保持同步", None, True)
    # a margin over another quantity the plan does not quantify cannot be evaluated by itself
    [margin] = table["新兴产业产值年均增速"].targets
    assert (margin.value, margin.qualitative) == (None, True)
    assert _final(table["养老机构护理型床位占比"]) == (2030, 70.0, ">")
    assert _final(table["人均公园绿地面积"]) == (2030, 9.5, ">=")
    assert table["细颗粒物（PM2.5）浓度"].attribute == "约束性"
    assert table["细颗粒物（PM2.5）浓度"].targets[0].qualitative
    assert _final(table["全员劳动生产率"]) == (2030, 32.0, "~")


def test_a_site_metadata_block_is_not_the_document() -> None:
    result = _extract("site_metadata_block.txt")
    [doc] = result.documents
    assert (doc.start_line, doc.title) == (6, "云溪区安全生产“十五五”规划")
    assert {i.name for i in result.indicators} >= {"生产安全事故死亡人数"}
    assert all(i.line == 8 for i in result.indicators)  # nothing from the task chapter


def test_group_column_before_the_number_and_sub_rows() -> None:
    """板块 before 序号 groups the rows whatever its label; 其中 sub-rows are rows of their own."""
    table = _by_name(_extract("group_column_and_sub_rows.txt"), "table")
    assert list(table) == ["新建绿地", "公园绿地", "公园数量", "“美丽街区”建设", "店招店牌整治"]
    assert [table[n].domain for n in table] == ["绿化", "绿化", "绿化", "市容", "市容"]
    parks = table["公园绿地"]  # prints only its baseline and target: unit and attribute are the row above's
    assert (parks.unit, parks.attribute, parks.baseline, _final(parks)) == ("万平方米", "约束性", "30.1", (2030, 8.0, "="))
    assert table["“美丽街区”建设"].unit == "条（段）"
    assert _final(table["店招店牌整治"]) == (2030, 900.0, "=")


def test_goal_lists_with_counted_things_and_added_amounts() -> None:
    prose = {(i.name, i.unit, i.targets[-1].text) for i in _extract("group_column_and_sub_rows.txt").indicators
             if i.kind == "prose"}
    assert prose == {
        ("新建绿地", "万平方米", "20万平方米"), ("公园绿地", "万平方米", "8万平方米"), ("公园数量", "座", "达到41座"),
        ("新建绿道", "公里", "6公里"), ("“美丽街区”建设", "条（段）", "12条（段）"), ("景观照明", "块（条）", "2块（条）"),
        ("店招店牌整治", "块", "900块"), ("户外广告整治", "块", "120块"),
        # a list shares its verb: 新建2座…、1个…
        ("新建环卫停车场", "座", "2座"), ("新建环卫作业基地", "个", "1个"), ("组建应急保洁队", "支", "1支")}


def test_goals_announced_before_a_list_of_bullets() -> None:
    """“…要努力实现以下主要目标。” and the “——” paragraphs after it are goals, even under a heading of
    目标任务; a paragraph that is no bullet ends them."""
    result = _extract("work_report_goal_bullets.txt")
    five_year = {i.name: i for i in result.indicators if i.plan == "云岭省国民经济和社会发展第十五个五年规划"}
    assert _final(five_year["地区生产总值年均增长"]) == (2030, 5.5, "~")
    assert _final(five_year["地区生产总值"]) == (2030, 2.0, ">=")  # 迈上2万亿元台阶: the level itself
    assert five_year["地区生产总值"].unit == "万亿元"
    sectors = [five_year[f"{s}产增加值年均增长"] for s in "一二三"]  # 一二三产…年均分别增长
    assert [(t.targets[-1].value, t.targets[-1].annual_average) for t in sectors] == [
        (3.0, True), (6.5, True), (5.5, True)]
    assert _final(five_year["全社会研发经费投入强度"]) == (2030, 1.8, "~")
    assert _final(five_year["人均预期寿命"]) == (2030, 79.0, "~")
    assert five_year["居民收入增长"].targets[0].qualitative  # 居民收入增长和经济增长同步
    assert len(five_year) == 12
    year = {i.name: i for i in result.indicators if i.plan == "2026年云岭省政府工作报告"}
    # 城镇和农村常住居民人均可支配收入分别增长: each modifier takes the shared noun
    assert _final(year["城镇常住居民人均可支配收入增长"]) == (2026, 5.0, "~")
    assert _final(year["农村常住居民人均可支配收入增长"]) == (2026, 7.0, "~")
    assert set(year) == {"地区生产总值增长", "城镇常住居民人均可支配收入增长", "农村常住居民人均可支配收入增长",
                         "城镇新增就业"}


def test_table_columns_by_what_they_hold() -> None:
    """Headers outside the word lists: a column of 约束性/预期性 is the attribute, of units the unit,
    of figures a value; a table with no year printed targets the plan's end year; a unit in the
    value column's header; the caption printed as the grid's first row."""
    table = _by_name(_extract("table_columns_by_content.txt"), "table")
    beds = table["养老机构护理型床位占比"]
    assert (beds.unit, beds.domain, beds.attribute, beds.baseline, _final(beds)) == (
        "%", "机构养老", "约束性", "58", (2030, 70.0, "="))
    assert (table["家庭养老床位"].unit, table["家庭养老床位"].domain) == ("张", "居家养老")
    assert _final(table["每千名老年人医疗康复床位"]) == (2030, 4.5, "=")  # 数值: the target, no year printed
    care = table["医养结合机构占比"]
    assert (care.unit, care.baseline_year, care.baseline, _final(care)) == ("%", 2025, "31", (2030, 45.0, "="))
    assert len(table) == 7


def test_column_boxes_in_every_form_give_their_works() -> None:
    """专栏 of a 纲要: named works, numbered works, works grouped under labels ((一)重点方向 /
    (二)重点项目), labelled lists of works, a project table and a table of works; the text's own
    numbering ((三)…) ends a box."""
    result = _extract("outline_column_boxes.txt")
    boxes: dict[str, list[str]] = {}
    for task in result.tasks:
        assert task.kind == "column"
        boxes.setdefault(task.section, []).append(task.title)
    assert boxes == {
        "先进制造业重点工程": ["智能装备提升工程", "新材料强链工程"],
        "数字经济重点方向和重点项目": ["人工智能", "工业互联网", "云溪算力中心项目", "云溪数据港项目"],
        "现代服务业重点平台": ["云溪商务区", "滨江文旅街区", "高铁物流园", "现代金融", "商贸流通", "文化旅游"],
        "生态环境重点工程": ["清洁空气工程", "幸福河湖工程"],
    }
    first = next(t for t in result.tasks if t.title == "智能装备提升工程")
    assert [(t.name, t.value) for t in first.targets] == [("新增规上企业", 30.0)]
    assert [(p.name, p.investment) for p in result.projects] == [("滨江商务中心", 450000.0), ("高铁物流园二期", 180000.0)]
    assert result.diagnostics == ()


def test_group_rows_inside_a_table_printed_one_cell_per_line() -> None:
    """一、环境质量 above its first numbered row names the group; the heading after the table ends it."""
    table = _by_name(_extract("stacked_table_group_rows.txt"), "table")
    assert [(n, i.domain) for n, i in table.items()] == [
        ("细颗粒物（PM2.5）年均浓度", "环境质量"), ("空气质量优良天数比率", "环境质量"),
        ("地表水达到或好于Ⅲ类水体比例", "环境质量"), ("化学需氧量重点工程减排量", "污染减排"),
        ("氮氧化物重点工程减排量", "污染减排")]
    pm = table["细颗粒物（PM2.5）年均浓度"]
    assert (pm.unit, pm.attribute, pm.baseline, _final(pm)) == ("微克/立方米", "约束性", "28", (2030, 25.0, "<="))
    assert table["化学需氧量重点工程减排量"].targets[0].qualitative


def test_group_rows_in_a_table_without_numbers_and_the_table_after_it() -> None:
    """A stacked table with no 序号 and group rows, then one printed without blank lines."""
    result = _extract("stacked_table_without_numbers.txt")
    table = _by_name(result, "table")
    assert [(n, i.domain, i.baseline, _final(i)) for n, i in table.items()] == [
        ("高速公路通车里程", "设施网络", "120", (2030, 150.0, "=")),
        ("轨道交通运营里程", "设施网络", "30", (2030, 60.0, ">=")),
        ("公交站点500米覆盖率", "运输服务", "95", (2030, 100.0, "=")),
        ("新能源公交车占比", "发展目标", None, (2030, 100.0, "=")),
        ("营运车辆单位运输周转量二氧化碳排放较2025年下降", "发展目标", None, (2030, 5.0, "=")),
        ("港口岸电设施覆盖率", "发展目标", None, (2030, 90.0, ">="))]
    assert result.diagnostics == ()


def test_a_work_report_announcing_its_year_at_the_end_of_a_paragraph() -> None:
    """…今年全省经济社会发展的主要预期目标是： closes a long paragraph; the targets follow as bullets."""
    result = _extract("work_report_late_announcement.txt")
    year = {i.name: i for i in result.indicators if i.plan == "2026年云岭省政府工作报告"}
    assert set(year) == {"地区生产总值增长", "城镇新增就业", "城镇调查失业率", "居民收入增长"}
    assert _final(year["城镇新增就业"]) == (2026, 40.0, ">=")
    assert year["居民收入增长"].targets[0].qualitative
    five = {i.name: i for i in result.indicators if i.plan == "云岭省国民经济和社会发展第十五个五年规划"}
    assert set(five) == {"地区生产总值年均增长", "常住人口城镇化率", "全社会研发经费投入强度"}
    assert five["地区生产总值年均增长"].targets[-1].annual_average
    assert not any(i.line == 16 for i in result.indicators)  # 实施重点项目800个: a task


def test_an_unnamed_index_column_and_a_table_of_units_give_no_figures() -> None:
    """A 序号 column left without a header word is the rows' count, neither baseline nor target
    (in the indicator table nor in the annex assigning indicators to departments, which sets
    no target); a table of departments and towns with figures (资源规模, 资金安排) is an
    allocation among units, not indicators."""
    result = _extract("unnamed_index_and_allocation_tables.txt")
    table = _by_name(result, "table")
    assert sorted(table) == ["九年义务教育巩固率", "婴儿死亡率", "学前教育毛入园率", "新生儿死亡率"]
    newborn = table["新生儿死亡率"]
    assert (newborn.unit, newborn.attribute, newborn.baseline, _final(newborn)) == ("‰", "约束性", None,
                                                                                    (2030, 2.0, "<"))
    assert [i.line for i in result.indicators] == [9, 10, 11, 12]  # not the annex, not the units
