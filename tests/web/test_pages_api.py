"""Pages and /api/v1 on the demo database: every role, the reporting round, permissions."""

from __future__ import annotations

import re
import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.monitor.workflow import ObservationState
from planwatch.services import users
from planwatch.store import Database
from planwatch.store.models import Assignment, Indicator, Observation, OrgUnit, User
from planwatch.web import create_app
from tests.web.client import csrf_token as _csrf
from tests.web.client import login
from tests.web.open_round import open_item


def _db(url: str) -> Database:
    return Database(url)


def test_wrong_password_is_refused_and_pages_need_a_login(app_client: TestClient) -> None:
    token = _csrf(app_client.get("/login").text)
    refused = app_client.post("/login", data={"login": "tongji", "password": "wrong-pass", "csrf_token": token})
    assert refused.status_code == 401 and "用户名或密码错误" in refused.text
    away = app_client.get("/dashboard", follow_redirects=False)
    assert away.status_code == 303 and "/login?next=%2Fdashboard" in away.headers["location"]


def test_failed_log_ins_are_counted_by_every_app_process(app_client: TestClient, database_url: str) -> None:
    """Two apps on one database stand for two ``serve --workers`` processes: a guesser
    spreading attempts over them meets one limit."""
    with TestClient(create_app(database_url, secret_key="pages-test")) as other:
        for attempt in range(5):
            client = app_client if attempt % 2 else other
            token = _csrf(client.get("/login").text)
            refused = client.post("/login", data={"login": "tongji", "password": "wrong-pass", "csrf_token": token})
            assert refused.status_code == 401
        token = _csrf(app_client.get("/login").text)
        blocked = app_client.post("/login", data={"login": "tongji", "password": DEMO_PASSWORD, "csrf_token": token})
        assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
        assert "登录失败次数过多" in blocked.text
    login(app_client, "pinggu")  # other logins are not affected


@pytest.mark.parametrize("name", ["admin", "tongji", "pinggu", "lingdao", "wjw"])
def test_every_role_sees_the_dashboard_plan_indicator_and_document(app_client: TestClient, database_url: str,
                                                                    name: str) -> None:
    login(app_client, name)
    dashboard = app_client.get("/dashboard")
    assert dashboard.status_code == 200 and "青川区" in dashboard.text and 'id="status-table"' in dashboard.text
    assert "<title>监测总览 · 规划监测</title>" in dashboard.text
    listing = app_client.get("/plans")
    assert listing.status_code == 200 and 'id="plan-list"' in listing.text
    first = re.search(r'href="[^"]*/plans/(\d+)"', listing.text)
    assert first is not None
    plan = app_client.get(f"/plans/{first.group(1)}")
    assert plan.status_code == 200 and 'id="indicator-list"' in plan.text
    with _db(database_url).session(readonly=True) as session:
        indicator = session.scalars(select(Indicator).order_by(Indicator.id)).first()
        assert indicator is not None
        user = session.scalars(select(User).where(User.login == name)).one()
        own = {a.indicator_id for a in session.scalars(select(Assignment).where(
            Assignment.org_unit_id == user.org_unit_id))} if user.org_unit_id else None
        source_id = indicator.plan.source_file_id
    page = app_client.get(f"/indicators/{indicator.id}")
    if own is None or indicator.id in own:
        assert page.status_code == 200 and indicator.name in page.text and 'id="indicator-table"' in page.text
    else:
        assert page.status_code in (403, 404)  # a clerk sees its own unit's indicators only
    document = app_client.get(f"/documents/{source_id}")
    assert document.status_code == 200 and '<mark class="indicator"' in document.text


