"""`planwatch periods`: reporting periods, their entry windows, locking and reopening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from planwatch.cli import app
from planwatch.cli.common import (
    AsUser,
    DbOption,
    PlanOption,
    YearOption,
    acting_user,
    fail,
    open_database,
    out,
    plan_of,
    reported,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from planwatch.store.models import ReportingPeriod

periods_app = typer.Typer(help="报告期：填报窗口、锁定和解锁。", no_args_is_help=True)
app.add_typer(periods_app, name="periods")


def _moment(day: str | None, default: datetime, field: str) -> datetime:
    from planwatch.services import periods

    if day is None:
        return default
    try:
        return periods.day_start(day, field)
    except periods.PeriodInputError as exc:
        raise fail(exc.problem) from None


@periods_app.command("open")
def periods_open(
    year: YearOption,
    opens: Annotated[str | None, typer.Option("--opens", help="填报窗口的第一天（默认今天）。")] = None,
    closes: Annotated[str | None, typer.Option("--closes", help="截止日期，当天 0 点起停止填报（默认 30 天后）。")]
    = None,
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """开放某年度的报告期（已存在时调整填报窗口）。"""
    from planwatch.services import periods, users

    now = datetime.now(UTC)
    start = _moment(opens, now.replace(hour=0, minute=0, second=0, microsecond=0), "--opens")
    end = _moment(closes, start + timedelta(days=30), "--closes")
    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user) or users.operator(session)
        the_plan = plan_of(session, plan, actor)
        existing = periods.find_period(session, the_plan.id, str(year))
        if existing is None:
            view = periods.create_period(session, actor, the_plan.id, year, opens_at=start, closes_at=end)
        else:
            view = periods.set_window(session, actor, existing.id, opens_at=start, closes_at=end)
    out.print(f"{the_plan.title} {view.code}：填报窗口 {view.opens_at:%Y-%m-%d} 至 {view.closes_at:%Y-%m-%d}",
              highlight=False)


def _period(session: Session, plan_id: int, year: int) -> ReportingPeriod:
    from planwatch.services import periods

    found = periods.find_period(session, plan_id, str(year))
    if found is None:
        raise fail(f"--year：该规划没有 {year} 年的报告期（先运行 planwatch periods open --year {year}）")
    return found


@periods_app.command("lock")
def periods_lock(year: YearOption, plan: PlanOption = None, reason: Annotated[str, typer.Option("--reason")] = "",
                 as_user: AsUser = None, db: DbOption = None) -> None:
    """锁定报告期：其数据不能再修改。"""
    from planwatch.services import periods, users

    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user) or users.operator(session)
        the_plan = plan_of(session, plan, actor)
        view = periods.lock_period(session, actor, _period(session, the_plan.id, year).id, reason or None)
    out.print(f"{view.code} 已锁定", highlight=False)


@periods_app.command("reopen")
def periods_reopen(year: YearOption, reason: Annotated[str, typer.Option("--reason", help="原因（记入审计记录）。")],
                   plan: PlanOption = None, as_user: AsUser = None, db: DbOption = None) -> None:
    """解锁已锁定的报告期以便更正。"""
    from planwatch.services import periods, users

    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user) or users.operator(session)
        the_plan = plan_of(session, plan, actor)
        view = periods.reopen_period(session, actor, _period(session, the_plan.id, year).id, reason)
    out.print(f"{view.code} 已解锁", highlight=False)
