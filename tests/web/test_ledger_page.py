"""The task ledger page of a plan: key tasks with their own targets, and what a clerk sees."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.services import periods, plan_import, users
from planwatch.store import Database
from planwatch.store.models import OrgUnit, Plan
from planwatch.web import create_app
from tests.web.client import login


def _plan_id(database_url: str) -> int:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return session.scalars(select(Plan.id).where(Plan.current.is_(True)).order_by(Plan.id)).first() or 0
    finally:
        database.dispose()


def test_the_ledger_lists_the_plans_tasks_with_their_targets(app_client: TestClient, database_url: str) -> None:
    login(app_client, "tongji")
    plan_id = _plan_id(database_url)
    plan_page = app_client.get(f"/plans/{plan_id}").text
    assert f"/plans/{plan_id}/ledger" in plan_page
    page = html.unescape(app_client.get(f"/plans/{plan_id}/ledger").text)
    assert "任务台账" in page and 'id="ledger-tasks"' in page
    rows = re.findall(r'<tr id="task-\d+"[^>]*>(.*?)</tr>', page, re.S)
    row = next(r for r in rows if "壮大先进制造业" in r)
    assert "规模以上工业产值" in row and "800亿元" in row
    assert re.search(r'#line-\d+">壮大先进制造业</a>', page)  # each task links to its line


def test_a_clerk_sees_only_the_tasks_of_its_unit(app_client: TestClient, database_url: str) -> None:
    login(app_client, "fgw")
    plan_id = _plan_id(database_url)
    page = html.unescape(app_client.get(f"/plans/{plan_id}/ledger").text)
    rows = " ".join(re.findall(r'<tr id="task-\d+"[^>]*>(.*?)</tr>', page, re.S))
    assert "提升城乡融合水平" not in rows  # the plan gives it to 区住房城乡建委 and the towns
    assert "重点任务（3）" in page and "发展现代服务业" in rows


def test_the_demo_ledger_shows_its_warnings_and_the_projects_plans(app_client: TestClient, database_url: str) -> None:
    login(app_client, "tongji")
    page = html.unescape(app_client.get(f"/plans/{_plan_id(database_url)}/ledger").text)
    warnings = re.search(r'<section class="card" id="ledger-warnings">(.*?)</section>', page, re.S)
    assert warnings is not None
    assert re.search(r">壮大先进制造业</a>：连续两期报告为“滞后”", warnings.group(1))
    assert re.search(r">区人民医院新院区建设工程</a>：累计完成投资 [\d,]+ 万元，低于按年限应完成的", warnings.group(1))
    assert "竣工验收" in page and "主体结构封顶" in page  # the projects' milestones


def test_unknown_plan_is_404(app_client: TestClient) -> None:
    login(app_client, "tongji")
    assert app_client.get("/plans/999999/ledger").status_code == 404


ACTION_PLAN = Path(__file__).resolve().parents[1] / "unit" / "genre" / "action_plan_ledger.txt"
PASSWORD = "ledger-test-2026"


@pytest.fixture
def ledger_client(tmp_path: Path) -> Iterator[tuple[TestClient, int, int]]:
    """A district with the fictional action plan imported, a clerk of 住建委 and two monitoring users."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    database = Database(url)
    database.upgrade()
    with database.sessions() as session:
        unit = OrgUnit(code="YX03", name="云溪区住房和城乡建设委员会", kind="department")
        session.add(unit)
        session.flush()
        users.add_user(session, None, "jianwei", PASSWORD, "clerk", org_unit="YX03")
        monitor = users.add_user(session, None, "monitor", PASSWORD, "monitoring")
        users.add_user(session, None, "monitor2", PASSWORD, "monitoring")
        plan_import.import_file(session, ACTION_PLAN)
        plan = session.scalars(select(Plan).where(Plan.title.contains("三年行动方案"))).one()
        now = datetime.now(UTC)
        period = periods.create_period(session, monitor, plan.id, 2026, opens_at=now - timedelta(days=1),
                                       closes_at=now + timedelta(days=10))
        session.commit()
        ids = (plan.id, period.id)
    database.dispose()
    with TestClient(create_app(url, secret_key="ledger-test")) as client:
        yield client, *ids


