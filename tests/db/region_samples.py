"""A fictional district's health plan, issued by its government, with a responsible-unit column."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["ROWS", "plan_file"]

ROWS = [("孕产妇死亡率", "1/10万", "9.8", "<8", "约束性", "{p}卫生健康委"),
        ("婴儿死亡率", "‰", "3.1", "<3", "约束性", "{p}卫生健康委"),
        ("每千人口执业（助理）医师数", "人", "2.6", "3.2", "预期性", "{p}卫生健康委、{p}人力社保局"),
        ("学生体质健康达标率", "%", "90", "≥92", "预期性", "{p}教委")]


def plan_file(folder: Path, district: str, rows: Sequence[tuple[str, ...]] = ROWS, name: str = "plan.txt") -> Path:
    """A fictional notice of ``district``'s government issuing a health plan with its table."""
    level = district[-1]
    issuer = f"江州市{district}人民政府"
    title = f"{district}卫生健康事业发展“十四五”规划"
    table = "\n".join(f"{n}\t" + "\t".join(cells).format(p=level) for n, cells in enumerate(rows, start=1))
    text = (f"{issuer}\n关于印发{title}的通知\n\n{district[:2]}府发〔2024〕5号\n\n各镇人民政府，{level}政府各部门：\n\n"
            f"《{title}》已经{level}政府常务会议审议通过，现印发给你们，请认真贯彻执行。\n\n{issuer}\n\n2024年3月1日\n\n"
            f"{title}\n\n一、主要指标\n\n表1 {district}卫生健康事业发展主要指标\n"
            f"序号\t指标名称\t单位\t2020年\t2025年\t属性\t责任单位\n{table}\n")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
