"""The service reads the web pages ask (issue 25: web/ no longer queries the ORM), on SQLite
and PostgreSQL: each keeps to the acting user's district and checks the permission the page
used to check itself.

The districts are those of tests/db/test_district_scope.py (青川区 and 白石区, a plan each);
the ledger is tests/db/test_ledger.py's action plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from planwatch.monitor.permissions import PermissionDenied
from planwatch.services import (
    document_reads,
    ledger_progress,
    ledger_reads,
    orgunit_reads,
    plan_reads,
    region_scope,
    user_reads,
)
from planwatch.services.ledger_progress import LedgerInput
from planwatch.services.web_sessions import SessionPolicy, start_session
from planwatch.store import Database
from planwatch.store.models import OrgUnit, User
from tests.db.ledger_samples import reporting_setup, task_named
from tests.db.region_samples import district_plan, region_user, seed_two_districts


def test_documents_are_listed_and_opened_in_the_users_district_by_those_who_may_view(
        database: Database, tmp_path: Path) -> None:
    seed_two_districts(database, tmp_path)
    with database.session() as session:
        bs_jc, legacy = region_user(session, "bs_jc"), region_user(session, "legacy")
        baishi, qingchuan = district_plan(session, "白石区"), district_plan(session, "青川区")
        assert [[p.title for p in f.plans] for f in document_reads.file_listing(session, bs_jc)] == [[baishi.title]]
        assert {p.id for f in document_reads.file_listing(session, legacy) for p in f.plans} == {baishi.id,
                                                                                                 qingchuan.id}
        assert all(f.indicators == len(baishi.indicators) for f in document_reads.file_listing(session, bs_jc))
        source, plans = document_reads.opened_file(session, bs_jc, baishi.source_file_id)
        assert source.id == baishi.source_file_id and [p.id for p in plans] == [baishi.id]
        with pytest.raises(region_scope.OutsideRegion):
            document_reads.opened_file(session, bs_jc, qingchuan.source_file_id)
        assert [p.id for p in document_reads.imported_plans(session, bs_jc, [qingchuan.id, baishi.id])] == [baishi.id]
        foreign = session.get_one(type(source), qingchuan.source_file_id)
        assert document_reads.stored_source(session, bs_jc, foreign.sha256) is None
        assert document_reads.stored_source(session, legacy, foreign.sha256) == foreign

        unbound = User(login="unbound", role="clerk", org_unit_id=None)  # a clerk before it is given a unit
        with pytest.raises(PermissionDenied, match="未绑定填报单位"):
            document_reads.file_listing(session, unbound)
        with pytest.raises(PermissionDenied):
            document_reads.opened_file(session, unbound, baishi.source_file_id)


def test_plan_and_unit_reads_refuse_another_districts_records(database: Database, tmp_path: Path) -> None:
    seed_two_districts(database, tmp_path)
    with database.session() as session:
        bs_jc, legacy = region_user(session, "bs_jc"), region_user(session, "legacy")
        baishi, qingchuan = district_plan(session, "白石区"), district_plan(session, "青川区")
        assert plan_reads.outline(session, bs_jc, baishi)
        for read in (plan_reads.outline, plan_reads.retired_indicators, plan_reads.district_unit,
                     plan_reads.assignment_domains, ledger_reads.plan_periods):
            with pytest.raises(region_scope.OutsideRegion):
                read(session, bs_jc, qingchuan)
        with pytest.raises(region_scope.OutsideRegion):
            plan_reads.merged_into(session, bs_jc, qingchuan.indicators[0])
        assert plan_reads.indicators_by_id(session, bs_jc, baishi, [i.id for i in qingchuan.indicators]) == []
        district = plan_reads.district_unit(session, bs_jc, baishi)
        assert district is not None and district.name == "白石区"

        choices = orgunit_reads.active_unit_choices(session, bs_jc)
        assert choices and all(region_scope.region_of(session, bs_jc).has_unit(c.id) for c in choices)
        assert len(orgunit_reads.active_unit_choices(session, legacy)) > len(choices)
        assert [d.name for d in orgunit_reads.active_districts(session, bs_jc)] == ["白石区"]
        qc_unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-WJW")).one()
        bs_unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "BS-WJW")).one()
        assert orgunit_reads.unit_names(session, bs_jc, [qc_unit.id, bs_unit.id]) == {bs_unit.id: bs_unit.name}
        with pytest.raises(region_scope.OutsideRegion):
            orgunit_reads.parent_of(session, bs_jc, qc_unit)


def test_session_counts_and_districts_of_users_are_the_administrators_to_read(
        database: Database, tmp_path: Path) -> None:
    seed_two_districts(database, tmp_path)
    with database.session() as session:
        admin, bs_jc, qc_jc = region_user(session, "bs_admin"), region_user(session, "bs_jc"), region_user(session, "qc_jc")
        for person in (bs_jc, bs_jc, qc_jc):
            start_session(session, person.id, SessionPolicy())
        assert user_reads.live_sessions(session, admin, bs_jc) == 2
        assert user_reads.live_session_counts(session, admin, [bs_jc.id, qc_jc.id]) == {bs_jc.id: 2}
        district = user_reads.bound_district(session, admin, bs_jc)
        assert district is not None and district.name == "白石区"
        assert user_reads.own_district_name(session, qc_jc) == "青川区"
        assert user_reads.own_district_name(session, region_user(session, "legacy")) is None
        with pytest.raises(region_scope.OutsideRegion):
            user_reads.live_sessions(session, admin, qc_jc)
        with pytest.raises(region_scope.OutsideRegion):
            user_reads.bound_district(session, admin, qc_jc)
        for read in (lambda: user_reads.live_sessions(session, bs_jc, bs_jc),
                     lambda: user_reads.live_session_counts(session, bs_jc, [bs_jc.id])):
            with pytest.raises(PermissionDenied):
                read()


def test_an_evidence_file_is_given_to_those_who_may_view_its_units_data(database: Database) -> None:
    with database.sessions() as session:
        plan, people, period_id, _ = reporting_setup(session)
        pipes = task_named(session, plan, "更新改造老旧管网")
        clerk, other_clerk, monitor = people["jianwei"], people["caizheng"], people["monitor"]
        report = ledger_progress.report_progress(session, clerk, period_id=period_id, task_id=pipes,
                                                 values=LedgerInput("in_progress", "已完成燃气管道改造120公里", 30.0))
        evidence = ledger_progress.add_evidence(session, clerk, report.id, "验收单.pdf", b"%PDF-1.4 demo")
        assert ledger_reads.evidence_file(session, clerk, evidence.id).content == b"%PDF-1.4 demo"
        assert ledger_reads.evidence_file(session, monitor, evidence.id).id == evidence.id
        with pytest.raises(PermissionDenied):
            ledger_reads.evidence_file(session, other_clerk, evidence.id)

        assert ledger_reads.report_subject(session, monitor, report).id == pipes
        period = region_scope.period(session, monitor, period_id)
        task = region_scope.task(session, monitor, pipes)
        assert set(ledger_reads.subject_reports(session, monitor, task, period)) == {clerk.org_unit_id}
        others = ledger_reads.other_tasks(session, monitor, task)
        assert others and pipes not in {t.id for t in others} and all(t.plan_id == plan.id for t in others)
        assert [p.year for p in ledger_reads.plan_periods(session, monitor, plan)] == [2026, 2025]
