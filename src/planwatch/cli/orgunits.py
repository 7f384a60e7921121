"""`planwatch orgunits`: the district's org units from a table, and their list."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from planwatch.cli import app
from planwatch.cli.common import DbOption, open_database, out, reported

orgunits_app = typer.Typer(help="组织机构：区县及其部门、镇和街道。", no_args_is_help=True)
app.add_typer(orgunits_app, name="orgunits")


@orgunits_app.command("import")
def orgunits_import(
    file: Annotated[Path, typer.Argument(help="CSV（UTF-8 或 GB18030）或 XLSX：代码、名称、类型、上级代码、简称。")],
    db: DbOption = None,
) -> None:
    """从文件新建或更新单位（按代码对应）。"""
    from planwatch.services import orgunits
    from planwatch.services.orgunit_import import import_in_batches

    with open_database(db) as database, reported():
        created, updated = import_in_batches(database, None, orgunits.read_org_unit_file(file))
    out.print(f"{file.name}: 新增 {created} 个单位，更新 {updated} 个", highlight=False)


# Past this many units a table would take its width from every row (seconds for a province's
# 20,000): the list comes as tab-separated lines instead, ready for a spreadsheet or grep.
_TABLE_ROWS = 200


@orgunits_app.command("list")
def orgunits_list(db: DbOption = None) -> None:
    """按上下级顺序列出在用的单位（多于 200 个时输出制表符分隔的行）。"""
    from planwatch.services import orgunits

    with open_database(db) as database, database.session(readonly=True) as session:
        units = orgunits.list_org_units(session)
    names = {u.id: u.name for u in units}
    rows = [(u.code, u.name, u.kind, names.get(u.parent_id or 0, ""), u.short_name) for u in units]
    header = ("代码", "名称", "类型", "上级", "简称")
    if len(rows) > _TABLE_ROWS:
        sys.stdout.write("".join("\t".join(row) + "\n" for row in (header, *rows)))
        return
    table = Table(*header)
    for row in rows:
        table.add_row(*row)
    out.print(table)
