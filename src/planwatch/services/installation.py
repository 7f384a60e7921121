"""What this installation has and lacks, for ``planwatch doctor`` and the administrator's page.

Reports name the official GB/T 9704 fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312,
宋体): Word and WPS on a government PC have them; on the server, the PDF that LibreOffice
renders and the charts use what fontconfig finds instead, and nobody would know without
being told. So each font is checked (installed, or which font stands in — ``fc-match``
with the report's own font mapping, :data:`planwatch.report.render.FONTCONFIG_FILE`),
and with it the rest a complete installation needs: LibreOffice for PDF reports, a Chinese
font for the report charts, the ECharts file for the web charts, and the database
reachable and migrated.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from sqlalchemy.exc import SQLAlchemyError

from planwatch.configuration import child_environment
from planwatch.errors import PlanWatchError
from planwatch.report.docx_writer import FONTS
from planwatch.report.render import FONTCONFIG_FILE, libreoffice

__all__ = ["Check", "FontCheck", "check_installation", "font_checks"]

_FONT_ROLES: Final = {"title": "标题", "body": "正文", "heading1": "一级标题", "heading2": "二级标题",
                      "page_number": "页码"}
_TIMEOUT: Final = 10


@dataclass(frozen=True, slots=True)
class FontCheck:
    family: str  # the official name the reports set
    role: str  # what it is used for, in words
    installed: bool
    used: str  # what fontconfig renders it with (the font itself when installed)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    advice: str = ""  # what to do when not ok


def font_checks() -> list[FontCheck]:
    """Each official font of the reports: installed, or the font used instead; empty when the
    machine has no fontconfig to ask."""
    if shutil.which("fc-match") is None or shutil.which("fc-list") is None:
        return []
    mapped = child_environment(FONTCONFIG_FILE=str(FONTCONFIG_FILE))
    found = []
    for key, family in FONTS.items():
        listed = _run(["fc-list", f":family={family}", "family"], None)
        used = _run(["fc-match", "-f", "%{family[0]}", family], mapped)
        found.append(FontCheck(family, _FONT_ROLES.get(key, key), bool(listed.strip()), used.strip() or "（无）"))
    return found


def _run(command: list[str], environment: dict[str, str] | None) -> str:
    """``command``'s output; ``environment`` None: this process's."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT, env=environment,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout


def check_installation(database_url: str | None) -> list[Check]:
    """Everything ``planwatch doctor`` reports, in the order an administrator fixes it."""
    checks = [_database(database_url)]
    fonts = font_checks()
    if not fonts:
        checks.append(Check("公文字体", False, "本机没有 fontconfig（fc-match、fc-list），无法检查字体",
                            "Debian：apt-get install fontconfig"))
    for font in fonts:
        checks.append(Check(f"公文字体 {font.family}（{font.role}）", font.installed,
                            "已安装" if font.installed else f"未安装，服务器生成 PDF 时用「{font.used}」代替",
                            "" if font.installed else "Word/WPS 打开报告时使用电脑上的该字体；要让服务器生成的 PDF "
                            "与公文一致，请把有授权的字体文件复制到 /usr/local/share/fonts/ 后运行 fc-cache -f"))
    program = libreoffice()
    checks.append(Check("LibreOffice（PDF 报告）", program is not None, program or "未安装：网页和命令行不能生成 PDF 报告",
                        "" if program else "Debian：apt-get install libreoffice-writer-nogui"))
    checks.append(_chart_font())
    echarts = resources.files("planwatch") / "web" / "static" / "vendor" / "echarts.min.js"
    checks.append(Check("ECharts（网页图表）", echarts.is_file(), "已安装" if echarts.is_file() else
                        "未下载：网页以表格代替图表", "" if echarts.is_file() else "运行 sh scripts/fetch_web_assets.sh"))
    return checks


def _chart_font() -> Check:
    from planwatch.report.charts import ReportFontError, _fonts

    try:
        families = [f for f in _fonts()["font.family"] if f != "DejaVu Sans"]
    except ReportFontError as exc:
        return Check("报告图表的中文字体", False, str(exc), "Debian：apt-get install fonts-noto-cjk")
    return Check("报告图表的中文字体", True, "、".join(families))


def _database(url: str | None) -> Check:
    """Reachable and migrated; a SQLite file that does not exist yet is reported, not created."""
    from sqlalchemy import make_url

    from planwatch.store import Database
    from planwatch.store.db import resolve_url
    from planwatch.store.migrate import current_revision, head_revision

    try:
        parsed = make_url(resolve_url(url))
    except (PlanWatchError, SQLAlchemyError, ValueError) as exc:
        return Check("数据库", False, str(exc), "检查 --db 或 PLANWATCH_DATABASE_URL")
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).is_file():
        return Check("数据库", False, f"{shown}：文件尚不存在", "首次运行 planwatch demo 或 planwatch import 时建立")
    try:
        database = Database(url)
    except PlanWatchError as exc:
        return Check("数据库", False, str(exc), "检查 --db 或 PLANWATCH_DATABASE_URL")
    try:
        current, head = current_revision(database.engine), head_revision()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return Check("数据库", False, f"{shown}：无法连接（驱动报告：{reason}）", "检查数据库服务是否运行、地址和权限是否正确")
    finally:
        database.dispose()
    if current == head:
        return Check("数据库", True, f"{shown}：已连接，结构为最新版本 {head}")
    return Check("数据库", False, f"{shown}：结构版本 {current or '（空库）'}，最新为 {head}",
                 "运行任一 planwatch 命令或启动网站时会自动升级；升级前请先 planwatch backup")
