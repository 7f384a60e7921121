"""The ``planwatch`` command line: one Typer app, its commands in small modules by topic.

Only this package knows the terminal: user errors become one line on stderr and exit
code 2, and commands over several files keep going with the other files.
"""

from __future__ import annotations

from typing import Annotated

import typer

from planwatch import __version__

app = typer.Typer(
    name="planwatch",
    help="规划实施监测评估平台 PlanWatch: extract, monitor and evaluate plan indicators.",
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
                                          help="Print the version and exit.")] = False,
) -> None:
    """PlanWatch command line."""


from planwatch.cli import (  # noqa: E402  (the modules register their commands on app)
    analysis,
    data,
    extract,
    monitoring,
    publishing,
    reports,
)

__all__ = ["analysis", "app", "data", "extract", "monitoring", "publishing", "reports"]
