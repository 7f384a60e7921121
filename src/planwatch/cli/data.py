"""Commands that fill and manage the monitoring database: plans, org units, users,
responsibilities, reporting periods, backup and restore."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from planwatch.cli import app
from planwatch.cli.common import (
    AsUser,
    DbOption,
    PlanOption,
    YearOption,
    acting_user,
    err,
    fail,
    open_database,
    out,
    plan_of,
    reported,
)
from planwatch.errors import PlanWatchError
from planwatch.ingest import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from planwatch.store.models import ReportingPeriod

orgunits_app = typer.Typer(help="Org units: the district, its departments, towns and 街道.", no_args_is_help=True)
users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
periods_app = typer.Typer(help="Reporting periods: windows, locks.", no_args_is_help=True)
settings_app = typer.Typer(help="Settings an administrator switches (audited).", no_args_is_help=True)
app.add_typer(orgunits_app, name="orgunits")
app.add_typer(users_app, name="users")
app.add_typer(periods_app, name="periods")
app.add_typer(settings_app, name="settings")

PASSWORD_ENV = "PLANWATCH_PASSWORD"


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Gazettes or plans (.txt/.md/.docx/.pdf/.html).")],
    db: DbOption = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Refuse files larger than this.")]
    = DEFAULT_MAX_BYTES,
) -> None:
    """Store documents, plans, outline, indicators and targets (re-importing a file changes nothing)."""
    from planwatch.services import plans

    failed = 0
    with open_database(db) as database, Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), console=err, disable=not (len(files) > 1 and err.is_terminal)) as progress:
        task = progress.add_task("importing", total=len(files))
        for path in files:
            progress.update(task, description=f"importing {path.name}")
            try:
                with database.session() as session:
                    result = plans.import_file(session, path, max_bytes=max_bytes)
            except PlanWatchError as exc:
                failed += 1
                err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            else:
                if result.already_imported:
                    out.print(f"{result.file}: 已导入过（内容相同），未作改动", highlight=False)
                for p in result.plans if not result.already_imported else ():
                    carried = f"，{p.carried_over} 个未变化指标沿用上一版" if p.version > 1 else ""
                    out.print(f"{result.file}: 规划 #{p.plan_id}「{p.title}」第 {p.version} 版，{p.indicators} 个指标"
                              f"（{p.assigned} 个已落实责任单位{carried}）", highlight=False)
            progress.advance(task)
    if failed:
        raise typer.Exit(2)


@orgunits_app.command("import")
def orgunits_import(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8/GB18030) or XLSX: 代码, 名称, 类型, 上级代码, 简称.")],
    db: DbOption = None,
) -> None:
    """Create or update org units from a file (matched by code)."""
    from planwatch.services import orgunits

    with open_database(db) as database, reported(), database.session() as session:
        created, updated = orgunits.import_org_units(session, None, orgunits.read_org_unit_file(file))
    out.print(f"{file.name}: 新增 {created} 个单位，更新 {updated} 个", highlight=False)


# Past this many units a table would take its width from every row (seconds for a province's
# 20,000): the list comes as tab-separated lines instead, ready for a spreadsheet or grep.
_TABLE_ROWS = 200


@orgunits_app.command("list")
def orgunits_list(db: DbOption = None) -> None:
    """List the active org units in tree order (more than 200: tab-separated lines)."""
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


def _password(given: str | None) -> str:
    password = given or os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not os.isatty(0):
        raise fail(f"password：用 --password、环境变量 {PASSWORD_ENV} 或在终端中输入密码")
    first = getpass.getpass("密码 Password: ")
    if getpass.getpass("再次输入 Repeat: ") != first:
        raise fail("password：两次输入不一致")
    return first


ExpiresDays = Annotated[int | None, typer.Option(
    "--expires-days", min=1, help="The API token stops working after this many days (at most 3650).")]
LoginArgument = Annotated[str, typer.Argument(help="Login name.")]


@users_app.command("add")
def users_add(
    login: LoginArgument,
    role: Annotated[str, typer.Option("--role", help="admin, monitoring, evaluation, clerk or viewer.")],
    org_unit: Annotated[str | None, typer.Option("--org-unit", help="Org unit code or name (clerks only).")]
    = None,
    name: Annotated[str, typer.Option("--name", help="Full name.")] = "",
    password: Annotated[str | None, typer.Option("--password", help=f"Password (or ${PASSWORD_ENV}, or prompt).")]
    = None,
    token: Annotated[bool, typer.Option("--token", help="Also create an API token and print it once.")] = False,
    expires_days: ExpiresDays = None,
    db: DbOption = None,
) -> None:
    """Add a user; passwords are stored as argon2 hashes."""
    from planwatch.services import users

    secret = _password(password)
    with open_database(db) as database, reported(), database.session() as session:
        user = users.add_user(session, None, login, secret, role, name=name, org_unit=org_unit)
        issued = users.create_token(session, user, "cli", expires_days=expires_days) if token else None
    out.print(f"用户 {login}（{role}）已创建", highlight=False)
    if issued:
        out.print(f"API 令牌（只显示这一次）：{issued}", highlight=False)


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """List users with their roles and units."""
    from planwatch.services import users

    with open_database(db) as database, database.session(readonly=True) as session:
        table = Table("登录名", "姓名", "角色", "单位", "状态")
        for u in users.all_users(session):
            table.add_row(u.login, u.name, u.role, str(u.org_unit_id or ""), "启用" if u.active else "停用")
    out.print(table)


@users_app.command("passwd")
def users_passwd(
    login: LoginArgument,
    password: Annotated[str | None, typer.Option("--password", help=f"New password (or ${PASSWORD_ENV}, or prompt).")]
    = None,
    db: DbOption = None,
) -> None:
    """Set a new password (at least 8 characters of two kinds); the user's browser sessions end."""
    from planwatch.services import users

    secret = _password(password)
    with open_database(db) as database, reported(), database.session() as session:
        users.set_password(session, None, users.find_user(session, login), secret)
    out.print(f"用户 {login} 的密码已更改，其已登录的会话均已退出", highlight=False)


