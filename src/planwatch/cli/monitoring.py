"""The reporting round from the command line: fill-in templates, submitting files,
review by the monitoring group, and export to CSV, DHIS2 and SDMX."""

from __future__ import annotations

import json
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

Period = Annotated[str, typer.Option("--period", help="Period code: 2025, 2025Q1 or 202503.")]


@app.command()
def template(
    org_unit: Annotated[str, typer.Option("--org-unit", help="Org unit code or name.")],
    period: Period,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write.")],
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """Write the Excel fill-in template of one org unit for one period."""
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


class Format(StrEnum):
    CSV = "csv"
    DHIS2 = "dhis2"
    SDMX = "sdmx"


@app.command()
def submit(
    file: Annotated[Path, typer.Argument(help="A filled template (.xlsx, names its plan), long CSV (.csv) or "
                                              "DHIS2 JSON (.json).")],
    as_user: Annotated[str, typer.Option("--as", help="The reporting user (login); a clerk may only "
                                                      "report its own unit.")],
    draft: Annotated[bool, typer.Option("--draft", help="Save as drafts instead of submitting.")] = False,
    plan: PlanOption = None,
    db: DbOption = None,
) -> None:
    """Enter and submit the values of a file; a bad file is refused whole, with every bad cell listed.

    A template names its plan and period; CSV and DHIS2 files need ``--plan`` when the
    database has more than one plan.
    """
    from planwatch.monitor.exchange import from_data_value_set, read_csv
    from planwatch.services import exchange

    suffix = file.suffix.lower()
    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user)
        assert actor is not None
        if suffix == ".xlsx":
            chosen = plan_of(session, plan, actor) if plan is not None else None
            summary = exchange.submit_template(session, actor, file, plan=chosen, submit=not draft)
        elif suffix in (".csv", ".json"):
            the_plan = plan_of(session, plan, actor)
            rows = read_csv(file) if suffix == ".csv" else from_data_value_set(file)
            summary = exchange.import_rows(session, actor, the_plan, rows, file, submit=not draft)
        else:
            raise fail(f"{file}: 不支持的文件类型 {suffix or '(无)'}；应为 .xlsx 模板、.csv 或 DHIS2 .json")
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
    decision: Annotated[Decision, typer.Argument(help="approve, return, or list the queue.")],
    period: Period,
    ids: Annotated[list[int] | None, typer.Argument(help="Observation ids (default: the whole queue).")] = None,
    org_unit: Annotated[str | None, typer.Option("--org-unit", help="Only this unit's values.")] = None,
    comment: Annotated[str, typer.Option("--comment", help="Why (required to return).")] = "",
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """Review submitted values: list the queue, approve or return them (in bulk too)."""
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


@app.command()
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    format: Annotated[Format, typer.Option("--format", help="csv (long, Open SDG), dhis2 (dataValueSets JSON) "
                                                            "or sdmx (SDMX-CSV).")] = Format.CSV,
    period: Annotated[str | None, typer.Option("--period", help="Only this period.")] = None,
    approved_only: Annotated[bool, typer.Option("--approved-only", help="Only approved values.")] = False,
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """Export the plan's monitoring data."""
    from planwatch.monitor.exchange import to_data_value_set, write_csv, write_sdmx_csv
    from planwatch.monitor.workflow import ObservationState
    from planwatch.services import exchange, users

    states = [ObservationState.APPROVED] if approved_only else None
    with open_database(db) as database, reported(), database.session(readonly=True) as session:
        actor = acting_user(session, as_user) or users.operator(session)
        the_plan = plan_of(session, plan, actor)
        rows = exchange.export_rows(session, actor, the_plan, period=period, states=states)
    if format is Format.CSV:
        count = write_csv(rows, output)
    elif format is Format.DHIS2:
        payload = to_data_value_set(rows, data_set=the_plan.plan_key)
        output.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        count = len(payload["dataValues"])
    else:
        count, skipped = write_sdmx_csv(rows, output)
        if skipped:
            out.print(f"未导出 {skipped} 条草稿、退回或非数值数据", highlight=False)
    out.print(f"{output}: {count} 条数据", highlight=False)