def test_a_clerk_reports_progress_with_evidence_and_the_monitoring_group_reviews_it(
        ledger_client: tuple[TestClient, int, int]) -> None:
    client, plan_id, period_id = ledger_client
    token = login(client, "jianwei", PASSWORD)
    page = html.unescape(client.get(f"/plans/{plan_id}/ledger").text)
    assert "更新改造老旧管网" in page and "补齐消防救援短板" not in page  # its unit's tasks only
    form_url = re.search(r'href="([^"]*/ledger/tasks/\d+/progress\?period_id=\d+)"', page)
    assert form_url is not None
    form = client.get(form_url.group(1))
    assert form.status_code == 200 and 'name="status"' in form.text
    action = re.search(r'action="([^"]*/ledger/tasks/\d+/progress)"', form.text).group(1)  # type: ignore[union-attr]
    unit_id = re.search(r'name="org_unit_id"><option value="(\d+)"', form.text).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": token, "period_id": str(period_id), "org_unit_id": unit_id, "status": "in_progress",
            "percent": "130", "progress": "已改造燃气管道150公里", "action": "submit"}
    bad = client.post(action, data=data)
    assert bad.status_code == 422 and "0 到 100" in html.unescape(bad.text)
    assert "已改造燃气管道150公里" in html.unescape(bad.text)  # what was typed is kept
    saved = client.post(action, data={**data, "percent": "36"}, follow_redirects=False,
                        files={"evidence": ("验收单.pdf", b"%PDF-1.4 fictional", "application/pdf")})
    assert saved.status_code == 303
    page = html.unescape(client.get(saved.headers["location"]).text)
    assert "已报送" in page and "推进中 36%" in page and "验收单.pdf" in page
    evidence = re.search(r'href="([^"]*/ledger/evidence/\d+)"', page).group(1)  # type: ignore[union-attr]
    download = client.get(evidence)
    assert download.content == b"%PDF-1.4 fictional" and len(download.headers["x-content-sha256"]) == 64

    client.post("/logout", data={"csrf_token": token})
    token = login(client, "monitor", PASSWORD)
    page = client.get(f"/plans/{plan_id}/ledger?period_id={period_id}").text
    review = re.search(r'action="([^"]*/ledger/reports/\d+/review)"', page).group(1)  # type: ignore[union-attr]
    refused = client.post(review, data={"csrf_token": token, "decision": "return", "note": ""})
    assert refused.status_code == 422 and "退回时请写明原因" in html.unescape(refused.text)
    approved = client.post(review, data={"csrf_token": token, "decision": "approve"}, follow_redirects=True)
    assert approved.status_code == 200 and "已通过" in html.unescape(approved.text)


def test_a_refused_progress_value_is_named_by_its_field_in_the_users_language(
        ledger_client: tuple[TestClient, int, int]) -> None:
    """The form reads the per cent done with the one reader (planwatch.fields): ١٢ and 1_000,
    which float() took, are refused; the message is the catalogue's, in Chinese or English."""
    client, plan_id, period_id = ledger_client
    token = login(client, "jianwei", PASSWORD)
    page = html.unescape(client.get(f"/plans/{plan_id}/ledger").text)
    form_url = re.search(r'href="([^"]*/ledger/tasks/\d+/progress\?period_id=\d+)"', page).group(1)  # type: ignore[union-attr]
    form = client.get(form_url).text
    action = re.search(r'action="([^"]*/ledger/tasks/\d+/progress)"', form).group(1)  # type: ignore[union-attr]
    unit_id = re.search(r'name="org_unit_id"><option value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": token, "period_id": str(period_id), "org_unit_id": unit_id, "status": "in_progress",
            "progress": "已改造燃气管道150公里"}
    cases = [
        ({"percent": "١٢"}, "完成百分比：「١」不是阿拉伯数字或汉字数字",
         "Per cent done: “١” is not a digit PlanWatch reads"),
        ({"percent": "36", "investment_period": "1_000"}, "本期完成投资：「1_000」中有下划线",
         "Investment this period: “1_000” has an underscore in it"),
        ({"percent": "36", "investment_period": "1.2万"}, "本期完成投资：金额以万元计",
         "Investment this period: amounts are in 10,000 yuan"),
        ({"percent": "130"}, "完成百分比应为 0 到 100 之间的数", "the per cent done must be a number from 0 to 100"),
    ]
    for typed, chinese, english in cases:
        client.cookies.set("planwatch_lang", "zh")
        refused = client.post(action, data={**data, **typed})
        assert refused.status_code == 422 and chinese in html.unescape(refused.text), typed
        client.cookies.set("planwatch_lang", "en")
        refused = client.post(action, data={**data, **typed})
        assert refused.status_code == 422 and english in html.unescape(refused.text), typed
        assert chinese not in html.unescape(refused.text)
    client.cookies.set("planwatch_lang", "zh")
    saved = client.post(action, data={**data, "percent": "３６", "investment_period": "1,200"}, follow_redirects=False)
    assert saved.status_code == 303  # full-width digits and grouped thousands are read as the product reads them
