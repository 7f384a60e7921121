"""``planwatch doctor``: what this installation has and lacks, one line each."""

from __future__ import annotations

import typer
from rich.table import Table

from planwatch.cli import app
from planwatch.cli.common import DbOption, out


@app.command()
def doctor(db: DbOption = None) -> None:
    """检查安装：公文字体、LibreOffice、图表字体、ECharts、数据库。

    缺少的公文字体说明服务器用什么字体代替（fc-match）。

    有需要处理的项目时退出码为 1，便于脚本和监控使用。
    """
    from planwatch.services.installation import check_installation

    checks = check_installation(db)
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("", width=2, no_wrap=True)
    table.add_column("项目", overflow="fold", ratio=2)
    table.add_column("情况", overflow="fold", ratio=3)
    for check in checks:
        table.add_row("[green]✓[/green]" if check.ok else "[red]✗[/red]", check.name, check.detail)
    out.print(table)
    missing = [c for c in checks if not c.ok]
    out.print(f"需要处理 {len(missing)} 项" if missing else "全部就绪", highlight=False)
    for advice in dict.fromkeys(c.advice for c in missing if c.advice):  # one line per remedy, in order
        out.print(f"→ {advice}", highlight=False)
    if missing:
        raise typer.Exit(1)
