"""Issue 21: two fictional districts side by side, each user bound to one, on SQLite and PostgreSQL.

青川区 and 白石区 each have a health plan (tests/db/region_samples.py), units, an open 2025
period and figures. A user bound to 白石区 sees, enters, reviews and manages only 白石区's;
every attempt at 青川区's is answered as if it did not exist and changes nothing. A user
without a region — as every user of a database made before regions — sees both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from planwatch.errors import InputError
from planwatch.monitor.permissions import PermissionDenied
from planwatch.services import (
    assignments,
    comparison,
    evaluation,
    exchange,
    observations,
    orgunits,
    periods,
    plan_import,
    plans,
    region_scope,
    review,
    search,
    users,
)
from planwatch.store import Database
from planwatch.store.migrate import upgrade
from planwatch.store.models import AuditEvent, Indicator, Observation, OrgUnit, Plan
from tests.conftest import DIALECTS, database_url
from tests.db.region_samples import (
    PASSWORD,
    ROWS,
    district_plan,
    plan_file,
    region_user,
    seed_two_districts,
)


def _audit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_a_user_of_one_district_sees_and_reaches_only_its_own(database: Database, tmp_path: Path) -> None:
    seed_two_districts(database, tmp_path)
    with database.session() as session:
        bs_jc, legacy, clerk = region_user(session, "bs_jc"), region_user(session, "legacy"), region_user(session, "bs_wjw")
        baishi, qingchuan = district_plan(session, "白石区"), district_plan(session, "青川区")
        assert clerk.region_org_unit_id == baishi.region_org_unit_id  # bound by its unit's district
        assert [p.title for p in region_scope.plans(session, bs_jc)] == [baishi.title]
        assert {p.id for p in region_scope.plans(session, legacy)} == {baishi.id, qingchuan.id}
        assert plans.find_plan(session, None, bs_jc).id == baishi.id  # the only plan it may monitor
        with pytest.raises(plans.PlanNotFound):
            plans.find_plan(session, str(qingchuan.id), bs_jc)
        with pytest.raises(region_scope.OutsideRegion, match="不属于您所在的地区（白石区）"):
            evaluation.evaluate_stored_plan(session, bs_jc, qingchuan, 2025)
        assert evaluation.evaluate_stored_plan(session, legacy, qingchuan, 2025).plan_id == qingchuan.id

        foreign_period = periods.list_periods(session, legacy, qingchuan.id)[0]
        foreign = observations.list_observations(session, legacy, foreign_period.id)[0]
        before = _audit_count(session)
        for attempt in (lambda: observations.list_observations(session, bs_jc, foreign_period.id),
                        lambda: review.review_queue(session, bs_jc, foreign_period.id),
                        lambda: review.approve(session, bs_jc, foreign.id),
                        lambda: review.return_observation(session, bs_jc, foreign.id, "请核实"),
                        lambda: observations.enter_value(session, bs_jc, foreign_period.id, observations.ObservationInput(
                            foreign.indicator_id, foreign.org_unit_id, "9.9")),
                        lambda: periods.lock_period(session, bs_jc, foreign_period.id),
                        lambda: exchange.export_rows(session, bs_jc, qingchuan),
                        lambda: region_scope.indicator(session, bs_jc, foreign.indicator_id)):
            with pytest.raises(region_scope.OutsideRegion):
                attempt()
        assert _audit_count(session) == before
        assert session.get_one(Observation, foreign.id).state == "submitted"

        # its own district's period, but a unit of the other district
        own_period = periods.list_periods(session, bs_jc, baishi.id)[0]
        own = observations.list_observations(session, bs_jc, own_period.id)
        assert [v.org_unit_id for v in own] == [session.scalars(select(OrgUnit.id).where(OrgUnit.code == "BS-WJW")).one()]
        own_indicator = session.get_one(Indicator, own[0].indicator_id)
        with pytest.raises(region_scope.OutsideRegion, match="单位"):
            observations.enter_value(session, bs_jc, own_period.id, observations.ObservationInput(
                own_indicator.id, foreign.org_unit_id, "9.9"))
        with pytest.raises(region_scope.OutsideRegion):
            assignments.assign(session, bs_jc, own_indicator, session.get_one(OrgUnit, foreign.org_unit_id))
        assert review.approve(session, region_user(session, "bs_jc2"), own[0].id).state == "approved"


def test_search_and_comparison_stay_in_the_district(database: Database, tmp_path: Path) -> None:
    seed_two_districts(database, tmp_path)
    with database.session() as session:
        bs_jc, legacy = region_user(session, "bs_jc"), region_user(session, "legacy")
        files = {p.source_file_id: p.title[:3] for p in region_scope.plans(session, legacy)}
        hits = search.search(session, bs_jc, "卫生健康事业发展", limit=50)
        assert hits.total > 0 and {files[h.source_file_id] for h in hits.hits} == {"白石区"}
        assert {files[h.source_file_id] for h in search.search(session, legacy, "卫生健康事业发展", limit=50).hits} \
            == {"白石区", "青川区"}
        assert search.search(session, bs_jc, "青川区").total == 0  # found in 青川区's text only
        compared = comparison.compare(session, bs_jc, "孕产妇死亡率")
        assert [c.plan_title[:3] for c in compared] == ["白石区"]
        assert sorted(c.plan_title[:3] for c in comparison.compare(session, legacy, "孕产妇死亡率")) == ["白石区", "青川区"]
        assert comparison.shared_names(session, bs_jc) == []  # one plan: nothing shared within the district
        assert comparison.shared_names(session, legacy)


def test_a_district_administrator_manages_its_own_users_and_units_only(database: Database, tmp_path: Path) -> None:
    seed_two_districts(database, tmp_path)
    with database.session() as session:
        admin = region_user(session, "bs_admin")
        assert {u.login for u in users.list_users(session, admin).people} == {"bs_admin", "bs_jc", "bs_jc2", "bs_wjw"}
        assert {u.region_name for u in users.list_users(session, admin).people} == {"白石区"}
        before = _audit_count(session)
        with pytest.raises(region_scope.OutsideRegion):
            users.set_password(session, admin, region_user(session, "qc_jc"), "Another-pass-9")
        with pytest.raises(region_scope.OutsideRegion):
            users.set_active(session, admin, region_user(session, "legacy"), False)  # a user of every district
        with pytest.raises(orgunits.UnknownOrgUnit, match="region：没有代码或名称为「QC」"):
            users.add_user(session, admin, "qc_new", PASSWORD, "viewer", region="QC")
        with pytest.raises(orgunits.UnknownOrgUnit, match="org_unit："):
            users.add_user(session, admin, "qc_clerk", PASSWORD, "clerk", org_unit="QC-JYW")
        with pytest.raises(users.UserError, match="不能设为全部地区"):
            users.add_user(session, admin, "everywhere", PASSWORD, "viewer", region="all")
        with pytest.raises(orgunits.OrgUnitError, match="上级单位应为本地区"):
            orgunits.create_org_unit(session, admin, code="QC-NEW", name="青川区新设局", kind="department",
                                     parent_id=session.scalars(select(OrgUnit.id).where(OrgUnit.code == "QC")).one())
        with pytest.raises(InputError, match="不在本地区（白石区）之下"), session.begin_nested():
            orgunits.import_org_units(session, admin, [orgunits.OrgUnitRow("QC-X", "青川区某局", "department", "QC", "")])
        with pytest.raises(region_scope.OutsideRegion):
            orgunits.set_org_unit_active(session, admin, session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-WJW")).one(),
                                         False)
        assert _audit_count(session) == before
        assert {line.unit.code for line in orgunits.find_units(session, admin, "").lines} == {"BS", "BS-WJW", "BS-JYW"}
        made = users.add_user(session, admin, "bs_new", PASSWORD, "viewer")
        assert made.region_org_unit_id == admin.region_org_unit_id  # the administrator's district by default
        district = session.scalars(select(OrgUnit.id).where(OrgUnit.code == "BS")).one()
        new_unit = orgunits.create_org_unit(session, admin, code="BS-YJJ", name="白石区应急管理局", kind="department",
                                            parent_id=district)
        assert region_scope.org_unit(session, admin, new_unit.id) is new_unit  # the district grew within the session
        assert users.add_user(session, admin, "bs_yjj", PASSWORD, "clerk", org_unit="BS-YJJ").org_unit_id == new_unit.id


def test_binding_a_user_is_audited_and_takes_effect_at_once(database: Database, tmp_path: Path) -> None:
    seed_two_districts(database, tmp_path)
    with database.session() as session:
        legacy = region_user(session, "legacy")
        assert users.set_region(session, None, legacy, "白石区")
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "set_region")).one()
        assert event.old == {"region_org_unit_id": None} and event.new == {"region_org_unit_id": legacy.region_org_unit_id}
        assert [p.title[:3] for p in region_scope.plans(session, legacy)] == ["白石区"]
        assert not users.set_region(session, None, legacy, "BS")  # unchanged: no second event
        with pytest.raises(users.UserError, match="所属地区应为区县级单位"):
            users.set_region(session, None, legacy, "BS-WJW")
        with pytest.raises(users.UserError, match="不在所属地区「青川区」内"):
            users.set_region(session, None, region_user(session, "bs_wjw"), "QC")  # its unit is 白石区's
        users.set_region(session, None, legacy, "all")
        assert len(region_scope.plans(session, legacy)) == 2


def test_a_bound_user_imports_into_its_own_district_only(database: Database, tmp_path: Path) -> None:
    seed_two_districts(database, tmp_path)
    with database.session() as session:
        bs_jc = region_user(session, "bs_jc")
        with pytest.raises(PermissionDenied, match="属于青川区，不在您所在的地区（白石区）内"), session.begin_nested():
            plan_import.import_file(session, plan_file(tmp_path, "青川区", ROWS[:2], name="qc2.txt"), bs_jc)
        with pytest.raises(PermissionDenied, match="属于云岭县"), session.begin_nested():
            plan_import.import_file(session, plan_file(tmp_path, "云岭县", name="yl.txt"), bs_jc)
        with pytest.raises(PermissionDenied, match="已导入过"), session.begin_nested():
            plan_import.import_file(session, tmp_path / "青川区.txt", bs_jc)
        unnamed = tmp_path / "unnamed.txt"
        unnamed.write_text((tmp_path / "白石区.txt").read_text(encoding="utf-8")
                           .replace("江州市白石区人民政府", "江州市人民政府").replace("白石区卫生健康", "全区卫生健康")
                           .replace("表1 白石区", "表1 全区"), encoding="utf-8")
        imported = plan_import.import_file(session, unnamed, bs_jc).plans[0]
        plan = session.get_one(Plan, imported.plan_id)
        assert (plan.region_org_unit_id, plan.region_name) == (bs_jc.region_org_unit_id, "白石区")
        assert imported.assigned > 0  # its units were matched inside 白石区


@pytest.mark.parametrize("dialect", DIALECTS)
def test_users_of_a_database_made_before_regions_keep_seeing_every_district(dialect: str, tmp_path: Path) -> None:
    urls = database_url(dialect, tmp_path)
    database = Database(next(urls))
    try:
        upgrade(database.engine, "0014")
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO users (login, name, password_hash, role, active, created_at) "
                                    "VALUES ('old_hand', '', '', 'monitoring', :yes, :now)"),
                               {"yes": True, "now": datetime.now(UTC)})
        database.upgrade()
        with database.session() as session:
            old_hand = region_user(session, "old_hand")
            assert old_hand.region_org_unit_id is None
            assert region_scope.region_of(session, old_hand).everywhere
    finally:
        database.dispose()
        urls.close()
