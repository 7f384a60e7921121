"""A fictional district plan stating its targets the way district thematic plans do: amounts to
achieve over the period (更新、修缮、新建、新增), levels (覆盖率, 面积比, one of them a mid-period
2027年 target) and targets without a number (与全市保持同步, 完成市下达目标).

Written for the tests (云溪区 does not exist); the org-unit tree holds the district and the
departments its 责任单位 column names, and one user per role.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services import assignments, orgunits, plan_import, users
from planwatch.services.corrections import IndicatorFix, add_indicator
from planwatch.store import Database
from planwatch.store.models import Indicator, Plan, SourceFile, User

__all__ = ["PASSWORD", "QUALITATIVE", "TITLE", "TREE", "ensure_qualitative", "plan_file", "set_up"]

TITLE = "云溪区城市更新“十五五”规划"
PASSWORD = "typed-plan-1"
# (name, unit, attribute, target as printed, responsible unit as printed)
ROWS = [
    ("街区更新数量", "个", "预期性", "4", "区规划资源局"),
    ("老旧住房综合修缮面积", "万平方米", "约束性", "60", "区房管局"),
    ("新建或改建口袋公园数量", "座", "预期性", "10", "区绿化市容局"),
    ("社区养老服务设施覆盖率", "%", "预期性", "2027年80%", "区民政局"),
    ("新增各类绿化面积", "万平方米", "约束性", "3", "区绿化市容局"),
    ("建成区达到海绵城市建设要求面积比", "%", "约束性", "70", "区水务局"),
    ("区级一般公共预算收入年均增速", "%", "预期性", "与全市保持同步", "区财政局"),
    ("细颗粒物（PM2.5）浓度", "微克/立方米", "约束性", "完成市下达目标", "区生态环境局"),
]
QUALITATIVE = {"区级一般公共预算收入年均增速": "与全市保持同步", "细颗粒物（PM2.5）浓度": "完成市下达目标"}
TREE = [
    ("YX", "云溪区", "district", "", ""),
    ("YX-GH", "云溪区规划和自然资源局", "department", "YX", "区规划资源局"),
    ("YX-FG", "云溪区住房保障和房屋管理局", "department", "YX", "区房管局"),
    ("YX-LH", "云溪区绿化和市容管理局", "department", "YX", "区绿化市容局"),
    ("YX-MZ", "云溪区民政局", "department", "YX", "区民政局"),
    ("YX-SW", "云溪区水务局", "department", "YX", "区水务局"),
    ("YX-CZ", "云溪区财政局", "department", "YX", "区财政局"),
    ("YX-ST", "云溪区生态环境局", "department", "YX", "区生态环境局"),
]
# login → (role, org unit code)
PEOPLE = {"admin_yx": ("admin", ""), "tongji_yx": ("monitoring", ""), "tongji2_yx": ("monitoring", ""),
          "pinggu_yx": ("evaluation", ""), "fg_yx": ("clerk", "YX-FG"), "lh_yx": ("clerk", "YX-LH"),
          "cz_yx": ("clerk", "YX-CZ"), "st_yx": ("clerk", "YX-ST"), "gh_yx": ("clerk", "YX-GH"),
          "mz_yx": ("clerk", "YX-MZ"), "sw_yx": ("clerk", "YX-SW")}


def plan_file(folder: Path, name: str = "yunxi_renewal.txt", rows: list[tuple[str, ...]] | None = None) -> Path:
    """The district government's notice issuing the plan, with its indicator table."""
    table = "\n".join(f"{n}\t" + "\t".join(cells) for n, cells in enumerate(rows or ROWS, start=1))
    text = ("云溪区人民政府\n关于印发" + TITLE + "的通知\n\n云府发〔2026〕2号\n\n各街道办事处，区政府各部门：\n\n"
            f"《{TITLE}》已经区政府常务会议审议通过，现印发给你们，请认真贯彻执行。\n\n云溪区人民政府\n\n2026年1月20日\n\n"
            f"{TITLE}\n\n一、主要指标\n\n表1 云溪区“十五五”城市更新主要指标\n"
            f"序号\t指标\t单位\t属性\t目标\t责任单位\n{table}\n\n"
            "二、主要任务\n\n（一）推进街区更新。有序推进重点街区更新，提升功能品质。\n")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def set_up(database: Database, folder: Path) -> int:
    """Units, users and the imported plan (with its qualitative rows); returns the plan's id."""
    with database.session() as session:
        orgunits.import_org_units(session, None, [orgunits.OrgUnitRow(*row) for row in TREE])
        for login, (role, unit) in PEOPLE.items():
            users.add_user(session, None, login, PASSWORD, role, org_unit=unit or None)
        plan_import.import_file(session, plan_file(folder))
        plan = session.scalars(select(Plan).where(Plan.title == TITLE, Plan.current.is_(True))).one()
        ensure_qualitative(session, plan, session.scalars(select(User).where(User.login == "pinggu_yx")).one())
        return plan.id


def ensure_qualitative(session: Session, plan: Plan, analyst: User) -> None:
    """The rows without a number as indicators: read by extraction where it emits them, else
    added by hand on their source line as an analyst does (完成市下达目标 is accepted)."""
    have = {i.name for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan.id))}
    lines = session.get_one(SourceFile, plan.source_file_id).text.split("\n")
    for name, target in QUALITATIVE.items():
        if name in have:
            continue
        line = next(n for n, text in enumerate(lines, start=1) if name in text)
        unit, attribute, printed_unit = next((r[1], r[2], r[4]) for r in ROWS if r[0] == name)
        added = add_indicator(session, analyst, plan.id, line, IndicatorFix(
            name=name, unit=unit, attribute=attribute, target=target))
        unit_row = next(u for u in orgunits.list_org_units(session) if u.short_name == printed_unit)
        assignments.assign(session, None, added, unit_row, "牵头")  # as the operator would
