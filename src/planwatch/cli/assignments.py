"""`planwatch assign`: which units answer for an indicator, or the whole division of work."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from planwatch.cli import app
from planwatch.cli.common import (
    AsUser,
    DbOption,
    PlanOption,
    acting_user,
    open_database,
    out,
    plan_of,
    reported,
)


@app.command()
def assign(
    indicator: Annotated[str | None, typer.Argument(help="指标代码（I001）、编号或完整名称。")] = None,
    org_unit: Annotated[str | None, typer.Argument(help="单位代码或名称。")] = None,
    role: Annotated[str, typer.Option("--role", help="责任类型：牵头、责任或配合。")] = "责任",
    remove: Annotated[bool, typer.Option("--remove", help="取消该单位的责任。")] = False,
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """把指标分配给责任单位；不带参数时列出全部分工。"""
    from planwatch.services import assignments, orgunits, region_scope

    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user)
        the_plan = plan_of(session, plan, actor)
        if indicator is None or org_unit is None:
            table = Table("代码", "指标", "单位", "责任", "来源", title=the_plan.title)
            for a in assignments.list_assignments(session, the_plan):
                table.add_row(a.indicator_code, a.indicator_name, a.org_unit_name, a.role, a.origin)
            out.print(table)
            return
        ind = assignments.find_indicator(session, the_plan, indicator)
        unit = orgunits.find_org_unit(session, org_unit, within=region_scope.assignable(session, the_plan).unit_ids)
        if remove:
            changed = assignments.unassign(session, actor, ind, unit)
        else:
            changed = assignments.assign(session, actor, ind, unit, role)
    verb = "已取消" if remove else f"已设为{role}单位"
    out.print(f"{ind.code} {ind.name} → {unit.name}：{verb if changed else '无变化'}", highlight=False)
