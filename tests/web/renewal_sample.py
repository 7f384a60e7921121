"""A fictional district's city-renewal plan for the 15th five-year period, shaped like the real
ones (a notice issuing the plan, a goals chapter with an indicator table grouped by category
with a single target column, a task chapter numbered （一）…), for tests that run without
../shared. Every name and figure here is made up."""

from __future__ import annotations

from pathlib import Path

__all__ = ["INDICATORS", "TASKS", "renewal_plan"]

# (category, indicator, unit, attribute, 2030 target)
INDICATORS = [
    ("促发展", "低效楼宇盘活数量", "栋", "预期性", "30"),
    ("促发展", "街区商业更新面积", "万平方米", "预期性", "40"),
    ("惠民生", "旧住房成套改造面积", "万平方米", "约束性", "60"),
    ("惠民生", "老旧小区综合整治完成率", "%", "预期性", "90"),
    ("提品质", "新建街心花园", "座", "预期性", "12"),
    ("提品质", "沿街公共空间开放", "处", "预期性", "8"),
    ("优生态", "新增立体绿化面积", "万平方米", "约束性", "6"),
    ("强韧性", "建成区透水铺装覆盖率", "%", "约束性", "75"),
    ("强韧性", "老旧燃气管网更新", "公里", "预期性", "12"),
    ("强韧性", "雨污混接点改造", "处", "预期性", "150"),
]

TASKS = ["“促发展”：盘活存量商务空间", "“惠民生”：改善居住条件", "“提品质”：完善公共空间", "“强韧性”：提升城区安全"]


def renewal_plan(folder: Path) -> Path:
    """The plan as a gazette text file in ``folder``."""
    rows = "\n".join(f"{category}\t{n}\t{name}\t{unit}\t{attribute}\t{target}"
                     for n, (category, name, unit, attribute, target) in enumerate(INDICATORS, start=1))
    tasks = "\n\n".join(f"（{'一二三四五六'[n]}）{title}\n\n围绕{title[5:]}，制定年度计划，明确责任单位和完成时限。"
                        for n, title in enumerate(TASKS))
    text = ("江州市云溪区人民政府办公室关于印发《云溪区城市更新“十五五”规划》的通知\n\n"
            "云府办发〔2026〕8号\n\n区政府各委、办、局，各街道办事处：\n\n"
            "《云溪区城市更新“十五五”规划》已经区政府同意，现印发给你们，请认真按照执行。\n\n"
            "江州市云溪区人民政府办公室\n\n2026年6月18日\n\n"
            "云溪区城市更新“十五五”规划\n\n一、总体目标\n\n到2030年，城区功能明显提升，居住条件持续改善。\n\n"
            "“十五五”城市更新主要指标\n类别\t序号\t指标\t单位\t属性\t2030年目标\n"
            f"{rows}\n\n二、主要任务\n\n{tasks}\n")
    path = folder / "yunxi_chengshigengxin_15.txt"
    path.write_text(text, encoding="utf-8")
    return path