@users_app.command("deactivate")
def users_deactivate(login: LoginArgument, db: DbOption = None) -> None:
    """Stop a user at once: no log-in, sessions end, API tokens refused (until reactivated)."""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        users.set_active(session, None, users.find_user(session, login), False)
    out.print(f"用户 {login} 已停用", highlight=False)


@users_app.command("reactivate")
def users_reactivate(login: LoginArgument, db: DbOption = None) -> None:
    """Let a deactivated user log in again (tokens not revoked work again)."""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        users.set_active(session, None, users.find_user(session, login), True)
    out.print(f"用户 {login} 已启用", highlight=False)


@users_app.command("logout")
def users_logout(login: LoginArgument, db: DbOption = None) -> None:
    """Log the user out everywhere (every browser session ends)."""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        ended = users.log_out_everywhere(session, None, users.find_user(session, login))
    out.print(f"用户 {login} 的 {ended} 个会话已退出", highlight=False)


@users_app.command("token")
def users_token(
    login: LoginArgument,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "cli",
    expires_days: ExpiresDays = None,
    db: DbOption = None,
) -> None:
    """Create an API token for the user and print it once."""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        issued = users.create_token(session, users.find_user(session, login), label, expires_days=expires_days)
    out.print(f"API 令牌（只显示这一次）：{issued}", highlight=False)


@users_app.command("tokens")
def users_tokens(login: LoginArgument, db: DbOption = None) -> None:
    """List the user's API tokens (never the tokens themselves)."""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session(readonly=True) as session:
        tokens = users.list_tokens(session, None, users.find_user(session, login))
    table = Table("编号", "用途", "创建时间", "到期", "状态")
    for t in tokens:
        state = "已吊销" if t.revoked else ("有效" if t.usable else "已过期")
        table.add_row(str(t.id), t.label, f"{t.created_at:%Y-%m-%d %H:%M}",
                      f"{t.expires_at:%Y-%m-%d %H:%M}" if t.expires_at else "长期", state)
    out.print(table)


@users_app.command("revoke-token")
def users_revoke_token(token_id: Annotated[int, typer.Argument(help="Token number (see `users tokens`).")],
                       db: DbOption = None) -> None:
    """Revoke an API token: it stops working at once."""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        users.revoke_token(session, None, token_id)
    out.print(f"API 令牌 #{token_id} 已吊销", highlight=False)


class Switch(StrEnum):
    ON = "on"
    OFF = "off"


@settings_app.command("four-eyes")
def settings_four_eyes(
    state: Annotated[Switch, typer.Argument(help="on: whoever entered or submitted a value cannot approve it.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")] = "",
    db: DbOption = None,
) -> None:
    """Switch the four-eyes rule of review (on by default)."""
    from planwatch.services import settings

    with open_database(db) as database, reported(), database.session() as session:
        settings.set_four_eyes(session, None, state is Switch.ON, reason)
    out.print(f"四眼原则已{'开启' if state is Switch.ON else '关闭'}", highlight=False)


@settings_app.command("rotate-session-key")
def settings_rotate_session_key(
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")] = "",
    db: DbOption = None,
) -> None:
    """Replace the key that signs session cookies (every host takes it); everyone logs in again."""
    from planwatch.services import session_keys, users

    with open_database(db) as database, reported(), database.session() as session:
        ended = session_keys.rotate_session_key(session, users.operator(session), reason)
    out.print(f"会话密钥已更换，{ended} 个登录会话已结束，所有用户需重新登录", highlight=False)


