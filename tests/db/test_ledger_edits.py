"""Editing the ledger: every edit is audited with before and after, is refused to those who may
not edit, and survives the import of a revised plan (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import PermissionDenied
from planwatch.report import ReportKind
from planwatch.services import assessment, ledger, ledger_edits, ledger_progress, plan_import
from planwatch.services.ledger_edits import ProjectFields, TargetIn, TaskFields
from planwatch.services.ledger_progress import LedgerInput, ProgressRejected
from planwatch.services.ledger_replay import LedgerEditError, MergeConflict
from planwatch.services.reports import report_content
from planwatch.store import Database
from planwatch.store.models import (
    AuditEvent,
    LedgerEdit,
    LedgerEvidence,
    LedgerReport,
    OrgUnit,
    Plan,
    Project,
    ReportingPeriod,
    Task,
    User,
)
from tests.db.ledger_samples import ACTION_PLAN, reporting_setup, task_named


def _revised(tmp_path: Path) -> Path:
    """The plan revised: a new goal sentence moves every later line, one task is reworded."""
    text = ACTION_PLAN.read_text(encoding="utf-8")
    text = text.replace("到2027年，全区城市安全风险监测覆盖率达到90%以上。",
                        "到2027年，全区城市安全风险监测覆盖率达到90%以上。\n到2027年，城市安全隐患整改率达到100%。")
    path = tmp_path / "revised.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _current(session: Session) -> Plan:
    return session.scalars(select(Plan).where(Plan.title.contains("三年行动方案"), Plan.current.is_(True))).one()


def _units(session: Session) -> dict[str, int]:
    return {u.name: u.id for u in session.scalars(select(OrgUnit))}


def test_edits_are_audited_and_survive_the_import_of_a_revised_plan(database: Database, tmp_path: Path) -> None:
    with database.sessions() as session:
        plan, people, _, _ = reporting_setup(session)
        monitor, units = people["monitor"], _units(session)
        fire = task_named(session, plan, "补齐消防救援短板")
        ledger_edits.edit_task(session, monitor, fire, TaskFields(
            title="补齐消防救援站点短板", deadline="2027-06",
            units=[(units["云溪区应急管理局"], "牵头"), (units["云溪区消防救援大队"], "责任")],
            targets=[TargetIn("新建消防救援站", 2026, 1.0, "座"), TargetIn("改造老旧消防站", 2027, 3.0, "座")]))
        added = ledger_edits.add_task(session, monitor, plan.id, TaskFields(
            title="建设应急物资储备库", deadline="2026-10", units=[(units["云溪区应急管理局"], "牵头")]))
        platform = session.scalars(select(Project).where(Project.plan_id == plan.id,
                                                         Project.name == "城市生命线安全监测平台")).one()
        ledger_edits.edit_project(session, monitor, platform.id, ProjectFields(
            investment=15000.0, end_year=2027, annual_investment={2025: 5000.0, 2026: 6000.0, 2027: 4000.0}))
        ledger_edits.set_milestones(session, monitor, "project", platform.id,
                                    [("完成招标", "2025-09"), ("系统上线", "2026-12")])
        ledger_edits.retire(session, monitor, "task", task_named(session, plan, "排水防涝工程"), "并入其他工程")
        audit = session.execute(select(AuditEvent.action, AuditEvent.entity, AuditEvent.old, AuditEvent.new)
                                .where(AuditEvent.entity.in_(["tasks", "projects"])).order_by(AuditEvent.id)).all()
        assert [(a, e) for a, e, _, _ in audit] == [("edit", "tasks"), ("add", "tasks"), ("edit", "projects"),
                                                   ("milestones", "projects"), ("retire", "tasks")]
        assert audit[0].old["title"] == "补齐消防救援短板" and audit[0].new["title"] == "补齐消防救援站点短板"
        assert audit[0].new["units"] == [[units["云溪区消防救援大队"], "责任"], [units["云溪区应急管理局"], "牵头"]]
        assert audit[2].old["investment"] == 12000.0 and audit[2].new["end_year"] == 2027
        assert added.key and added.key.startswith("e")
        session.commit()

    with database.sessions() as session:
        plan_import.import_file(session, _revised(tmp_path))
        session.commit()
    with database.session(readonly=True) as session:
        plan = _current(session)
        assert plan.version == 2
        book = ledger.plan_ledger(session, None, plan, today=date(2026, 1, 1))
        tasks = {t.title: t for t in book.tasks}
        fire = tasks["补齐消防救援站点短板"]
        assert fire.deadline == "2027-06"
        assert fire.units == {"责任": ["云溪区消防救援大队"], "牵头": ["云溪区应急管理局"]}
        assert [(t.name, t.year, t.value) for t in fire.targets] == [("新建消防救援站", 2026, 1.0),
                                                                     ("改造老旧消防站", 2027, 3.0)]
        assert tasks["建设应急物资储备库"].units == {"牵头": ["云溪区应急管理局"]}
        assert tasks["排水防涝工程"].retired and not tasks["燃气管网改造工程"].retired
        project = next(p for p in book.projects if p.name == "城市生命线安全监测平台")
        assert (project.investment, project.end_year) == (15000.0, 2027)
        assert project.annual_investment == {"2025": 5000.0, "2026": 6000.0, "2027": 4000.0}
        assert [(m.title, m.due) for m in project.milestones] == [("完成招标", "2025-09"), ("系统上线", "2026-12")]
        assert session.scalar(select(func.count()).select_from(Task).where(Task.plan_id == plan.id)) == len(book.tasks)


def test_split_keeps_reports_with_the_first_part_and_survives_reimport(database: Database, tmp_path: Path) -> None:
    with database.sessions() as session:
        plan, people, period_id, _ = reporting_setup(session)
        monitor, clerk, units = people["monitor"], people["jianwei"], _units(session)
        pipes = task_named(session, plan, "更新改造老旧管网")
        report = ledger_progress.report_progress(session, clerk, period_id=period_id, task_id=pipes,
                                                 values=LedgerInput("in_progress", "燃气管道改造120公里", 30.0))
        first, second = ledger_edits.split_task(session, monitor, pipes, [
            TaskFields(title="改造燃气老化管道", targets=[TargetIn("改造燃气老化管道", 2027, 421.0, "公里")]),
            TaskFields(title="改造老旧供水管网", units=[(units["云溪区财政局"], "配合"),
                                                     (units["云溪区住房和城乡建设委员会"], "牵头")])])
        assert first.id == pipes and first.title == "改造燃气老化管道"
        assert session.get_one(LedgerReport, report.id).task_id == first.id
        assert not session.scalars(select(LedgerReport).where(LedgerReport.task_id == second.id)).all()
        split = session.scalars(select(AuditEvent).where(AuditEvent.action == "split")).one()
        assert split.old["title"] == "更新改造老旧管网"
        assert [p["title"] for p in split.new["parts"]] == ["改造燃气老化管道", "改造老旧供水管网"]
        with pytest.raises(LedgerEditError, match="至少需要两项"):
            ledger_edits.split_task(session, monitor, first.id, [TaskFields(title="只有一项")])
        session.commit()

    with database.sessions() as session:
        plan_import.import_file(session, _revised(tmp_path))
        session.commit()
    with database.session(readonly=True) as session:
        book = ledger.plan_ledger(session, None, _current(session))
        tasks = {t.title: t for t in book.tasks}
        assert "更新改造老旧管网" not in tasks
        assert [(t.value, t.unit) for t in tasks["改造燃气老化管道"].targets] == [(421.0, "公里")]
        assert tasks["改造老旧供水管网"].units == {"配合": ["云溪区财政局"], "牵头": ["云溪区住房和城乡建设委员会"]}


def test_merge_refuses_clashing_reports_until_one_is_discarded(database: Database, tmp_path: Path) -> None:
    with database.sessions() as session:
        plan, people, period_id, _ = reporting_setup(session)
        monitor, units = people["monitor"], _units(session)
        gas, drains = task_named(session, plan, "燃气管网改造工程"), task_named(session, plan, "排水防涝工程")
        housing = units["云溪区住房和城乡建设委员会"]
        for task_id in (gas, drains):
            ledger_edits.edit_task(session, monitor, task_id, TaskFields(units=[(housing, "牵头")]))
        kept = ledger_progress.report_progress(session, monitor, period_id=period_id, task_id=gas, org_unit_id=housing,
                                               values=LedgerInput("in_progress", "燃气管网", 40.0))
        other = ledger_progress.report_progress(session, monitor, period_id=period_id, task_id=drains,
                                                org_unit_id=housing, values=LedgerInput("behind", "排水", 10.0))
        ledger_progress.add_evidence(session, monitor, other.id, "照片.jpg", b"\xff\xd8jpeg")
        edits_before = session.scalar(select(func.count()).select_from(LedgerEdit))
        with pytest.raises(MergeConflict, match=f"#{kept.id} 与 #{other.id}") as refused:
            ledger_edits.merge_tasks(session, monitor, gas, [drains])
        assert refused.value.pairs[0][1] == "云溪区住房和城乡建设委员会"
        assert session.scalar(select(func.count()).select_from(LedgerEdit)) == edits_before
        assert session.get(Task, drains) is not None

        merged = ledger_edits.merge_tasks(session, monitor, gas, [drains], discard_report_ids=[kept.id])
        assert session.get(Task, drains) is None
        assert session.get(LedgerReport, kept.id) is None
        moved = session.get_one(LedgerReport, other.id)
        assert moved.task_id == merged.id
        assert [e.name for e in session.scalars(select(LedgerEvidence).where(
            LedgerEvidence.report_id == moved.id))] == ["照片.jpg"]
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.in_(["merge", "discard"])).order_by(AuditEvent.id)).all()
        assert actions == ["discard", "merge"]
        session.commit()

    with database.sessions() as session:
        plan_import.import_file(session, _revised(tmp_path))
        session.commit()
    with database.session(readonly=True) as session:
        tasks = {t.title: t for t in ledger.plan_ledger(session, None, _current(session)).tasks}
        assert "排水防涝工程" not in tasks  # merged again into the gas works
        assert tasks["燃气管网改造工程"].units == {"牵头": ["云溪区住房和城乡建设委员会"]}
        assert [t.name for t in tasks["燃气管网改造工程"].targets] == [
            "改造燃气老化管道里程", "新建雨水管网", "改造易涝点"]


def test_retire_leaves_warnings_and_assessment_and_restore_brings_it_back(database: Database) -> None:
    with database.sessions() as session:
        plan, people, period_id, _ = reporting_setup(session)
        monitor = people["monitor"]
        fire = task_named(session, plan, "补齐消防救援短板")
        period = session.get_one(ReportingPeriod, period_id)

        def overdue() -> set[str]:
            return {w.title for w in ledger_progress.ledger_warnings(session, period, date(2027, 1, 15))
                    if w.kind == "overdue"}

        def scored() -> set[str]:
            result = assessment.assess(session, monitor, plan, 2026)
            return {item.label for units in result.groups.values() for unit in units for item in unit.items
                    if item.category == "tasks"}

        def in_report() -> bool:
            content = report_content(session, None, plan, 2026, ReportKind.ANNUAL, today=date(2027, 1, 15))
            return any("补齐消防救援短板" in row.name for row in content.tasks)

        assert "补齐消防救援短板" in overdue() and "补齐消防救援短板" in scored() and in_report()
        ledger_edits.retire(session, monitor, "task", fire, "规划调整，不再实施")
        assert "补齐消防救援短板" not in overdue() and "补齐消防救援短板" not in scored() and not in_report()
        with pytest.raises(ProgressRejected, match="已撤销"):
            ledger_progress.report_progress(session, monitor, period_id=period_id, task_id=fire,
                                            org_unit_id=_units(session)["云溪区消防救援大队"],
                                            values=LedgerInput("in_progress"))
        with pytest.raises(LedgerEditError, match="已撤销"):
            ledger_edits.retire(session, monitor, "task", fire, "规划调整，不再实施")
        ledger_edits.restore(session, monitor, "task", fire)
        assert "补齐消防救援短板" in overdue()
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "tasks")).all() == [
            "retire", "restore"]


def test_who_may_edit_and_bad_input_changes_nothing(database: Database) -> None:
    with database.sessions() as session:
        plan, people, _, _ = reporting_setup(session)
        session.add(User(login="pinggu", role="evaluation"))
        session.add(User(login="lingdao", role="viewer"))
        session.flush()
        fire = task_named(session, plan, "补齐消防救援短板")
        for login in ("jianwei", "lingdao"):
            user = session.scalars(select(User).where(User.login == login)).one()
            with pytest.raises(PermissionDenied):
                ledger_edits.edit_task(session, user, fire, TaskFields(deadline="2027-01"))
            with pytest.raises(PermissionDenied):
                ledger_edits.add_task(session, user, plan.id, TaskFields(title="新任务"))
        evaluation = session.scalars(select(User).where(User.login == "pinggu")).one()
        assert ledger_edits.edit_task(session, evaluation, fire, TaskFields(section="二、重点任务")).section == "二、重点任务"
        bad = [(TaskFields(deadline="2026年底"), "deadline.*YYYY-MM"),
               (TaskFields(units=[(999999, "牵头")]), "没有编号为 999999 的单位"),
               (TaskFields(units=[(people["jianwei"].org_unit_id or 0, "主办")]), "牵头、责任、配合"),
               (TaskFields(targets=[TargetIn("新建消防救援站", 1800, 1.0)]), r"targets\[1\]\.year"),
               (TaskFields(), "没有要修改的内容")]
        for fields, message in bad:
            with pytest.raises(LedgerEditError, match=message):
                ledger_edits.edit_task(session, evaluation, fire, fields)
        assert session.get_one(Task, fire).deadline == "2026-12"
        assert session.scalar(select(func.count()).select_from(LedgerEdit)) == 1  # the section edit only
