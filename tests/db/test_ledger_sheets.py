"""The 重点任务 and 重大项目 sheets of a unit's template: written, filled and read back with openpyxl;
a good file stores the reports, a bad cell is named and nothing is stored (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.monitor.exchange import ExchangeError
from planwatch.monitor.exchange.ledger_sheets import PROJECT_SHEET, TASK_SHEET
from planwatch.services import exchange, ledger_edits
from planwatch.store import Database
from planwatch.store.models import LedgerReport, OrgUnit, Plan, Project, ReportingPeriod, User
from tests.db.ledger_samples import reporting_setup


def _template(session: Session, clerk: User, period_id: int, path: Path) -> tuple[int, int]:
    """The unit's template as the entry page and ``planwatch template`` write it; (tasks, projects) listed."""
    unit = session.get_one(OrgUnit, clerk.org_unit_id)
    exchange.write_unit_template(session, clerk, unit, session.get_one(ReportingPeriod, period_id), path)
    book = load_workbook(path)
    return book[TASK_SHEET].max_row - 1, book[PROJECT_SHEET].max_row - 1


def _submit(session: Session, clerk: User, path: Path) -> int:
    return exchange.submit_template(session, clerk, path).ledger_reports


def _fill(path: Path, cells: dict[str, dict[str, object]]) -> None:
    book = load_workbook(path)
    for sheet, values in cells.items():
        for address, value in values.items():
            book[sheet][address] = value
    book.save(path)


def _setup(session: Session, tmp_path: Path) -> tuple[Plan, User, int, Path, Project]:
    plan, people, period_id, _ = reporting_setup(session)
    drains = session.scalars(select(Project).where(Project.plan_id == plan.id,
                                                   Project.name == "中心城区排水防涝提升工程")).one()
    ledger_edits.set_milestones(session, people["monitor"], "project", drains.id,
                                [("完成招标", "2025-09"), ("主体完工", "2026-10")])
    path = tmp_path / "住建委_2026.xlsx"
    assert _template(session, people["jianwei"], period_id, path) == (1, 1)
    return plan, people["jianwei"], period_id, path, drains


def test_the_sheets_are_written_with_dropdowns_and_a_filled_file_stores_reports(database: Database,
                                                                                 tmp_path: Path) -> None:
    with database.sessions() as session:
        _, clerk, period_id, path, drains = _setup(session, tmp_path)
        book = load_workbook(path)
        assert {TASK_SHEET, PROJECT_SHEET} <= set(book.sheetnames)
        tasks, projects = book[TASK_SHEET], book[PROJECT_SHEET]
        assert tasks["B2"].value == "更新改造老旧管网" and "改造燃气老化管道" in str(tasks["C2"].value)
        assert projects["B2"].value == "中心城区排水防涝提升工程"
        assert projects["C2"].value == pytest.approx(35000 / 3, abs=0.01)  # 35000 万元 over 2025—2027
        assert projects["D2"].value == "完成招标（2025-09）；主体完工（2026-10）"
        dropdowns = [v for v in tasks.data_validations.dataValidation if v.type == "list"]
        assert dropdowns[0].formula1 == '"未启动,推进中,已完成,滞后,暂缓"' and "E2" in str(dropdowns[0].sqref)
        assert tasks.protection.sheet and not tasks["E2"].protection.locked and tasks["B2"].protection.locked

        _fill(path, {TASK_SHEET: {"E2": "推进中", "F2": 45, "G2": "完成燃气管道改造190公里", "H2": "190"},
                     PROJECT_SHEET: {"E2": "推进中", "F2": 6000, "G2": 14000, "H2": "完成招标（2025-09）",
                                     "I2": "雨水管网完成12公里"}})
        assert _submit(session, clerk, path) == 2
        reports = {(r.task_id is not None): r for r in session.scalars(select(LedgerReport))}
        task_report, project_report = reports[True], reports[False]
        assert (task_report.status, task_report.percent, task_report.state) == ("in_progress", 45.0, "submitted")
        assert list((task_report.target_values or {}).values()) == [190.0]
        assert (project_report.investment_period, project_report.investment_cumulative) == (6000.0, 14000.0)
        assert project_report.milestones_reached == [drains.milestones[0].id]
        assert project_report.period_id == period_id


def test_a_bad_cell_is_named_and_nothing_is_stored(database: Database, tmp_path: Path) -> None:
    with database.sessions() as session:
        _, clerk, _, path, _ = _setup(session, tmp_path)
        _fill(path, {TASK_SHEET: {"E2": "差不多", "F2": "四成"},
                     PROJECT_SHEET: {"E2": "推进中", "G2": 14000}})
        with pytest.raises(ExchangeError) as bad:
            _submit(session, clerk, path)
        message = str(bad.value)
        assert "重点任务!E2" in message and "「差不多」不是可选的状态" in message
        assert "重点任务!F2" in message and "「四成」不是数字" in message

        _fill(path, {TASK_SHEET: {"E2": "推进中", "F2": 30},
                     PROJECT_SHEET: {"E2": "推进中", "F2": 20000, "G2": 14000}})
        with pytest.raises(ExchangeError) as refused:
            _submit(session, clerk, path)
        message = str(refused.value)
        assert "重大项目!F2" in message and "本期完成投资不能大于累计完成投资" in message
        assert "重点任务" not in message  # the task row was fine, and still was not kept
        assert session.scalar(select(func.count()).select_from(LedgerReport)) == 0

        _fill(path, {PROJECT_SHEET: {"F2": 6000, "H2": "开工仪式"}})
        with pytest.raises(ExchangeError, match=r"重大项目!H2.*「开工仪式」不是该项目的里程碑"):
            _submit(session, clerk, path)
        assert session.scalar(select(func.count()).select_from(LedgerReport)) == 0


def test_the_template_and_submit_commands_carry_the_ledger_sheets(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from planwatch.cli import app
    from tests.db.ledger_samples import ACTION_PLAN

    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, "--db", url], env={"PLANWATCH_PASSWORD": "secret-pass"})
        assert result.exit_code == code, result.output
        return result.output

    url = f"sqlite:///{tmp_path / 'pw.db'}"
    units = tmp_path / "units.csv"
    units.write_text("代码,名称,类型,上级代码,简称\nYX,云溪区,区,,\nYX03,云溪区住房和城乡建设委员会,部门,YX,区住房城乡建委\n",
                     encoding="utf-8")
    run("orgunits", "import", str(units))
    run("import", str(ACTION_PLAN))
    run("users", "add", "jianwei", "--role", "clerk", "--org-unit", "YX03")
    run("periods", "open", "--year", "2026")
    template = tmp_path / "jianwei_2026.xlsx"
    run("template", "--org-unit", "YX03", "--period", "2026", "-o", str(template))
    book = load_workbook(template)
    assert (book[TASK_SHEET]["B2"].value, book[PROJECT_SHEET]["B2"].value) == ("更新改造老旧管网", "中心城区排水防涝提升工程")
    _fill(template, {TASK_SHEET: {"E2": "滞后", "F2": 10}, PROJECT_SHEET: {"E2": "暂缓", "G2": "3,000"}})
    assert "2 条任务和项目进展已报送" in run("submit", str(template), "--as", "jianwei")
    _fill(template, {TASK_SHEET: {"E2": "完成了"}})
    refused = run("submit", str(template), "--as", "jianwei", "--draft", code=2)
    assert "重点任务!E2" in refused
