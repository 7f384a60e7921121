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

orgunits_app = typer.Typer(help="组织机构：区县及其部门、镇和街道。", no_args_is_help=True)
users_app = typer.Typer(help="用户及其角色、API 令牌。", no_args_is_help=True)
periods_app = typer.Typer(help="报告期：填报窗口、锁定和解锁。", no_args_is_help=True)
settings_app = typer.Typer(help="管理员开关的系统设置（记入审计记录）。", no_args_is_help=True)
app.add_typer(orgunits_app, name="orgunits")
app.add_typer(users_app, name="users")
app.add_typer(periods_app, name="periods")
app.add_typer(settings_app, name="settings")

PASSWORD_ENV = "PLANWATCH_PASSWORD"


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


RegionOption = Annotated[str | None, typer.Option(
    "--region", help="所属地区（区县级单位的代码或名称），或 all（全部地区）。不写时：填报员属于其单位所在的区县，"
                     "其他角色属于全部地区。")]
ExpiresDays = Annotated[int | None, typer.Option(
    "--expires-days", min=1, help="API 令牌在这么多天后失效（最多 3650 天）。")]
LoginArgument = Annotated[str, typer.Argument(help="登录名。")]


@users_app.command("add")
def users_add(
    login: LoginArgument,
    role: Annotated[str, typer.Option("--role", help="角色：admin（管理员）、monitoring（监测组）、evaluation（评估组）、clerk（填报员）或 viewer（只读）。")],
    org_unit: Annotated[str | None, typer.Option("--org-unit", help="单位代码或名称（仅填报员）。")]
    = None,
    region: RegionOption = None,
    name: Annotated[str, typer.Option("--name", help="姓名。")] = "",
    email: Annotated[str, typer.Option("--email", help="电子邮箱（催报邮件发往此地址）。")] = "",
    password: Annotated[str | None, typer.Option("--password", help=f"密码（或环境变量 ${PASSWORD_ENV}，或在终端中输入）。")]
    = None,
    token: Annotated[bool, typer.Option("--token", help="同时生成 API 令牌并显示一次。")] = False,
    expires_days: ExpiresDays = None,
    db: DbOption = None,
) -> None:
    """新增用户（密码以 argon2 哈希保存）。"""
    from planwatch.services import users

    secret = _password(password)
    with open_database(db) as database, reported(), database.session() as session:
        user = users.add_user(session, None, login, secret, role, name=name, org_unit=org_unit, region=region,
                              email=email)
        issued = users.create_token(session, user, "cli", expires_days=expires_days) if token else None
        where = _region_name(session, user.region_org_unit_id)
    out.print(f"用户 {login}（{role}，{where}）已创建", highlight=False)
    if issued:
        out.print(f"API 令牌（只显示这一次）：{issued}", highlight=False)


def _region_name(session: Session, region_id: int | None) -> str:
    from planwatch.store.models import OrgUnit

    unit = session.get(OrgUnit, region_id) if region_id is not None else None
    return unit.name if unit is not None else "全部地区"


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """列出用户及其角色、单位和所属地区。"""
    from planwatch.services import users

    with open_database(db) as database, database.session(readonly=True) as session:
        table = Table("登录名", "角色", "地区", "状态")
        table.add_column("姓名", overflow="fold")
        table.add_column("单位", overflow="fold")
        for u in users.list_users(session, None, limit=None).people:
            table.add_row(u.login, u.role.value, u.region_name or "全部地区", "启用" if u.active else "停用", u.name,
                          u.org_unit_name or "")
    out.print(table)


@users_app.command("region")
def users_region(login: LoginArgument,
                 region: Annotated[str, typer.Argument(help="区县级单位的代码或名称，或 all（全部地区）。")],
                 db: DbOption = None) -> None:
    """设置用户的所属地区（或全部地区）；立即生效，记入审计记录。"""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        user = users.find_user(session, login)
        changed = users.set_region(session, None, user, region)
        where = _region_name(session, user.region_org_unit_id)
    out.print(f"用户 {login} 的所属地区{'已设为' if changed else '仍为'}{where}", highlight=False)


@users_app.command("passwd")
def users_passwd(
    login: LoginArgument,
    password: Annotated[str | None, typer.Option("--password", help=f"新密码（或环境变量 ${PASSWORD_ENV}，或在终端中输入）。")]
    = None,
    db: DbOption = None,
) -> None:
    """设置新密码（至少 8 位、两类字符）；该用户的网页登录随即失效。"""
    from planwatch.services import users

    secret = _password(password)
    with open_database(db) as database, reported(), database.session() as session:
        users.set_password(session, None, users.find_user(session, login), secret)
    out.print(f"用户 {login} 的密码已更改，其已登录的会话均已退出", highlight=False)


@users_app.command("deactivate")
def users_deactivate(login: LoginArgument, db: DbOption = None) -> None:
    """立即停用用户：不能登录，会话结束，API 令牌被拒绝（直到重新启用）。"""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        users.set_active(session, None, users.find_user(session, login), False)
    out.print(f"用户 {login} 已停用", highlight=False)


