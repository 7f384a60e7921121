"""Fictional districts: a district's health plan, issued by its government, with a responsible-unit
column; the org-unit tree of two districts (青川区, 白石区) and both seeded side by side."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services import observations, orgunits, periods, plan_import, users
from planwatch.store import Database
from planwatch.store.models import Indicator, OrgUnit, Plan, User

__all__ = ["PASSWORD", "ROWS", "TREE", "district_plan", "fifteenth_plan", "plan_file", "region_user", "seed_two_districts"]

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


TREE = [
    ("QC", "青川区", "district", "", ""),
    ("QC-WJW", "青川区卫生健康委员会", "department", "QC", "区卫生健康委"),
    ("QC-JYW", "青川区教育委员会", "department", "QC", "区教委"),
    ("QC-RSJ", "青川区人力资源和社会保障局", "department", "QC", "区人力社保局"),
    ("BS", "白石区", "district", "", ""),
    ("BS-WJW", "白石区卫生健康委员会", "department", "BS", "区卫生健康委"),
    ("BS-JYW", "白石区教育委员会", "department", "BS", "区教委"),
]


PASSWORD = "right-pass-1"


def district_plan(session: Session, district: str) -> Plan:
    return session.scalars(select(Plan).where(Plan.title.startswith(district), Plan.current.is_(True))).one()


def region_user(session: Session, login: str) -> User:
    return users.find_user(session, login)


def seed_two_districts(database: Database, folder: Path) -> None:
    """Both districts' plans and units, their users, an open 2025 period each with one
    submitted figure of each district's 卫生健康委."""
    now = datetime.now(UTC)
    with database.session() as session:
        orgunits.import_org_units(session, None, [orgunits.OrgUnitRow(*row) for row in TREE])
        for district in ("青川区", "白石区"):
            plan_import.import_file(session, plan_file(folder, district, name=f"{district}.txt"))
        users.add_user(session, None, "legacy", PASSWORD, "viewer")  # no region: every district
        users.add_user(session, None, "qc_jc", PASSWORD, "monitoring", region="QC")
        users.add_user(session, None, "bs_admin", PASSWORD, "admin", region="白石区")
        for login in ("bs_jc", "bs_jc2"):
            users.add_user(session, None, login, PASSWORD, "monitoring", region="BS")
        users.add_user(session, None, "bs_wjw", PASSWORD, "clerk", org_unit="BS-WJW")  # district from its unit
        operator = users.operator(session)
        for district, unit in (("青川区", "QC-WJW"), ("白石区", "BS-WJW")):
            plan = district_plan(session, district)
            period = periods.create_period(session, operator, plan.id, 2025, opens_at=now - timedelta(days=5),
                                           closes_at=now + timedelta(days=25))
            indicator = session.scalars(select(Indicator).where(Indicator.plan_id == plan.id)
                                        .order_by(Indicator.code)).first()
            assert indicator is not None
            unit_id = session.scalars(select(OrgUnit.id).where(OrgUnit.code == unit)).one()
            view = observations.enter_value(session, operator, period.id, observations.ObservationInput(
                indicator.id, unit_id, "9.1"))
            observations.submit(session, operator, view.id)


def fifteenth_plan(folder: Path, district: str = "白石区") -> Path:
    """The sample health plan as a “十五五” plan: 2025 baselines, 2030 targets."""
    path = plan_file(folder, district, name=f"{district}-15.txt")
    text = path.read_text(encoding="utf-8").replace("十四五", "十五五").replace("2025年", "2030年")
    path.write_text(text.replace("\t2020年\t", "\t2025年\t"), encoding="utf-8")
    return path