def test_pages_are_served_while_a_writer_holds_the_database(app_client: TestClient, database_url: str) -> None:
    """Reading pages must not queue behind SQLite's one write lock (a long import, a bulk
    approval): they read in WAL snapshots and never ask for it."""
    login(app_client, "lingdao")
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE org_units SET name = name || '（改）'")
        for path in ("/dashboard", "/plans", "/search?q=森林覆盖率", "/api/v1/docs"):
            response = app_client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
        assert "（改）" not in app_client.get("/dashboard").text  # the uncommitted write is not seen
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_clerks_and_viewers_cannot_review(app_client: TestClient) -> None:
    login(app_client, "wjw")
    assert app_client.get("/review").status_code == 403
    app_client.cookies.clear()
    login(app_client, "lingdao")
    assert app_client.get("/review").status_code == 403


def test_reporting_round_in_the_browser_forms(app_client: TestClient, database_url: str) -> None:
    clerk, indicator_id, period_id, unit_id = open_item(database_url)
    token = login(app_client, clerk)
    entry = app_client.get("/entry")
    assert entry.status_code == 200 and f'id="row-{indicator_id}"' in entry.text
    form = {"csrf_token": token, "indicator_id": indicator_id, "period_id": period_id, "org_unit_id": unit_id,
            "value": "abc", "step": "submit"}
    bad = app_client.post("/entry", data=form, headers={"X-Requested-With": "fetch"})
    assert bad.status_code == 422 and "不是数值" in bad.text
    check = app_client.post(f"/entry/validate/{indicator_id}", data={"value": "abc"}, headers={"X-CSRF-Token": token})
    assert "field-error" in check.text
    saved = app_client.post("/entry", data={**form, "value": "8.6", "source": "部门统计快报"},
                            headers={"X-Requested-With": "fetch"})
    assert saved.status_code == 200 and "已报送" in saved.text
    with _db(database_url).session(readonly=True) as session:
        stored = session.scalars(select(Observation).where(Observation.indicator_id == indicator_id,
                                                           Observation.period_id == period_id)).one()
        assert stored.state == ObservationState.SUBMITTED.value
    other_unit = app_client.post("/entry", data={**form, "value": "8.6", "org_unit_id": unit_id + 1},
                                 headers={"X-Requested-With": "fetch"})
    assert other_unit.status_code == 403 and "无权" in other_unit.text
    with _db(database_url).session(readonly=True) as session:
        assert session.scalars(select(Observation).where(Observation.org_unit_id == unit_id + 1,
                                                         Observation.period_id == period_id,
                                                         Observation.indicator_id == indicator_id)).first() is None

    app_client.cookies.clear()
    token = login(app_client, "tongji")
    queue = app_client.get("/review")
    assert f'value="{stored.id}"' in queue.text
    no_comment = app_client.post("/review", data={"csrf_token": token, "observation_id": [stored.id],
                                                  "decision": "return"}, headers={"X-Requested-With": "fetch"})
    assert no_comment.status_code == 422
    approved = app_client.post("/review", data={"csrf_token": token, "observation_id": [stored.id],
                                                "decision": "approve"}, headers={"X-Requested-With": "fetch"})
    assert approved.status_code == 200 and "已审核通过 1 条" in approved.text
    with _db(database_url).session(readonly=True) as session:
        assert session.get_one(Observation, stored.id).state == ObservationState.APPROVED.value


def test_forms_without_the_csrf_token_are_refused(app_client: TestClient, database_url: str) -> None:
    clerk, indicator_id, period_id, unit_id = open_item(database_url)
    login(app_client, clerk)
    refused = app_client.post("/entry", data={"indicator_id": indicator_id, "period_id": period_id,
                                              "org_unit_id": unit_id, "value": "8"})
    assert refused.status_code == 403


