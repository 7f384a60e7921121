"""`planwatch settings`: the switches an administrator sets, each change audited."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from planwatch import configuration
from planwatch.cli import app
from planwatch.cli.common import PASSWORD_ENV, DbOption, open_database, out, reported

settings_app = typer.Typer(help="管理员开关的系统设置（记入审计记录）。", no_args_is_help=True)
app.add_typer(settings_app, name="settings")


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
    from planwatch.services import settings

    secret = password if password is not None else configuration.current().password or ""
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
