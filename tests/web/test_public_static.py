"""``planwatch publish``: the public site as static files, served by a plain web server.

The files are the app's own (:class:`PublicSite` renders both), so the downloads are the same
bytes as under /public/; publishing again without a decision changes no byte and no file
time; a withdrawal removes the withdrawn files and leaves its notice.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from planwatch.cli import app as cli
from planwatch.services import publishing, users
from planwatch.store import Database
from planwatch.web import create_app
from planwatch.web.public.live import PublicOptions
from planwatch.web.public.static import MANIFEST
from tests.web.public_support import (
    Published,
    assert_nothing_unpublished,
    publish_demo,
    publish_site,
    static_server,
)

runner = CliRunner()


def _state(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def published(database_url: str) -> Published:
    return publish_demo(database_url)


def test_the_static_site_serves_the_same_pages_and_downloads(database_url: str, published: Published,
                                                            tmp_path: Path) -> None:
    folder = tmp_path / "site"
    assert "写入" in publish_site(database_url, folder)
    plan = f"plans/{published.slug}"
    with static_server(folder) as base, \
            TestClient(create_app(database_url, secret_key="static", public=PublicOptions(refresh_seconds=0))) as app:
        for path in ("index.html", f"{plan}/index.html", f"{plan}/indicators/i001.html", f"{plan}/progress.html",
                     "en/index.html", f"en/{plan}/indicators/i001.html"):
            page = httpx.get(f"{base}/{path}")
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
            assert "opinions/new" not in page.text  # no live address given: no form
        for path in (f"{plan}/data/i001.csv", f"{plan}/data/i001.json", f"{plan}/data/indicators.csv",
                     "assets/public.css"):
            static = httpx.get(f"{base}/{path}")
            assert static.status_code == 200, path
            assert static.content == app.get(f"/public/{path}").content, path
        home = httpx.get(f"{base}/").text  # the server's own directory index is the home page
        assert f'href="{plan}/index.html"' in home


def test_no_static_file_holds_anything_unpublished(database_url: str, published: Published, tmp_path: Path) -> None:
    folder = tmp_path / "site"
    publish_site(database_url, folder)
    files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    manifest = files.pop(MANIFEST)
    assert set(files) == set(json.loads(manifest)["files"])  # the folder holds the site's files and nothing else
    assert_nothing_unpublished(files, database_url, published)


def test_republishing_without_a_decision_changes_no_byte(database_url: str, published: Published,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "site"
    publish_site(database_url, folder, "--live-url", "https://jc.qingchuan.example.gov.cn")
    first = _state(folder)
    assert MANIFEST in first and len(first) > 50
    output = publish_site(database_url, folder, "--live-url", "https://jc.qingchuan.example.gov.cn")
    assert "写入 0" in output and _state(folder) == first
    page = (folder / f"plans/{published.slug}/indicators/i001.html").read_text(encoding="utf-8")
    assert (f'href="https://jc.qingchuan.example.gov.cn/public/opinions/new?plan={published.slug}'
            f'&amp;indicator=I001&amp;lang=zh"') in page


def test_a_withdrawal_removes_its_files_and_leaves_the_notice(database_url: str, published: Published,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "site"
    publish_site(database_url, folder)
    data = folder / f"plans/{published.slug}/data/i002.csv"
    assert data.is_file()
    database = Database(database_url)
    try:
        with database.session() as session:
            publishing.retract(session, users.find_user(session, "pinggu"), published.plan_key, "indicator", "I002",
                               reason="口径调整")
    finally:
        database.dispose()
    assert "删除 2" in publish_site(database_url, folder)  # its CSV and JSON
    assert not data.exists()
    notice = (folder / f"plans/{published.slug}/indicators/i002.html").read_text(encoding="utf-8")
    assert "已于" in notice and "撤回" in notice and "口径调整" in notice and "figures-caption" not in notice


def test_publish_refuses_what_it_must_not_touch(database_url: str, tmp_path: Path) -> None:
    nothing = runner.invoke(cli, ["publish", "-o", str(tmp_path / "a"), "--db", database_url])
    assert nothing.exit_code == 2 and "没有公开的规划" in nothing.output
    publish_demo(database_url)
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "通知.docx").write_bytes(b"not ours")
    refused = runner.invoke(cli, ["publish", "-o", str(foreign), "--db", database_url])
    assert refused.exit_code == 2 and "不是 planwatch publish 写过的目录" in refused.output
    assert (foreign / "通知.docx").read_bytes() == b"not ours"
    bad_url = runner.invoke(cli, ["publish", "-o", str(tmp_path / "b"), "--db", database_url, "--live-url", "jc.gov"])
    assert bad_url.exit_code == 2 and "--live-url" in bad_url.output


def test_decisions_from_the_command_line_need_two_people(database_url: str, tmp_path: Path) -> None:
    proposed = runner.invoke(cli, ["publication", "propose", "--as", "pinggu", "--year", "2024", "--indicator", "I001",
                                   "--indicator", "I005", "--db", database_url])
    assert proposed.exit_code == 0, proposed.output
    decision = proposed.output.split("#", 1)[1].split("：", 1)[0]
    same = runner.invoke(cli, ["publication", "approve", decision, "--as", "pinggu", "--db", database_url])
    assert same.exit_code == 2 and "四眼原则" in same.output
    approved = runner.invoke(cli, ["publication", "approve", decision, "--as", "tongji", "--db", database_url])
    assert approved.exit_code == 0 and "第 1 次发布" in approved.output
    unlocked = runner.invoke(cli, ["publication", "propose", "--as", "pinggu", "--year", "2025", "--db", database_url])
    assert unlocked.exit_code == 2 and "2025 年的报告期未锁定" in unlocked.output
    listed = runner.invoke(cli, ["publication", "list", "--db", database_url])
    assert "published" in listed.output and "tongji" in listed.output
    withdrawn = runner.invoke(cli, ["publication", "retract", "--as", "pinggu", "--indicator", "I005", "--reason",
                                    "口径调整", "--db", database_url])
    assert withdrawn.exit_code == 0 and "第 2 次发布" in withdrawn.output
    expired = runner.invoke(cli, ["opinions", "expire", "--db", database_url])
    assert expired.exit_code == 0 and "已删除到期的联系方式 0 条" in expired.output
    refused = runner.invoke(cli, ["opinions", "retention", "5000", "--db", database_url])
    assert refused.exit_code == 2 and "1 到 3650 天" in refused.output
    publish_site(database_url, tmp_path / "site")
    assert sorted(p.name for p in (tmp_path / "site").rglob("i00*.csv")) == ["i001.csv"]
