"""The 规划 menu lists the plans; a document without indicators (an issuing notice's
实施意见) is listed as a document, not offered as a plan to monitor."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from planwatch.services.plan_import import import_file
from planwatch.services.plans import find_plan
from planwatch.store import Database
from tests.web.client import login

# A fictional notice in the genre: targets-free, so extraction finds a plan with no indicator.
NOTICE = """青川区人民政府办公室关于印发青川区推进数字乡村建设实施意见的通知
青川府办发〔2022〕18号

各镇人民政府、街道办事处，区政府各部门：
　　《青川区推进数字乡村建设实施意见》已经区政府同意，现印发给你们，请认真贯彻执行。

青川区人民政府办公室
2022年5月10日

青川区推进数字乡村建设实施意见

　　为加快推进数字乡村建设，结合我区实际，提出如下意见。
　　一、总体要求
　　坚持统筹规划、分步实施，推动数字技术与乡村振兴深度融合。
　　二、重点任务
　　（一）完善乡村信息基础设施。推动农村地区网络覆盖和提速降费。（责任单位：区经济信息委）
　　（二）发展智慧农业。推广物联网、大数据在农业生产中的应用。（责任单位：区农业农村委）
"""
TITLE = "青川区推进数字乡村建设实施意见"


def test_plans_menu_lists_plans_and_keeps_documents_apart(app_client: TestClient, database_url: str,
                                                           tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    database = Database(database_url)
    with database.session() as session:
        imported = import_file(session, notice).plans
        assert [p.title for p in imported] == [TITLE] and imported[0].indicators == 0
    with database.session(readonly=True) as session:
        assert "青川区国民经济" in find_plan(session, None).title  # the CLI's default is still the monitored plan
    database.dispose()
    login(app_client, "pinggu")
    page = app_client.get("/plans", follow_redirects=False)
    assert page.status_code == 200
    monitored = re.search(r'<table id="plan-list">.*?</table>', page.text, re.S)
    documents = re.search(r'<ul id="document-plans">.*?</ul>', page.text, re.S)
    assert monitored and documents
    assert "青川区国民经济" in monitored.group(0) and TITLE not in monitored.group(0)
    assert TITLE in documents.group(0) and "/documents/" in documents.group(0)
    dashboard = app_client.get("/dashboard").text
    assert TITLE not in dashboard  # not in the plan selector
