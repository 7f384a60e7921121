"""`planwatch import`: plan files into the monitoring database, one transaction a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from planwatch.cli import app
from planwatch.cli.common import DbOption, err, open_database, out
from planwatch.errors import PlanWatchError
from planwatch.ingest import DEFAULT_MAX_BYTES


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="公报或规划文件（.txt/.md/.docx/.pdf/.html）。")],
    db: DbOption = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="拒绝超过这个字节数的文件。")]
    = DEFAULT_MAX_BYTES,
) -> None:
    """把公文、规划、提纲、指标和目标存入数据库。

    同一文件重复导入不产生变化；同一规划的其他格式（指标体系相同）不生成新版本。
    """
    from planwatch.services import import_history, plan_import
    from planwatch.services.import_history import Channel, Outcome

    failed = 0
    with open_database(db) as database, Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), console=err, disable=not (len(files) > 1 and err.is_terminal)) as progress:
        task = progress.add_task("importing", total=len(files))
        for path in files:
            progress.update(task, description=f"importing {path.name}")
            try:
                with database.session() as session:
                    result = plan_import.import_file(session, path, max_bytes=max_bytes)
                    outcome, summary, plan_id = import_history.plan_import_summary(result)
                    import_history.record(session, None, Channel.CLI_IMPORT, path.name, outcome, summary=summary,
                                          plan_id=plan_id, size=path.stat().st_size, sha256=result.sha256)
            except PlanWatchError as exc:
                failed += 1
                err.print(f"[red]错误：[/red]{exc}", highlight=False, soft_wrap=True)
                with database.session() as session:
                    import_history.record(session, None, Channel.CLI_IMPORT, path.name, Outcome.REFUSED,
                                          problems=import_history.problems_of(exc))
            else:
                if result.already_imported:
                    out.print(f"{result.file}: 已导入过（内容相同），未作改动", highlight=False)
                elif result.same_as:
                    out.print(f"{result.file}: 与已导入的「{result.same_as}」中的规划相同（指标体系一致），"
                              "未生成新版本", highlight=False)
                for p in result.plans if not (result.already_imported or result.same_as) else ():
                    carried = f"，{p.carried_over} 个未变化指标沿用上一版" if p.version > 1 else ""
                    out.print(f"{result.file}: 规划 #{p.plan_id}「{p.title}」第 {p.version} 版，{p.indicators} 个指标"
                              f"（{p.assigned} 个已落实责任单位{carried}）", highlight=False)
            progress.advance(task)
    if failed:
        raise typer.Exit(2)
