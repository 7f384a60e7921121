"""The reporting round from the command line: fill-in templates, submitting files,
review by the monitoring group, and export to CSV, DHIS2 and SDMX."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from planwatch.cli import app
from planwatch.cli.common import (
    AsUser,
    DbOption,
    PlanOption,
    acting_user,
    err,
    fail,
    open_database,
    out,
    plan_of,
    reported,
)
from planwatch.errors import PlanWatchError

Period = Annotated[str, typer.Option("--period", help="报告期代码：2025、2025Q1 或 202503。")]


@app.command()
def template(
    org_unit: Annotated[str, typer.Option("--org-unit", help="单位代码或名称。")],
    period: Period,
    output: Annotated[Path, typer.Option("-o", "--output", help="要写入的 .xlsx 文件。")],
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """写出某单位某报告期的 Excel 填报模板。"""
    from planwatch.services import exchange, orgunits, periods, region_scope, users

    with open_database(db) as database, reported(), database.session(readonly=True) as session:
        actor = acting_user(session, as_user) or users.operator(session)
        the_plan = plan_of(session, plan, actor)
        unit = orgunits.find_org_unit(session, org_unit, within=region_scope.region_of(session, actor).unit_ids)
        the_period = periods.find_period(session, the_plan.id, period)
        if the_period is None:
            raise fail(f"--period：该规划没有报告期 {period}（先运行 planwatch periods open）")
        count = exchange.write_unit_template(session, actor, unit, the_period, output)
    out.print(f"{output}: {unit.name} {period} 填报模板，{count} 个指标", highlight=False)


@app.command()
def submit(
    file: Annotated[Path, typer.Argument(help="填好的模板（.xlsx，自带所属规划）、长格式 CSV（.csv）或 DHIS2 JSON（.json）。")],
    as_user: Annotated[str, typer.Option("--as", help="报送人（登录名）；填报员只能报送本单位的数据。")],
    draft: Annotated[bool, typer.Option("--draft", help="只保存为草稿，不报送。")] = False,
    plan: PlanOption = None,
    db: DbOption = None,
) -> None:
    """填报并报送文件中的数值；有错的文件整份拒绝，逐一列出出错的单元格。

    模板自带所属规划和报告期；CSV 和 DHIS2 文件在数据库中有多个规划时需要 --plan。
    """
    from planwatch.monitor.exchange import from_data_value_set, read_csv
    from planwatch.services import exchange, import_history
    from planwatch.services.import_history import Channel

    suffix = file.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".json"):
        raise fail(f"{file}: 不支持的文件类型 {suffix or '(无)'}；应为 .xlsx 模板、.csv 或 DHIS2 .json")
    refused: PlanWatchError | None = None
    with open_database(db) as database, reported():
        with database.session() as session:
            actor = acting_user(session, as_user)
            assert actor is not None
            try:  # refused or not, the file goes into the import history, which this session commits
                with import_history.recorded(session, actor, Channel.CLI_SUBMIT, file.name) as note:
                    note.size = file.stat().st_size if file.is_file() else None
                    if suffix == ".xlsx":
                        chosen = plan_of(session, plan, actor) if plan is not None else None
                        summary = exchange.submit_template(session, actor, file, plan=chosen, submit=not draft)
                    else:
                        the_plan = plan_of(session, plan, actor)
                        note.plan_id = the_plan.id
                        rows = read_csv(file) if suffix == ".csv" else from_data_value_set(file)
                        summary = exchange.import_rows(session, actor, the_plan, rows, file, submit=not draft)
                    note.org_unit_id = summary.org_unit_ids[0] if summary.org_unit_ids else actor.org_unit_id
                    note.summary = import_history.values_summary(summary.rows, summary.submitted, summary.ledger_reports)
            except PlanWatchError as exc:
                refused = exc
        if refused is not None:
            raise refused
    state = "保存为草稿" if draft else "已报送"
    out.print(f"{file.name}: {summary.rows} 个数值{state}（新增 {summary.created}，更新 {summary.updated}）"
              + (f"，{summary.ledger_reports} 条任务和项目进展{state}" if summary.ledger_reports else ""),
              highlight=False)
    if summary.ignored:
        err.print(f"注意：{len(summary.ignored)} 个单元格是公式，未导入（公式的结果不可靠，请改为直接填写数值）："
                  + "、".join(summary.ignored), highlight=False)


class Decision(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    LIST = "list"


@app.command("review")
def review_(
    decision: Annotated[Decision, typer.Argument(help="approve（通过）、return（退回）或 list（列出待审核数据）。")],
    period: Period,
    ids: Annotated[list[int] | None, typer.Argument(help="数据编号（默认为全部待审核数据）。")] = None,
    org_unit: Annotated[str | None, typer.Option("--org-unit", help="只处理该单位的数据。")] = None,
    comment: Annotated[str, typer.Option("--comment", help="意见（退回时必填）。")] = "",
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """审核已报送的数据：列出待审核数据，通过或退回（可批量）。"""
    from planwatch.services import orgunits, periods, region_scope, review, users

    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user) or users.operator(session)
        the_plan = plan_of(session, plan, actor)
        the_period = periods.find_period(session, the_plan.id, period)
        if the_period is None:
            raise fail(f"--period：该规划没有报告期 {period}")
        unit_id = orgunits.find_org_unit(session, org_unit, within=region_scope.assignable(session, the_plan).unit_ids
                                         ).id if org_unit else None
        queue = review.review_queue(session, actor, the_period.id, org_unit_id=unit_id)
        chosen = [v.id for v in queue] if not ids else list(ids)
        if decision is Decision.LIST:
            table = Table("编号", "指标", "单位", "数值", "标记", title=f"{period} 待审核 {len(queue)} 条")
            names = {i.id: f"{i.code} {i.name}" for i in the_plan.indicators}
            units = {u.id: u.name for u in orgunits.list_org_units(session, actor)}
            for v in queue:
                table.add_row(str(v.id), names.get(v.indicator_id, ""), units.get(v.org_unit_id, ""), v.value_text,
                              "、".join(v.flags))
            out.print(table)
            return
        if decision is Decision.APPROVE:
            done = review.approve_many(session, actor, chosen, comment=comment or None)
        else:
            done = review.return_many(session, actor, chosen, comment)
    verb = "审核通过" if decision is Decision.APPROVE else "退回"
    out.print(f"{len(done)} 条数据已{verb}", highlight=False)


class Format(StrEnum):
    """The export formats (:class:`planwatch.services.data_export.DataFormat`, not imported at start-up)."""

    CSV = "csv"
    XLSX = "xlsx"
    DHIS2 = "dhis2"
    SDMX = "sdmx"


@app.command()
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="写入的文件。")],
    format: Annotated[Format, typer.Option("--format", help="csv（长格式，Open SDG）、xlsx（同一张表的 Excel）、"
                                                                "dhis2（dataValueSets JSON）或 sdmx（SDMX-CSV）。")]
    = Format.CSV,
    period: Annotated[str | None, typer.Option("--period", help="只导出这个报告期（如 2025）。")] = None,
    approved_only: Annotated[bool, typer.Option("--approved-only", help="只导出已审核的数据。")] = False,
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """导出规划的监测数据（与网页「导出」页面的文件相同）。"""
    from planwatch.services import users
    from planwatch.services.data_export import DataFormat, export_data

    with open_database(db) as database, reported(), database.session(readonly=True) as session:
        actor = acting_user(session, as_user) or users.operator(session)
        the_plan = plan_of(session, plan, actor)
        exported = export_data(session, actor, the_plan, DataFormat(format.value), period=period, approved_only=approved_only)
    output.write_bytes(exported.data)
    if exported.skipped:
        out.print(f"未导出 {exported.skipped} 条草稿、退回或非数值数据", highlight=False)
    out.print(f"{output}: {exported.count} 条数据", highlight=False)
