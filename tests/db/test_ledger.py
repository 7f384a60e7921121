"""The plan's ledger in the database: tasks with their own targets, deadlines and units, and
major projects, stored on import and read back per user (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from planwatch.monitor.permissions import PermissionDenied, WindowClosed
from planwatch.services import ledger, ledger_progress, plan_import
from planwatch.services.ledger_progress import LedgerInput, ProgressRejected, ReportStateError
from planwatch.store import Database
from planwatch.store.models import AuditEvent, Plan, Project, ReportingPeriod, User
from tests.db.ledger_samples import ACTION_PLAN, ledger_units, reporting_setup, task_named


def test_import_stores_the_ledger_and_each_user_sees_their_part(database: Database) -> None:
    with database.sessions() as session:
        ledger_units(session)
        plan_import.import_file(session, ACTION_PLAN)
        session.commit()
    with database.session(readonly=True) as session:
        plan = session.scalars(select(Plan).where(Plan.title.contains("三年行动方案"))).one()
        monitor = session.scalars(select(User).where(User.login == "monitor")).one()
        book = ledger.plan_ledger(session, monitor, plan, today=date(2027, 3, 1))
        tasks = {t.title: t for t in book.tasks}
        fire = tasks["补齐消防救援短板"]
        assert fire.units == {"牵头": ["云溪区消防救援大队"], "配合": ["云溪区财政局"]}
        assert [(t.value, t.unit) for t in fire.targets] == [(1.0, "座"), (2.0, "座")]
        assert fire.deadline == "2026-12" and fire.overdue  # March 2027: past its deadline
        assert book.overdue == 1
        assert tasks["排水防涝工程"].kind == "column"
        projects = {p.name: p for p in book.projects}
        assert projects["城市生命线安全监测平台"].units == ["云溪区应急管理局"]
        assert projects["中心城区排水防涝提升工程"].investment == 35000.0
        assert book.total_investment == 47000.0

        clerk = session.scalars(select(User).where(User.login == "jianwei")).one()
        own = ledger.plan_ledger(session, clerk, plan, today=date(2026, 1, 1))
        assert {t.title for t in own.tasks} == {"更新改造老旧管网"}  # 区住房城乡建委 only
        assert [p.name for p in own.projects] == ["中心城区排水防涝提升工程"]
        assert not any(t.overdue for t in own.tasks)


def test_progress_is_reported_reviewed_and_audited(database: Database) -> None:
    with database.sessions() as session:
        plan, people, period_id, _ = reporting_setup(session)
        pipes = task_named(session, plan, "更新改造老旧管网")
        clerk, monitor, other = people["jianwei"], people["monitor"], people["monitor2"]
        report = ledger_progress.report_progress(
            session, clerk, period_id=period_id, task_id=pipes,
            values=LedgerInput("in_progress", "已完成燃气管道改造120公里", 30.0))
        assert report.state == "draft" and report.org_unit_id == clerk.org_unit_id
        evidence = ledger_progress.add_evidence(session, clerk, report.id, "C:\\材料\\验收单.pdf", b"%PDF-1.4 demo")
        assert evidence.name == "验收单.pdf" and evidence.sha256 == hashlib.sha256(b"%PDF-1.4 demo").hexdigest()
        with pytest.raises(ProgressRejected, match="类型不支持"):
            ledger_progress.add_evidence(session, clerk, report.id, "run.exe", b"MZ")
        report = ledger_progress.report_progress(
            session, clerk, period_id=period_id, task_id=pipes, submit=True,
            values=LedgerInput("in_progress", "已完成燃气管道改造150公里", 36.0))
        assert report.state == "submitted" and report.percent == 36.0
        with pytest.raises(ReportStateError):
            ledger_progress.report_progress(session, clerk, period_id=period_id, task_id=pipes,
                                            values=LedgerInput("completed", "", 100.0))
        with pytest.raises(ProgressRejected, match="原因"):
            ledger_progress.review_report(session, monitor, report.id, approve=False)
        ledger_progress.review_report(session, monitor, report.id, approve=False, note="请补充验收材料")
        again = ledger_progress.report_progress(session, monitor, period_id=period_id, task_id=pipes, submit=True,
                                                org_unit_id=clerk.org_unit_id,
                                                values=LedgerInput("in_progress", "补充材料", 36.0))
        with pytest.raises(PermissionDenied, match="四眼"):
            ledger_progress.review_report(session, monitor, again.id, approve=True)
        assert ledger_progress.review_report(session, other, again.id, approve=True).state == "approved"
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "ledger_reports")
                                  .order_by(AuditEvent.id)).all()
        assert actions == ["enter", "evidence", "submit", "return", "submit", "approve"]


def test_who_may_report_what(database: Database) -> None:
    with database.sessions() as session:
        plan, people, period_id, _ = reporting_setup(session)
        fire = task_named(session, plan, "补齐消防救援短板")
        pipes = task_named(session, plan, "更新改造老旧管网")
        finance = people["caizheng"]
        # 区财政局 supports the fire task, so it may report on it, but not on the pipes
        assert ledger_progress.report_progress(session, finance, period_id=period_id, task_id=fire,
                                               values=LedgerInput("not_started")).state == "draft"
        with pytest.raises(PermissionDenied, match="不是该任务或项目的责任单位"):
            ledger_progress.report_progress(session, finance, period_id=period_id, task_id=pipes,
                                            values=LedgerInput("in_progress"))
        with pytest.raises(ProgressRejected, match="0 到 100"):
            ledger_progress.report_progress(session, finance, period_id=period_id, task_id=fire,
                                            values=LedgerInput("in_progress", percent=float("nan")))
        with pytest.raises(ProgressRejected, match="进展状态"):
            ledger_progress.report_progress(session, finance, period_id=period_id, task_id=fire,
                                            values=LedgerInput("done"))


def test_clerks_cannot_report_after_the_window_and_warnings_are_raised(database: Database) -> None:
    with database.sessions() as session:
        plan, people, period_id, previous_id = reporting_setup(session, window_open=False)
        pipes = task_named(session, plan, "更新改造老旧管网")
        with pytest.raises(WindowClosed):
            ledger_progress.report_progress(session, people["jianwei"], period_id=period_id, task_id=pipes,
                                            values=LedgerInput("behind"))
        monitor = people["monitor"]
        unit = people["jianwei"].org_unit_id
        for pid in (previous_id, period_id):
            ledger_progress.report_progress(session, monitor, period_id=pid, task_id=pipes, org_unit_id=unit,
                                            values=LedgerInput("behind", "管材招标延期"))
        platform = session.scalars(select(Project).where(Project.name == "中心城区排水防涝提升工程")).one()
        ledger_progress.report_progress(session, monitor, period_id=period_id, project_id=platform.id,
                                        org_unit_id=unit, values=LedgerInput("in_progress", "", 20.0, 2000.0, 5000.0))
        period = session.get_one(ReportingPeriod, period_id)
        warnings = {(w.kind, w.title) for w in ledger_progress.ledger_warnings(session, period, date(2027, 1, 15))}
        assert ("overdue", "补齐消防救援短板") in warnings  # deadline 2026-12, never reported completed
        assert ("behind_twice", "更新改造老旧管网") in warnings
        assert ("not_reported", "补齐消防救援短板") in warnings  # its units said nothing in a closed period
        assert ("investment_behind", "中心城区排水防涝提升工程") in warnings  # 5000 of 35000 by 2026


def test_the_annual_report_has_a_chapter_on_tasks_and_projects(database: Database, tmp_path: Path) -> None:
    from docx import Document

    from planwatch.report import ReportKind
    from planwatch.services.reports import report_content, write_report

    with database.sessions() as session:
        plan, people, period_id, _ = reporting_setup(session)
        pipes = task_named(session, plan, "更新改造老旧管网")
        ledger_progress.report_progress(session, people["jianwei"], period_id=period_id, task_id=pipes,
                                        values=LedgerInput("completed", "全部完成", 100.0), submit=True)
        content = report_content(session, None, plan, 2026, ReportKind.ANNUAL, today=date(2027, 2, 1))
        path = write_report(content, tmp_path / "report.docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "重点任务和重大项目推进情况" in text and "需要关注的任务和项目" in text
    assert "补齐消防救援短板：完成时限 2026-12 已过，尚未报告完成" in text
    cells = {c.text for table in Document(str(path)).tables for row in table.rows for c in row.cells}
    assert "（二）更新改造老旧管网" in cells and "已完成（云溪区住房和城乡建设委员会）" in cells
    assert "城市生命线安全监测平台" in cells
