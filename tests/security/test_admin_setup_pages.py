"""Issue 15 on SQLite and PostgreSQL: setting up monitoring from the web — the org-unit tree
uploaded (a bad table first, which stores nothing), another district's plan resolved by
region and name mapping, a reporting period opened; each step audited."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from planwatch.services import plan_import
from planwatch.store.models import Assignment, AuditEvent, Indicator, OrgUnit, Plan, ReportingPeriod
from tests.db.region_samples import plan_file
from tests.security.conftest import Site
from tests.security.helpers import csrf_of, log_in

TREE = ("代码,名称,类型,上级代码,简称\n"
        "QC,青川区,区,,\n"
        "QC-WJW,青川区卫生健康委员会,部门,QC,区卫生健康委\n"
        "YL,云岭县,县,,\n"
        "YL-JW,云岭县教育委员会,部门,YL,县教委\n")


def _unit_count(site: Site) -> int:
    with site.database.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(OrgUnit)) or 0


def test_an_administrator_sets_up_another_districts_plan(site: Site, tmp_path: Path) -> None:
    client = site.client
    log_in(client, "guanli")
    token = csrf_of(client)
    bad = TREE + "YL-X,云岭县某局,局,YL,\n"
    refused = client.post("/admin/orgunits/import", data={"csrf_token": token},
                          files={"file": ("tree.csv", bad.encode(), "text/csv")})
    assert refused.status_code == 422 and "第 6 行「类型」" in refused.text
    assert _unit_count(site) == 0
    stored = client.post("/admin/orgunits/import", data={"csrf_token": token},
                         files={"file": ("tree.csv", TREE.encode(), "text/csv")})
    assert stored.status_code == 200 and _unit_count(site) == 4

    with site.database.session() as session:
        plan_import.import_file(session, plan_file(tmp_path, "云岭县"))
    with site.database.session(readonly=True) as session:
        plan = session.scalars(select(Plan)).one()
        assigned = session.execute(select(OrgUnit.code, func.count()).join(Assignment, Assignment.org_unit_id == OrgUnit.id)
                                   .group_by(OrgUnit.code)).all()
        assert plan.region_name == "云岭县" and plan.region_org_unit_id is not None
        assert assigned == [("YL-JW", 1)]  # 县教委 only; 县卫生健康委 is not 青川区's
        plan_id = plan.id

    page = client.get(f"/plans/{plan_id}/assignments")
    assert "未匹配的责任单位（2）" in page.text and "县卫生健康委" in page.text
    created = client.post(f"/plans/{plan_id}/unit-names/create", data={
        "printed_name": "县卫生健康委", "code": "YL-WJ", "name": "云岭县卫生健康委员会", "csrf_token": token})
    assert created.status_code == 200 and "单位已新建并对应，新增 3 项分工" in created.text
    clash = client.post(f"/plans/{plan_id}/unit-names/create", data={
        "printed_name": "县人力社保局", "code": "YL-WJ", "name": "云岭县人力资源和社会保障局", "csrf_token": token})
    assert clash.status_code == 422 and "代码：「YL-WJ」已被单位 YL-WJ" in clash.text

    log_in(client, "jiance")
    token = csrf_of(client)
    opened = client.post(f"/plans/{plan_id}/periods", data={
        "year": 2025, "opens": "2026-01-01", "closes": "2026-02-01", "csrf_token": token})
    assert opened.status_code == 200 and "报告期已开放" in opened.text
    page = client.get(f"/plans/{plan_id}/periods")
    assert "0 / 4" in page.text  # four indicators of the plan now have a unit, none reported yet

    with site.database.session(readonly=True) as session:
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "YL-WJ")).one()
        assert (unit.short_name, unit.parent_id) == ("县卫生健康委", plan.region_org_unit_id)
        health = session.scalars(select(Indicator.code).join(Assignment, Assignment.indicator_id == Indicator.id)
                                 .where(Assignment.org_unit_id == unit.id)).all()
        assert len(health) == 3
        assert session.scalars(select(ReportingPeriod.code)).all() == ["2025"]
        trail = session.execute(select(AuditEvent.actor_login, AuditEvent.action, AuditEvent.entity)
                                .where(AuditEvent.actor_login != "cli").order_by(AuditEvent.id)).all()
        assert [tuple(row) for row in trail] == [
            ("guanli", "import", "org_units"), ("guanli", "create", "org_units"),
            ("guanli", "map_unit_name", "unit_name_mappings"), *[("guanli", "assign", "assignments")] * 3,
            ("jiance", "create", "reporting_periods")]
