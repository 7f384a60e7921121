"""Issue 15, item 4: a plan's responsible units are matched only inside its own district.

The tree holds two fictional districts (青川区 and 白石区, with departments of the same short
names); 云岭县 is absent. Plans of each are imported on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services import orgunits, plan_import, regions, users
from planwatch.store import Database
from planwatch.store.models import Assignment, AuditEvent, Indicator, OrgUnit, Plan, UnitNameMapping, User
from tests.db.region_samples import ROWS, TREE, plan_file


def _setup(database: Database) -> None:
    with database.session() as session:
        orgunits.import_org_units(session, None, [orgunits.OrgUnitRow(*row) for row in TREE])
        users.add_user(session, None, "guanli", "right-pass-1", "admin")


def _assigned(session: Session, plan: Plan) -> dict[str, set[str]]:
    rows = session.execute(select(Indicator.name, OrgUnit.code).join(Assignment, Assignment.indicator_id == Indicator.id)
                           .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id).where(Indicator.plan_id == plan.id))
    found: dict[str, set[str]] = {}
    for name, code in rows:
        found.setdefault(name, set()).add(code)
    return found


def _plan(session: Session, district: str) -> Plan:
    return session.scalars(select(Plan).where(Plan.title.startswith(district), Plan.current.is_(True))).one()


def test_each_district_plan_is_assigned_inside_its_own_district_only(database: Database, tmp_path: Path) -> None:
    _setup(database)
    with database.session() as session:
        plan_import.import_file(session, plan_file(tmp_path, "白石区", name="baishi.txt"))
        plan_import.import_file(session, plan_file(tmp_path, "青川区", name="qingchuan.txt"))
        plan_import.import_file(session, plan_file(tmp_path, "云岭县", name="yunling.txt"))
    with database.session(readonly=True) as session:
        baishi, qingchuan, yunling = (_plan(session, d) for d in ("白石区", "青川区", "云岭县"))
        districts = {u.code: u.id for u in session.scalars(select(OrgUnit).where(OrgUnit.kind == "district"))}
        assert (baishi.region_org_unit_id, baishi.region_name) == (districts["BS"], "白石区")
        assert _assigned(session, baishi) == {"孕产妇死亡率": {"BS-WJW"}, "婴儿死亡率": {"BS-WJW"},
                                               "每千人口执业（助理）医师数": {"BS-WJW"},
                                               "学生体质健康达标率": {"BS-JYW"}}
        # 白石区 has no 人力社保局: the name is listed, not given to 青川区's
        assert regions.unmatched_names(session, baishi) == [regions.UnmatchedName("区人力社保局", 1)]

        assert qingchuan.region_org_unit_id == districts["QC"]
        assert _assigned(session, qingchuan)["每千人口执业（助理）医师数"] == {"QC-WJW", "QC-RSJ"}
        assert regions.unmatched_names(session, qingchuan) == []

        assert (yunling.region_org_unit_id, yunling.region_name) == (None, "云岭县")
        assert _assigned(session, yunling) == {}
        assert regions.unmatched_names(session, yunling) == [
            regions.UnmatchedName("县卫生健康委", 3), regions.UnmatchedName("县人力社保局", 1),
            regions.UnmatchedName("县教委", 1)]
        assert not regions.region_known(session, yunling)


def test_a_mapped_name_is_assigned_at_once_and_again_on_a_revised_import(database: Database, tmp_path: Path) -> None:
    _setup(database)
    with database.session() as session:
        plan_import.import_file(session, plan_file(tmp_path, "云岭县"))
        admin = session.scalars(select(User).where(User.login == "guanli")).one()
        district = orgunits.create_org_unit(session, admin, code="YL", name="云岭县", kind="区")
        health = orgunits.create_org_unit(session, admin, code="YL-WJW", name="云岭县卫生健康局", kind="部门",
                                          parent_id=district.id)
        plan = _plan(session, "云岭县")
        assert regions.map_unit_name(session, admin, plan, "县卫生健康委", health) == 3
        assert {n: codes for n, codes in _assigned(session, plan).items()} == {
            "孕产妇死亡率": {"YL-WJW"}, "婴儿死亡率": {"YL-WJW"}, "每千人口执业（助理）医师数": {"YL-WJW"}}
        assert [u.name for u in regions.unmatched_names(session, plan)] == ["县人力社保局", "县教委"]
        mapped = session.scalars(select(AuditEvent).where(AuditEvent.action == "map_unit_name")).one()
        assert mapped.actor_login == "guanli" and mapped.new == {
            "plan_key": plan.plan_key, "printed_name": "县卫生健康委", "org_unit_id": health.id}
        assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "assign")).all()) == 3

    revised = [(*ROWS[0][:3], "<7", *ROWS[0][4:]), ROWS[1], ROWS[2], ROWS[3],
               ("每千人口注册护士数", "人", "3.0", "3.8", "预期性", "{p}卫生健康委")]
    with database.session() as session:
        result = plan_import.import_file(session, plan_file(tmp_path, "云岭县", revised, name="revised.txt"))
        assert result.plans[0].version == 2
        plan = _plan(session, "云岭县")
        assert plan.version == 2
        assigned = _assigned(session, plan)
        assert assigned["孕产妇死亡率"] == {"YL-WJW"}  # changed target: matched again through the mapping
        assert assigned["每千人口注册护士数"] == {"YL-WJW"}  # new indicator
        assert assigned["婴儿死亡率"] == {"YL-WJW"}  # unchanged: carried over
        assert "学生体质健康达标率" not in assigned
        assert session.scalars(select(UnitNameMapping.plan_key)).all() == [plan.plan_key]


def test_setting_the_region_assigns_what_now_matches(database: Database, tmp_path: Path) -> None:
    _setup(database)
    with database.session() as session:
        plan_import.import_file(session, plan_file(tmp_path, "云岭县"))
        admin = session.scalars(select(User).where(User.login == "guanli")).one()
        district = orgunits.create_org_unit(session, admin, code="YL", name="江州市云岭县", kind="district")
        orgunits.create_org_unit(session, admin, code="YL-JW", name="云岭县教育委员会", kind="department",
                                 short_name="县教委", parent_id=district.id)
        plan = _plan(session, "云岭县")
        assert plan.region_org_unit_id == district.id  # the plan imported first is bound when its district arrives
        assert regions.set_plan_region(session, admin, plan, district) == 1
        assert _assigned(session, plan) == {"学生体质健康达标率": {"YL-JW"}}
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "set_region")).one()
        assert event.old == {"region_org_unit_id": district.id, "region_name": "云岭县"}
        assert event.new == {"region_org_unit_id": district.id, "region_name": "云岭县"}


def test_district_names_from_issuers_and_titles() -> None:
    assert regions.district_name("重庆市大足区人民政府", "") == "大足区"
    assert regions.district_name(None, "白石区国民经济和社会发展“十四五”规划") == "白石区"
    assert regions.district_name("江州市人民政府", "全区妇女发展规划") is None
    assert regions.district_name("", "云岭县卫生健康事业发展规划") == "云岭县"
