"""`planwatch users`: people, their roles and districts, passwords and API tokens."""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from planwatch import configuration
from planwatch.cli import app
from planwatch.cli.common import PASSWORD_ENV, DbOption, fail, open_database, out, reported

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

users_app = typer.Typer(help="用户及其角色、API 令牌。", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _password(given: str | None) -> str:
    password = given or configuration.current().password
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
