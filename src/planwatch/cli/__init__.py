"""The ``planwatch`` command line: one Typer app, its commands in small modules by topic.

Only this package knows the terminal: user errors become one line on stderr and exit
code 2, and commands over several files keep going with the other files.
"""

from __future__ import annotations

from typing import Annotated

import typer
from typer import rich_utils

from planwatch import __version__

# The help is in Chinese, as the product (decided for issue 22: one language, no --lang option;
# the README describes every command in English). Typer's own panel titles and notes are
# module settings it reads when printing; Click's "Usage:" line stays as Click prints it.
rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
rich_utils.OPTIONS_PANEL_TITLE = "选项"
rich_utils.COMMANDS_PANEL_TITLE = "命令"
rich_utils.ERRORS_PANEL_TITLE = "错误"
rich_utils.DEFAULT_STRING = "[默认：{}]"
rich_utils.ENVVAR_STRING = "[环境变量：{}]"
rich_utils.REQUIRED_LONG_STRING = "[必填]"
rich_utils.DEPRECATED_STRING = "（已弃用）"
rich_utils.ABORTED_TEXT = "已中止。"
rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"

app = typer.Typer(
    name="planwatch",
    help="规划实施监测评估平台 PlanWatch：读取规划文件、建立指标体系、监测填报、评估和出具报告。",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"planwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="显示版本号后退出。")] = False,
) -> None:
    """PlanWatch 命令行。"""


# The modules register their commands on app as they are imported, and `planwatch --help` lists
# them in that order: the order of work (analyse, import, set up units and people, report), not
# the alphabet's.
# isort: off
from planwatch.cli import (  # noqa: E402
    analysis,
    plan_import,
    orgunits,
    users,
    periods,
    settings,
    assignments,
    backup,
    doctor,
    extract,
    monitoring,
    pdf_debug,
    publishing,
    reports,
)
# isort: on

__all__ = ["analysis", "app", "assignments", "backup", "doctor", "extract", "monitoring", "orgunits", "pdf_debug",
           "periods", "plan_import", "publishing", "reports", "settings", "users"]
