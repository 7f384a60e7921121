"""``planwatch doctor`` and the administrator's system check: which official fonts are missing
and what stands in for them, LibreOffice, the chart assets, the database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.report.docx_writer import FONTS
from planwatch.services.installation import check_installation, font_checks
from tests.web.client import login

needs_fontconfig = pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig not installed")


@needs_fontconfig
def test_every_official_font_is_checked_with_what_stands_in() -> None:
    fonts = {f.family: f for f in font_checks()}
    assert set(fonts) == set(FONTS.values()) >= {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"}
    for font in fonts.values():
        assert font.used and (font.installed or font.used != font.family)
    missing = [f for f in fonts.values() if not f.installed]
    if missing:  # this machine has the open fonts only: the report mapping's stand-ins are named
        assert {f.used for f in missing} <= {"Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei"}


def test_the_administrator_sees_the_same_checks(app_client: TestClient, database_url: str) -> None:
    login(app_client, "admin")
    assert 'href="/admin/system"' in app_client.get("/admin/users").text
    page = app_client.get("/admin/system")
    assert page.status_code == 200
    rows = BeautifulSoup(page.text, "html.parser").select("#system-checks tbody tr")
    names = [r.find("td").get_text() for r in rows]
    assert names == [c.name for c in check_installation(database_url)]
    database_row = rows[0]
    assert database_row["data-ok"] == "yes" and "最新版本" in database_row.get_text()
    app_client.cookies.clear()
    login(app_client, "tongji")
    assert app_client.get("/admin/system").status_code == 403


def test_doctor_names_what_is_missing_and_exits_1(database_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fc_dir = tmp_path / "bin"
    fc_dir.mkdir()
    for tool in ("fc-match", "fc-list"):
        found = shutil.which(tool)
        if found:
            (fc_dir / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(fc_dir))  # fontconfig yes, LibreOffice no
    done = CliRunner().invoke(app, ["doctor", "--db", database_url], env={"COLUMNS": "80"})
    assert done.exit_code == 1, done.output
    assert "LibreOffice" in done.output and "apt-get install libreoffice-writer-nogui" in done.output
    assert "已连接" in done.output and "需要处理" in done.output
    if shutil.which("fc-match", path=str(fc_dir)):
        assert "仿宋_GB2312" in done.output
    unreachable = CliRunner().invoke(app, ["doctor", "--db", f"sqlite:///{tmp_path / 'none' / 'x.db'}"])
    assert unreachable.exit_code == 1 and "文件尚不存在" in unreachable.output
    assert not (tmp_path / "none").exists()  # the check creates nothing