def test_report_downloads(app_client: TestClient) -> None:
    login(app_client, "pinggu")
    plan_id = re.search(r'/plans/(\d+)', app_client.get("/dashboard").text)
    assert plan_id
    word = app_client.get(f"/plans/{plan_id.group(1)}/reports/midterm", params={"year": 2024})
    assert word.status_code == 200 and word.content[:2] == b"PK"
    assert "filename*=utf-8''" in word.headers["content-disposition"]
    excel = app_client.get(f"/plans/{plan_id.group(1)}/reports/annual", params={"format": "xlsx"})
    assert excel.status_code == 200 and excel.content[:2] == b"PK"
    assert app_client.get(f"/plans/{plan_id.group(1)}/reports/annual", params={"format": "txt"}).status_code == 400


def _token(database_url: str, name: str) -> dict[str, str]:
    with _db(database_url).session() as session:
        user = session.scalars(select(User).where(User.login == name)).one()
        return {"Authorization": f"Bearer {users.create_token(session, user, 'test')}"}


def test_api_needs_a_token_and_keeps_the_same_permissions(app_client: TestClient, database_url: str) -> None:
    assert app_client.get("/api/v1/plans").status_code == 401
    assert app_client.get("/api/v1/plans", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    viewer = _token(database_url, "lingdao")
    plans = app_client.get("/api/v1/plans", headers=viewer).json()
    assert len(plans) == 1 and plans[0]["start_year"] == 2021
    plan_id = plans[0]["id"]
    evaluation = app_client.get(f"/api/v1/plans/{plan_id}/evaluation", params={"year": 2024}, headers=viewer).json()
    summary = app_client.get(f"/api/v1/plans/{plan_id}/summary", params={"year": 2024}, headers=viewer).json()
    assert summary["total"] == len(evaluation) > 0
    assert sum(summary["counts"].values()) == summary["total"]
    warnings = app_client.get(f"/api/v1/plans/{plan_id}/warnings", params={"year": 2024}, headers=viewer).json()
    assert {w["indicator_id"] for w in warnings} <= {e["indicator_id"] for e in evaluation}

    clerk_login, indicator_id, period_id, unit_id = open_item(database_url)
    body = {"period_id": period_id, "indicator_id": indicator_id, "org_unit_id": unit_id, "value": "8.1%",
            "submit": True}
    assert app_client.post("/api/v1/observations", json=body, headers=viewer).status_code == 403
    clerk = _token(database_url, clerk_login)
    with _db(database_url).session(readonly=True) as session:
        other = session.scalars(select(OrgUnit.id).where(OrgUnit.id != unit_id)).first()
    assert app_client.post("/api/v1/observations", json={**body, "org_unit_id": other}, headers=clerk).status_code == 403
    assert app_client.post("/api/v1/observations", json={**body, "period_id": "1"}, headers=clerk).status_code == 422
    created = app_client.post("/api/v1/observations", json={**body, "value": "8.1"}, headers=clerk)
    assert created.status_code == 201 and created.json()["state"] == "submitted"
    observation_id = created.json()["id"]
    assert app_client.post(f"/api/v1/observations/{observation_id}/approve", headers=clerk).status_code == 403
    monitoring = _token(database_url, "tongji")
    approved = app_client.post(f"/api/v1/observations/{observation_id}/approve", headers=monitoring)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    listed = app_client.get(f"/api/v1/periods/{period_id}/observations", headers=clerk).json()
    assert listed and {o["org_unit_id"] for o in listed} == {unit_id}


def test_openapi_documents_every_api_route(app_client: TestClient) -> None:
    schema = app_client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/v1/plans", "/api/v1/observations", "/api/v1/observations/{observation_id}/approve"} <= paths
    assert all(p.startswith("/api/v1/") for p in paths)


def test_every_api_endpoint_needs_a_token(app_client: TestClient) -> None:
    schema = app_client.get("/openapi.json").json()
    calls = [(method, path) for path, item in schema["paths"].items() for method in item]
    assert len(calls) >= 15
    for method, path in calls:
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = app_client.request(method.upper(), url, params={"q": "森林"},
                                      headers={"Authorization": "Bearer not-a-token"})
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["www-authenticate"] == "Bearer" and "令牌" in response.json()["detail"]
