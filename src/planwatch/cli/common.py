"""What every command shares: the --db option, the acting user, one-line errors.

Only the cli package knows the terminal: a :class:`PlanWatchError` becomes one line on
stderr and exit code 2, never a traceback, and the transaction of the failed command is
rolled back so nothing already stored changes.

Command modules import the database, the services and the report writers inside the
commands, never at module level: ``planwatch --help`` and ``--version`` must not pay for
SQLAlchemy, numpy or matplotlib (tests/unit/test_cli_startup.py checks which modules load).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from planwatch.errors import PlanWatchError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from planwatch.store import Database
    from planwatch.store.models import Plan, User

__all__ = ["PASSWORD_ENV", "AsUser", "DbOption", "PlanOption", "YearOption", "acting_user", "err", "fail",
           "open_database", "out", "plan_of", "plan_year", "reported"]

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

# A password given to users add/passwd and settings smtp without putting it on the command line.
PASSWORD_ENV = "PLANWATCH_PASSWORD"

DbOption = Annotated[str | None, typer.Option(
    "--db", help="数据库地址（sqlite:///路径 或 postgresql://用户@主机:端口/库名），默认取环境变量 "
                 "PLANWATCH_DATABASE_URL，再默认为当前目录 ./.planwatch/ 下的 SQLite。")]
PlanOption = Annotated[str | None, typer.Option(
    "--plan", help="规划编号、标题或标题中唯一的一部分（只有一个规划时可省略）。")]
YearOption = Annotated[int, typer.Option("--year", help="报告期或评估年度，如 2024。")]
AsUser = Annotated[str | None, typer.Option(
    "--as", help="以该用户（登录名）的身份和权限执行；不指定时以拥有全部权限的操作员身份执行。")]


def fail(message: str) -> typer.Exit:
    err.print(f"[red]错误：[/red]{message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


@contextmanager
def reported() -> Iterator[None]:
    """Turn user errors into one line and exit code 2."""
    try:
        yield
    except PlanWatchError as exc:
        raise fail(str(exc)) from None


@contextmanager
def open_database(url: str | None) -> Iterator[Database]:
    """The database at ``url``, migrated to the newest schema."""
    from planwatch.store import Database

    with reported():
        database = Database(url)
        try:
            database.upgrade()
            yield database
        finally:
            database.dispose()


def acting_user(session: Session, login: str | None) -> User | None:
    if login is None:
        return None
    from sqlalchemy import select

    from planwatch.store.models import User

    user = session.scalar(select(User).where(User.login == login))
    if user is None or not user.active:
        raise fail(f"--as：没有启用的用户 {login}")
    return user


def plan_of(session: Session, ref: str | None, actor: User | None = None) -> Plan:
    """The plan ``--plan`` names, among those of ``actor``'s district (``--as``)."""
    from planwatch.services.plans import find_plan

    with reported():
        return find_plan(session, ref, actor)


def plan_year(plan: Plan, year: int) -> int:
    """``--year`` for evaluating ``plan``: a year before the plan began is refused, not quietly moved."""
    if plan.start_year is not None and year < plan.start_year:
        raise fail(f"--year：规划期为{plan.start_year}—{plan.end_year or '?'}年，不能评估规划期开始之前的{year}年")
    return year