@app.command()
def assign(
    indicator: Annotated[str | None, typer.Argument(help="Indicator code (I001), id or exact name.")] = None,
    org_unit: Annotated[str | None, typer.Argument(help="Org unit code or name.")] = None,
    role: Annotated[str, typer.Option("--role", help="牵头, 责任 or 配合.")] = "责任",
    remove: Annotated[bool, typer.Option("--remove", help="Remove the unit's responsibility.")] = False,
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """Make an org unit responsible for an indicator; without arguments list the assignments."""
    from planwatch.services import assignments, orgunits

    with open_database(db) as database, reported(), database.session() as session:
        the_plan = plan_of(session, plan)
        actor = acting_user(session, as_user)
        if indicator is None or org_unit is None:
            table = Table("代码", "指标", "单位", "责任", "来源", title=the_plan.title)
            for a in assignments.list_assignments(session, the_plan):
                table.add_row(a.indicator_code, a.indicator_name, a.org_unit_name, a.role, a.origin)
            out.print(table)
            return
        ind = assignments.find_indicator(session, the_plan, indicator)
        unit = orgunits.find_org_unit(session, org_unit)
        if remove:
            changed = assignments.unassign(session, actor, ind, unit)
        else:
            changed = assignments.assign(session, actor, ind, unit, role)
    verb = "已取消" if remove else f"已设为{role}单位"
    out.print(f"{ind.code} {ind.name} → {unit.name}：{verb if changed else '无变化'}", highlight=False)


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
    opens: Annotated[str | None, typer.Option("--opens", help="First day of the window (default: today).")] = None,
    closes: Annotated[str | None, typer.Option("--closes", help="Deadline, exclusive (default: in 30 days).")]
    = None,
    plan: PlanOption = None,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """Create the reporting period of a year (or move its window when it exists)."""
    from planwatch.services import periods, users

    now = datetime.now(UTC)
    start = _moment(opens, now.replace(hour=0, minute=0, second=0, microsecond=0), "--opens")
    end = _moment(closes, start + timedelta(days=30), "--closes")
    with open_database(db) as database, reported(), database.session() as session:
        the_plan = plan_of(session, plan)
        actor = acting_user(session, as_user) or users.operator(session)
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
    """Lock a period: its data can no longer change."""
    from planwatch.services import periods, users

    with open_database(db) as database, reported(), database.session() as session:
        the_plan = plan_of(session, plan)
        actor = acting_user(session, as_user) or users.operator(session)
        view = periods.lock_period(session, actor, _period(session, the_plan.id, year).id, reason or None)
    out.print(f"{view.code} 已锁定", highlight=False)


@periods_app.command("reopen")
def periods_reopen(year: YearOption, reason: Annotated[str, typer.Option("--reason", help="Why (audited).")],
                   plan: PlanOption = None, as_user: AsUser = None, db: DbOption = None) -> None:
    """Unlock a locked period for corrections."""
    from planwatch.services import periods, users

    with open_database(db) as database, reported(), database.session() as session:
        the_plan = plan_of(session, plan)
        actor = acting_user(session, as_user) or users.operator(session)
        view = periods.reopen_period(session, actor, _period(session, the_plan.id, year).id, reason)
    out.print(f"{view.code} 已解锁", highlight=False)


@app.command("backup")
def backup_(file: Annotated[Path, typer.Argument(help="Snapshot file to write (.jsonl.gz).")],
            db: DbOption = None) -> None:
    """Write a consistent snapshot of the database while the app keeps running."""
    from planwatch.services import backup

    with open_database(db) as database, reported():
        summary = backup.backup(database, file)
    out.print(f"{file}: {summary.total} 行（{len(summary.rows)} 张表）", highlight=False)
    if summary.not_finite:
        shown = "、".join(summary.not_finite[:5]) + ("等" if len(summary.not_finite) > 5 else "")
        err.print(f"注意：{len(summary.not_finite)} 处非有限数值（NaN/无穷大，旧版本写入）在备份中记为空值：{shown}",
                  highlight=False)


@app.command()
def restore(file: Annotated[Path, typer.Argument(help="Snapshot written by planwatch backup.")],
            db: DbOption = None) -> None:
    """Load a snapshot into an empty database (SQLite or PostgreSQL)."""
    from planwatch.services import backup

    with open_database(db) as database, reported():
        summary = backup.restore(database, file)
    out.print(f"{file}: 已恢复 {summary.total} 行", highlight=False)
