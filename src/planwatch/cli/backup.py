"""`planwatch backup` and `restore`: a consistent snapshot of the database, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planwatch.cli import app
from planwatch.cli.common import DbOption, err, open_database, out, reported


@app.command("backup")
def backup_(file: Annotated[Path, typer.Argument(help="要写入的快照文件（.jsonl.gz）。")],
            db: DbOption = None) -> None:
    """写出数据库的一致性快照（网站运行时也可以）。"""
    from planwatch.services import backup

    with open_database(db) as database, reported():
        summary = backup.backup(database, file)
    out.print(f"{file}: {summary.total} 行（{len(summary.rows)} 张表）", highlight=False)
    if summary.not_finite:
        shown = "、".join(summary.not_finite[:5]) + ("等" if len(summary.not_finite) > 5 else "")
        err.print(f"注意：{len(summary.not_finite)} 处非有限数值（NaN/无穷大，旧版本写入）在备份中记为空值：{shown}",
                  highlight=False)


@app.command()
def restore(file: Annotated[Path, typer.Argument(help="planwatch backup 写出的快照。")],
            db: DbOption = None) -> None:
    """把快照恢复到空数据库（SQLite 或 PostgreSQL）。"""
    from planwatch.services import backup

    with open_database(db) as database, reported():
        summary = backup.restore(database, file)
    out.print(f"{file}: 已恢复 {summary.total} 行", highlight=False)
    if summary.cleaned:
        err.print(f"注意：{len(summary.cleaned)} 处文字含控制字符（旧版本写入），已删除控制字符后恢复（换行、制表符保留）：",
                  highlight=False)
        for place in summary.cleaned:
            err.print(f"  {place}", highlight=False)