@users_app.command("reactivate")
def users_reactivate(login: LoginArgument, db: DbOption = None) -> None:
    """重新启用已停用的用户（未吊销的令牌恢复可用）。"""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        users.set_active(session, None, users.find_user(session, login), True)
    out.print(f"用户 {login} 已启用", highlight=False)


@users_app.command("logout")
def users_logout(login: LoginArgument, db: DbOption = None) -> None:
    """让用户在所有设备上退出登录。"""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        ended = users.log_out_everywhere(session, None, users.find_user(session, login))
    out.print(f"用户 {login} 的 {ended} 个会话已退出", highlight=False)


@users_app.command("token")
def users_token(
    login: LoginArgument,
    label: Annotated[str, typer.Option("--label", help="令牌的用途说明。")] = "cli",
    expires_days: ExpiresDays = None,
    db: DbOption = None,
) -> None:
    """为用户生成 API 令牌并显示一次。"""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        issued = users.create_token(session, users.find_user(session, login), label, expires_days=expires_days)
    out.print(f"API 令牌（只显示这一次）：{issued}", highlight=False)


@users_app.command("tokens")
def users_tokens(login: LoginArgument, db: DbOption = None) -> None:
    """列出用户的 API 令牌（不显示令牌本身）。"""
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
def users_revoke_token(token_id: Annotated[int, typer.Argument(help="令牌编号（见 users tokens）。")],
                       db: DbOption = None) -> None:
    """吊销 API 令牌，立即失效。"""
    from planwatch.services import users

    with open_database(db) as database, reported(), database.session() as session:
        users.revoke_token(session, None, token_id)
    out.print(f"API 令牌 #{token_id} 已吊销", highlight=False)


class Switch(StrEnum):
    ON = "on"
    OFF = "off"


@settings_app.command("four-eyes")
def settings_four_eyes(
    state: Annotated[Switch, typer.Argument(help="on 为开启（填报或报送数据的人不能审核通过同一数据），off 为关闭。")],
    reason: Annotated[str, typer.Option("--reason", help="原因（记入审计记录）。")] = "",
    db: DbOption = None,
) -> None:
    """开关审核的四眼原则（默认开启）。"""
    from planwatch.services import settings

    with open_database(db) as database, reported(), database.session() as session:
        settings.set_four_eyes(session, None, state is Switch.ON, reason)
    out.print(f"四眼原则已{'开启' if state is Switch.ON else '关闭'}", highlight=False)


@settings_app.command("rotate-session-key")
def settings_rotate_session_key(
    reason: Annotated[str, typer.Option("--reason", help="原因（记入审计记录）。")] = "",
    db: DbOption = None,
) -> None:
    """更换签署会话 Cookie 的密钥（所有主机随即使用新密钥）；所有人须重新登录。"""
    from planwatch.services import session_keys, users

    with open_database(db) as database, reported(), database.session() as session:
        ended = session_keys.rotate_session_key(session, users.operator(session), reason)
    out.print(f"会话密钥已更换，{ended} 个登录会话已结束，所有用户需重新登录", highlight=False)


@settings_app.command("smtp")
def settings_smtp(
    host: Annotated[str, typer.Option("--host", help="邮件服务器地址；留空则不发邮件。")] = "",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口。")] = 25,
    security: Annotated[str, typer.Option("--security", help="加密方式：starttls、ssl 或 none。")] = "starttls",
    sender: Annotated[str, typer.Option("--sender", help="发件人地址。")] = "",
    username: Annotated[str, typer.Option("--username", help="用户名。")] = "",
    password: Annotated[str | None, typer.Option("--password", help=f"密码（或环境变量 ${PASSWORD_ENV}）；留空则保留已保存的密码。")]
    = None,
    site_url: Annotated[str, typer.Option("--site-url", help="网站地址（邮件中的链接）。")] = "",
    db: DbOption = None,
) -> None:
    """设置发送催报邮件的邮件服务器（记入审计记录）。"""
    import os

    from planwatch.services import settings

    secret = password if password is not None else os.environ.get(PASSWORD_ENV, "")
    with open_database(db) as database, reported(), database.session() as session:
        settings.set_smtp(session, None, settings.SmtpSettings(host, port, security, sender, username, secret,
                                                               site_url))
    out.print(f"邮件服务器已设为 {host}:{port}" if host else "已停用催报邮件", highlight=False)


@settings_app.command("reminder-interval")
def settings_reminder_interval(
    hours: Annotated[int, typer.Argument(help="同一单位同一报告期两次催报至少间隔的小时数。")],
    db: DbOption = None,
) -> None:
    """设置同一单位同一报告期再次催报的最短间隔。"""
    from planwatch.services import settings

    with open_database(db) as database, reported(), database.session() as session:
        settings.set_reminder_interval(session, None, hours)
    out.print(f"同一单位 {hours} 小时内不重复催报", highlight=False)


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
